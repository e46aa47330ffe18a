"""The scoring rules, as declared in ``rules.yaml`` and parsed (but not read) here."""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from questionnaires.sectors import Sector

RULES_FILE_NAME = "rules.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SmallGroups(StrEnum):
    MERGE = "merge"
    """Sectors under the threshold are shown together in one combined column."""
    HIDE = "hide"
    """Sectors under the threshold are hidden, with the next smallest as their complement."""


class Anonymity(_Strict):
    threshold: int = Field(ge=2)
    complementary_suppression: bool = True
    small_groups: SmallGroups = SmallGroups.HIDE
    merge_last: tuple[str, ...] = ()
    """Sectors added to a combined column only when no other sector would make it big enough."""

    @field_validator("merge_last")
    @classmethod
    def _known_sectors(cls, sectors: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(sectors) - {sector.value for sector in Sector})
        if unknown:
            raise ValueError(f"merge_last names sectors that do not exist: {', '.join(unknown)}")
        return sectors


class Band(_Strict):
    id: str
    label: str
    minimum: float


class Coverage(_Strict):
    minimum_respondents: int = Field(ge=1)
    maximum_dont_know_share: float = Field(gt=0, le=1)


class Disagreement(_Strict):
    band: float = Field(gt=0)
    maximum_share_outside: float = Field(ge=0, lt=1)
    minimum_ratings: int = Field(ge=2)
    low_consensus: float = Field(default=0.7, gt=0, le=1)
    """Consensus (as printed) below this counts as low agreement in the reports' lists."""
    within_organisation_range: float = Field(default=2.0, gt=0)
    """An organisation whose people's averages for a condition lie this far apart (as printed)
    is flagged: its one score would hide the disagreement inside it."""


class SectorGap(_Strict):
    threshold: float = Field(gt=0)


class Priority(_Strict):
    threshold: float = Field(ge=0, le=1)


class Strength(_Strict):
    band: str


class RecommendationRules(_Strict):
    not_started_up_to: int = Field(ge=1)
    weak_below: float
    strong_from: float


class Change(_Strict):
    minimum_delta: float = Field(gt=0)
    minimum_respondents: int = Field(ge=1)


class Rules(_Strict):
    version: str = Field(min_length=1)
    description: str = ""
    anonymity: Anonymity
    bands: list[Band] = Field(min_length=1)
    coverage: Coverage
    disagreement: Disagreement
    sector_gap: SectorGap
    priority: Priority
    strength: Strength
    recommendations: RecommendationRules
    change: Change

    @model_validator(mode="after")
    def _bands_run_from_high_to_low(self) -> "Rules":
        minimums = [band.minimum for band in self.bands]
        if minimums != sorted(minimums, reverse=True):
            raise ValueError("bands must be listed from the highest minimum to the lowest")
        if self.strength.band not in {band.id for band in self.bands}:
            raise ValueError(f"strength.band {self.strength.band!r} is not one of the bands")
        return self

    def band_of(self, score: float) -> Band:
        for band in self.bands:
            if score >= band.minimum:
                return band
        return self.bands[-1]

    def with_threshold(self, threshold: int) -> "Rules":
        """The same rules with another anonymity threshold (a round may set its own)."""
        return self.model_copy(
            update={"anonymity": self.anonymity.model_copy(update={"threshold": threshold})}
        )


class RulesError(ValueError):
    pass


def rules_from_data(data: Mapping[str, Any], *, source: str = "rules") -> Rules:
    try:
        return Rules.model_validate(data)
    except ValidationError as error:
        reasons = "; ".join(
            f"{'.'.join(str(part) for part in e['loc']) or 'rules'}: {e['msg']}"
            for e in error.errors()
        )
        raise RulesError(f"{source} is not a valid rules file: {reasons}") from error
