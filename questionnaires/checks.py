"""Rules that need the whole definition: unique ids, described levels, references that resolve.

Each check yields every problem it finds, located by a path into the data (the same kind of path
pydantic uses), so the loader can point at the file, line and item of each one.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from questionnaires.schema import Definition, PartKind

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    location: Location
    message: str


def check_definition(definition: Definition) -> list[Finding]:
    return [
        *_unique_ids(definition),
        *_scales(definition),
        *_parts(definition),
        *_statement_levels(definition),
        *_cross_references(definition),
        *_variants(definition),
    ]


def _unique_ids(d: Definition) -> Iterator[Finding]:
    collections: dict[str, list[str]] = {
        "scales": [s.id for s in d.scales],
        "audiences": [a.id for a in d.audiences],
        "variants": [v.id for v in d.variants],
        "parts": [p.id for p in d.parts],
        "conditions": [c.id for c in d.conditions],
        "recommendations": [r.id for r in d.recommendations],
        "case_studies": [c.id for c in d.case_studies],
    }
    for collection, ids in collections.items():
        for index, value in enumerate(ids):
            if ids.index(value) != index:
                yield Finding((collection, index, "id"), f"the id {value!r} is used twice")
    seen: set[str] = set()
    for c_index, condition in enumerate(d.conditions):
        for s_index, statement in enumerate(condition.statements):
            location: Location = ("conditions", c_index, "statements", s_index, "id")
            if statement.id in seen:
                yield Finding(location, f"the statement id {statement.id!r} is used twice")
            seen.add(statement.id)
            if not statement.id.startswith(f"{condition.id}."):
                yield Finding(
                    location,
                    f"statement ids start with their condition's id: expected "
                    f"'{condition.id}.<something>', found {statement.id!r}",
                )


def _scales(d: Definition) -> Iterator[Finding]:
    for index, scale in enumerate(d.scales):
        expected = list(range(1, len(scale.levels) + 1))
        if scale.values != expected:
            yield Finding(
                ("scales", index, "levels"),
                f"levels must be numbered {', '.join(map(str, expected))} in order; "
                f"found {', '.join(map(str, scale.values))}",
            )


def _known_scale(d: Definition, scale_id: str) -> bool:
    return any(scale.id == scale_id for scale in d.scales)


def _parts(d: Definition) -> Iterator[Finding]:
    known_recommendations = {r.id for r in d.recommendations}
    placed: list[str] = []
    condition_parts = [p for p in d.parts if p.kind is PartKind.CONDITIONS]
    if d.conditions and len(condition_parts) != 1:
        yield Finding(("parts",), "exactly one part must have kind 'conditions'")
    for index, part in enumerate(d.parts):
        for field in ("rating", "importance", "follow_up"):
            prompt = getattr(part, field)
            if prompt is not None and not _known_scale(d, prompt.scale):
                yield Finding(
                    ("parts", index, field, "scale"), f"there is no scale {prompt.scale!r}"
                )
        if part.kind is PartKind.CONDITIONS and part.recommendations:
            yield Finding(
                ("parts", index, "recommendations"), "a conditions part lists no recommendations"
            )
        if part.kind is PartKind.RECOMMENDATIONS and part.importance is not None:
            yield Finding(
                ("parts", index, "importance"), "only the conditions part asks about importance"
            )
        for r_index, recommendation_id in enumerate(part.recommendations):
            if recommendation_id not in known_recommendations:
                yield Finding(
                    ("parts", index, "recommendations", r_index),
                    f"there is no recommendation {recommendation_id!r}",
                )
            placed.append(recommendation_id)
    for index, recommendation in enumerate(d.recommendations):
        count = placed.count(recommendation.id)
        if count != 1:
            yield Finding(
                ("recommendations", index, "id"),
                f"{recommendation.id} must be in exactly one part; it is in {count}",
            )


def _statement_levels(d: Definition) -> Iterator[Finding]:
    conditions_part = next((p for p in d.parts if p.kind is PartKind.CONDITIONS), None)
    if conditions_part is None or not _known_scale(d, conditions_part.rating.scale):
        return
    scale = d.scale(conditions_part.rating.scale)
    for c_index, condition in enumerate(d.conditions):
        for s_index, statement in enumerate(condition.statements):
            location: Location = ("conditions", c_index, "statements", s_index, "levels")
            for value in scale.values:
                if value not in statement.levels:
                    yield Finding(
                        location, f"level {value} ({scale.label_of(value)}) has no descriptor"
                    )
                elif not statement.levels[value].strip():
                    yield Finding((*location, value), f"the descriptor of level {value} is empty")
            for value in sorted(set(statement.levels) - set(scale.values)):
                yield Finding((*location, value), f"level {value} is not on the {scale.id!r} scale")


def _cross_references(d: Definition) -> Iterator[Finding]:
    conditions = {c.id: c for c in d.conditions}
    recommendations = {r.id: r for r in d.recommendations}
    case_studies = {c.id for c in d.case_studies}
    audiences = {a.id for a in d.audiences}
    for c_index, condition in enumerate(d.conditions):
        for r_index, recommendation_id in enumerate(condition.related_recommendations):
            location: Location = ("conditions", c_index, "related_recommendations", r_index)
            if recommendation_id not in recommendations:
                yield Finding(location, f"there is no recommendation {recommendation_id!r}")
            elif condition.id not in recommendations[recommendation_id].related_conditions:
                yield Finding(
                    location,
                    f"{recommendation_id} does not list {condition.id!r} among its related "
                    "conditions; links must be recorded on both sides",
                )
        for s_index, case_study in enumerate(condition.case_studies):
            if case_study not in case_studies:
                yield Finding(
                    ("conditions", c_index, "case_studies", s_index),
                    f"there is no case study {case_study!r}",
                )
        for s_index, statement in enumerate(condition.statements):
            if statement.audience is not None and statement.audience not in audiences:
                yield Finding(
                    ("conditions", c_index, "statements", s_index, "audience"),
                    f"there is no audience {statement.audience!r}",
                )
    for r_index, recommendation in enumerate(d.recommendations):
        for c_index, condition_id in enumerate(recommendation.related_conditions):
            location = ("recommendations", r_index, "related_conditions", c_index)
            if condition_id not in conditions:
                yield Finding(location, f"there is no condition {condition_id!r}")
            elif recommendation.id not in conditions[condition_id].related_recommendations:
                yield Finding(
                    location,
                    f"{condition_id!r} does not list {recommendation.id} among its related "
                    "recommendations; links must be recorded on both sides",
                )
        for s_index, case_study in enumerate(recommendation.case_studies):
            if case_study not in case_studies:
                yield Finding(
                    ("recommendations", r_index, "case_studies", s_index),
                    f"there is no case study {case_study!r}",
                )


def _variants(d: Definition) -> Iterator[Finding]:
    defaults = [v for v in d.variants if not v.sectors]
    if len(defaults) != 1:
        yield Finding(
            ("variants",),
            f"exactly one variant must have no sectors (the default); found {len(defaults)}",
        )
    claimed: dict[str, str] = {}
    parts = {p.id for p in d.parts}
    conditions_part = next((p for p in d.parts if p.kind is PartKind.CONDITIONS), None)
    for index, variant in enumerate(d.variants):
        for s_index, sector in enumerate(variant.sectors):
            if sector in claimed:
                yield Finding(
                    ("variants", index, "sectors", s_index),
                    f"{sector!r} is already given the variant {claimed[sector]!r}",
                )
            claimed[sector] = variant.id
        for p_index, part_id in enumerate(variant.parts):
            if part_id not in parts:
                yield Finding(
                    ("variants", index, "parts", p_index), f"there is no part {part_id!r}"
                )
        if variant.plain_scale is not None:
            if not _known_scale(d, variant.plain_scale):
                yield Finding(
                    ("variants", index, "plain_scale"), f"there is no scale {variant.plain_scale!r}"
                )
            elif (
                conditions_part is not None
                and _known_scale(d, conditions_part.rating.scale)
                and d.scale(variant.plain_scale).values
                != d.scale(conditions_part.rating.scale).values
            ):
                yield Finding(
                    ("variants", index, "plain_scale"),
                    "the plain scale must have as many levels as the conditions scale, so that "
                    "both score alike",
                )
        if variant.plain_language:
            for c_index, condition in enumerate(d.conditions):
                if not any(statement.plain for statement in condition.statements):
                    yield Finding(
                        ("conditions", c_index, "statements"),
                        f"variant {variant.id!r} is in plain language, but no statement of "
                        f"{condition.id!r} has a 'plain' wording",
                    )
                if not condition.plain_summary:
                    yield Finding(
                        ("conditions", c_index),
                        f"variant {variant.id!r} is in plain language, but {condition.id!r} "
                        "has no plain_summary",
                    )
