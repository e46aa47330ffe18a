"""``make bench``: every benchmark, side by side in one run, as one table with ratios and goals
(also written to build/bench.json). Takes about five minutes on a 2-core machine.

    python -m tests.benchmarks.run [saves scoring reports server data]
"""

import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks import bench_data, bench_reports, bench_saves, bench_scoring, bench_server
from tests.benchmarks.harness import Row, print_table, write_json

SUITES = {
    "saves": bench_saves.rows,
    "scoring": bench_scoring.rows,
    "reports": bench_reports.rows,
    "server": bench_server.rows,
    "data": bench_data.rows,
}


def main() -> None:
    chosen = sys.argv[1:] or list(SUITES)
    rows: list[Row] = []
    started = time.perf_counter()
    for name in chosen:
        suite_started = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            rows.extend(SUITES[name](Path(folder)))
        print(f"{name}: {time.perf_counter() - suite_started:.0f} s", file=sys.stderr)
    print()
    print_table(rows)
    print(
        f"\n{len(rows)} rows in {time.perf_counter() - started:.0f} s; medians of interleaved runs."
    )
    write_json(rows)


if __name__ == "__main__":
    main()
