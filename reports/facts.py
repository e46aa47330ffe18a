"""What a report needs besides the scores: facts about the round and what the workshop recorded.

The web layer reads these from the database; the reports only ever see these frozen values, so
they can be built (and tested) without a database.
"""

from dataclasses import dataclass, field
from datetime import date

from questionnaires.sectors import Sector


@dataclass(frozen=True)
class OrganisationFacts:
    id: int
    name: str
    sector: Sector
    invited: int
    submitted: int


@dataclass(frozen=True)
class RoundFacts:
    place: str
    title: str
    status: str
    """The round's status in words, as a reader sees it: Draft, Open, Closed or Published."""
    interim: bool
    """Answers may still come in (a draft or open round), so the results are provisional."""
    opens_on: date | None
    closes_on: date | None
    produced_on: date
    organisations: tuple[OrganisationFacts, ...]
    previous_title: str | None = None
    previous_partners: tuple[str, ...] = ()
    """The organisations at least one of whose people submitted answers in the previous round."""


@dataclass(frozen=True)
class Agreement:
    """The forum's agreed level for a condition, or that it could not agree."""

    condition_id: str
    level: int | None
    could_not_agree: bool
    rationale: str


@dataclass(frozen=True)
class PlannedAction:
    description: str
    condition_id: str | None
    recommendation_id: str | None
    lead: str | None
    due_on: date | None
    status: str
    """In words: Not started, In progress, Done or Dropped."""


@dataclass(frozen=True)
class Quote:
    """A comment the facilitator chose (and edited to take out names) for the report."""

    subject_id: str
    text: str
    sector: Sector


@dataclass(frozen=True)
class WorkshopRecord:
    agreements: tuple[Agreement, ...] = ()
    actions: tuple[PlannedAction, ...] = ()
    quotes: tuple[Quote, ...] = field(default_factory=tuple)
    previous_agreements: tuple[Agreement, ...] = ()
    """What the forum agreed at the previous round, to set beside this round's scores."""
