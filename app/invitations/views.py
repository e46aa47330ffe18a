"""Inviting people to a round: one by one, from a spreadsheet, by e-mail; their links as CSV;
reissuing and revoking a link."""

import csv
import io
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.accounts.access import RoundAccess
from app.core.csvfile import spreadsheet_row
from app.core.exceptions import ChangeRefusedError, ShownError
from app.core.security.tokens import new_token
from app.deps import FacilitatorRoundPage, RecordId, RoundChange, UnitOfWorkRoute
from app.enums import RoundStatus
from app.invitations.mail import (
    Invitee,
    Wording,
    invitation_wording,
    mail_configured,
    send_invitations,
    time_to_answer,
)
from app.invitations.outbox import record_delivery, sending, write_messages
from app.invitations.service import (
    AWAITING,
    already_invited,
    awaiting_answers,
    change_invitation,
    invitations_of,
    invite,
    link_url,
    reissue,
    revoke,
    token_of,
)
from app.invitations.upload import parse_invitations
from app.models import AssessmentRound, Invitation, InvitationCreate, utcnow
from app.places.service import organisation_of, organisations_of
from app.rounds.page import DONE, public_base, render_round_page
from app.web.pages import Errors, Visit, download
from reports.wording import long_date

router = APIRouter(
    prefix="/rounds/{round_id}", include_in_schema=False, route_class=UnitOfWorkRoute
)


@router.get("/invitations", response_class=HTMLResponse)
def invitations_page(visit: FacilitatorRoundPage, done: str | None = None) -> Response:
    """Everyone invited, with their links, and the ways to invite and chase; ``status`` and
    ``organisation`` in the address filter the list."""
    notice = _counted(visit, done) if done in COUNTED else DONE.get(done or "")
    return render_round_page(visit, section="invitations", notice=notice)


COUNTED = {
    "imported": (
        "invitations-imported",
        "rows",
        "{} invitations added. Their links are listed below.",
    ),
    "emailed": ("invitations-emailed", "sent", "{} e-mails sent."),
}
"""Changes whose banner gives a number: the number is read from the person's latest record of
that change, so the address names the change and nothing typed into it is shown."""


def _counted(visit: Visit[RoundAccess], done: str | None) -> str | None:
    action, key, sentence = COUNTED[done or ""]
    count = visit.recorded_count(action, key)
    if count is None:
        return None
    if count == 0 and action == "invitations-emailed":
        return "No e-mails were needed: everyone waiting had been e-mailed their link already."
    said = sentence.format(count)
    skipped = visit.recorded_detail(action, "skipped")
    if isinstance(skipped, list) and skipped:
        lines = ", ".join(str(line) for line in skipped)
        said += (
            f" {len(skipped)} row{'s were' if len(skipped) != 1 else ' was'} skipped because "
            f"{'those people are' if len(skipped) != 1 else 'that person is'} already invited "
            "(the same e-mail address, the same name at the same organisation, or as many "
            "people with that role there as the file lists): "
            f"line{'s' if len(skipped) != 1 else ''} {lines} of the file."
        )
    return said


@router.post("/invitations", response_class=HTMLResponse)
def add_invitation(change: RoundChange) -> Response:
    organisations = {o.id: o for o in organisations_of(change.session, change.access.place.id)}
    errors = Errors()
    details = change.form.validated(
        InvitationCreate, errors, context={"organisations": set(organisations)}
    )
    if details is None:
        return render_round_page(change, section="invitations", errors=errors)
    invite(
        session=change.session,
        assessment_round=change.access.assessment_round,
        organisation=organisations[details.organisation_id],
        invitee=details,
        secret=change.settings.secret,
    )
    change.record("invitation-added", organisation_id=details.organisation_id)
    return change.done(f"/rounds/{change.access.assessment_round.id}/invitations?done=invited")


def _edit_page(
    visit: Visit[RoundAccess], invitation: Invitation, errors: Errors | None = None
) -> Response:
    context = {
        "place": visit.access.place,
        "round": visit.access.assessment_round,
        "invitation": invitation,
        "organisations": organisations_of(visit.session, visit.access.place.id),
    }
    return visit.page("invitation", context, errors=errors)


@router.get("/invitations/{invitation_id}/edit", response_class=HTMLResponse)
def edit_invitation_page(invitation_id: RecordId, visit: FacilitatorRoundPage) -> Response:
    invitation = _invitation_in(visit.session, visit.access.assessment_round, invitation_id)
    return _edit_page(visit, invitation)


@router.post("/invitations/{invitation_id}/edit", response_class=HTMLResponse)
def edit_invitation(invitation_id: RecordId, change: RoundChange) -> Response:
    session, assessment_round = change.session, change.access.assessment_round
    invitation = _invitation_in(session, assessment_round, invitation_id)
    organisations = {o.id for o in organisations_of(session, change.access.place.id)}
    errors = Errors()
    details = change.form.validated(
        InvitationCreate, errors, context={"organisations": organisations}
    )
    if details is None:
        return _edit_page(change, invitation, errors)
    try:
        changed = change_invitation(
            session=session,
            assessment_round=assessment_round,
            invitation=invitation,
            details=details,
        )
    except ChangeRefusedError as error:
        errors.add(error.field or "organisation_id", str(error))
        return _edit_page(change, invitation, errors)
    if changed:
        change.record("invitation-changed", invitation_id=invitation_id, fields=changed)
    return change.done(
        f"/rounds/{assessment_round.id}/invitations?done=invitation-changed#invitation-{invitation_id}"
    )


@router.post("/invitations/upload", response_class=HTMLResponse)
def upload_invitations(change: RoundChange) -> Response:
    session = change.session
    result = parse_invitations(
        change.form.upload("invitations_file"), organisations_of(session, change.access.place.id)
    )
    if result.problems:
        errors = Errors()
        count = len(result.problems)
        errors.add(
            "invitations_file",
            f"The file was not imported: {count} row{'s have' if count != 1 else ' has'} a "
            "problem. Fix them and upload the whole file again.",
            result.problems,
        )
        return render_round_page(change, section="invitations", errors=errors)
    assessment_round = change.access.assessment_round
    skipped = already_invited(
        session, assessment_round, [(r.line, r.organisation, r.details) for r in result.rows]
    )
    added = [row for row in result.rows if row.line not in skipped]
    for row in added:
        invite(
            session=session,
            assessment_round=assessment_round,
            organisation=row.organisation,
            invitee=row.details,
            secret=change.settings.secret,
        )
    change.record("invitations-imported", rows=len(added), skipped=sorted(skipped))
    return change.done(f"/rounds/{assessment_round.id}/invitations?done=imported")


class SendChoice(BaseModel):
    """Whom a send is for, and the one-time key of the page that confirmed it."""

    who: Literal["new", "all"] = Field(title="whom to e-mail")
    send_key: str = Field(pattern=r"^[A-Za-z0-9_-]{20,64}$", title="the confirmation")


REMIND_AGAIN_AFTER = timedelta(days=1)
"""Nobody is reminded twice within a day: going back to a confirmation (which is made afresh,
with a new key) and pressing its button again sends nothing more."""


def _recipients(visit: Visit[RoundAccess], who: str) -> tuple[list[Invitee], list[Invitee]]:
    """Whom a send is for: people not yet e-mailed, or (a reminder) everyone waiting who was
    not e-mailed in the last day; and, apart, those left out because they were."""
    assessment_round = visit.access.assessment_round
    if assessment_round.status is not RoundStatus.OPEN:
        raise ShownError(409, "Open the round before sending its links.")
    if not mail_configured(visit.settings):
        raise ShownError(
            409,
            "This service is not set up to send e-mail. Download the links and send them "
            "with your own mail merge.",
        )
    waiting = awaiting_answers(
        visit.session,
        assessment_round,
        secret=visit.settings.secret,
        base_url=public_base(visit.request, visit.settings),
        only_not_emailed=who != "all",
    )
    since = utcnow() - REMIND_AGAIN_AFTER
    recent = [i for i in waiting if i.emailed_at is not None and i.emailed_at > since]
    return [i for i in waiting if i not in recent], recent


def _wording(visit: Visit[RoundAccess], invitees: list[Invitee], reminder: bool) -> Wording:
    """The e-mail as its readers get it, with «name» and «link» for each one's own."""
    assessment_round = visit.access.assessment_round
    return invitation_wording(
        "«name»",
        "«link»",
        visit.access.place.name,
        assessment_round.title,
        long_date(assessment_round.closes_on) if assessment_round.closes_on else None,
        takes=time_to_answer({invitee.minutes for invitee in invitees}),
        reminder=reminder,
    )


@router.get("/invitations/email", response_class=HTMLResponse)
def confirm_email(visit: FacilitatorRoundPage, who: Literal["new", "all"] = "new") -> Response:
    """Who will get what, before anything is sent, with the one-time key the send carries."""
    invitees, recent = _recipients(visit, who)
    context = {
        "place": visit.access.place,
        "round": visit.access.assessment_round,
        "who": who,
        "invitees": invitees,
        "recently": len(recent),
        "wording": _wording(visit, invitees, who == "all"),
        "send_key": new_token(),
    }
    return visit.page("confirm_email", context)


@router.post("/invitations/email", response_class=HTMLResponse)
def email_invitations(change: RoundChange) -> Response:
    """Send what the confirmation page listed: the messages are written to the outbox under
    its one-time key, committed, then handed to the mail server, and the browser is sent to a
    page that says what became of them (post, redirect, get). A request with a key already
    used sends nothing.

    The mail server can take seconds, so the write lock is let go while the messages go out:
    holding SQLite's lock would hold every respondent's save."""
    assessment_round = change.access.assessment_round
    errors = Errors()
    choice = change.form.validated(SendChoice, errors)
    if choice is None:
        raise ShownError(
            400, "Start again from the Invitations page: " + "; ".join(errors.by_field.values())
        )
    done = f"/rounds/{assessment_round.id}/invitations/sent/{choice.send_key}"
    if sending(change.session, assessment_round, choice.send_key) is not None:
        return change.done(done)  # sent already: this request came again
    invitees, _ = _recipients(change, choice.who)
    if not invitees:
        change.record("invitations-emailed", sent=0, failed=0)
        return change.done(f"/rounds/{assessment_round.id}/invitations?done=emailed")
    reminder = choice.who == "all"
    if not write_messages(
        change.session,
        assessment_round=assessment_round,
        send_key=choice.send_key,
        invitees=invitees,
        reminder=reminder,
        user_id=change.user.id,
    ):
        return change.done(done)
    change.work.finish()
    outcome = send_invitations(
        change.settings,
        invitees,
        place=change.access.place.name,
        round_title=assessment_round.title,
        closes=long_date(assessment_round.closes_on) if assessment_round.closes_on else None,
        reminder=reminder,
    )
    record_delivery(change.work.write(), choice.send_key, outcome)
    change.record("invitations-emailed", sent=len(outcome.sent), failed=len(outcome.failures))
    return change.done(done)


@router.get("/invitations/sent/{send_key}", response_class=HTMLResponse)
def email_sent(
    send_key: Annotated[str, Path(max_length=64)], visit: FacilitatorRoundPage
) -> Response:
    """What became of one send: reloading this page sends nothing."""
    summary = sending(visit.session, visit.access.assessment_round, send_key)
    if summary is None:
        raise ShownError(404, "There is no such send in this round.")
    context = {
        "place": visit.access.place,
        "round": visit.access.assessment_round,
        "sending": summary,
    }
    return visit.page("email_sent", context, status=502 if summary.failures else 200)


INVITATION_CONSEQUENCES = {
    "revoke": (
        "Revoke the link for {who}?",
        (
            "Their link stops working at once.",
            "Answers they have given stop counting in the results. Their saved answers are "
            "kept: reissuing a link later lets them carry on.",
        ),
        "Revoke the link",
    ),
    "reissue": (
        "Reissue the link for {who}?",
        (
            "A new link is made and the old one stops working at once, so only the new one "
            "opens their answers. Their saved answers are kept.",
            "Send them the new link afterwards: it is shown on the round's page.",
        ),
        "Reissue the link",
    ),
}


def _invitation_in(
    session: Session, assessment_round: AssessmentRound, invitation_id: int
) -> Invitation:
    """One of the round's invitations, or 404 (another round's is never found)."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.round_id != assessment_round.id:
        raise ShownError(404, "There is no such invitation in this round.")
    return invitation


@router.get("/invitations/{invitation_id}/{action}", response_class=HTMLResponse)
def confirm_invitation_change(
    invitation_id: RecordId,
    action: Literal["revoke", "reissue"],
    visit: FacilitatorRoundPage,
) -> Response:
    """The GOV.UK "are you sure" step before a link is revoked or replaced."""
    assessment_round = visit.access.assessment_round
    invitation = _invitation_in(visit.session, assessment_round, invitation_id)
    organisation = organisation_of(visit.session, visit.access.place, invitation.organisation_id)
    question, consequences, button = INVITATION_CONSEQUENCES[action]
    who = f"{invitation.name or invitation.role_title}, {organisation.name}"
    context = {
        "place": visit.access.place,
        "round": assessment_round,
        "question": question.format(who=who),
        "consequences": consequences,
        "action": f"/rounds/{assessment_round.id}/invitations/{invitation_id}/{action}",
        "fields": {},
        "button": button,
        "destructive": action == "revoke",
        "back": f"/rounds/{assessment_round.id}/invitations#invitation-{invitation_id}",
    }
    return visit.page("confirm", context)


@router.post("/invitations/{invitation_id}/{action}", response_class=HTMLResponse)
def revoke_or_reissue(
    invitation_id: RecordId,
    action: Literal["revoke", "reissue"],
    change: RoundChange,
) -> Response:
    invitation = _invitation_in(change.session, change.access.assessment_round, invitation_id)
    if action == "revoke":
        revoke(session=change.session, invitation=invitation)
    else:
        reissue(session=change.session, secret=change.settings.secret, invitation=invitation)
    change.record(f"invitation-{action}d", invitation_id=invitation_id)
    return change.done(
        f"/rounds/{change.access.assessment_round.id}/invitations?done=invitation-{action}d"
        f"#invitation-{invitation_id}"
    )


@router.get("/links.csv")
def links_csv(visit: FacilitatorRoundPage, who: Literal["all", "waiting"] = "all") -> Response:
    """Every link for a mail merge, or (``who=waiting``) only the links of people who have not
    submitted, for a reminder. Read first; only the audit row needs the write lock."""
    base = public_base(visit.request, visit.settings)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["organisation", "sector", "role", "name", "greeting", "email", "status", "link"]
    )
    for invitation, organisation in invitations_of(visit.session, visit.access.assessment_round):
        token = token_of(visit.settings.secret, invitation)
        if who == "waiting" and (token is None or invitation.status not in AWAITING):
            continue
        writer.writerow(
            spreadsheet_row(
                [
                    organisation.name,
                    organisation.sector.label,
                    invitation.role_title,
                    invitation.name or "",
                    invitation.name or invitation.role_title,
                    invitation.email or "",
                    invitation.status.value,
                    link_url(base, token) if token else "",
                ]
            )
        )
    visit.record("links-exported", who=who)
    suffix = "reminders" if who == "waiting" else "links"
    filename = f"round-{visit.access.assessment_round.id}-{suffix}.csv"
    return download(out.getvalue(), "text/csv; charset=utf-8", filename)
