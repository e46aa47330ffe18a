"""The reliability suites' figures: tables made by the tests, printed together at the end of
the run. The hooks are imported by the root conftest, the one loaded where a run with ``-n`` is
reported."""

import statistics
from collections.abc import Generator

import pytest

FIGURES: list[list[str]] = []
"""Every table of the run, gathered where the run is reported."""
_MADE: list[list[str]] = []
"""Tables the current test made, not yet sent with its report."""


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    """Kept for the end of the run, where ``make reliability`` prints every suite's figures."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    _MADE.append(lines)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """The tables travel with the test's report: with ``-n`` the tests run in worker processes,
    and only their reports reach the process that prints the summary."""
    report = yield
    while _MADE:
        report.user_properties.append((FIGURES_PROPERTY, _MADE.pop(0)))
    return report


FIGURES_PROPERTY = "reliability-figures"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    FIGURES.extend(value for name, value in report.user_properties if name == FIGURES_PROPERTY)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("reliability figures")
    for lines in FIGURES:
        for line in lines:
            terminalreporter.write_line(line)
        terminalreporter.write_line("")


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 in milliseconds."""
    if len(samples) < 2:
        only = samples[0] * 1000 if samples else 0.0
        return only, only, only
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000
