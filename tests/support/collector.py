"""The test process's cycle collector, set for a suite rather than a server.

A test process builds apps, engines and demo places by the thousand objects and keeps its
imports for the whole run; with Python's default thresholds the collector ran every 700 new
objects and walked all of that again and again. Collecting less often, and leaving out what was
there once the tests were collected, took ``tests/workspace`` under ``-n 2`` from 85–99 s to
78–88 s. Only the test processes change: the servers and render processes the tests start keep
the product's own settings.
"""

import gc

import pytest

SUITE_THRESHOLDS = (100_000, 50, 100)


def pytest_configure(config: pytest.Config) -> None:
    gc.set_threshold(*SUITE_THRESHOLDS)


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()
