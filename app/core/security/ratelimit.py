"""Limits on guessing (wrong passwords, links that name no invitation), counted in the database.

Each limit is keyed by what is being guessed (an account) as well as by who is guessing (a network
address), with the address limit set for a whole office behind one address: one person's typing
mistakes never lock out their colleagues, and a link that works is never refused because someone
else on the network mistyped theirs. Invitation tokens carry 256 random bits, so the address limit
on bad links is there to make scanning slow and visible, not to protect the tokens.

An attempt takes its place in the count *before* the slow check, under a lock per key, and gives
it back only if the check succeeds. Checking first and counting after let forty guesses sent at
once all be checked (each saw the count before the others had added to it); a plain insert then
count still races on PostgreSQL under READ COMMITTED, hence the lock. The counts live in the
database so that every worker, on every machine, sees the same ones; rows older than a limit's
window are deleted as new ones arrive.
"""

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import case, update
from sqlmodel import Session, col, delete, func, select

from app.core.db import UnitOfWork, lock_until_commit
from app.models import FailedAttempt, utcnow

CHECKED_WITHIN = timedelta(seconds=30)
"""A password check takes well under a second; a place still pending after this belonged to a
request that died, and counts as a failure."""
WAIT_FOR_CHECKS_SECONDS = 10.0
"""How long an attempt waits for the checks ahead of it before it is refused."""
POLL_SECONDS = 0.05


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class Count(Enum):
    FREE = "free"
    FULL = "full"
    CHECKING = "full of attempts still being checked"


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` attempts counted per key in any ``window``; ``scope`` keeps limits
    apart."""

    scope: str
    limit: int
    window: timedelta

    def count(self, session: Session, key: str, now: datetime) -> Count:
        counted, checking = session.exec(
            select(
                func.count(),
                func.coalesce(
                    func.sum(
                        case(
                            (
                                col(FailedAttempt.pending)
                                & (col(FailedAttempt.occurred_at) > now - CHECKED_WITHIN),
                                1,
                            ),
                            else_=0,
                        )
                    ),
                    0,
                ),
            ).where(
                FailedAttempt.scope == self.scope,
                FailedAttempt.key_hash == _hashed(key),
                col(FailedAttempt.occurred_at) > now - self.window,
            )
        ).one()
        if counted < self.limit:
            return Count.FREE
        return Count.CHECKING if checking else Count.FULL

    def place(self, session: Session, key: str, now: datetime, pending: bool) -> FailedAttempt:
        """One more attempt counted, and the scope's expired ones forgotten."""
        session.exec(
            delete(FailedAttempt).where(
                col(FailedAttempt.scope) == self.scope,
                col(FailedAttempt.occurred_at) <= now - self.window,
            )
        )
        attempt = FailedAttempt(
            scope=self.scope, key_hash=_hashed(key), occurred_at=now, pending=pending
        )
        session.add(attempt)
        return attempt


Wanted = Sequence[tuple[Limit, str]]


def _try(session: Session, wanted: Wanted, pending: bool) -> list[int] | Count:
    now = utcnow()
    for name in sorted(f"limit:{limit.scope}:{_hashed(key)}" for limit, key in wanted):
        lock_until_commit(session, name)
    counts = {limit.count(session, key, now) for limit, key in wanted}
    if Count.FULL in counts:
        return Count.FULL
    if Count.CHECKING in counts:
        return Count.CHECKING
    places = [limit.place(session, key, now, pending) for limit, key in wanted]
    session.flush()
    return [place.id for place in places if place.id is not None]


def take_places(work: UnitOfWork, wanted: Wanted, *, pending: bool = True) -> list[int] | None:
    """Take a place in each limit's count for its key, committed at once so that attempts
    sent at the same moment see it, or none (``None``) if any count is full of failures.

    A ``pending`` place is an attempt whose slow check has yet to run: the caller ``settle``s
    it (a wrong password stays counted) or ``release``s it (a right one). An attempt that
    finds a count full of places still pending waits for those checks to end: twenty people
    signing in at once with the right password all get in, while twenty wrong guesses sent at
    once are checked five at a time, and only five are ever checked."""
    deadline = time.monotonic() + WAIT_FOR_CHECKS_SECONDS
    while True:
        outcome = _try(work.write(), wanted, pending)
        if isinstance(outcome, list):
            work.finish()
            return outcome
        work.discard()
        if outcome is Count.FULL or time.monotonic() > deadline:
            return None
        time.sleep(POLL_SECONDS)


def settle(session: Session, places: Sequence[int]) -> None:
    """The check failed: its places stay counted, no longer pending."""
    if places:
        session.execute(
            update(FailedAttempt).where(col(FailedAttempt.id).in_(places)).values(pending=False)
        )


def release(session: Session, places: Sequence[int]) -> None:
    """The check succeeded: its places are given back, so only failures stay counted."""
    if places:
        session.exec(delete(FailedAttempt).where(col(FailedAttempt.id).in_(places)))


# Wrong passwords: five per account, and enough per address for a busy office to mistype.
SIGN_IN_PER_ACCOUNT = Limit("sign-in:account", 5, timedelta(minutes=15))
SIGN_IN_PER_ADDRESS = Limit("sign-in:address", 50, timedelta(minutes=15))
# Wrong current passwords at /account/password: a stolen cookie must not become a stolen account.
PASSWORD_CHECKS_PER_ACCOUNT = Limit("password-check:account", 5, timedelta(minutes=15))
# Links that name no invitation, per address; a working link is never counted or refused.
BAD_LINKS_PER_ADDRESS = Limit("bad-link:address", 20, timedelta(minutes=10))
