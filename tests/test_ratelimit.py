"""Limits on guessing, counted in the database so that every worker sees the same counts."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.core.config import Environment, Settings
from app.core.db import UnitOfWork, write_session
from app.core.security import ratelimit
from app.core.security.proxies import forwarded_client
from app.core.security.ratelimit import Limit
from app.models import FailedAttempt, utcnow


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[timedelta]:
    offset = [timedelta()]
    start = utcnow()
    monkeypatch.setattr(ratelimit, "utcnow", lambda: start + offset[0])
    return offset


def _claims(engine: Engine, wanted: ratelimit.Wanted, *, pending: bool = False) -> list[int] | None:
    with Session(engine) as session:
        return ratelimit.take_places(UnitOfWork(session), wanted, pending=pending)


def test_a_key_is_refused_at_the_limit_and_free_again_when_the_window_has_passed(
    engine: Engine, clock: list[timedelta]
) -> None:
    limit = Limit("test", 3, timedelta(seconds=60))
    for _ in range(3):
        assert _claims(engine, [(limit, "client:a")]) is not None
    assert _claims(engine, [(limit, "client:a")]) is None
    assert _claims(engine, [(limit, "client:b")]) is not None
    assert _claims(engine, [(Limit("other", 3, timedelta(seconds=60)), "client:a")]) is not None

    clock[0] += timedelta(seconds=59)
    assert _claims(engine, [(limit, "client:a")]) is None
    clock[0] += timedelta(seconds=1)
    assert _claims(engine, [(limit, "client:a")]) is not None


def test_a_refused_claim_takes_no_place_in_any_of_its_counts(
    engine: Engine, clock: list[timedelta]
) -> None:
    account, address = (
        Limit("account", 1, timedelta(minutes=1)),
        Limit("address", 5, timedelta(minutes=1)),
    )
    assert _claims(engine, [(account, "fran"), (address, "client:a")]) is not None
    assert _claims(engine, [(account, "fran"), (address, "client:a")]) is None
    with Session(engine) as session:
        assert (
            len(session.exec(select(FailedAttempt).where(FailedAttempt.scope == "address")).all())
            == 1
        )


def test_a_released_place_is_no_longer_counted(engine: Engine, clock: list[timedelta]) -> None:
    limit = Limit("test", 1, timedelta(minutes=1))
    places = _claims(engine, [(limit, "client:a")])
    assert places is not None and len(places) == 1
    with write_session(engine) as session:
        ratelimit.release(session, places)
    assert _claims(engine, [(limit, "client:a")]) is not None


def test_an_attempt_waits_for_checks_still_running_and_gets_in_if_they_give_their_places_back(
    engine: Engine,
) -> None:
    """Twenty people signing in at once with the right password all get in."""
    limit = Limit("test", 1, timedelta(minutes=1))
    checking = _claims(engine, [(limit, "fran")], pending=True)
    assert checking is not None

    def check_succeeds() -> None:
        time.sleep(0.3)
        with write_session(engine) as session:
            ratelimit.release(session, checking)

    threading.Thread(target=check_succeeds).start()
    started = time.monotonic()
    assert _claims(engine, [(limit, "fran")], pending=True) is not None
    assert time.monotonic() - started >= 0.25


def test_an_attempt_is_refused_at_once_when_the_checks_ahead_of_it_failed(
    engine: Engine, clock: list[timedelta]
) -> None:
    limit = Limit("test", 1, timedelta(minutes=1))
    failed = _claims(engine, [(limit, "fran")], pending=True)
    assert failed is not None
    with write_session(engine) as session:
        ratelimit.settle(session, failed)

    started = time.monotonic()
    assert _claims(engine, [(limit, "fran")], pending=True) is None
    assert time.monotonic() - started < ratelimit.WAIT_FOR_CHECKS_SECONDS / 2


def test_a_check_that_never_ended_counts_as_a_failure(
    engine: Engine, clock: list[timedelta]
) -> None:
    limit = Limit("test", 1, timedelta(minutes=5))
    assert _claims(engine, [(limit, "fran")], pending=True) is not None  # its request died
    clock[0] += ratelimit.CHECKED_WITHIN + timedelta(seconds=1)

    started = time.monotonic()
    assert _claims(engine, [(limit, "fran")], pending=True) is None
    assert time.monotonic() - started < ratelimit.WAIT_FOR_CHECKS_SECONDS / 2


def test_expired_attempts_are_deleted_and_keys_are_not_stored_in_clear(
    engine: Engine, clock: list[timedelta]
) -> None:
    limit = Limit("test", 2, timedelta(seconds=10))
    _claims(engine, [(limit, "email:fran@example.org")])
    clock[0] += timedelta(seconds=11)
    _claims(engine, [(limit, "email:fran@example.org")])
    with Session(engine) as session:
        rows = session.exec(select(FailedAttempt)).all()
    assert len(rows) == 1
    assert "fran" not in rows[0].key_hash


def _settings(*proxies: str) -> Settings:
    return Settings(environment=Environment.TEST, trusted_proxies=list(proxies))  # type: ignore[arg-type]


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    forged = ["203.0.113.9"]
    assert forwarded_client("198.51.100.7", forged, _settings()) == "198.51.100.7"
    assert forwarded_client("198.51.100.7", forged, _settings("10.0.0.0/8")) == "198.51.100.7"
    assert forwarded_client("10.1.2.3", forged, _settings("10.0.0.0/8")) == "203.0.113.9"


def test_the_client_is_the_nearest_address_that_is_not_a_trusted_proxy() -> None:
    chain = ["198.51.100.1, 203.0.113.9", "10.0.0.5"]  # a forged first hop, then two proxies
    assert forwarded_client("10.0.0.4", chain, _settings("10.0.0.0/8")) == "203.0.113.9"


def test_a_chain_that_does_not_parse_is_ignored() -> None:
    assert forwarded_client("10.0.0.4", ["not-an-ip"], _settings("10.0.0.0/8")) == "10.0.0.4"
    assert forwarded_client("10.0.0.4", [], _settings("10.0.0.0/8")) == "10.0.0.4"
