"""Limits on guessing (wrong passwords, links that name no invitation), counted in the database.

Only failures are counted, and each limit is keyed by what is being guessed (an account) as well
as by who is guessing (a network address), with the address limit set for a whole office behind
one address: one person's typing mistakes never lock out their colleagues, and a link that works
is never refused because someone else on the network mistyped theirs. Invitation tokens carry 256
random bits, so the address limit on bad links is there to make scanning slow and visible, not to
protect the tokens. The counts live in the database so that every worker, on every machine,
sees the same ones; rows older than a limit's window are deleted as new ones arrive.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, func, select

from app.models import FailedAttempt, utcnow


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` failures per key in any ``window``; ``scope`` keeps limits apart."""

    scope: str
    limit: int
    window: timedelta

    def blocked(self, session: Session, key: str) -> bool:
        since = utcnow() - self.window
        count = session.exec(
            select(func.count())
            .select_from(FailedAttempt)
            .where(
                FailedAttempt.scope == self.scope,
                FailedAttempt.key_hash == _hashed(key),
                col(FailedAttempt.occurred_at) > since,
            )
        ).one()
        return count >= self.limit

    def record(self, session: Session, key: str) -> None:
        """Adds a failure inside the caller's write transaction, and forgets expired ones."""
        now = utcnow()
        session.exec(
            delete(FailedAttempt).where(
                col(FailedAttempt.scope) == self.scope,
                col(FailedAttempt.occurred_at) <= now - self.window,
            )
        )
        session.add(FailedAttempt(scope=self.scope, key_hash=_hashed(key), occurred_at=now))


# Wrong passwords: five per account, and enough per address for a busy office to mistype.
SIGN_IN_PER_ACCOUNT = Limit("sign-in:account", 5, timedelta(minutes=15))
SIGN_IN_PER_ADDRESS = Limit("sign-in:address", 50, timedelta(minutes=15))
# Links that name no invitation, per address; a working link is never counted or refused.
BAD_LINKS_PER_ADDRESS = Limit("bad-link:address", 20, timedelta(minutes=10))
