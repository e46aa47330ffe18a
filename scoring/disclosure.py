"""The one disclosure gate: what of a scoring result may be shown to anyone other than the
place's facilitators.

Every figure is shown only when at least *k* people answered what it is made of: a statement's
distribution, median and mean when *k* people rated that statement; a condition's score and
pooled distribution when *k* people rated the condition; a recommendation's table, score and
typical answer when *k* people rated it; a condition's importance when *k* people rated its
importance. Sector and organisation scores were already planned together, with complementary
suppression, by ``scoring.anonymity`` (counting, for each condition, the people who rated it).

Every figure that passes is rounded as it is printed (``scoring.rounding``), and the findings
are made again from the gated, rounded figures: a finding can then never rest on a hidden
figure, nor on a decimal the reader cannot see. Counts of kinds of answer (how many rated, said
"don't know" or "not applicable") stay: they say how many people answered, not what.

Reports for viewers, published snapshots, exports meant for sharing and ``placecheck score``
all take their figures from here.
"""

from dataclasses import replace

from questionnaires.schema import Definition
from scoring.engine import ranked
from scoring.findings import find_all
from scoring.rounding import printed_or_none, printed_share
from scoring.rules import Rules
from scoring.types import (
    Change,
    ConditionScore,
    GroupScore,
    ItemScore,
    RecommendationScore,
    ScoreResult,
    Spread,
)

EMPTY_SPREAD = Spread(distribution={}, median=None, mean=None, consensus=None, split=False)


def too_few(k: int) -> str:
    return f"fewer than {k} people rated it"


def disclosed(definition: Definition, result: ScoreResult, rules: Rules) -> ScoreResult:
    """``result`` as it may be shown beyond the facilitators: gated, rounded as printed, and
    with its findings made again from what is shown."""
    k = result.anonymity_threshold
    items = {item_id: _item(item, k) for item_id, item in result.items.items()}
    conditions = {
        cid: _condition(condition, items.get(f"{cid}.importance"), k)
        for cid, condition in result.conditions.items()
    }
    recommendations = {
        rid: _recommendation(recommendation, conditions, k)
        for rid, recommendation in result.recommendations.items()
    }
    asks = {
        part: ranked([recommendations[rid] for rid in order if not recommendations[rid].withheld])
        for part, order in result.asks.items()
    }
    gated = replace(
        result,
        items=items,
        conditions=conditions,
        recommendations=recommendations,
        asks=asks,
        findings=[],
    )
    return replace(gated, findings=find_all(definition, gated, rules.with_threshold(k)))


def _spread(spread: Spread) -> Spread:
    return replace(
        spread,
        median=printed_or_none(spread.median),
        mean=printed_or_none(spread.mean),
        consensus=None if spread.consensus is None else printed_share(spread.consensus),
    )


def _item(item: ItemScore, k: int) -> ItemScore:
    if item.counts.rated < k:
        return replace(item, spread=EMPTY_SPREAD, withheld=too_few(k))
    return replace(item, spread=_spread(item.spread))


def _group(group: GroupScore) -> GroupScore:
    return replace(
        group,
        score=printed_or_none(group.score),
        score_headcount=printed_or_none(group.score_headcount),
    )


def _change(change: Change | None) -> Change | None:
    if change is None:
        return None
    return replace(
        change,
        previous_score=printed_or_none(change.previous_score),
        delta=printed_or_none(change.delta),
    )


def _condition(condition: ConditionScore, importance: ItemScore | None, k: int) -> ConditionScore:
    shown = condition.respondents >= k
    importance_shown = shown and (importance is None or importance.withheld is None)
    return replace(
        condition,
        score=printed_or_none(condition.score) if shown else None,
        score_headcount=printed_or_none(condition.score_headcount) if shown else None,
        no_score_reason=condition.no_score_reason or (None if shown else too_few(k)),
        band=condition.band if shown else None,
        spread=_spread(condition.spread) if shown else EMPTY_SPREAD,
        dont_know_share=printed_share(condition.dont_know_share),
        coverage=printed_share(condition.coverage),
        importance=printed_or_none(condition.importance) if importance_shown else None,
        priority=(
            None
            if condition.priority is None or not importance_shown
            else printed_share(condition.priority)
        ),
        by_sector={name: _group(g) for name, g in condition.by_sector.items()},
        by_organisation={name: _group(g) for name, g in condition.by_organisation.items()},
        combined=None if condition.combined is None else _group(condition.combined),
        change=_change(condition.change),
    )


def _recommendation(
    recommendation: RecommendationScore, conditions: dict[str, ConditionScore], k: int
) -> RecommendationScore:
    related = {cid: conditions[cid].score for cid in recommendation.related_conditions}
    follow_up = recommendation.follow_up if sum(recommendation.follow_up.values()) >= k else {}
    if recommendation.counts.rated < k:
        return replace(
            recommendation,
            spread=EMPTY_SPREAD,
            score=None,
            typical_level=None,
            typical_label=None,
            related_conditions=related,
            follow_up=follow_up,
            withheld=too_few(k),
        )
    return replace(
        recommendation,
        spread=_spread(recommendation.spread),
        score=printed_or_none(recommendation.score),
        related_conditions=related,
        follow_up=follow_up,
    )
