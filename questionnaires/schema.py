"""The shape of a questionnaire definition, and the items a respondent actually answers.

A definition is data (a YAML file a non-programmer can edit); this module says what such a file
must contain. Structural rules live in the pydantic models; rules that need the whole definition
(unique ids, every level described, cross-references that resolve) are in ``checks.py`` so that
every problem can be reported at once instead of the first one only.
"""

import hashlib
import json
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

from questionnaires.sectors import Sector

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9-]+$")]
RecommendationId = Annotated[str, StringConstraints(pattern=r"^R[1-9][0-9]?$")]
SemVer = Annotated[str, StringConstraints(pattern=r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OptOut(StrEnum):
    """Answers outside the scale: always counted, never averaged."""

    DONT_KNOW = "dont_know"
    NOT_APPLICABLE = "not_applicable"


OPT_OUT_LABELS = {OptOut.DONT_KNOW: "Don't know", OptOut.NOT_APPLICABLE: "Not applicable"}


class ScaleLevel(Strict):
    value: int = Field(ge=1, description="The number scored; levels run 1, 2, 3 … upwards.")
    label: Text
    description: str = ""


class Scale(Strict):
    id: Slug
    label: Text
    levels: list[ScaleLevel] = Field(min_length=2)
    opt_outs: list[OptOut] = [OptOut.DONT_KNOW, OptOut.NOT_APPLICABLE]

    @cached_property
    def values(self) -> list[int]:
        return [level.value for level in self.levels]

    @cached_property
    def value_set(self) -> frozenset[int]:
        """The levels, for checking tens of thousands of answers against them."""
        return frozenset(self.values)

    @property
    def maximum(self) -> int:
        return max(self.values)

    def label_of(self, value: int) -> str:
        return next(level.label for level in self.levels if level.value == value)


class Source(Strict):
    title: Text
    publisher: Text
    year: int
    note: str = ""


class Audience(Strict):
    """A named group of sectors, so a statement can be shown only to those it makes sense for."""

    id: Slug
    label: Text
    sectors: list[Sector] = Field(min_length=1)


class Variant(Strict):
    """A version of the questionnaire for some respondents; the one without sectors is the
    default for everyone else."""

    id: Slug
    label: Text
    description: str = ""
    sectors: list[Sector] = []
    parts: list[Slug] = Field(min_length=1)
    plain_language: bool = False
    plain_scale: Slug | None = Field(
        default=None, description="Scale for statements in plain language (no descriptors)."
    )


class CaseStudy(Strict):
    id: Slug
    place: Text
    title: Text
    summary: Text


class Statement(Strict):
    id: ItemId
    text: Text
    levels: dict[int, str] = Field(description="What each level of the scale looks like.")
    plain: str | None = Field(
        default=None, description="The same idea in plain language; absent: not asked there."
    )
    audience: Slug | None = Field(default=None, description="Only these respondents see it.")


class Condition(Strict):
    id: Slug
    title: Text
    summary: Text
    plain_title: str | None = None
    plain_summary: str | None = None
    statements: list[Statement] = Field(min_length=2, max_length=4)
    related_recommendations: list[RecommendationId] = Field(min_length=1)
    case_studies: list[Slug] = []


class Recommendation(Strict):
    id: RecommendationId
    title: Text
    summary: Text
    related_conditions: list[Slug] = []
    case_studies: list[Slug] = []
    follow_up: str | None = Field(
        default=None, description="Wording of the part's follow-up question for this item."
    )

    @property
    def number(self) -> int:
        return int(self.id[1:])

    @property
    def numbered_title(self) -> str:
        return f"Recommendation {self.number}: {self.title}"


class Prompt(Strict):
    scale: Slug
    question: Text = Field(description="May contain {title}, the condition or recommendation.")
    plain_question: str | None = None
    evidence_prompt: str | None = Field(
        default=None, description="Label of the optional comment box; absent: no comment box."
    )


class PartKind(StrEnum):
    CONDITIONS = "conditions"
    RECOMMENDATIONS = "recommendations"


class Part(Strict):
    id: Slug
    kind: PartKind
    title: Text
    intro: Text
    plain_title: str | None = None
    plain_intro: str | None = None
    recommendations: list[RecommendationId] = []
    ranked: bool = Field(
        default=False, description="Results rank its recommendations as the partners' asks."
    )
    rating: Prompt
    importance: Prompt | None = None
    follow_up: Prompt | None = None


class ItemKind(StrEnum):
    STATEMENT = "statement"
    IMPORTANCE = "importance"
    RECOMMENDATION = "recommendation"
    FOLLOW_UP = "follow-up"


class Item(Strict):
    """One question as a respondent answers it, resolved from the definition."""

    id: str
    kind: ItemKind
    part: str
    subject: str = Field(description="The condition or recommendation id it belongs to.")
    subject_title: str = Field(description="Its title, e.g. 'Recommendation 7: Identify …'.")
    scale: str
    question: str
    descriptors: dict[int, str] = {}
    evidence_prompt: str | None = None
    audience: str | None = None


class Definition(Strict):
    schema_version: Literal[1] = 1
    id: Slug
    version: SemVer
    title: Text
    description: Text
    source: Source
    scales: list[Scale]
    audiences: list[Audience] = []
    variants: list[Variant] = Field(min_length=1)
    parts: list[Part] = Field(min_length=1)
    conditions: list[Condition] = []
    recommendations: list[Recommendation] = []
    case_studies: list[CaseStudy] = []

    _items_for_cache: dict[tuple[Sector, str], list[Item]] = PrivateAttr(default_factory=dict)

    # --- identity ---------------------------------------------------------------------------

    def canonical_json(self) -> str:
        """The definition in one fixed textual form: what is hashed and what a round stores."""
        return json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )

    @cached_property
    def content_hash(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    # --- look-ups ---------------------------------------------------------------------------

    @cached_property
    def scales_by_id(self) -> dict[str, Scale]:
        return {scale.id: scale for scale in self.scales}

    def scale(self, scale_id: str) -> Scale:
        return self.scales_by_id[scale_id]

    def condition(self, condition_id: str) -> Condition:
        return next(c for c in self.conditions if c.id == condition_id)

    def recommendation(self, recommendation_id: str) -> Recommendation:
        return next(r for r in self.recommendations if r.id == recommendation_id)

    def case_study(self, case_study_id: str) -> CaseStudy:
        return next(c for c in self.case_studies if c.id == case_study_id)

    @property
    def statement_scale(self) -> Scale:
        """The scale the conditions' statements are rated on (professional wording)."""
        part = next(p for p in self.parts if p.kind is PartKind.CONDITIONS)
        return self.scale(part.rating.scale)

    def part(self, part_id: str) -> Part:
        return next(p for p in self.parts if p.id == part_id)

    def audience_sectors(self, audience_id: str) -> list[Sector]:
        return next(a.sectors for a in self.audiences if a.id == audience_id)

    def pooling_note(self) -> str | None:
        """The rule by which answers to a plain-language version join the professional ones,
        in a sentence every output that pools them prints; None when there is none."""
        for variant in self.variants:
            if not variant.plain_language or variant.plain_scale is None:
                continue
            plain = self.scale(variant.plain_scale)
            own = self.statement_scale
            who = " and ".join(sector.label.lower() for sector in variant.sectors)
            return (
                f"{who[:1].upper()}{who[1:]} respondents answer a plain-language version of "
                f"each statement on an agreement scale ({plain.levels[0].value} "
                f"{plain.levels[0].label} to {plain.levels[-1].value} {plain.levels[-1].label}), "
                f"not the maturity scale ({own.levels[0].value} {own.levels[0].label} to "
                f"{own.levels[-1].value} {own.levels[-1].label}). Placecheck counts each of their "
                "levels as the same level of the maturity scale, so their answers join the "
                "scores; compare their column with the others with care."
            )
        return None

    @cached_property
    def plain_language_sectors(self) -> frozenset[Sector]:
        """Sectors whose people answer a plain-language version on a scale of its own."""
        return frozenset(
            sector
            for variant in self.variants
            if variant.plain_language and variant.plain_scale is not None
            for sector in variant.sectors
        )

    def variant_for(self, sector: Sector) -> Variant:
        """The variant a respondent from this sector sees."""
        for variant in self.variants:
            if sector in variant.sectors:
                return variant
        return next(variant for variant in self.variants if not variant.sectors)

    # --- items ------------------------------------------------------------------------------

    @cached_property
    def items(self) -> list[Item]:
        """Every item of every part, in questionnaire order, in professional wording."""
        return [item for part in self.parts for item in self._items_of(part, plain_scale=None)]

    @cached_property
    def items_by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    def statement_ids(self, condition_id: str) -> list[str]:
        """The ids of a condition's statements, in questionnaire order."""
        return [
            item.id
            for item in self.items
            if item.subject == condition_id and item.kind is ItemKind.STATEMENT
        ]

    def items_for(self, sector: Sector, variant: Variant | None = None) -> list[Item]:
        """The items a respondent from ``sector`` is asked, worded for their variant (by
        default the one the definition gives their sector)."""
        variant = variant or self.variant_for(sector)
        cached = self._items_for_cache.get((sector, variant.id))
        if cached is not None:
            return list(cached)
        plain_scale = (variant.plain_scale or "") if variant.plain_language else None
        chosen: list[Item] = []
        for part_id in variant.parts:
            for item in self._items_of(self.part(part_id), plain_scale=plain_scale):
                if item.audience is None or sector in self.audience_sectors(item.audience):
                    chosen.append(item)
        self._items_for_cache[(sector, variant.id)] = chosen
        return list(chosen)

    def _items_of(self, part: Part, *, plain_scale: str | None) -> list[Item]:
        """``plain_scale`` is None for professional wording, else the plain variant's scale id
        (empty: keep the part's own scale)."""
        if part.kind is PartKind.CONDITIONS:
            return [
                item
                for condition in self.conditions
                for item in self._condition_items(part, condition, plain_scale)
            ]
        items: list[Item] = []
        for recommendation_id in part.recommendations:
            recommendation = self.recommendation(recommendation_id)
            title = recommendation.numbered_title
            items.append(
                Item(
                    id=recommendation.id,
                    kind=ItemKind.RECOMMENDATION,
                    part=part.id,
                    subject=recommendation.id,
                    subject_title=title,
                    scale=part.rating.scale,
                    question=part.rating.question.format(title=title),
                    evidence_prompt=part.rating.evidence_prompt,
                )
            )
            if part.follow_up is not None:
                items.append(
                    Item(
                        id=f"{recommendation.id}.follow-up",
                        kind=ItemKind.FOLLOW_UP,
                        part=part.id,
                        subject=recommendation.id,
                        subject_title=title,
                        scale=part.follow_up.scale,
                        question=recommendation.follow_up
                        or part.follow_up.question.format(title=title),
                        evidence_prompt=part.follow_up.evidence_prompt,
                    )
                )
        return items

    def _condition_items(
        self, part: Part, condition: Condition, plain_scale: str | None
    ) -> list[Item]:
        plain = plain_scale is not None
        title = (condition.plain_title or condition.title) if plain else condition.title
        items: list[Item] = []
        for statement in condition.statements:
            if plain and statement.plain is None:
                continue
            items.append(
                Item(
                    id=statement.id,
                    kind=ItemKind.STATEMENT,
                    part=part.id,
                    subject=condition.id,
                    subject_title=title,
                    scale=(plain_scale or part.rating.scale) if plain else part.rating.scale,
                    question=(statement.plain or statement.text) if plain else statement.text,
                    descriptors={} if plain else dict(statement.levels),
                    evidence_prompt=part.rating.evidence_prompt,
                    audience=statement.audience,
                )
            )
        if part.importance is not None:
            wording = (part.importance.plain_question if plain else None) or (
                part.importance.question
            )
            items.append(
                Item(
                    id=f"{condition.id}.importance",
                    kind=ItemKind.IMPORTANCE,
                    part=part.id,
                    subject=condition.id,
                    subject_title=title,
                    scale=part.importance.scale,
                    question=wording.format(title=title),
                    evidence_prompt=part.importance.evidence_prompt,
                )
            )
        return items
