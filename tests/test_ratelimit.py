"""Limits on guessing, counted in the database so that every worker sees the same counts."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.core.config import Environment, Settings
from app.core.db import write_session
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


def test_a_key_is_blocked_at_the_limit_and_free_again_when_the_window_has_passed(
    engine: Engine, clock: list[timedelta]
) -> None:
    limit = Limit("test", 3, timedelta(seconds=60))
    with write_session(engine) as session:
        for _ in range(2):
            limit.record(session, "client:a")
        session.commit()
        assert not limit.blocked(session, "client:a")

        limit.record(session, "client:a")
        session.commit()
        assert limit.blocked(session, "client:a")
        assert not limit.blocked(session, "client:b")
        assert not Limit("other", 3, timedelta(seconds=60)).blocked(session, "client:a")

        clock[0] += timedelta(seconds=59)
        assert limit.blocked(session, "client:a")
        clock[0] += timedelta(seconds=1)
        assert not limit.blocked(session, "client:a")


def test_expired_attempts_are_deleted_and_keys_are_not_stored_in_clear(
    engine: Engine, clock: list[timedelta]
) -> None:
    limit = Limit("test", 2, timedelta(seconds=10))
    with write_session(engine) as session:
        limit.record(session, "email:fran@example.org")
        session.commit()
        clock[0] += timedelta(seconds=11)
        limit.record(session, "email:fran@example.org")
        session.commit()

        rows = session.exec(select(FailedAttempt)).all()
        assert len(rows) == 1
        assert "fran" not in rows[0].key_hash


def test_two_sessions_see_each_others_attempts_as_two_workers_would(engine: Engine) -> None:
    limit = Limit("test", 2, timedelta(minutes=1))
    with Session(engine) as first, Session(engine) as second:
        limit.record(first, "client:a")
        first.commit()
        limit.record(second, "client:a")
        second.commit()
        assert limit.blocked(first, "client:a")


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
