"""The priority index: how far a condition's score is below the top of the scale (the gap)
times how important partners rate it (the need), each from 0 to 1.

Worked out exactly from the score and the importance as printed, so a reader repeating the
Method's sum with the two printed figures lands on the same side of the threshold, and the
published (gated, printed) figures give the same answer as the live ones.
"""

from fractions import Fraction

from questionnaires.schema import Definition, PartKind
from scoring.rounding import tenths


def priority_index(
    definition: Definition, score: float | None, importance: float | None
) -> float | None:
    """gap × need, each 0–1: low maturity and high importance make a high priority."""
    if score is None or importance is None:
        return None
    gap, need = priority_factors(definition, score, importance)
    return float(gap * need)


def priority_factors(
    definition: Definition, score: float, importance: float
) -> tuple[Fraction, Fraction]:
    """The gap and the need, as exact fractions of the printed score and importance."""
    maturity = definition.statement_scale
    conditions_part = next(p for p in definition.parts if p.kind is PartKind.CONDITIONS)
    assert conditions_part.importance is not None
    scale = definition.scale(conditions_part.importance.scale)
    gap = Fraction(maturity.maximum * 10 - tenths(score), (maturity.maximum - 1) * 10)
    need = Fraction(tenths(importance) - 10, (scale.maximum - 1) * 10)
    return gap, need
