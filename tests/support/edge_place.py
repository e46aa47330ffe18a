"""A place built by hand whose answers sit on the edges the rules must decide on as printed.

- Shared outcomes: the council's four people answer 4, 3, 3, 3 (3.25, printed 3.3) and the
  police's average 2.25, 2.25, 2.25 and 2.5 (2.3125, printed 2.3): a printed gap of 1.0,
  exactly the threshold, although the unrounded gap is 0.9375.
- Strong leadership: 2.733… (printed 2.7) at the first round and 3.208… (printed 3.2) at the
  second: a printed change of +0.5, the minimum, although the unrounded change is 0.475. (The
  NHS integrated care board is hidden to protect housing, so the two count as one.)
- People focus: the council and the police rate every statement 5, the NHS and the voluntary
  sector 1: views are split.
- Housing sends two people, fewer than the anonymity threshold of three, and is shown together
  with the NHS integrated care board, the smallest other sector.
- Data and evidence: two of the voluntary sector's four people average 4.7 and two 1.3, which
  make the organisation's 3.0 and hide a disagreement inside it.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.data.paper import PaperRespondent, store_paper_answers
from app.enums import AnswerKind, RoundStatus
from app.models import AssessmentRound, Organisation, Place
from app.results.publication import record_publication
from app.rounds.definitions import snapshot_definition
from questionnaires.registry import Registry
from questionnaires.schema import Definition, PartKind
from questionnaires.sectors import Sector

PEOPLE = {
    "Edgeford Council": (Sector.LOCAL_AUTHORITY, 4),
    "Edgeford ICB": (Sector.NHS_ICB, 3),
    "Edgeford Police": (Sector.POLICE, 4),
    "Edgeford CVS": (Sector.VOLUNTARY_AND_COMMUNITY, 4),
    "Edgeford Homes": (Sector.HOUSING, 2),
}
Levels = dict[str, list[list[int]]]
"""Per condition, per organisation, each person's levels for the condition's statements."""


@dataclass(frozen=True)
class EdgePlace:
    first: AssessmentRound
    second: AssessmentRound


def _answers(
    definition: Definition, sector: Sector, levels: dict[str, list[int]]
) -> dict[str, int]:
    """Every statement the sector is asked 3 and every importance 3, unless ``levels`` says
    otherwise."""
    answers: dict[str, int] = {}
    conditions = next(p for p in definition.parts if p.kind is PartKind.CONDITIONS)
    asked = {item.id for item in definition.items_for(sector)}
    for condition in definition.conditions:
        statements = [s for s in definition.statement_ids(condition.id) if s in asked]
        chosen = levels.get(condition.id, [3] * len(statements))
        answers.update(zip(statements, chosen, strict=True))
        if conditions.importance is not None:
            answers[f"{condition.id}.importance"] = 3
    return answers


def _round(
    session: Session,
    definition: Definition,
    place: Place,
    organisations: dict[str, Organisation],
    title: str,
    opens_on: date,
    levels: Levels,
) -> AssessmentRound:
    snapshot = snapshot_definition(session=session, definition=definition)
    assessment_round = AssessmentRound(
        place_id=place.id or 0,
        title=title,
        questionnaire_hash=snapshot.content_hash,
        status=RoundStatus.CLOSED,
        opens_on=opens_on,
        closes_on=opens_on.replace(day=28),
    )
    session.add(assessment_round)
    session.flush()
    respondents = []
    for name, (sector, people) in PEOPLE.items():
        for number in range(people):
            chosen = {
                condition_id: by_organisation[name][number]
                for condition_id, by_organisation in levels.items()
                if name in by_organisation
            }
            respondents.append(
                PaperRespondent(
                    label=f"{title}: {name} {number + 1}",
                    organisation=organisations[name],
                    role=f"Officer {number + 1}",
                    answers={
                        item_id: (AnswerKind.LEVEL, level, None)
                        for item_id, level in _answers(definition, sector, chosen).items()
                    },
                )
            )
    store_paper_answers(session=session, assessment_round=assessment_round, respondents=respondents)
    session.flush()
    return assessment_round


def build_edge_place(session: Session) -> EdgePlace:
    definition = Registry().get("trusting-place")
    place = Place(name="Edgeford", slug="edgeford")
    session.add(place)
    session.flush()
    organisations = {
        name: Organisation(place_id=place.id or 0, name=name, sector=sector)
        for name, (sector, _) in PEOPLE.items()
    }
    session.add_all(organisations.values())
    session.flush()
    weaker = [[3, 2, 2]] * 4
    first = _round(
        session,
        definition,
        place,
        organisations,
        "Edgeford first round, spring 2026",
        date(2026, 3, 1),
        {"strong-leadership": {"Edgeford ICB": weaker, "Edgeford Police": weaker}},
    )
    first.status = RoundStatus.PUBLISHED
    session.add(first)
    session.flush()
    record_publication(session=session, assessment_round=first)
    high, low = [[5, 5, 5]] * 4, [[1, 1, 1]] * 4
    second = _round(
        session,
        definition,
        place,
        organisations,
        "Edgeford second round, autumn 2026",
        date(2026, 10, 1),
        {
            "shared-outcomes-and-accountability": {
                "Edgeford Council": [[4, 3, 3, 3]] * 4,
                "Edgeford Police": [[3, 2, 2, 2]] * 3 + [[3, 3, 2, 2]],
            },
            "strong-leadership": {"Edgeford Council": [[4, 4, 4]] * 3 + [[4, 3, 3]]},
            "people-focus": {
                "Edgeford Council": high,
                "Edgeford Police": high,
                "Edgeford ICB": low,
                "Edgeford CVS": low,
            },
            "data-and-evidence": {"Edgeford CVS": [[5, 5, 4]] * 2 + [[1, 2, 1]] * 2},
        },
    )
    return EdgePlace(first, second)
