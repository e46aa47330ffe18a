"""A round: its status, progress, invitations and links."""

import csv
import io

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from app.accounts.access import RoundAccess, UserDep, round_for
from app.core import audit
from app.core.config import Settings
from app.invitations.mail import Invitee, mail_configured, send_invitations
from app.invitations.service import invite, reissue, token_of
from app.invitations.upload import TEMPLATE, parse_invitations
from app.models import (
    Invitation,
    InvitationStatus,
    MembershipRole,
    Organisation,
    RoundStatus,
    User,
    utcnow,
)
from app.places.service import (
    TRANSITIONS,
    ChangeRefusedError,
    change_status,
    organisations_of,
    reassess,
)
from app.rounds.progress import progress_of
from app.web.pages import (
    PRIVATE,
    Errors,
    Form,
    read_form,
    render,
    secret_of,
    see_other,
    uploaded,
)
from reports.render import ReportKind

router = APIRouter(include_in_schema=False)


def link_url(request: Request, token: str) -> str:
    settings: Settings = request.app.state.settings
    base = settings.public_url or str(request.base_url)
    return base.rstrip("/") + f"/r/{token}"


def _invitations(session: Session, access: RoundAccess) -> list[tuple[Invitation, Organisation]]:
    return list(
        session.exec(
            select(Invitation, Organisation)
            .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
            .where(Invitation.round_id == access.assessment_round.id)
            .order_by(col(Organisation.name), col(Invitation.id))
        ).all()
    )


def round_context(
    request: Request, session: Session, access: RoundAccess, errors: Errors | None = None
) -> dict[str, object]:
    secret = secret_of(request)
    invitations = (
        [
            (invitation, organisation, token_of(secret, invitation))
            for invitation, organisation in _invitations(session, access)
        ]
        if access.can_change
        else []
    )
    return {
        "access": access,
        "place": access.place,
        "round": access.assessment_round,
        "progress": progress_of(session=session, assessment_round=access.assessment_round),
        "transitions": TRANSITIONS[access.assessment_round.status],
        "invitations": invitations,
        "organisations": organisations_of(session, access.place.id),
        "link_url": lambda token: link_url(request, token),
        "report_kinds": list(ReportKind),
        "csv_template": TEMPLATE,
        "mail_configured": mail_configured(request.app.state.settings),
        "errors": errors or Errors(),
        "form": {},
    }


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(request: Request, round_id: int, user: UserDep) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.VIEWER)
        return render(request, "round", round_context(request, session, access), user=user)


@router.post("/rounds/{round_id}/status", response_class=HTMLResponse)
async def set_status(request: Request, round_id: int, user: UserDep) -> Response:
    form = await read_form(request, user)
    return await run_in_threadpool(_set_status, request, round_id, user, form.get("to"))


def _set_status(request: Request, round_id: int, user: User, to: str) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        if to not in {s.value for s in RoundStatus}:
            raise HTTPException(400, "Choose one of the buttons on the round's page.")
        try:
            before = change_status(
                session=session, assessment_round=access.assessment_round, to=RoundStatus(to)
            )
        except ChangeRefusedError as error:
            raise HTTPException(409, str(error)) from error
        audit.record(
            session,
            "round-status-changed",
            actor_user_id=user.id,
            place_id=access.place.id,
            round_id=round_id,
            before=before.value,
            after=to,
        )
        session.commit()
    return see_other(f"/rounds/{round_id}")


@router.post("/rounds/{round_id}/invitations", response_class=HTMLResponse)
async def add_invitation(request: Request, round_id: int, user: UserDep) -> Response:
    form = await read_form(request, user)
    return await run_in_threadpool(_add_invitation, request, round_id, user, form)


def _add_invitation(request: Request, round_id: int, user: User, form: Form) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        errors = Errors()
        organisation = next(
            (
                o
                for o in organisations_of(session, access.place.id)
                if str(o.id) == form.get("organisation_id")
            ),
            None,
        )
        if organisation is None:
            errors.add("organisation_id", "Choose the organisation the person answers for")
        role = form.get("role_title")
        if not role:
            errors.add("role_title", "Enter the person's role, for example Head of Policy")
        elif len(role) > 200:
            errors.add("role_title", "The role must be 200 characters or fewer")
        email = form.get("email") or None
        if email and ("@" not in email or len(email) > 320):
            errors.add("email", "Enter an e-mail address in the right format, like a@example.org")
        if errors or organisation is None:
            context = round_context(request, session, access, errors)
            context["form"] = form.values
            return render(request, "round", context, user=user, status=400)
        invite(
            session=session,
            assessment_round=access.assessment_round,
            organisation=organisation,
            role_title=role,
            name=form.get("name") or None,
            email=email,
            secret=secret_of(request),
        )
        session.commit()
    return see_other(f"/rounds/{round_id}#invitations")


@router.post("/rounds/{round_id}/invitations/upload", response_class=HTMLResponse)
async def upload_invitations(request: Request, round_id: int, user: UserDep) -> Response:
    form = await read_form(request, user)
    data = await uploaded(form, "invitations_file")
    return await run_in_threadpool(_upload, request, round_id, user, data)


def _upload(request: Request, round_id: int, user: User, data: bytes) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        result = parse_invitations(data, organisations_of(session, access.place.id))
        if result.problems:
            errors = Errors()
            errors.add(
                "invitations_file",
                f"The file was not imported: {len(result.problems)} "
                f"row{'s have' if len(result.problems) != 1 else ' has'} a problem. Fix "
                "them and upload the whole file again.",
                result.problems,
            )
            context = round_context(request, session, access, errors)
            return render(request, "round", context, user=user, status=400)
        for row in result.rows:
            invite(
                session=session,
                assessment_round=access.assessment_round,
                organisation=row.organisation,
                role_title=row.role,
                name=row.name,
                email=row.email,
                secret=secret_of(request),
            )
        audit.record(
            session,
            "invitations-imported",
            actor_user_id=user.id,
            place_id=access.place.id,
            round_id=round_id,
            rows=len(result.rows),
        )
        session.commit()
        context = round_context(request, session, access)
        context["notice"] = f"{len(result.rows)} invitations added. Their links are listed below."
        return render(request, "round", context, user=user)


@router.post("/rounds/{round_id}/invitations/{invitation_id}/{action}", response_class=HTMLResponse)
async def change_invitation(
    request: Request, round_id: int, invitation_id: int, action: str, user: UserDep
) -> Response:
    await read_form(request, user)
    return await run_in_threadpool(
        _change_invitation, request, round_id, invitation_id, action, user
    )


def _change_invitation(
    request: Request, round_id: int, invitation_id: int, action: str, user: User
) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        invitation = session.get(Invitation, invitation_id)
        if invitation is None or invitation.round_id != access.assessment_round.id:
            raise HTTPException(404, "There is no such invitation in this round.")
        if action == "revoke":
            invitation.status = InvitationStatus.REVOKED
            session.add(invitation)
        elif action == "reissue":
            reissue(session=session, secret=secret_of(request), invitation=invitation)
        else:
            raise HTTPException(404, "There is no such action.")
        audit.record(
            session,
            f"invitation-{action}d" if action == "revoke" else "invitation-reissued",
            actor_user_id=user.id,
            place_id=access.place.id,
            round_id=round_id,
            invitation_id=invitation_id,
        )
        session.commit()
    return see_other(f"/rounds/{round_id}#invitation-{invitation_id}")


@router.post("/rounds/{round_id}/invitations/email", response_class=HTMLResponse)
async def email_invitations(request: Request, round_id: int, user: UserDep) -> Response:
    form = await read_form(request, user)
    return await run_in_threadpool(_email, request, round_id, user, form.get("who") == "all")


def _email(request: Request, round_id: int, user: User, everyone: bool) -> Response:
    """E-mail links to people who have not submitted: by default only those not e-mailed yet."""
    settings: Settings = request.app.state.settings
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        if access.assessment_round.status is not RoundStatus.OPEN:
            raise HTTPException(409, "Open the round before sending its links.")
        chosen = [
            (invitation, token_of(secret_of(request), invitation))
            for invitation, _ in _invitations(session, access)
            if invitation.email
            and invitation.status in (InvitationStatus.NOT_OPENED, InvitationStatus.STARTED)
            and (everyone or invitation.emailed_at is None)
        ]
        invitees = [
            Invitee(
                invitation.id or 0,
                invitation.email or "",
                invitation.name or invitation.role_title,
                link_url(request, token),
            )
            for invitation, token in chosen
            if token
        ]
        closes = access.assessment_round.closes_on
        outcome = send_invitations(
            settings,
            invitees,
            place=access.place.name,
            round_title=access.assessment_round.title,
            closes=f"{closes.day} {closes:%B %Y}" if closes else None,
        )
        now = utcnow()
        for invitation, _ in chosen:
            if invitation.id in outcome.sent:
                invitation.emailed_at = now
                session.add(invitation)
        audit.record(
            session,
            "invitations-emailed",
            actor_user_id=user.id,
            place_id=access.place.id,
            round_id=round_id,
            sent=len(outcome.sent),
            failed=len(outcome.failures),
        )
        session.commit()
        errors = Errors()
        if outcome.failures:
            errors.add(
                "email-links",
                f"{len(outcome.failures)} e-mail{'s' if len(outcome.failures) != 1 else ''} "
                "could not be sent. The links are still below to copy.",
                outcome.failures,
            )
        context = round_context(request, session, access, errors)
        context["notice"] = f"{len(outcome.sent)} e-mails sent." if outcome.sent else None
        return render(request, "round", context, user=user, status=502 if outcome.failures else 200)


@router.get("/rounds/{round_id}/links.csv")
def links_csv(request: Request, round_id: int, user: UserDep) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["organisation", "sector", "role", "name", "email", "status", "link"])
        for invitation, organisation in _invitations(session, access):
            token = token_of(secret_of(request), invitation)
            writer.writerow(
                [
                    organisation.name,
                    organisation.sector.label,
                    invitation.role_title,
                    invitation.name or "",
                    invitation.email or "",
                    invitation.status.value,
                    link_url(request, token) if token else "",
                ]
            )
        audit.record(
            session,
            "links-exported",
            actor_user_id=user.id,
            place_id=access.place.id,
            round_id=round_id,
        )
        session.commit()
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            **PRIVATE,
            "Content-Disposition": f'attachment; filename="round-{round_id}-links.csv"',
        },
    )


@router.post("/rounds/{round_id}/reassess", response_class=HTMLResponse)
async def start_reassessment(request: Request, round_id: int, user: UserDep) -> Response:
    form = await read_form(request, user)
    return await run_in_threadpool(_reassess, request, round_id, user, form.get("title"))


def _reassess(request: Request, round_id: int, user: User, title: str) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        if not title:
            errors = Errors()
            errors.add("title", "Enter a title for the new round")
            return render(
                request,
                "round",
                round_context(request, session, access, errors),
                user=user,
                status=400,
            )
        new_round = reassess(
            session=session,
            previous=access.assessment_round,
            title=title[:200],
            secret=secret_of(request),
        )
        audit.record(
            session,
            "round-created",
            actor_user_id=user.id,
            place_id=access.place.id,
            round_id=new_round.id,
            copied_from=round_id,
        )
        session.commit()
        return see_other(f"/rounds/{new_round.id}")
