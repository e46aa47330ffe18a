"""Inviting people to a round: one by one, from a spreadsheet, by e-mail; their links as CSV;
reissuing and revoking a link."""

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from app.core import audit
from app.core.db import begin_write
from app.core.exceptions import ShownError
from app.core.fields import MAX_ID
from app.deps import (
    CsrfForm,
    CurrentUser,
    FacilitatorRound,
    SessionDep,
    SettingsDep,
    WriteSession,
    secret_of,
)
from app.enums import InvitationStatus, RoundStatus
from app.invitations.mail import Invitee, send_invitations
from app.invitations.service import invitations_of, invite, link_url, reissue, token_of
from app.invitations.upload import parse_invitations
from app.models import Invitation, InvitationCreate, utcnow
from app.places.service import organisations_of
from app.rounds.page import public_base, render_round_page
from app.web.pages import PRIVATE, Errors, see_other

router = APIRouter(prefix="/rounds/{round_id}", include_in_schema=False)


@router.post("/invitations", response_class=HTMLResponse)
def add_invitation(
    request: Request,
    form: CsrfForm,
    session: WriteSession,
    access: FacilitatorRound,
    user: CurrentUser,
    settings: SettingsDep,
) -> Response:
    organisations = {o.id: o for o in organisations_of(session, access.place.id)}
    errors = Errors()
    details = form.validated(
        InvitationCreate, errors, context={"organisations": set(organisations)}
    )
    if details is None:
        return render_round_page(
            request, session, settings, user, access, errors=errors, form=form.values
        )
    invite(
        session=session,
        assessment_round=access.assessment_round,
        organisation=organisations[details.organisation_id],
        invitee=details,
        secret=secret_of(settings),
    )
    session.commit()
    return see_other(f"/rounds/{access.assessment_round.id}#invitations")


@router.post("/invitations/upload", response_class=HTMLResponse)
def upload_invitations(
    request: Request,
    form: CsrfForm,
    session: WriteSession,
    access: FacilitatorRound,
    user: CurrentUser,
    settings: SettingsDep,
) -> Response:
    result = parse_invitations(
        form.upload("invitations_file"), organisations_of(session, access.place.id)
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
        return render_round_page(request, session, settings, user, access, errors=errors)
    for row in result.rows:
        invite(
            session=session,
            assessment_round=access.assessment_round,
            organisation=row.organisation,
            invitee=row.details,
            secret=secret_of(settings),
        )
    audit.record(
        session,
        "invitations-imported",
        actor_user_id=user.id,
        place_id=access.place.id,
        round_id=access.assessment_round.id,
        rows=len(result.rows),
    )
    session.commit()
    notice = f"{len(result.rows)} invitations added. Their links are listed below."
    return render_round_page(request, session, settings, user, access, notice=notice)


@router.post("/invitations/email", response_class=HTMLResponse)
def email_invitations(
    request: Request,
    form: CsrfForm,
    session: SessionDep,
    access: FacilitatorRound,
    user: CurrentUser,
    settings: SettingsDep,
) -> Response:
    """E-mail links to people who have not submitted: by default only those not e-mailed yet.

    The mail server can take seconds, so the messages go out before the write transaction
    starts (which would hold SQLite's lock, and every respondent's save, meanwhile).
    """
    assessment_round = access.assessment_round
    if assessment_round.status is not RoundStatus.OPEN:
        raise ShownError(409, "Open the round before sending its links.")
    everyone = form.get("who") == "all"
    base = public_base(request, settings)
    invitees = [
        Invitee(
            invitation.id or 0,
            invitation.email,
            invitation.name or invitation.role_title,
            link_url(base, token),
        )
        for invitation, _ in invitations_of(session, assessment_round)
        if invitation.email
        and invitation.status in (InvitationStatus.NOT_OPENED, InvitationStatus.STARTED)
        and (everyone or invitation.emailed_at is None)
        and (token := token_of(secret_of(settings), invitation))
    ]
    closes = assessment_round.closes_on
    outcome = send_invitations(
        settings,
        invitees,
        place=access.place.name,
        round_title=assessment_round.title,
        closes=f"{closes.day} {closes:%B %Y}" if closes else None,
    )
    begin_write(session)
    now = utcnow()
    for invitation_id in outcome.sent:
        invitation = session.get(Invitation, invitation_id)
        if invitation is not None:
            invitation.emailed_at = now
            session.add(invitation)
    audit.record(
        session,
        "invitations-emailed",
        actor_user_id=user.id,
        place_id=access.place.id,
        round_id=access.assessment_round.id,
        sent=len(outcome.sent),
        failed=len(outcome.failures),
    )
    session.commit()
    errors = Errors()
    if outcome.failures:
        count = len(outcome.failures)
        errors.add(
            "email-links",
            f"{count} e-mail{'s' if count != 1 else ''} could not be sent. The links are still "
            "below to copy.",
            outcome.failures,
        )
    return render_round_page(
        request,
        session,
        settings,
        user,
        access,
        errors=errors,
        notice=f"{len(outcome.sent)} e-mails sent." if outcome.sent else None,
        status=502 if outcome.failures else 200,
    )


@router.post("/invitations/{invitation_id}/{action}", response_class=HTMLResponse)
def change_invitation(
    invitation_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    action: str,
    form: CsrfForm,
    session: WriteSession,
    access: FacilitatorRound,
    user: CurrentUser,
    settings: SettingsDep,
) -> Response:
    del form  # checked for its CSRF token; the action is in the address
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.round_id != access.assessment_round.id:
        raise ShownError(404, "There is no such invitation in this round.")
    if action == "revoke":
        invitation.status = InvitationStatus.REVOKED
        session.add(invitation)
    elif action == "reissue":
        reissue(session=session, secret=secret_of(settings), invitation=invitation)
    else:
        raise ShownError(404, "There is no such action.")
    audit.record(
        session,
        "invitation-revoked" if action == "revoke" else "invitation-reissued",
        actor_user_id=user.id,
        place_id=access.place.id,
        round_id=access.assessment_round.id,
        invitation_id=invitation_id,
    )
    session.commit()
    return see_other(f"/rounds/{access.assessment_round.id}#invitation-{invitation_id}")


@router.get("/links.csv")
def links_csv(
    request: Request,
    session: WriteSession,
    access: FacilitatorRound,
    user: CurrentUser,
    settings: SettingsDep,
) -> Response:
    base = public_base(request, settings)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["organisation", "sector", "role", "name", "email", "status", "link"])
    for invitation, organisation in invitations_of(session, access.assessment_round):
        token = token_of(secret_of(settings), invitation)
        writer.writerow(
            [
                organisation.name,
                organisation.sector.label,
                invitation.role_title,
                invitation.name or "",
                invitation.email or "",
                invitation.status.value,
                link_url(base, token) if token else "",
            ]
        )
    audit.record(
        session,
        "links-exported",
        actor_user_id=user.id,
        place_id=access.place.id,
        round_id=access.assessment_round.id,
    )
    session.commit()
    filename = f"round-{access.assessment_round.id}-links.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )
