"""Many requests released at the same moment, against a server on either database."""

import threading
from collections import Counter
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tests.support.pages import csrf_of, post_sign_in

Answer = TypeVar("Answer", bound=Hashable)


def at_once(count: int, send: Callable[[int], Answer]) -> Counter[Answer]:
    """What ``count`` requests (``send(n)`` sends the n-th) answered, released together."""
    barrier = threading.Barrier(count)

    def one(number: int) -> Answer:
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


def signed_in_browsers(
    url: str, email: str, password: str, count: int, page: str
) -> list[tuple[httpx.Client, str]]:
    """``count`` browsers of their own (one browser's requests queue behind each other), each
    signed in as ``email``, with the CSRF token of ``page``."""
    browsers = []
    for _ in range(count):
        browser = httpx.Client(base_url=url, timeout=120)
        assert post_sign_in(browser, email, password).status_code == 303
        browsers.append((browser, csrf_of(browser.get(page).text)))
    return browsers
