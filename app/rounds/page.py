"""What a round's pages show (overview, invitations, progress, reports). Its own views and the
invitation views (which show a page again with a form's errors) both build them here."""

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from app.accounts.access import RoundAccess
from app.core.clock import place_today
from app.core.config import Settings
from app.enums import InvitationStatus, RoundStatus
from app.invitations.mail import invitation_wording, mail_configured, time_to_answer
from app.invitations.outbox import last_reminded
from app.invitations.service import invitations_of, link_url, token_of
from app.jobs.report_jobs import made_or_being_made
from app.models import Invitation
from app.places.service import organisations_of
from app.results.publication import differs_from_publication
from app.rounds.deadlines import reminder_date
from app.rounds.definitions import definition_of_round
from app.rounds.progress import progress_of
from app.rounds.service import NOW, TRANSITIONS, open_actions
from app.web.pages import Errors, Visit
from questionnaires.timing import estimated_minutes
from reports.wording import long_date


def public_base(request: Request, settings: Settings) -> str:
    """Where respondents reach the service: the configured address, or the one in use."""
    return settings.public_url or str(request.base_url)


SECTIONS = {"overview": "round", "invitations": "round_invitations", "progress": "round_progress"}
"""The round's own pages (results, workshop, reports and data have their own views), each one
job, so that no page is a scroll through all of them."""

DONE = {
    **{f"status-{status.value}": sentence for status, sentence in NOW.items()},
    "invitation-revoked": "The link was revoked: it no longer opens the questionnaire.",
    "invitation-reissued": "A new link was made; the old one no longer works. Send the new one.",
    "round-changed": "The round's details were changed.",
    "withdrawn": (
        "The publication was withdrawn: forum members can no longer read the results, and "
        "they are not shared with other places (publishing again does not share them again)."
    ),
    "invited": "The invitation was added. Its link is in the list below.",
    "invitation-changed": "The invitation was changed. The person's link is the same as before.",
}
"""The banner shown after each change the round's pages confirm, by the name the address gives.
Only known names show anything; any other value (a stale or edited address) is ignored rather
than refused, so the page itself is never lost, and nothing typed into the address is shown."""


def render_round_page(
    visit: Visit[RoundAccess],
    *,
    section: str = "overview",
    errors: Errors | None = None,
    notice: str | None = None,
    status: int | None = None,
) -> Response:
    access, session = visit.access, visit.session
    base = public_base(visit.request, visit.settings)
    organisations = organisations_of(session, access.place.id)
    shown = invitation_filter(visit.request, {o.id for o in organisations})
    everyone = invitations_of(session, access.assessment_round) if access.can_change else []
    definition = definition_of_round(session=session, assessment_round=access.assessment_round)
    invitations = [
        (invitation, organisation, token_of(visit.settings.secret, invitation))
        for invitation, organisation in everyone
        if shown.admits(invitation)
    ]
    context = {
        "access": access,
        "place": access.place,
        "round": access.assessment_round,
        "progress": progress_of(session=session, assessment_round=access.assessment_round),
        "transitions": TRANSITIONS[access.assessment_round.status],
        "invitations": invitations,
        "invited": len(everyone),
        "shown": shown,
        "statuses": list(InvitationStatus),
        "organisations": organisations,
        "link_url": lambda token: link_url(base, token),
        "mail_configured": mail_configured(visit.settings),
        "reminded": last_reminded(session, access.assessment_round) if access.can_change else {},
        "scheduled_mail": mail_configured(visit.settings) and bool(visit.settings.public_url),
        "merge_text": invitation_wording(
            "«greeting»",
            "«link»",
            access.place.name,
            access.assessment_round.title,
            long_date(access.assessment_round.closes_on)
            if access.assessment_round.closes_on
            else None,
            takes=time_to_answer(
                {estimated_minutes(definition, organisation.sector) for _, organisation in everyone}
            ),
            reminder=True,
        ),
        "reminder_on": reminder_date(access.assessment_round),
        "notice": notice,
        "differs_from_publication": (
            differs_from_publication(session=session, assessment_round=access.assessment_round)
            if access.can_change and access.assessment_round.status is RoundStatus.PUBLISHED
            else None
        ),
        "open_actions": len(
            open_actions(session=session, assessment_round=access.assessment_round)
        ),
    }
    return visit.page(SECTIONS[section], context, errors=errors, status=status)


@dataclass(frozen=True)
class InvitationFilter:
    """Which invitations the list shows: by status and by partner (None: all)."""

    status: InvitationStatus | None
    organisation_id: int | None

    def admits(self, invitation: Invitation) -> bool:
        return (self.status is None or invitation.status is self.status) and (
            self.organisation_id is None or invitation.organisation_id == self.organisation_id
        )

    @property
    def active(self) -> bool:
        return self.status is not None or self.organisation_id is not None


def invitation_filter(request: Request, organisation_ids: set[int | None]) -> InvitationFilter:
    """The list's filter from the address; a value that is not one of the choices (edited by
    hand, or a partner since removed) shows everything rather than an error."""
    status = request.query_params.get("status", "")
    organisation = request.query_params.get("organisation", "")
    chosen = int(organisation) if organisation.isdigit() and len(organisation) < 10 else None
    return InvitationFilter(
        InvitationStatus(status) if status in set(InvitationStatus) else None,
        chosen if chosen in organisation_ids else None,
    )


def render_reports_page(visit: Visit[RoundAccess]) -> Response:
    """The reports a visitor may ask for. A partner report is offered only where anonymity
    allows one, and the others are named with the reason, instead of a choice that leads to a
    refusal."""
    access, session = visit.access, visit.session
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
        "organisations": organisations,
        "partner_reports": [o for o in organisations if submitted.get(o.name, 0) >= threshold],
        "no_partner_report": [
            (o, submitted.get(o.name, 0))
            for o in organisations
            if submitted.get(o.name, 0) < threshold
        ],
        "made": made_or_being_made(
            session=session, assessment_round=access.assessment_round, today=place_today()
        ),
        "plain_variants": [
            v
            for v in definition_of_round(
                session=session, assessment_round=access.assessment_round
            ).variants
            if v.plain_language
        ],
    }
    return visit.page("round_reports", context)
