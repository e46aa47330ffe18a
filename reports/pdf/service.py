"""PDFs for the web, rendered in worker processes.

Rendering takes seconds of CPU. Doing it in the web process would stall every other request,
so it runs in a process pool with at most one job per core. The pool also runs whole tasks
(``run``): a report job reads, scores and builds its HTML there too, so the web process's
threads, which share one interpreter lock with every page being served, only wait for it.

Nothing is kept here: a made report is kept in one place only, its job's row in the database,
which every app process and worker shares (and erasure clears), and two requests for the same
report share one job there.
"""

import importlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

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


Result = TypeVar("Result")


class PdfService:
    def __init__(self, workers: int | None = None, preload: tuple[str, ...] = ()) -> None:
        cores = os.cpu_count() or 1
        self.workers = max(1, min(workers or cores, cores))
        self.preload = preload
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        # Started on first use, with 'spawn' so workers never inherit the server's threads.
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_render_process,
                    initargs=(self.preload,),
                )
            return self._pool

    def warm(self) -> set[int]:
        """Start every render process now rather than on the first report; returns their ids.
        The pool starts a process for each task given while none is idle, so one task each."""
        pool = self._executor()
        for future in [pool.submit(_ready) for _ in range(self.workers)]:
            future.result()
        return {process.pid for process in pool._processes.values() if process.pid is not None}

    def render(self, html: str) -> bytes:
        """The PDF of ``html``; blocks the calling thread (never call it on the event loop)."""
        return self.run(html_to_pdf, html)

    def run(self, task: Callable[..., Result], *args: object) -> Result:
        """``task(*args)`` in a render process (a module-level function, its arguments and its
        result picklable); blocks the calling thread. A worker that dies (killed, out of
        memory) breaks its whole pool; the pool is then replaced and the task tried once more,
        so one crash never refuses every later report."""
        for attempt in (1, 2):
            pool = self._executor()
            try:
                return pool.submit(task, *args).result(timeout=RENDER_TIMEOUT_SECONDS)
            except BrokenProcessPool:
                self._replace(pool)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable: the second attempt returns or raises")

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
