"""Invitation e-mails through the deployment's own mail server (PLACECHECK_SMTP_*).

Without a mail server configured Placecheck sends nothing: facilitators copy the links or
download them as CSV for their own mail merge. Each message is sent on its own, so one bad
address does not stop the rest, and every failure is reported with the address it concerns.
"""

import smtplib
import ssl
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from app.core.config import Settings

TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Invitee:
    invitation_id: int
    email: str
    greeting: str
    link: str
    minutes: int
    """How long the version this person is asked takes (community members' is shorter)."""
    emailed_at: datetime | None = None
    """When they were last sent their link (an invitation or a reminder)."""


def time_to_answer(minutes: Collection[int]) -> str:
    """How long answering takes, for one person's version or for several."""
    low, high = min(minutes, default=30), max(minutes, default=30)
    if low == high:
        return f"about {low} minutes"
    return f"between {low} and {high} minutes, depending on the version you are asked"


@dataclass(frozen=True)
class Outcome:
    sent: list[int]
    failures: list[str]


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str


def invitation_wording(
    greeting: str,
    link: str,
    place: str,
    round_title: str,
    closes: str | None,
    *,
    takes: str,
    reminder: bool = False,
) -> Wording:
    """What an invitation or a reminder says: the e-mails Placecheck sends, and the mail-merge
    text it offers where it cannot send (there with «name» and «link» to fill in)."""
    closing = f" It closes on {closes}." if closes else ""
    opening = "This is a reminder: we have not yet had your answers. " if reminder else ""
    return Wording(
        f"{'Reminder: ' if reminder else ''}{place}: place-based working self-assessment",
        f"Dear {greeting},\n\n{opening}"
        f"{place}'s place forum is assessing how ready it is for place-based working "
        f"({round_title}). Your view as a partner matters.{closing}\n\n"
        f"Your personal link (please do not forward it):\n{link}\n\n"
        f"It takes {takes}. Your answers are saved as you go, so you can stop and "
        "come back with the same link. Results are reported for groups, never for one "
        "person.\n\nWith thanks,\nThe place forum's facilitator\n",
    )


def invitation_message(
    settings: Settings,
    invitee: Invitee,
    place: str,
    round_title: str,
    closes: str | None,
    *,
    reminder: bool = False,
) -> EmailMessage:
    wording = invitation_wording(
        invitee.greeting,
        invitee.link,
        place,
        round_title,
        closes,
        takes=time_to_answer([invitee.minutes]),
        reminder=reminder,
    )
    return plain_message(settings, invitee.email, wording)


def plain_message(settings: Settings, to: str, wording: Wording) -> EmailMessage:
    """A plain-text e-mail from the deployment's own address."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = wording.subject
    message.set_content(wording.body)
    return message


def send_invitations(
    settings: Settings,
    invitees: list[Invitee],
    *,
    place: str,
    round_title: str,
    closes: str | None,
    reminder: bool = False,
) -> Outcome:
    return deliver(
        settings,
        [
            (
                invitee.invitation_id,
                invitee.email,
                invitation_message(
                    settings, invitee, place, round_title, closes, reminder=reminder
                ),
            )
            for invitee in invitees
        ],
    )


def deliver(settings: Settings, messages: list[tuple[int, str, EmailMessage]]) -> Outcome:
    """Hand each message (with the id it is reported by, and its address) to the mail server,
    each on its own, so one bad address does not stop the rest."""
    if not settings.smtp_host:
        return Outcome([], ["No mail server is configured (PLACECHECK_SMTP_HOST)."])
    try:
        server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS)
    except OSError as error:
        return Outcome(
            [],
            [
                f"Could not reach the mail server {settings.smtp_host}:{settings.smtp_port} "
                f"({error}). No e-mails were sent."
            ],
        )
    sent: list[int] = []
    failures: list[str] = []
    with server:
        try:
            if settings.smtp_starttls:
                server.starttls(context=ssl.create_default_context())
            if settings.smtp_username and settings.smtp_password:
                server.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        except (smtplib.SMTPException, OSError) as error:
            return Outcome([], [f"The mail server refused the connection ({error}). None sent."])
        for key, address, message in messages:
            try:
                server.send_message(message)
                sent.append(key)
            except (smtplib.SMTPException, OSError) as error:
                failures.append(f"{address}: {error}")
    return Outcome(sent, failures)
