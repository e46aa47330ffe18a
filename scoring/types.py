"""What goes into scoring and what comes out: frozen, typed and free of any storage detail."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from questionnaires.schema import OptOut
from questionnaires.sectors import Sector

AnswerValue = int | OptOut

SPLIT_BAND = "split"
"""The band of a condition whose views are split: its average would hide the disagreement, so it
is given no level (as SCIROCCO shows a split assessment as 'uncertain')."""


@dataclass(frozen=True)
class Respondent:
    id: str
    organisation: str
    sector: Sector
    answers: Mapping[str, AnswerValue]
    respondent_type: str | None = None
    """The questionnaire variant they answered; by default the one their sector is given."""


@dataclass(frozen=True)
class Counts:
    """How a set of answers splits between the scale and the two opt-outs."""

    rated: int
    dont_know: int
    not_applicable: int

    @property
    def dont_know_share(self) -> float:
        """Share of 'don't know' among answers that could have been a rating."""
        possible = self.rated + self.dont_know
        return self.dont_know / possible if possible else 0.0


@dataclass(frozen=True)
class Spread:
    """Summary of ratings on an ordinal scale."""

    distribution: dict[int, int]
    median: float | None
    mean: float | None
    consensus: float | None
    split: bool


@dataclass(frozen=True)
class SplitSides:
    """Where the people who rated a split condition stand: how many have their own average more
    than the split rule's band below the middle person's, within it, and above it. Counts of
    the same people the condition's score is of, so the gate that shows its distribution shows
    them; each side's own average is never given (which people a side holds depends on their
    answers)."""

    below: int
    within: int
    above: int

    @property
    def outside(self) -> int:
        return self.below + self.above

    @property
    def people(self) -> int:
        return self.below + self.within + self.above


@dataclass(frozen=True)
class ItemScore:
    item_id: str
    subject: str
    counts: Counts
    spread: Spread
    withheld: str | None = None
    """Why its figures are not shown (too few people answered it), when they are not."""


@dataclass(frozen=True)
class GroupScore:
    """A sector's or organisation's view of a condition, or the marker that hides it."""

    group: str
    score: float | None
    score_headcount: float | None
    suppressed: bool
    reason: str | None = None


@dataclass(frozen=True)
class WidestGap:
    """The two shown sectors whose printed scores for a condition lie furthest apart, with
    those scores in tenths, so the gap is exactly what a reader subtracting them gets."""

    higher: str
    higher_tenths: int
    lower: str
    lower_tenths: int

    @property
    def gap_tenths(self) -> int:
        return self.higher_tenths - self.lower_tenths


@dataclass(frozen=True)
class Change:
    previous_score: float | None
    delta: float | None
    called: bool
    caution: str | None


@dataclass(frozen=True)
class ConditionScore:
    condition_id: str
    score: float | None
    """Organisation-weighted: the mean of each organisation's mean. The headline."""
    score_headcount: float | None
    band: str | None
    no_score_reason: str | None
    respondents: int
    """Respondents who rated at least one statement of the condition."""
    organisations: int
    counts: Counts
    dont_know_share: float
    """Organisation-weighted share of 'don't know' among the condition's rating answers."""
    coverage: float
    """Share of the respondents asked about the condition who rated it."""
    spread: Spread
    importance: float | None
    priority: float | None
    by_sector: dict[str, GroupScore]
    by_organisation: dict[str, GroupScore]
    change: Change | None = None
    combined_sectors: tuple[str, ...] = ()
    """Sectors too small to show alone, shown together as ``combined`` (anonymity rules)."""
    combined: GroupScore | None = None
    counted_together: tuple[str, ...] = ()
    """Organisations the anonymity plan hides, which count as one in organisation-weighted
    scores (``scoring.engine``)."""
    sides: SplitSides | None = None
    """Both sides of a split condition (None when its views are not split, or the gate hides
    its distribution)."""
    divided_organisations: dict[str, float | None] = field(default_factory=dict)
    """Organisations whose own people's averages for the condition lie at least the rules'
    range apart (as printed), with that range; its score would hide the disagreement. Beyond
    the facilitators only organisations shown on their own are named, and without the range."""


@dataclass(frozen=True)
class RecommendationScore:
    recommendation_id: str
    part: str
    counts: Counts
    spread: Spread
    score: float | None
    """Organisation-weighted mean of the rating; used to rank asks of government and the LGA."""
    typical_level: int | None
    typical_label: str | None
    related_conditions: dict[str, float | None]
    follow_up: dict[int, int] = field(default_factory=dict)
    withheld: str | None = None
    """Why its figures are not shown (too few people rated it), when they are not."""


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    subjects: tuple[str, ...]
    numbers: dict[str, float | int | str | None]
    sentence: str


@dataclass(frozen=True)
class QuestionnaireRef:
    id: str
    version: str
    content_hash: str


@dataclass(frozen=True)
class ScoreResult:
    rules_version: str
    anonymity_threshold: int
    bands: tuple[tuple[str, str], ...]
    """(id, label) of each band, highest first, so results can be read without the rules."""
    questionnaire: QuestionnaireRef
    respondents: int
    organisations: int
    respondents_by_sector: dict[str, int]
    items: dict[str, ItemScore]
    conditions: dict[str, ConditionScore]
    recommendations: dict[str, RecommendationScore]
    asks: dict[str, list[str]]
    """Recommendation ids of each 'asks' part (government, LGA), most wanted first."""
    findings: list[Finding]
