"""A small in-process sliding-window limiter, for guesses at invitation links and passwords.

Each worker process keeps its own counts; with several workers the effective limit is a
multiple of this one, which still stops guessing 256-bit tokens being worth anyone's while.
"""

import threading
import time
from collections import defaultdict, deque


class RateLimiter:
    def __init__(self, *, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window = window_seconds
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque[float]:
        events = self._events[key]
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._trim(key, time.monotonic())) >= self.limit

    def record(self, key: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._trim(key, now).append(now)
