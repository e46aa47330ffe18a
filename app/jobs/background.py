"""Work done off the request path, in the app's own process: on the embedded SQLite database
there is no other process to hand it to.

Nothing here holds state that matters: every task reads what to do from the database and
writes back what it did, so a restart loses no work (the queue and the schedule are rows, and
the periodic check runs at start-up as well as every minute after).
"""

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger("placecheck.background")

TICK_SECONDS = 60.0


class Background:
    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="placecheck-job")
        self._stopping = threading.Event()
        self._ticker: threading.Thread | None = None

    def submit(self, task: Callable[..., Any], *args: Any) -> None:
        if self._stopping.is_set():
            return
        self._pool.submit(task, *args).add_done_callback(_log_failure)

    def every(self, seconds: float, task: Callable[[], Any]) -> None:
        """Run ``task`` now and then every ``seconds`` until shut down; a failure is logged and
        the next run goes ahead (a database restart must not stop deadlines for good)."""

        def loop() -> None:
            while not self._stopping.is_set():
                try:
                    task()
                except Exception:
                    log.exception("Scheduled work failed; trying again in %s s", seconds)
                self._stopping.wait(seconds)

        self._ticker = threading.Thread(target=loop, name="placecheck-schedule", daemon=True)
        self._ticker.start()

    def shutdown(self) -> None:
        """Stop taking work and let the tasks already running finish; queued ones stay queued
        in the database for the next start."""
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._ticker is not None:
            self._ticker.join(timeout=5)


def _log_failure(future: Future[Any]) -> None:
    if not future.cancelled() and (error := future.exception()) is not None:
        log.error("Background task failed", exc_info=error)
