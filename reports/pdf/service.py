"""PDFs for the web: rendered in worker processes and kept by the hash of what went into them.

Rendering takes seconds of CPU. Doing it in the web process would stall every other request,
so it runs in a process pool with at most one job per core; identical requests arriving together
share one render, and a second download of the same report is read from the cache at once.
"""

import hashlib
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path

import weasyprint

from reports.assets import REPORTS_STATIC_DIR
from reports.pdf.renderer import html_to_pdf

RENDER_TIMEOUT_SECONDS = 180
RENDER_NICENESS = 10
"""How much lower than the web process a render runs: on a busy machine the pages people are
reading (and the load balancer's health check) go first, and a report takes a little longer."""


def _yield_to_requests() -> None:
    os.nice(RENDER_NICENESS)


def cache_key(html: str) -> str:
    """Everything that changes the PDF: the HTML, the stylesheet and the renderer's version."""
    digest = hashlib.sha256()
    digest.update(weasyprint.__version__.encode())
    digest.update((REPORTS_STATIC_DIR / "report.css").read_bytes())
    digest.update(html.encode("utf-8"))
    return digest.hexdigest()


class PdfService:
    def __init__(self, cache_dir: Path, workers: int | None = None) -> None:
        cores = os.cpu_count() or 1
        self.cache_dir = cache_dir
        self.workers = max(1, min(workers or cores, cores))
        self._pool: ProcessPoolExecutor | None = None
        self._in_flight: dict[str, Future[bytes]] = {}
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        # Started on first use, with 'spawn' so workers never inherit the server's threads.
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_yield_to_requests,
            )
        return self._pool

    def _path(self, owner: str, key: str) -> Path:
        return self.cache_dir / f"{owner}--{key}.pdf"

    def cached(self, key: str, owner: str = "report") -> bytes | None:
        path = self._path(owner, key)
        return path.read_bytes() if path.is_file() else None

    def forget(self, owner_prefix: str) -> int:
        """Delete every cached PDF whose owner starts with ``owner_prefix`` (for example all of a
        place's reports after one respondent is erased): no copy of their words stays behind."""
        removed = 0
        for path in self.cache_dir.glob(f"{owner_prefix}*--*.pdf"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed

    def render(self, html: str, owner: str = "report") -> bytes:
        """The PDF of ``html``; blocks the calling thread (never call it on the event loop).

        A worker that dies (killed, out of memory) breaks its whole pool; the pool is then
        replaced and the render tried once more, so one crash never refuses every later report.
        """
        key = cache_key(html)
        cached = self.cached(key, owner)
        if cached is not None:
            return cached
        for attempt in (1, 2):
            pool: ProcessPoolExecutor | None = None
            future: Future[bytes] | None = None
            still_rendering = False
            try:
                with self._lock:
                    pool = self._executor()
                    future = self._in_flight.get(key)
                    if future is None:
                        future = pool.submit(html_to_pdf, html)
                        self._in_flight[key] = future
                pdf = future.result(timeout=RENDER_TIMEOUT_SECONDS)
                break
            except BrokenProcessPool:
                self._replace(pool)
                if attempt == 2:
                    raise
            except TimeoutError:
                assert future is not None
                # The caller stops waiting, the render does not: it stays in flight for the
                # next request to wait on, and is cached when it finishes.
                still_rendering = True
                future.add_done_callback(partial(self._finish_later, key, owner))
                raise
            finally:
                if not still_rendering:
                    with self._lock:
                        self._in_flight.pop(key, None)
        self._store(self._path(owner, key), pdf)
        return pdf

    def _finish_later(self, key: str, owner: str, future: Future[bytes]) -> None:
        with self._lock:
            self._in_flight.pop(key, None)
        if not future.cancelled() and future.exception() is None:
            self._store(self._path(owner, key), future.result())

    def _replace(self, broken: ProcessPoolExecutor | None) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)

    def _store(self, path: Path, pdf: bytes) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(pdf)
        os.replace(partial, path)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
