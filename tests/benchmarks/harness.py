"""What every benchmark shares: interleaved runs, medians, and the table ``make bench`` prints.

The machines are shared and noisy, so no figure stands alone: each row compares the product
with a baseline measured in the same run, alternately (product, baseline, product, ...), and
the ratio of their medians is what is judged against the goal.
"""

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS_FILE = Path("build") / "bench.json"


@dataclass(frozen=True)
class Row:
    what: str
    product: str
    baseline: str
    ratio: float | None
    goal: str
    met: bool | None
    """None: a figure reported without a goal to meet."""


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def p(samples: list[float], percentile: int) -> float:
    """The percentile of samples (inclusive method; one sample is its own percentile)."""
    if len(samples) < 2:
        return samples[0] if samples else 0.0
    return statistics.quantiles(samples, n=100, method="inclusive")[percentile - 1]


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def interleaved(
    product: Callable[[], float], baseline: Callable[[], float], runs: int
) -> tuple[list[float], list[float]]:
    """Run each ``runs`` times, alternately, and return both lists of figures."""
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        mine.append(product())
        theirs.append(baseline())
    return mine, theirs


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def print_table(rows: list[Row]) -> None:
    header = ["what", "product", "baseline", "ratio", "goal", "met"]
    cells = [
        [
            r.what,
            r.product,
            r.baseline,
            "–" if r.ratio is None else f"{r.ratio:.2f}",
            r.goal,
            {True: "yes", False: "NO", None: "–"}[r.met],
        ]
        for r in rows
    ]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *cells, strict=True)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in cells:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |")


def write_json(rows: list[Row], path: Path = RESULTS_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n", encoding="utf-8")
