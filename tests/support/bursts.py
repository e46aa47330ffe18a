"""Many requests released at the same moment, against a server on either database."""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest


def at_once(count: int, send: Callable[[int], int]) -> Counter[int]:
    """The statuses of ``count`` requests (``send(n)`` sends the n-th) released together."""
    barrier = threading.Barrier(count)

    def one(number: int) -> int:
        barrier.wait()
        return send(number)

    with ThreadPoolExecutor(count) as pool:
        return Counter(pool.map(one, range(count)))


def database_for(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty database on ``backend``: a SQLite file, or one on the test PostgreSQL server."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'burst.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url
