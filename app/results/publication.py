"""Publishing a round's results: storing the snapshot forum members will read, after refusing to
publish when comparing it with any earlier version of the place's results would single out
fewer than k people (see ``scoring.differencing``)."""

from collections import Counter

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.db import UnitOfWork
from app.core.exceptions import ChangeRefusedError
from app.enums import RoundStatus
from app.models import AssessmentRound, Publication
from app.results.rules import load_rules
from app.results.service import respondents_of_round
from app.results.snapshots import Snapshot, snapshot_of, stored, take_snapshot
from app.rounds.definitions import definition_of_round
from questionnaires.schema import Definition
from questionnaires.sectors import Sector
from scoring.differencing import (
    PLACE,
    Contribution,
    contributions,
    exposed_by_content,
    exposed_groups,
)
from scoring.solving import Version, singled_out


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def place_publications(*, session: Session, place_id: int | None) -> list[Publication]:
    """Every version of every round of the place ever published, imported copies included,
    oldest first: a reader may have kept any of them."""
    return list(
        session.exec(
            select(Publication)
            .join(AssessmentRound, col(AssessmentRound.id) == col(Publication.round_id))
            .where(AssessmentRound.place_id == place_id)
            .order_by(col(Publication.id))
        ).all()
    )


def live_contributions(
    *, session: Session, assessment_round: AssessmentRound
) -> dict[str, Contribution]:
    return contributions(respondents_of_round(session=session, assessment_round=assessment_round))


def _recorded(publication: Publication) -> dict[str, Contribution]:
    return {
        key: Contribution(
            sector=parts["sector"],
            organisation=parts["organisation"],
            answers=parts["answers"],
            rated=None if parts.get("rated") is None else tuple(parts["rated"]),
        )
        for key, parts in publication.contributions.items()
    }


def differs_from_publication(*, session: Session, assessment_round: AssessmentRound) -> int | None:
    """How many people's answers now differ from the round's newest publication (at least:
    see ``exposed_groups``), or None when it was never published."""
    newest = session.exec(
        select(Publication)
        .where(Publication.round_id == assessment_round.id)
        .order_by(col(Publication.id).desc())
    ).first()
    if newest is None:
        return None
    published = _recorded(newest)
    now = live_contributions(session=session, assessment_round=assessment_round)
    everyone = len(published) + len(now) + 1  # a threshold no change can reach
    return exposed_groups(published, now, everyone).get(PLACE, 0)


def record_publication(*, session: Session, assessment_round: AssessmentRound) -> Publication:
    """Checks the results about to be published against every earlier publication of the
    place, then stores them as a snapshot. Raises ChangeRefusedError, naming the groups."""
    now = live_contributions(session=session, assessment_round=assessment_round)
    k = assessment_round.anonymity_threshold
    for publication in place_publications(session=session, place_id=assessment_round.place_id):
        before = _recorded(publication)
        exposed = (
            exposed_groups(before, now, k)
            if publication.round_id == assessment_round.id
            else exposed_by_content(before.values(), now.values(), k)
        )
        if exposed:
            groups = "; ".join(f"{group}: {_people(n)}" for group, n in exposed.items())
            again = publication.round_id == assessment_round.id
            compared_with = (
                "the version published"
                if again
                else "the results of another round of this place (or a copy of one) published"
            )
            raise ChangeRefusedError(
                f"These results cannot be published{' again' if again else ''} yet. Compared "
                f"with {compared_with} on {publication.published_at:%-d %B %Y at %H:%M}, the "
                f"answers of fewer than {k} people have been added, removed or changed "
                f"({groups}), so anyone who saw both could work out what those people said. "
                f"Publish once at least {k} people's answers differ in each of those groups, "
                "or once the answers are back as they were."
            )
    earlier = _published_versions(session=session, assessment_round=assessment_round)
    snapshot = take_snapshot(
        session=session, assessment_round=assessment_round, rules=load_rules(), earlier=earlier
    )
    _refuse_what_combining_versions_reveals(
        session=session,
        assessment_round=assessment_round,
        now=now,
        snapshot=snapshot,
        earlier=earlier,
    )
    publication = Publication(
        round_id=assessment_round.id or 0,
        contributions={respondent: part.as_json() for respondent, part in now.items()},
        snapshot=stored(snapshot),
    )
    session.add(publication)
    return publication


def _published_versions(*, session: Session, assessment_round: AssessmentRound) -> list[Version]:
    """Every version of the place's results published so far, as a reader may have kept it. A
    version kept before snapshots were stored cannot be read for what it showed, and is left
    to the group-by-group check."""
    definitions: dict[int, Definition] = {}

    def definition_of(round_id: int) -> Definition:
        if round_id not in definitions:
            kept_round = session.get(AssessmentRound, round_id)
            assert kept_round is not None
            definitions[round_id] = definition_of_round(
                session=session, assessment_round=kept_round
            )
        return definitions[round_id]

    return [
        Version(
            definition=definition_of(publication.round_id),
            people=list(_recorded(publication).values()),
            result=kept.result,
        )
        for publication in place_publications(session=session, place_id=assessment_round.place_id)
        if (kept := snapshot_of(publication)) is not None
    ]


def _refuse_what_combining_versions_reveals(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    now: dict[str, Contribution],
    snapshot: Snapshot,
    earlier: list[Version],
) -> None:
    """Group by group, every version passed, and the snapshot hides what it can so as not to
    combine with the earlier ones; this checks that all the versions' figures, solved
    together (``scoring.solving``), single no one out, which hiding cannot always ensure."""
    k = assessment_round.anonymity_threshold
    if not earlier:
        return
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    versions = [*earlier, Version(definition, list(now.values()), snapshot.result)]
    found = singled_out(versions, k)
    if not found:
        return
    first = found[0]
    if not first.people:
        raise ChangeRefusedError(
            "These results cannot be published yet: together with the versions of this "
            "place's results published before, there are too many ways to combine the figures "
            f"to check that no group of fewer than {k} people could be singled out. Publish "
            f"once at least {k} people's answers differ in each group, or once the answers are "
            "back as they were."
        )
    who = Counter(
        f"{person.organisation} ({Sector(person.sector).label})" for person in first.people
    )
    described = "; ".join(f"{_people(n)} in {group}" for group, n in sorted(who.items()))
    raise ChangeRefusedError(
        "These results cannot be published yet. Each group passes on its own, but a reader who "
        "kept the versions of this place's results published before could combine them with "
        f"these figures ({first.figure}) and work out what fewer than {k} people said "
        f"({described}): a group hidden now was shown before, or the other way round. Forum "
        "members go on reading the version published before. Publishing may become possible "
        "when more people's answers in that group differ from it, or once the answers are back "
        "as they were."
    )


def fill_missing_snapshots(engine: Engine) -> list[int]:
    """Store the snapshot of each published round whose publication predates snapshots, while
    its answers are still exactly those it was published from (then the figures are the ones
    forum members read at the time). A round whose answers have changed since keeps none, and
    its viewers are asked to wait for the facilitator to publish again. Returns the rounds
    filled."""
    filled: list[int] = []
    with Session(engine) as session:
        missing = session.exec(
            select(Publication.round_id)
            .join(AssessmentRound, col(AssessmentRound.id) == col(Publication.round_id))
            .where(
                col(Publication.snapshot).is_(None),
                AssessmentRound.status == RoundStatus.PUBLISHED,
            )
            .distinct()
        ).all()
        if not missing:
            return filled
        work = UnitOfWork(session)
        work.write()
        rules = load_rules()
        for round_id in missing:
            assessment_round = session.get(AssessmentRound, round_id)
            assert assessment_round is not None
            newest = session.exec(
                select(Publication)
                .where(Publication.round_id == round_id)
                .order_by(col(Publication.id).desc())
            ).first()
            if newest is None or newest.snapshot is not None:
                continue
            if differs_from_publication(session=session, assessment_round=assessment_round):
                continue
            snapshot = take_snapshot(
                session=session, assessment_round=assessment_round, rules=rules
            )
            newest.snapshot = stored(snapshot)
            # The answers are those published, so what each person rated is known too.
            live = live_contributions(session=session, assessment_round=assessment_round)
            newest.contributions = {key: part.as_json() for key, part in live.items()}
            session.add(newest)
            filled.append(round_id)
        work.finish()
    return filled
