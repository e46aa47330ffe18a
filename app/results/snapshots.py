"""Published results as forum members read them: a stored snapshot, never live answers.

Publishing stores the round's figures already passed through the disclosure gate and rounded as
printed (``scoring.disclosure``), with who took part. Whatever happens to the answers afterwards
(an erasure, a revoked link, a paper questionnaire imported, a person moved), viewers go on
reading the same figures until the facilitator publishes again, which the differencing check
allows only when no group smaller than k would be singled out by the change.

A comparison between two rounds is built when read, from the two rounds' snapshots
(``scoring.engine.compared``), and only with rounds that are published now: a withdrawn
publication leaves every viewer's page and PDF at once. Workshop records (agreed levels,
actions, chosen quotes) are the forum's own decisions and are read as recorded.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import TypeAdapter
from sqlmodel import Session, col, select

from app.core.clock import place_today
from app.enums import RoundStatus
from app.models import AssessmentRound, Place, Publication
from app.results.records import round_facts, workshop_record
from app.results.service import respondents_of_round
from app.rounds.definitions import definition_of_round
from reports.facts import OrganisationFacts, RoundFacts, WorkshopRecord
from scoring.disclosure import disclosed
from scoring.engine import compared, score
from scoring.rules import Rules
from scoring.solving import Version
from scoring.types import ScoreResult

SNAPSHOT_FORMAT = 1
"""Moves whenever what a snapshot holds changes shape; older formats are read by migration."""


@dataclass(frozen=True)
class Snapshot:
    """What forum members may read of one published version of a round."""

    format: int
    rules_version: str
    result: ScoreResult
    """Gated and rounded as printed; no change since another round (that is built when read)."""
    organisations: tuple[OrganisationFacts, ...]
    """Who was invited and who submitted, by organisation, when it was published."""


_SNAPSHOT = TypeAdapter(Snapshot)


def take_snapshot(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    rules: Rules,
    earlier: Sequence[Version] = (),
) -> Snapshot:
    """The round's results as they stand, as a viewer may see them, with whatever more must be
    hidden so that they cannot be combined with the ``earlier`` versions a reader kept."""
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    round_rules = rules.with_threshold(assessment_round.anonymity_threshold)
    respondents = respondents_of_round(session=session, assessment_round=assessment_round)
    result = score(definition, respondents, round_rules)
    facts = round_facts(
        session=session, assessment_round=assessment_round, today=place_today(), earlier=None
    )
    return Snapshot(
        format=SNAPSHOT_FORMAT,
        rules_version=result.rules_version,
        result=disclosed(definition, result, round_rules, respondents, earlier),
        organisations=facts.organisations,
    )


def stored(snapshot: Snapshot) -> dict[str, Any]:
    stored_form: dict[str, Any] = _SNAPSHOT.dump_python(snapshot, mode="json")
    return stored_form


def snapshot_of(publication: Publication) -> Snapshot | None:
    if publication.snapshot is None:
        return None
    return _SNAPSHOT.validate_python(publication.snapshot)


def current_publication(
    *, session: Session, assessment_round: AssessmentRound
) -> Publication | None:
    """The version viewers read: the newest publication of a round that is published now."""
    if assessment_round.status is not RoundStatus.PUBLISHED:
        return None
    return session.exec(
        select(Publication)
        .where(Publication.round_id == assessment_round.id)
        .order_by(col(Publication.id).desc())
    ).first()


def published_earlier_rounds(
    *, session: Session, assessment_round: AssessmentRound
) -> list[AssessmentRound]:
    """The place's rounds created before this one that are published now, newest first: the
    only rounds a viewer's comparison may read."""
    return list(
        session.exec(
            select(AssessmentRound)
            .where(
                AssessmentRound.place_id == assessment_round.place_id,
                col(AssessmentRound.id) != assessment_round.id,
                col(AssessmentRound.created_at) <= assessment_round.created_at,
                AssessmentRound.status == RoundStatus.PUBLISHED,
            )
            .order_by(col(AssessmentRound.created_at).desc(), col(AssessmentRound.id).desc())
        ).all()
    )


class NoSnapshotError(LookupError):
    """The round is not published, or was published before snapshots were kept and its answers
    have changed since (the facilitator must publish again)."""


@dataclass(frozen=True)
class PublishedView:
    result: ScoreResult
    facts: RoundFacts
    workshop: WorkshopRecord
    compared_with: AssessmentRound | None
    published_earlier: tuple[AssessmentRound, ...]
    """Every earlier round published now, newest first: those a reader may choose to compare
    with (``compared_with`` is the one chosen among those with a snapshot)."""


def published_view(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    rules: Rules,
    today: date,
    compare_with: int | None = None,
) -> PublishedView:
    """What a viewer reads of a published round: its snapshot, compared with the snapshot of the
    earlier published round ``compare_with`` names (by default the latest). Raises
    NoSnapshotError when there is nothing a viewer may read."""
    publication = current_publication(session=session, assessment_round=assessment_round)
    snapshot = snapshot_of(publication) if publication is not None else None
    if snapshot is None:
        raise NoSnapshotError(assessment_round.id)
    rounds = published_earlier_rounds(session=session, assessment_round=assessment_round)
    earlier = [
        (r, s)
        for r in rounds
        if (p := current_publication(session=session, assessment_round=r)) is not None
        and (s := snapshot_of(p)) is not None
    ]
    chosen = next((e for e in earlier if e[0].id == compare_with), earlier[0] if earlier else None)
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    round_rules = rules.with_threshold(assessment_round.anonymity_threshold)
    previous_result = chosen[1].result if chosen is not None else None
    if (
        previous_result is not None
        and previous_result.questionnaire.id != snapshot.result.questionnaire.id
    ):
        previous_result = None  # answers to different questionnaires are never compared
    result = compared(definition, snapshot.result, previous_result, round_rules)
    place = session.get(Place, assessment_round.place_id)
    assert place is not None
    facts = RoundFacts(
        place=place.name,
        title=assessment_round.title,
        status=assessment_round.status.label,
        interim=False,
        opens_on=assessment_round.opens_on,
        closes_on=assessment_round.closes_on,
        produced_on=today,
        organisations=snapshot.organisations,
        previous_title=chosen[0].title if chosen is not None else None,
        previous_partners=(
            tuple(sorted(o.name for o in chosen[1].organisations if o.submitted))
            if chosen is not None
            else ()
        ),
    )
    record = workshop_record(
        session=session,
        assessment_round=assessment_round,
        earlier=chosen[0] if chosen is not None else None,
    )
    return PublishedView(
        result, facts, record, chosen[0] if chosen is not None else None, tuple(rounds)
    )
