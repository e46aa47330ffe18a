"""From a stored round to a report's HTML: the one place the database meets ``reports``.

The command line and the web downloads both call ``report_html``; the PDF is then rendered from
that HTML (in a worker process on the web), so the two can never produce different reports.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.enums import RoundStatus
from app.models import (
    AssessmentRound,
    Organisation,
    Place,
)
from app.network.stories import published_stories
from app.results.inputs import reading_only_sources
from app.results.records import round_facts, workshop_record
from app.results.service import previous_round, respondents_of_round, score_round
from app.results.snapshots import NoSnapshotError, published_view
from app.rounds.definitions import definition_of_round
from app.workshop.service import comments_of, quotes_of
from reports.facts import Quote
from reports.forum import build_forum_report
from reports.kinds import ReportKind
from reports.partner import PartnerReportRefusedError, build_partner_report
from reports.questionnaire import build_printable_questionnaire
from reports.render import RunningStrings, render_report_html
from reports.wording import long_date
from reports.workshop import build_workshop_pack
from scoring.disclosure import disclosed
from scoring.engine import score
from scoring.rules import Rules


class ReportUnavailableError(ValueError):
    """The report cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class RenderedHtml:
    html: str
    filename: str


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
    """The HTML of one report. Raises ReportUnavailableError with a reason a person can act on.
    It reads nothing its fingerprint does not (``reading_only_sources``)."""
    with reading_only_sources(session):
        return _report_html(
            session=session,
            assessment_round=assessment_round,
            kind=kind,
            rules=rules,
            today=today,
            organisation_id=organisation_id,
            variant=variant,
        )


def _report_html(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    kind: ReportKind,
    rules: Rules,
    today: date,
    organisation_id: int | None,
    variant: str | None,
) -> RenderedHtml:
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    earlier = previous_round(session=session, assessment_round=assessment_round)
    facts = round_facts(
        session=session, assessment_round=assessment_round, today=today, earlier=earlier
    )
    slug = f"{file_slug(facts.place)}-round-{assessment_round.id}"
    if kind is ReportKind.QUESTIONNAIRE:
        if variant is not None and variant not in {v.id for v in definition.variants}:
            known = ", ".join(v.id for v in definition.variants)
            raise ReportUnavailableError(f"there is no variant {variant!r} (choose {known})")
        place = session.get(Place, assessment_round.place_id)
        questionnaire = build_printable_questionnaire(
            definition,
            variant,
            place=facts.place,
            return_by=long_date(facts.closes_on) if facts.closes_on else None,
            contact=place.data_contact if place is not None else None,
        )
        strings = RunningStrings(
            facts.place,
            definition.title,
            kind.label,
            f"Placecheck · questionnaire version {definition.version}",
        )
        html = render_report_html(kind, strings, q=questionnaire)
        return RenderedHtml(html, f"{slug}-questionnaire-{variant or 'professional'}.pdf")

    if kind is ReportKind.FORUM and assessment_round.status is RoundStatus.PUBLISHED:
        return _published_forum_report(
            session=session, assessment_round=assessment_round, rules=rules, today=today, slug=slug
        )
    result = score_round(
        session=session, assessment_round=assessment_round, rules=rules, earlier=earlier
    )
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
        everyone = respondents_of_round(session=session, assessment_round=assessment_round)
        respondents = [r for r in everyone if r.organisation == organisation.name]
        round_rules = rules.with_threshold(assessment_round.anonymity_threshold)
        own = disclosed(
            definition, score(definition, respondents, round_rules), round_rules, respondents
        )
        try:
            partner = build_partner_report(
                definition,
                disclosed(definition, result, round_rules, everyone),
                own,
                organisation=organisation.name,
                sector=organisation.sector,
                facts=facts,
                rules=round_rules,
            )
        except PartnerReportRefusedError as error:
            raise ReportUnavailableError(str(error)) from error
        html = render_report_html(kind, strings, report=partner)
        return RenderedHtml(html, f"{slug}-partner-{file_slug(organisation.name)}.pdf")

    workshop = workshop_record(session=session, assessment_round=assessment_round, earlier=earlier)
    if kind is ReportKind.WORKSHOP:
        quoted = {q.answer_id for q in quotes_of(session, assessment_round.id)}
        comments = tuple(
            Quote(c.subject_id, c.text, c.sector)
            for c in comments_of(
                session=session, assessment_round=assessment_round, definition=definition
            )
            if c.answer_id not in quoted
        )
        pack = build_workshop_pack(definition, result, facts, workshop, rules, comments)
        return RenderedHtml(render_report_html(kind, strings, pack=pack), f"{slug}-workshop.pdf")
    stories = published_stories(session, but_place=assessment_round.place_id)
    report = build_forum_report(definition, result, facts, workshop, rules, stories)
    return RenderedHtml(render_report_html(kind, strings, report=report), f"{slug}-forum.pdf")


def _published_forum_report(
    *, session: Session, assessment_round: AssessmentRound, rules: Rules, today: date, slug: str
) -> RenderedHtml:
    """The forum report of a published round is the publication: forum members download it, so
    it is built from the stored snapshot (and the latest other published round's), like their
    results pages, never from live answers."""
    try:
        view = published_view(
            session=session, assessment_round=assessment_round, rules=rules, today=today
        )
    except NoSnapshotError as error:
        raise ReportUnavailableError(
            "these results were published before Placecheck kept a copy of what was published, "
            "and answers have changed since: publish them again first"
        ) from error
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    stories = published_stories(session, but_place=assessment_round.place_id)
    report = build_forum_report(definition, view.result, view.facts, view.workshop, rules, stories)
    strings = RunningStrings(
        view.facts.place,
        view.facts.title,
        ReportKind.FORUM.label,
        f"Placecheck · scoring rules {view.result.rules_version}",
    )
    html = render_report_html(ReportKind.FORUM, strings, report=report)
    return RenderedHtml(html, f"{slug}-forum.pdf")


def file_slug(text: str) -> str:
    """A name as a file name's part: lower case, letters and digits, hyphens between words."""
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())
