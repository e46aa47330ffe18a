"""The sliding window behind the sign-in and bad-link limits."""

import pytest

from app.core.security import ratelimit
from app.core.security.ratelimit import RateLimiter


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: now[0])
    return now


def test_a_key_is_blocked_at_the_limit_and_free_again_when_the_window_has_passed(
    clock: list[float],
) -> None:
    limiter = RateLimiter(limit=3, window_seconds=60)
    for _ in range(2):
        limiter.record("client:a")
    assert not limiter.blocked("client:a")

    limiter.record("client:a")
    assert limiter.blocked("client:a")
    assert not limiter.blocked("client:b")

    clock[0] += 59
    assert limiter.blocked("client:a")
    clock[0] += 1
    assert not limiter.blocked("client:a")


def test_only_attempts_inside_the_window_count(clock: list[float]) -> None:
    limiter = RateLimiter(limit=2, window_seconds=10)
    limiter.record("k")
    clock[0] += 6
    limiter.record("k")
    assert limiter.blocked("k")

    clock[0] += 5  # the first attempt is now 11 s old
    assert not limiter.blocked("k")
