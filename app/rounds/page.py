"""What a round's page shows. Its own views and the invitation views (which show the page again
with a form's errors) both build it here."""

from fastapi import Request
from fastapi.responses import Response

from app.accounts.access import RoundAccess
from app.core.config import Settings
from app.invitations.mail import mail_configured
from app.invitations.service import invitations_of, link_url, token_of
from app.invitations.upload import TEMPLATE
from app.places.service import organisations_of
from app.rounds.progress import progress_of
from app.rounds.service import TRANSITIONS
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
    context = {
        "access": access,
        "place": access.place,
        "round": access.assessment_round,
        "progress": progress_of(session=session, assessment_round=access.assessment_round),
        "transitions": TRANSITIONS[access.assessment_round.status],
        "invitations": invitations,
        "organisations": organisations_of(session, access.place.id),
        "link_url": lambda token: link_url(base, token),
        "report_kinds": list(ReportKind),
        "csv_template": TEMPLATE,
        "mail_configured": mail_configured(visit.settings),
        "notice": notice,
    }
    return visit.page("round", context, errors=errors, status=status)
