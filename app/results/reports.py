"""From a stored round to a report's HTML: the one place the database meets ``reports``.

The command line and the web downloads both call ``report_html``; the PDF is then rendered from
that HTML (in a worker process on the web), so the two can never produce different reports.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.enums import InvitationStatus
from app.models import (
    Action,
    Answer,
    AssessmentRound,
    ConditionAgreement,
    EvidenceQuote,
    Invitation,
    Organisation,
    Place,
)
from app.results.service import previous_round, respondents_of_round, score_round
from app.rounds.definitions import definition_of_round
from reports.context import build_forum_report
from reports.facts import (
    Agreement,
    OrganisationFacts,
    PlannedAction,
    Quote,
    RoundFacts,
    WorkshopRecord,
)
from reports.kinds import ReportKind
from reports.partner import PartnerReportRefusedError, build_partner_report
from reports.questionnaire import build_printable_questionnaire
from reports.render import RunningStrings, render_report_html
from reports.workshop import build_workshop_pack
from scoring.engine import score
from scoring.rules import Rules


def cache_owner(assessment_round: AssessmentRound) -> str:
    """Whose rendered PDFs these are, in the cache: the round, within its place."""
    return f"{place_reports(assessment_round.place_id)}round-{assessment_round.id}"


def place_reports(place_id: int | None) -> str:
    """The start of every cache owner of a place's reports: erasing one respondent drops them
    all, since any of the place's reports may quote or count them."""
    return f"place-{place_id}-"


class ReportUnavailableError(ValueError):
    """The report cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class RenderedHtml:
    html: str
    filename: str


def round_facts(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    today: date,
    compared_with: int | None = None,
) -> RoundFacts:
    place = session.get(Place, assessment_round.place_id)
    assert place is not None
    organisations = session.exec(
        select(Organisation).where(Organisation.place_id == place.id).order_by(col(Organisation.id))
    ).all()
    invitations = session.exec(
        select(Invitation.organisation_id, Invitation.status).where(
            Invitation.round_id == assessment_round.id,
            Invitation.status != InvitationStatus.REVOKED,
        )
    ).all()
    invited: Counter[int | None] = Counter(organisation_id for organisation_id, _ in invitations)
    submitted: Counter[int | None] = Counter(
        organisation_id
        for organisation_id, status in invitations
        if status is InvitationStatus.SUBMITTED
    )
    earlier = previous_round(
        session=session, assessment_round=assessment_round, chosen=compared_with
    )
    return RoundFacts(
        place=place.name,
        title=assessment_round.title,
        status=assessment_round.status.label,
        interim=assessment_round.status.interim,
        opens_on=assessment_round.opens_on,
        closes_on=assessment_round.closes_on,
        produced_on=today,
        organisations=tuple(
            OrganisationFacts(
                id=o.id or 0,
                name=o.name,
                sector=o.sector,
                invited=invited[o.id],
                submitted=submitted[o.id],
            )
            for o in organisations
            if invited[o.id]
        ),
        previous_title=earlier.title if earlier is not None else None,
        previous_partners=_partners_who_answered(session, earlier) if earlier else (),
    )


def _partners_who_answered(session: Session, assessment_round: AssessmentRound) -> tuple[str, ...]:
    names = session.exec(
        select(Organisation.name)
        .join(Invitation, col(Invitation.organisation_id) == col(Organisation.id))
        .where(
            Invitation.round_id == assessment_round.id,
            Invitation.status == InvitationStatus.SUBMITTED,
        )
        .distinct()
    ).all()
    return tuple(sorted(names))


def _agreements(session: Session, round_id: int | None) -> tuple[Agreement, ...]:
    if round_id is None:
        return ()
    rows = session.exec(
        select(ConditionAgreement).where(ConditionAgreement.round_id == round_id)
    ).all()
    return tuple(
        Agreement(row.condition_id, row.agreed_level, row.could_not_agree, row.rationale)
        for row in rows
    )


def workshop_record(
    *, session: Session, assessment_round: AssessmentRound, compared_with: int | None = None
) -> WorkshopRecord:
    earlier = previous_round(
        session=session, assessment_round=assessment_round, chosen=compared_with
    )
    actions = session.exec(
        select(Action, Organisation)
        .join(
            Organisation,
            col(Action.lead_organisation_id) == col(Organisation.id),
            isouter=True,
        )
        .where(Action.round_id == assessment_round.id)
        .order_by(col(Action.id))
    ).all()
    quotes = session.exec(
        select(EvidenceQuote, Organisation)
        .join(Answer, col(EvidenceQuote.answer_id) == col(Answer.id))
        .join(Invitation, col(Answer.invitation_id) == col(Invitation.id))
        .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
        .where(EvidenceQuote.round_id == assessment_round.id)
        .order_by(col(EvidenceQuote.id))
    ).all()
    return WorkshopRecord(
        agreements=_agreements(session, assessment_round.id),
        actions=tuple(
            PlannedAction(
                description=action.description,
                condition_id=action.condition_id,
                recommendation_id=action.recommendation_id,
                lead=lead.name if lead is not None else None,
                due_on=action.due_on,
                status=action.status.label,
            )
            for action, lead in actions
        ),
        quotes=tuple(Quote(q.subject_id, q.text, o.sector) for q, o in quotes),
        previous_agreements=_agreements(session, earlier.id if earlier else None),
    )


def report_html(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    kind: ReportKind,
    rules: Rules,
    today: date,
    organisation_id: int | None = None,
    variant: str | None = None,
) -> RenderedHtml:
    """The HTML of one report. Raises ReportUnavailableError with a reason a person can act on."""
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    facts = round_facts(session=session, assessment_round=assessment_round, today=today)
    slug = f"{_slug(facts.place)}-round-{assessment_round.id}"
    if kind is ReportKind.QUESTIONNAIRE:
        if variant is not None and variant not in {v.id for v in definition.variants}:
            known = ", ".join(v.id for v in definition.variants)
            raise ReportUnavailableError(f"there is no variant {variant!r} (choose {known})")
        questionnaire = build_printable_questionnaire(definition, variant)
        strings = RunningStrings(
            facts.place,
            definition.title,
            kind.label,
            f"Placecheck · questionnaire version {definition.version}",
        )
        html = render_report_html(kind, strings, q=questionnaire)
        return RenderedHtml(html, f"{slug}-questionnaire-{variant or 'professional'}.pdf")

    result = score_round(session=session, assessment_round=assessment_round, rules=rules)
    if result.respondents == 0:
        raise ReportUnavailableError(
            "no one has submitted answers in this round yet, so there are no results to report"
        )
    strings = RunningStrings(
        facts.place, facts.title, kind.label, f"Placecheck · scoring rules {result.rules_version}"
    )
    if kind is ReportKind.PARTNER:
        organisation = (
            session.get(Organisation, organisation_id) if organisation_id is not None else None
        )
        if organisation is None or organisation.place_id != assessment_round.place_id:
            raise ReportUnavailableError(
                "a partner report is about one organisation: choose one of this place's "
                "(on the command line, --organisation with its id)"
            )
        respondents = [
            r
            for r in respondents_of_round(session=session, assessment_round=assessment_round)
            if r.organisation == organisation.name
        ]
        round_rules = rules.with_threshold(assessment_round.anonymity_threshold)
        own = score(definition, respondents, round_rules)
        try:
            partner = build_partner_report(
                definition,
                result,
                own,
                organisation=organisation.name,
                sector=organisation.sector,
                facts=facts,
            )
        except PartnerReportRefusedError as error:
            raise ReportUnavailableError(str(error)) from error
        html = render_report_html(kind, strings, report=partner)
        return RenderedHtml(html, f"{slug}-partner-{_slug(organisation.name)}.pdf")

    workshop = workshop_record(session=session, assessment_round=assessment_round)
    if kind is ReportKind.WORKSHOP:
        pack = build_workshop_pack(definition, result, facts, workshop, rules)
        return RenderedHtml(render_report_html(kind, strings, pack=pack), f"{slug}-workshop.pdf")
    report = build_forum_report(definition, result, facts, workshop, rules)
    return RenderedHtml(render_report_html(kind, strings, report=report), f"{slug}-forum.pdf")


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())
