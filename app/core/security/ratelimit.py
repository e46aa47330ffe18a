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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, select

from app.core.db import lock_until_commit
from app.models import FailedAttempt, utcnow


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` attempts counted per key in any ``window``; ``scope`` keeps limits
    apart."""

    scope: str
    limit: int
    window: timedelta

    def used_up(self, session: Session, key: str, now: datetime) -> bool:
        count = session.exec(
            select(func.count())
            .select_from(FailedAttempt)
            .where(
                FailedAttempt.scope == self.scope,
                FailedAttempt.key_hash == _hashed(key),
                col(FailedAttempt.occurred_at) > now - self.window,
            )
        ).one()
        return count >= self.limit

    def place(self, session: Session, key: str, now: datetime) -> FailedAttempt:
        """One more attempt counted, and the scope's expired ones forgotten."""
        session.exec(
            delete(FailedAttempt).where(
                col(FailedAttempt.scope) == self.scope,
                col(FailedAttempt.occurred_at) <= now - self.window,
            )
        )
        attempt = FailedAttempt(scope=self.scope, key_hash=_hashed(key), occurred_at=now)
        session.add(attempt)
        return attempt


Claim = Sequence[tuple[Limit, str]]


def claim(session: Session, wanted: Claim) -> list[int] | None:
    """Take a place in each limit's count for its key, inside the caller's write transaction,
    or none (``None``) if any of them is used up. The caller commits before the slow check, so
    that attempts sent at the same moment see each other's places, and ``release``s them if the
    check succeeds."""
    now = utcnow()
    for name in sorted(f"limit:{limit.scope}:{_hashed(key)}" for limit, key in wanted):
        lock_until_commit(session, name)
    if any(limit.used_up(session, key, now) for limit, key in wanted):
        return None
    places = [limit.place(session, key, now) for limit, key in wanted]
    session.flush()
    return [place.id for place in places if place.id is not None]


def release(session: Session, places: Sequence[int]) -> None:
    """Give back the places of an attempt that succeeded: only failures stay counted."""
    if places:
        session.exec(delete(FailedAttempt).where(col(FailedAttempt.id).in_(places)))


# Wrong passwords: five per account, and enough per address for a busy office to mistype.
SIGN_IN_PER_ACCOUNT = Limit("sign-in:account", 5, timedelta(minutes=15))
SIGN_IN_PER_ADDRESS = Limit("sign-in:address", 50, timedelta(minutes=15))
# Wrong current passwords at /account/password: a stolen cookie must not become a stolen account.
PASSWORD_CHECKS_PER_ACCOUNT = Limit("password-check:account", 5, timedelta(minutes=15))
# Links that name no invitation, per address; a working link is never counted or refused.
BAD_LINKS_PER_ADDRESS = Limit("bad-link:address", 20, timedelta(minutes=10))
