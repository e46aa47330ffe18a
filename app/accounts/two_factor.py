"""A second factor for password accounts: a six-digit code from an authenticator app (TOTP,
RFC 6238, through pyotp), with recovery codes for a lost phone.

Each code is good once: the time step of the last one accepted is kept, and a code from that
step or an earlier one is refused, so a code seen over someone's shoulder cannot be used again
in its thirty seconds. A recovery code is kept only as a hash and is used up by its first use.
People who sign in through their organisation's account rely on its own second factor.
"""

import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from sqlmodel import Session, col, delete, select

from app.core.db import lock_until_commit
from app.core.exceptions import ChangeRefusedError
from app.core.security.tokens import hash_token
from app.models import RecoveryCode, TwoFactor, User, utcnow

ISSUER = "Placecheck"
STEP_SECONDS = 30
DRIFT_STEPS = 1
"""A code from the step before or after now is accepted too: phones' clocks drift."""
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""No 0/o, 1/l/i: a code copied from paper is typed as written."""
WRONG_CODE = (
    "The code is not right. Enter the 6-digit code your authenticator app shows now, or one "
    "of your recovery codes"
)


def setup_of(session: Session, user: User) -> TwoFactor | None:
    return session.get(TwoFactor, user.id)


def is_two_factor_on(session: Session, user: User) -> bool:
    found = setup_of(session, user)
    return found is not None and found.confirmed_at is not None


def start_setup(session: Session, user: User) -> TwoFactor:
    """A new secret and recovery codes to show, waiting for a code that proves the app has
    the secret; starting again replaces one not yet confirmed (a double click makes one)."""
    lock_until_commit(session, f"two-factor-{user.id}")
    found = setup_of(session, user)
    if found is not None and found.confirmed_at is not None:
        raise ChangeRefusedError("A code from an authenticator app is already turned on")
    if found is not None:
        session.delete(found)
        session.flush()
    setup = TwoFactor(
        user_id=user.id or 0,
        secret=pyotp.random_base32(),
        pending_codes=" ".join(_recovery_code() for _ in range(RECOVERY_CODES)),
    )
    session.add(setup)
    return setup


def confirm_setup(session: Session, user: User, code: str, now: datetime | None = None) -> None:
    """Turn it on once a code from the app matches; the recovery codes shown are kept as
    hashes from now on, and never shown again."""
    lock_until_commit(session, f"two-factor-{user.id}")
    setup = setup_of(session, user)
    if setup is None or setup.confirmed_at is not None:
        raise ChangeRefusedError("Start again: choose 'Turn on' on your account", field="code")
    step = _matching_step(setup, code, now or utcnow())
    if step is None:
        raise ChangeRefusedError(
            "The code is not right. Enter the 6-digit code your app shows now", field="code"
        )
    setup.last_step, setup.confirmed_at = step, now or utcnow()
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    session.add_all(
        RecoveryCode(user_id=user.id or 0, code_hash=hash_token(recovery))
        for recovery in (setup.pending_codes or "").split()
    )
    setup.pending_codes = None
    session.add(setup)


def check_code(session: Session, user: User, code: str, now: datetime | None = None) -> str | None:
    """'app' or 'recovery code' when ``code`` lets the user in (and is used up), else None.
    The same code sent twenty times at once lets in one: the user's codes are checked one at a
    time (SQLite's write lock does it there)."""
    lock_until_commit(session, f"two-factor-{user.id}")
    setup = setup_of(session, user)
    if setup is None or setup.confirmed_at is None:
        return None
    step = _matching_step(setup, code, now or utcnow())
    if step is not None:
        setup.last_step = step
        session.add(setup)
        return "app"
    recovery = session.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_token(_typed(code)),
            col(RecoveryCode.used_at).is_(None),
        )
    ).first()
    if recovery is None:
        return None
    recovery.used_at = now or utcnow()
    session.add(recovery)
    return "recovery code"


def turn_off(session: Session, user: User, code: str) -> None:
    """Only with a code that would let them in: a stolen session cannot take it off."""
    if check_code(session, user, code) is None:
        raise ChangeRefusedError(WRONG_CODE, field="code")
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    session.exec(delete(TwoFactor).where(col(TwoFactor.user_id) == user.id))


def recovery_codes_left(session: Session, user: User) -> int:
    return len(
        session.exec(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None)
            )
        ).all()
    )


def app_link(setup: TwoFactor, user: User) -> str:
    """The otpauth address an authenticator app reads from the QR code."""
    return pyotp.TOTP(setup.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(link: str) -> str:
    """The QR code of ``link`` as an inline SVG, with a title for screen readers."""
    svg: str = segno.make(link, error="m").svg_inline(
        scale=5, title="QR code to add Placecheck to your authenticator app"
    )
    return svg


def grouped(secret: str) -> str:
    """The secret in fours, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _matching_step(setup: TwoFactor, code: str, now: datetime) -> int | None:
    typed = "".join(code.split())
    if len(typed) != 6 or not typed.isdigit():
        return None
    totp = pyotp.TOTP(setup.secret, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        fresh = setup.last_step is None or step > setup.last_step
        if fresh and hmac.compare_digest(totp.at(step * STEP_SECONDS), typed):
            return step
    return None


def _recovery_code() -> str:
    letters = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


def _typed(code: str) -> str:
    """A recovery code as stored, however it was typed (capitals, spaces, no hyphen)."""
    letters = "".join(c for c in code.lower() if c.isalnum())
    return f"{letters[:5]}-{letters[5:]}" if len(letters) == 10 else code
