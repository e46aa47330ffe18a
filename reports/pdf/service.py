"""PDFs for the web: rendered in worker processes and kept by the hash of what went into them.

Rendering takes seconds of CPU. Doing it in the web process would stall every other request,
so it runs in a process pool with at most one job per core; identical requests arriving together
share one render, and a second download of the same report is read from the cache at once.
The pool also runs whole tasks (``run``): a report job reads, scores and builds its HTML there
too, so the web process's threads, which share one interpreter lock with every page being
served, only wait for it.
"""

import hashlib
import importlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

import weasyprint

from reports.assets import REPORTS_STATIC_DIR
from reports.pdf.renderer import html_to_pdf

RENDER_TIMEOUT_SECONDS = 180
RENDER_NICENESS = 10
"""How much lower than the web process a render runs: on a busy machine the pages people are
reading (and the load balancer's health check) go first, and a report takes a little longer."""


def _start_render_process(preload: tuple[str, ...]) -> None:
    """Each render process, as it starts: take a lower priority, then import what its tasks
    will need (1.4 s for a report job's modules), so that its first report costs what its tenth
    does."""
    _yield_to_requests()
    for module in preload:
        importlib.import_module(module)


def _ready() -> None:
    """A task for a process to start for (see ``PdfService.warm``)."""


def _yield_to_requests() -> None:
    """Lower the render process's priority. On Linux it also takes the idle scheduling class,
    which runs it only on CPU time nothing else wants: with two CPU-bound loops beside a server,
    the health check's p99 was 1.3 times idle with it against 1.6–1.9 at niceness 10 alone."""
    os.nice(RENDER_NICENESS)
    if hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def cache_key(html: str) -> str:
    """Everything that changes the PDF: the HTML, the stylesheet and the renderer's version."""
    digest = hashlib.sha256()
    digest.update(weasyprint.__version__.encode())
    digest.update((REPORTS_STATIC_DIR / "report.css").read_bytes())
    digest.update(html.encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class PdfCache:
    """Rendered PDFs on disk, named by their owner and the hash of their input; shared by every
    process (and machine) that renders, so it is the folder, not the process, that remembers."""

    cache_dir: Path

    def path(self, owner: str, key: str) -> Path:
        return self.cache_dir / f"{owner}--{key}.pdf"

    def cached(self, key: str, owner: str = "report") -> bytes | None:
        path = self.path(owner, key)
        return path.read_bytes() if path.is_file() else None

    def store(self, owner: str, key: str, pdf: bytes) -> None:
        path = self.path(owner, key)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        part.write_bytes(pdf)
        os.replace(part, path)

    def render_here(self, html: str, owner: str = "report") -> bytes:
        """The PDF of ``html``, rendered in the calling process unless already cached: for code
        already running in a render process."""
        key = cache_key(html)
        pdf = self.cached(key, owner)
        if pdf is None:
            pdf = html_to_pdf(html)
            self.store(owner, key, pdf)
        return pdf


Result = TypeVar("Result")


class PdfService:
    def __init__(
        self, cache_dir: Path, workers: int | None = None, preload: tuple[str, ...] = ()
    ) -> None:
        cores = os.cpu_count() or 1
        self.cache = PdfCache(cache_dir)
        self.workers = max(1, min(workers or cores, cores))
        self.preload = preload
        self._pool: ProcessPoolExecutor | None = None
        self._in_flight: dict[str, Future[bytes]] = {}
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        # Started on first use, with 'spawn' so workers never inherit the server's threads.
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_render_process,
                initargs=(self.preload,),
            )
        return self._pool

    def cached(self, key: str, owner: str = "report") -> bytes | None:
        return self.cache.cached(key, owner)

    def warm(self) -> set[int]:
        """Start every render process now rather than on the first report; returns their ids.
        The pool starts a process for each task given while none is idle, so one task each."""
        with self._lock:
            pool = self._executor()
        for future in [pool.submit(_ready) for _ in range(self.workers)]:
            future.result()
        return {process.pid for process in pool._processes.values() if process.pid is not None}

    def forget(self, owner_prefix: str) -> int:
        """Delete every cached PDF whose owner starts with ``owner_prefix`` (for example all of a
        place's reports after one respondent is erased): no copy of their words stays behind."""
        removed = 0
        for path in self.cache.cache_dir.glob(f"{owner_prefix}*--*.pdf"):
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
        self.cache.store(owner, key, pdf)
        return pdf

    def run(self, task: Callable[..., Result], *args: object) -> Result:
        """``task(*args)`` in a render process (a module-level function, its arguments and its
        result picklable); blocks the calling thread. A broken pool is replaced and the task
        tried once more, as for a render."""
        for attempt in (1, 2):
            with self._lock:
                pool = self._executor()
            try:
                return pool.submit(task, *args).result(timeout=RENDER_TIMEOUT_SECONDS)
            except BrokenProcessPool:
                self._replace(pool)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _finish_later(self, key: str, owner: str, future: Future[bytes]) -> None:
        with self._lock:
            self._in_flight.pop(key, None)
        if not future.cancelled() and future.exception() is None:
            self.cache.store(owner, key, future.result())

    def _replace(self, broken: ProcessPoolExecutor | None) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
