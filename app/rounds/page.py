"""What a round's page shows. Its own views and the invitation views (which show the page again
with a form's errors) both build it here."""

from fastapi import Request
from fastapi.responses import Response

from app.accounts.access import RoundAccess
from app.core.config import Settings
from app.enums import InvitationStatus
from app.invitations.mail import mail_configured
from app.invitations.service import invitations_of, link_url, token_of
from app.invitations.upload import TEMPLATE
from app.places.service import organisations_of
from app.rounds.definitions import definition_of_round
from app.rounds.progress import progress_of
from app.rounds.service import TRANSITIONS, open_actions
from app.web.pages import Errors, Visit
from reports.render import ReportKind


def public_base(request: Request, settings: Settings) -> str:
    """Where respondents reach the service: the configured address, or the one in use."""
    return settings.public_url or str(request.base_url)


def render_round_page(
    visit: Visit[RoundAccess],
    *,
    errors: Errors | None = None,
    notice: str | None = None,
    status: int | None = None,
) -> Response:
    access, session = visit.access, visit.session
    base = public_base(visit.request, visit.settings)
    invitations = (
        [
            (invitation, organisation, token_of(visit.settings.secret, invitation))
            for invitation, organisation in invitations_of(session, access.assessment_round)
        ]
        if access.can_change
        else []
    )
    progress = progress_of(session=session, assessment_round=access.assessment_round)
    organisations = organisations_of(session, access.place.id)
    threshold = access.assessment_round.anonymity_threshold
    submitted = {
        row.label: row.counts[InvitationStatus.SUBMITTED] for row in progress.by_organisation
    }
    context = {
        "access": access,
        "place": access.place,
        "round": access.assessment_round,
        "progress": progress,
        "transitions": TRANSITIONS[access.assessment_round.status],
        "invitations": invitations,
        "organisations": organisations,
        # A partner report is offered only where anonymity allows one, and the others are named
        # with the reason, instead of a choice that leads to a refusal.
        "partner_reports": [o for o in organisations if submitted.get(o.name, 0) >= threshold],
        "no_partner_report": [
            (o, submitted.get(o.name, 0))
            for o in organisations
            if submitted.get(o.name, 0) < threshold
        ],
        "plain_variants": [
            v
            for v in definition_of_round(
                session=session, assessment_round=access.assessment_round
            ).variants
            if v.plain_language
        ],
        "link_url": lambda token: link_url(base, token),
        "report_kinds": list(ReportKind),
        "csv_template": TEMPLATE,
        "mail_configured": mail_configured(visit.settings),
        "notice": notice,
        "open_actions": len(
            open_actions(session=session, assessment_round=access.assessment_round)
        ),
    }
    return visit.page("round", context, errors=errors, status=status)
