"""The one rounding rule: every figure a person reads is a whole number of tenths (scores,
differences) or of hundredths (shares, shown as whole percentages), rounded half up.

Python's ``round(2.25, 1)`` gives 2.2 (the float is 2.2499…) and ``2.3 - 1.8`` is 0.4999…, so a
reader doing the arithmetic by hand would disagree with a page that used either. Here a value is
read at its shortest decimal form (``repr``: what a person would write down), rounded half up
in decimal, and kept as an integer count of steps, so sums and differences of printed figures
are exact. The rules, the templates, the charts, the published snapshots and the exports all
round through this module; no other rounding of a figure may be printed.
"""

from decimal import ROUND_HALF_UP, Decimal

_TENTH = Decimal("0.1")
_HUNDREDTH = Decimal("0.01")


def _steps(value: float, step: Decimal) -> int:
    return int((Decimal(repr(float(value))) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def tenths(value: float) -> int:
    """``value`` as a whole number of tenths, half up (away from zero): 2.25 is 23."""
    return _steps(value, _TENTH)


def printed(value: float) -> float:
    """``value`` as printed with one decimal, as a float (for drawing and for the rules)."""
    return tenths(value) / 10


def printed_or_none(value: float | None) -> float | None:
    return None if value is None else printed(value)


def one_decimal(value: float | None) -> str:
    """A score as printed: one decimal, or a dash where there is none."""
    if value is None:
        return "–"
    steps = tenths(value)
    sign = "-" if steps < 0 else ""
    whole, tenth = divmod(abs(steps), 10)
    return f"{sign}{whole}.{tenth}"


def difference_in_tenths(later: float, earlier: float) -> int:
    """``later - earlier`` as the difference of the two numbers as printed, in tenths: a
    reader subtracting the printed figures gets exactly this."""
    return tenths(later) - tenths(earlier)


def signed_tenths(steps: int) -> str:
    """A difference in tenths with its sign; no difference is a plain 0.0."""
    if steps == 0:
        return "0.0"
    sign = "+" if steps > 0 else "-"
    whole, tenth = divmod(abs(steps), 10)
    return f"{sign}{whole}.{tenth}"


def hundredths(share: float) -> int:
    """A share between 0 and 1 as a whole percentage, half up: 0.125 is 13."""
    return _steps(share, _HUNDREDTH)


def percent_or_none(share: float | None) -> int | None:
    """A share as a spreadsheet cell: its whole percentage as printed, or empty."""
    return None if share is None else hundredths(share)


def printed_share(share: float) -> float:
    """A share as printed (a whole percentage), as a fraction."""
    return hundredths(share) / 100


def percentage(share: float | None) -> str:
    """A share as printed: a whole percentage, or a dash where there is none (a condition
    nobody rated has no consensus, which is not the same as none at all)."""
    return "–" if share is None else f"{hundredths(share)}%"
