"""Report rendering, measured side by side in one run: ``make bench``.

Prints median seconds over a few repetitions and the ratios between the variants, which mean
more than the absolute figures on a shared, noisy machine:

- the demo's forum report as shipped (charts as ``<img>`` SVG data URIs);
- the same report with every chart inlined as ``<svg>`` (what the design avoids);
- the workshop pack;
- a second download through the PDF service (read from the cache).
"""

import base64
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlmodel import Session, SQLModel

from app.cli.support import find_round
from app.core.db import create_db_engine
from app.demo.place import load_demo
from app.results.reports import report_html
from app.results.rules import load_rules
from reports.pdf.renderer import html_to_pdf
from reports.pdf.service import PdfService
from reports.render import ReportKind

REPEATS = 3
DATA_URI = re.compile(r'<img class="[^"]*" src="data:image/svg\+xml;base64,([^"]+)" alt="[^"]*">')


def median_seconds(work: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def inline_svgs(html: str) -> str:
    return DATA_URI.sub(lambda m: base64.b64decode(m.group(1)).decode("utf-8"), html)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_db_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        SQLModel.metadata.create_all(engine)
        with Session(engine) as session:
            load_demo(session, "benchmark-secret")
            assessment_round = find_round(session=session, reference="demo")
            assert assessment_round is not None

            def html_of(kind: ReportKind) -> str:
                return report_html(
                    session=session,
                    assessment_round=assessment_round,
                    kind=kind,
                    rules=load_rules(),
                    today=date(2026, 11, 22),
                ).html

            forum = html_of(ReportKind.FORUM)
            workshop = html_of(ReportKind.WORKSHOP)
            context_seconds = median_seconds(lambda: html_of(ReportKind.FORUM))
        html_to_pdf(forum)  # warm up fonts and imports once
        service = PdfService(Path(folder) / "cache", workers=1)
        service.render(forum)
        rows = [
            ("forum report: scores, context and HTML", context_seconds),
            (
                "forum report PDF, charts as <img> (shipped)",
                median_seconds(lambda: html_to_pdf(forum)),
            ),
            (
                "forum report PDF, charts inlined as <svg>",
                median_seconds(lambda: html_to_pdf(inline_svgs(forum))),
            ),
            ("workshop pack PDF", median_seconds(lambda: html_to_pdf(workshop))),
            (
                "forum report, second download (cache)",
                median_seconds(lambda: service.render(forum)),
            ),
        ]
        service.shutdown()
        engine.dispose()
    shipped = rows[1][1]
    print(f"\n{'measurement':<48} {'median s':>9} {'÷ shipped':>10}")
    print("-" * 69)
    for name, seconds in rows:
        print(f"{name:<48} {seconds:>9.3f} {seconds / shipped:>10.3f}")
    print(f"\n{REPEATS} repetitions each, one process, the same run.")


if __name__ == "__main__":
    main()
