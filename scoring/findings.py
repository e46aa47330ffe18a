"""Findings: named rules that turn scores into sentences a facilitator can read out.

Each rule has a stable id (reports, tests and facilitators refer to it), a severity, the
subjects it is about and the numbers behind it. Rules only ever look at groups that are shown,
so a finding can never reveal a suppressed sector or organisation.
"""

from collections.abc import Callable, Iterator
from fractions import Fraction

from questionnaires.schema import Definition, ItemKind
from questionnaires.sectors import Sector, in_sentence
from scoring.priority import priority_index
from scoring.rounding import (
    hundredths,
    one_decimal,
    percentage,
    printed,
    printed_share,
    tenths,
)
from scoring.rules import Rules
from scoring.types import ConditionScore, Finding, ScoreResult, WidestGap

Rule = Callable[[Definition, ScoreResult, Rules], Iterator[Finding]]


def _one(value: float) -> str:
    return one_decimal(value)


def _title(definition: Definition, condition_id: str) -> str:
    return definition.condition(condition_id).title


def _scored(result: ScoreResult) -> list[ConditionScore]:
    return [c for c in result.conditions.values() if c.score is not None]


def strengths(definition: Definition, result: ScoreResult, rules: Rules) -> Iterator[Finding]:
    for condition in _scored(result):
        assert condition.score is not None
        if condition.band == rules.strength.band and not condition.spread.split:
            yield Finding(
                rule="strength",
                severity="positive",
                subjects=(condition.condition_id,),
                numbers={"score": printed(condition.score), "respondents": condition.respondents},
                sentence=(
                    f"{_title(definition, condition.condition_id)} is a strength: partners rate "
                    f"it {_one(condition.score)} out of 5 and broadly agree."
                ),
            )


def priorities(definition: Definition, result: ScoreResult, rules: Rules) -> Iterator[Finding]:
    # Recomputed from the score and importance as printed: the same for live and gated results.
    indexed = [
        (index, c)
        for c in _scored(result)
        if (index := priority_index(definition, c.score, c.importance)) is not None
    ]
    for index, condition in sorted(indexed, key=lambda pair: (-pair[0], pair[1].condition_id)):
        assert condition.score is not None and condition.importance is not None
        if index >= rules.priority.threshold:
            yield Finding(
                rule="priority",
                severity="high",
                subjects=(condition.condition_id,),
                numbers={
                    "score": printed(condition.score),
                    "importance": printed(condition.importance),
                    "priority": printed_share(index),
                },
                sentence=(
                    f"{_title(definition, condition.condition_id)} is a priority: it scores "
                    f"{_one(condition.score)} out of 5 but partners rate its importance "
                    f"{_one(condition.importance)} out of 4 for the next 12 months."
                ),
            )


def split_views(definition: Definition, result: ScoreResult, rules: Rules) -> Iterator[Finding]:
    for condition in result.conditions.values():
        if not condition.spread.split:
            continue
        split_items = tuple(
            item.item_id
            for item in result.items.values()
            if item.subject == condition.condition_id
            and definition.items_by_id[item.item_id].kind is ItemKind.STATEMENT
            and item.spread.split
        )
        consensus = condition.spread.consensus
        yield Finding(
            rule="split-view",
            severity="medium",
            subjects=(condition.condition_id, *split_items),
            numbers={
                "consensus": printed_share(consensus) if consensus is not None else None,
                "respondents": condition.respondents,
            },
            sentence=(
                f"Partners see {_title(definition, condition.condition_id)} very differently"
                + (f" (consensus {percentage(consensus)})" if consensus is not None else "")
                + ": an average would hide the disagreement, so discuss it before agreeing a "
                "level."
            ),
        )


def divided_statements(
    definition: Definition, result: ScoreResult, rules: Rules
) -> Iterator[Finding]:
    for item in result.items.values():
        defined = definition.items_by_id[item.item_id]
        condition = result.conditions.get(item.subject)
        if (
            defined.kind is ItemKind.STATEMENT
            and item.spread.split
            and condition is not None
            and not condition.spread.split
        ):
            yield Finding(
                rule="divided-statement",
                severity="medium",
                subjects=(item.subject, item.item_id),
                numbers={
                    "consensus": printed_share(item.spread.consensus or 0.0),
                    "rated": item.counts.rated,
                },
                sentence=(
                    f"Views divide on one statement of {_title(definition, item.subject)}: "
                    f"'{defined.question}'"
                ),
            )


def widest_gap(condition: ConditionScore) -> WidestGap | None:
    """The widest gap between two shown sectors, on their scores as printed; ties go to the
    sector listed first in the sectors' usual order, so every page names the same two."""
    order = {sector.value: position for position, sector in enumerate(Sector)}
    shown = [
        (tenths(group.score), order.get(sector, len(order)), sector)
        for sector, group in condition.by_sector.items()
        if not group.suppressed and group.score is not None
    ]
    if len(shown) < 2:
        return None
    higher = max(shown, key=lambda entry: (entry[0], -entry[1]))
    lower = min(
        (entry for entry in shown if entry is not higher), key=lambda entry: (entry[0], entry[1])
    )
    return WidestGap(higher[2], higher[0], lower[2], lower[0])


def _different_questions(definition: Definition, gap: WidestGap) -> str:
    """The caution a gap carries when one side answered the plain-language version."""
    plain = [
        Sector(s) for s in (gap.higher, gap.lower) if Sector(s) in definition.plain_language_sectors
    ]
    if not plain or len(plain) == 2:
        return ""
    return (
        f" {plain[0].label} respondents answered a plain-language version on an agreement "
        "scale, so the two answered different questions."
    )


def sector_gaps(definition: Definition, result: ScoreResult, rules: Rules) -> Iterator[Finding]:
    """Decided on the two scores as printed, so the sentence's gap is their difference."""
    for condition in result.conditions.values():
        gap = widest_gap(condition)
        if gap is None or gap.gap_tenths < tenths(rules.sector_gap.threshold):
            continue
        higher, lower = gap.higher_tenths / 10, gap.lower_tenths / 10
        yield Finding(
            rule="sector-gap",
            severity="medium",
            subjects=(condition.condition_id, gap.higher, gap.lower),
            numbers={"gap": gap.gap_tenths / 10, "higher": higher, "lower": lower},
            sentence=(
                f"On {_title(definition, condition.condition_id)}, "
                f"{Sector(gap.higher).label} respondents score {_one(higher)} and "
                f"{in_sentence(Sector(gap.lower).label)} respondents {_one(lower)}: a gap of "
                f"{_one(gap.gap_tenths / 10)} points worth talking through."
                + _different_questions(definition, gap)
            ),
        )


def unknowns(definition: Definition, result: ScoreResult, rules: Rules) -> Iterator[Finding]:
    for condition in result.conditions.values():
        if condition.score is not None or condition.no_score_reason is None:
            continue
        title = _title(definition, condition.condition_id)
        counts = condition.counts
        mostly_unknown = hundredths(condition.dont_know_share) > hundredths(
            rules.coverage.maximum_dont_know_share
        )
        yield Finding(
            rule="mostly-dont-know" if mostly_unknown else "low-coverage",
            severity="medium",
            subjects=(condition.condition_id,),
            numbers={
                "dont_know": counts.dont_know,
                "rated": counts.rated,
                "respondents": condition.respondents,
            },
            sentence=(
                f"Most partners answered 'don't know' about {title} ({counts.dont_know} of "
                f"{counts.rated + counts.dont_know} answers; "
                f"{percentage(condition.dont_know_share)} with each partner counted once), so "
                "it has no score. Not knowing "
                "is itself a finding: who would know, and how can the forum find out?"
                if mostly_unknown
                else f"{title} has no score: {condition.no_score_reason}."
            ),
        )


def recommendations_not_started(
    definition: Definition, result: ScoreResult, rules: Rules
) -> Iterator[Finding]:
    limits = rules.recommendations
    for recommendation in result.recommendations.values():
        if recommendation.part != _places_part(definition):
            continue
        if recommendation.typical_level is None:
            continue
        if recommendation.typical_level > limits.not_started_up_to:
            continue
        scores = [
            Fraction(tenths(s), 10)
            for s in recommendation.related_conditions.values()
            if s is not None
        ]
        if not scores:
            continue
        # The average of the related scores as printed, itself as printed: what a reader
        # averaging the scores on the condition pages gets, and what the limits are held to.
        related = printed(float(sum(scores) / len(scores)))
        title = _recommendation_name(definition, recommendation.recommendation_id)
        numbers: dict[str, float | int | str | None] = {
            "typical_level": recommendation.typical_level,
            "related_conditions_score": related,
        }
        subjects = (recommendation.recommendation_id, *recommendation.related_conditions)
        status = (recommendation.typical_label or "").lower()
        if tenths(related) < tenths(limits.weak_below):
            yield Finding(
                rule="not-started-weak-foundations",
                severity="high",
                subjects=subjects,
                numbers=numbers,
                sentence=(
                    f"{title} is typically '{status}', and the conditions it depends on are "
                    f"weak (average {_one(related)} out of 5): starting on it would help "
                    "strengthen them."
                ),
            )
        elif tenths(related) >= tenths(limits.strong_from):
            yield Finding(
                rule="not-started-ready",
                severity="opportunity",
                subjects=subjects,
                numbers=numbers,
                sentence=(
                    f"{title} is typically '{status}', yet the conditions it depends on are "
                    f"strong (average {_one(related)} out of 5): the place looks ready to start."
                ),
            )


def _recommendation_name(definition: Definition, recommendation_id: str) -> str:
    recommendation = definition.recommendation(recommendation_id)
    return f"Recommendation {recommendation.number} ({recommendation.title})"


def _places_part(definition: Definition) -> str | None:
    """The first recommendations part that is not ranked: what the place itself should do."""
    return next((p.id for p in definition.parts if p.recommendations and not p.ranked), None)


def changes(definition: Definition, result: ScoreResult, rules: Rules) -> Iterator[Finding]:
    for condition in result.conditions.values():
        change = condition.change
        if change is None or change.delta is None:
            continue
        title = _title(definition, condition.condition_id)
        numbers: dict[str, float | int | str | None] = {
            "delta": change.delta,
            "previous": (
                printed(change.previous_score) if change.previous_score is not None else None
            ),
            "current": printed(condition.score) if condition.score is not None else None,
        }
        direction = "improved" if change.delta > 0 else "declined"
        if change.called:
            yield Finding(
                rule=direction,
                severity="positive" if change.delta > 0 else "high",
                subjects=(condition.condition_id,),
                numbers=numbers,
                sentence=(
                    f"{title} has {direction} since the previous round, from "
                    f"{_one(change.previous_score or 0)} to {_one(condition.score or 0)}."
                ),
            )
        elif change.caution:
            yield Finding(
                rule="change-uncertain",
                severity="caution",
                subjects=(condition.condition_id,),
                numbers=numbers,
                sentence=(
                    f"{title} moved from {_one(change.previous_score or 0)} to "
                    f"{_one(condition.score or 0)}, but {change.caution}."
                ),
            )


RULES: tuple[Rule, ...] = (
    priorities,
    split_views,
    sector_gaps,
    unknowns,
    recommendations_not_started,
    changes,
    strengths,
    divided_statements,
)


def find_all(definition: Definition, result: ScoreResult, rules: Rules) -> list[Finding]:
    return [finding for rule in RULES for finding in rule(definition, result, rules)]
