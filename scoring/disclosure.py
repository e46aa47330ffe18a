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

Figures that pass one by one can still be taken apart together: the headcount and the
organisation-weighted scores weight the same people differently, so two hidden organisations of
different sizes are two unknowns in two equations. So the gate then solves, for each condition
and each recommendation, every figure it would show together (``scoring.solving``), and while
some combination rests on fewer than *k* people it hides more: the smallest groups shown first,
then the headcount score, the pooled distribution and, only if nothing else will do, the score;
a recommendation or importance question whose average and table together single someone out
loses one of them. Each figure hidden this way says why.

Reports for viewers, published snapshots, exports meant for sharing and ``placecheck score``
all take their figures from here.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from questionnaires.schema import Definition
from scoring.anonymity import COMPLEMENT
from scoring.differencing import contributions
from scoring.engine import ranked
from scoring.findings import find_all
from scoring.rounding import printed_or_none, printed_share
from scoring.rules import Rules
from scoring.solving import (
    Equation,
    Person,
    Version,
    condition_equations,
    equations_by_subject,
    few_singled_out,
    item_equations,
    numbered,
    shown_groups,
)
from scoring.types import (
    Change,
    ConditionScore,
    GroupScore,
    ItemScore,
    RecommendationScore,
    Respondent,
    ScoreResult,
    Spread,
)

EMPTY_SPREAD = Spread(distribution={}, median=None, mean=None, consensus=None, split=False)


COMBINES = "with the other figures shown, it would give away what fewer than {k} people said"


def too_few(k: int) -> str:
    return f"fewer than {k} people rated it"


def disclosed(
    definition: Definition,
    result: ScoreResult,
    rules: Rules,
    respondents: Sequence[Respondent],
    earlier: Sequence[Version] = (),
) -> ScoreResult:
    """``result`` (of ``respondents``) as it may be shown beyond the facilitators: gated,
    protected against combining its figures (with each other, and with those of the
    ``earlier`` versions of the place's results a reader may have kept), rounded as printed,
    and with its findings made again from what is shown."""
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
    gated = _protected(
        definition,
        numbered(contributions(list(respondents)).values()),
        replace(result, items=items, conditions=conditions, recommendations=recommendations),
        equations_by_subject(earlier),
    )
    asks = {
        part: ranked(
            [gated.recommendations[rid] for rid in order if not gated.recommendations[rid].withheld]
        )
        for part, order in result.asks.items()
    }
    gated = replace(gated, asks=asks, findings=[])
    return replace(gated, findings=find_all(definition, gated, rules.with_threshold(k)))


# --- figures that single someone out together --------------------------------------------------

Step = Callable[[ConditionScore], ConditionScore]


def _protected(
    definition: Definition,
    people: Sequence[Person],
    result: ScoreResult,
    earlier: Mapping[str, Sequence[Equation]],
) -> ScoreResult:
    k = result.anonymity_threshold
    conditions = {
        cid: _condition_protected(definition, people, result, condition, earlier.get(cid, ()))
        for cid, condition in result.conditions.items()
    }
    result = replace(result, conditions=conditions)
    why = COMBINES.format(k=k)
    items, recommendations = dict(result.items), dict(result.recommendations)

    def single_out(item_id: str) -> bool:
        equations = [*earlier.get(item_id, ()), *item_equations(people, result, item_id)]
        return few_singled_out(equations, k) is not None

    for rid, recommendation in result.recommendations.items():
        if single_out(rid):
            recommendations[rid] = _recommendation_withheld(recommendation, why)
            if rid in items:
                items[rid] = replace(items[rid], spread=EMPTY_SPREAD, withheld=why)
    for cid in conditions:
        importance = f"{cid}.importance"
        if importance in items and single_out(importance):
            items[importance] = replace(items[importance], spread=EMPTY_SPREAD, withheld=why)
    return replace(result, items=items, recommendations=recommendations)


def _condition_protected(
    definition: Definition,
    people: Sequence[Person],
    result: ScoreResult,
    condition: ConditionScore,
    earlier: Sequence[Equation],
) -> ConditionScore:
    """The condition with as little more hidden as it takes for no combination of its figures
    (and the earlier versions') to rest on fewer than k people: groups are hidden smallest
    first until none does, then every one of them not needed is shown again."""
    k = result.anonymity_threshold

    def leaks(shown: ConditionScore) -> bool:
        equations = [*earlier, *condition_equations(definition, people, result, shown)]
        return few_singled_out(equations, k) is not None

    if not leaks(condition):
        return condition
    steps = _steps(people, condition, COMBINES.format(k=k))
    taken: list[Step] = []
    for step in steps:
        taken.append(step)
        if not leaks(_taking(condition, taken)):
            break
    for step in reversed(taken[:-1]):
        fewer = [other for other in taken if other is not step]
        if not leaks(_taking(condition, fewer)):
            taken = fewer
    return _taking(condition, taken)


def _taking(condition: ConditionScore, steps: Sequence[Step]) -> ConditionScore:
    for step in steps:
        condition = step(condition)
    return condition


def _steps(people: Sequence[Person], condition: ConditionScore, why: str) -> list[Step]:
    """What may be hidden, in the order it is given up: groups (those with the same members
    together, smallest first), the headcount score, the pooled distribution, the score."""
    by_members: dict[frozenset[Person], list[tuple[str, str]]] = {}
    for key, members in shown_groups(people, condition).items():
        by_members.setdefault(frozenset(members), []).append(key)

    def hiding(keys: Sequence[tuple[str, str]]) -> Step:
        def hide(shown: ConditionScore) -> ConditionScore:
            for kind, name in keys:
                if kind == "sector":
                    hidden = GroupScore(name, None, None, suppressed=True, reason=COMPLEMENT)
                    shown = replace(shown, by_sector={**shown.by_sector, name: hidden})
                elif kind == "organisation":
                    hidden = GroupScore(name, None, None, suppressed=True, reason=COMPLEMENT)
                    shown = replace(shown, by_organisation={**shown.by_organisation, name: hidden})
                elif shown.combined is not None:
                    combined = GroupScore(
                        shown.combined.group, None, None, suppressed=True, reason=COMPLEMENT
                    )
                    shown = replace(shown, combined=combined)
            return shown

        return hide

    def headcount(shown: ConditionScore) -> ConditionScore:
        return replace(shown, score_headcount=None)

    def pooled(shown: ConditionScore) -> ConditionScore:
        return replace(shown, spread=replace(EMPTY_SPREAD, split=shown.spread.split), sides=None)

    def score(shown: ConditionScore) -> ConditionScore:
        return replace(
            shown,
            score=None,
            score_headcount=None,
            band=None,
            priority=None,
            no_score_reason=shown.no_score_reason or why,
        )

    groups = sorted(by_members.items(), key=lambda entry: (len(entry[0]), sorted(entry[1])))
    return [*(hiding(keys) for _, keys in groups), headcount, pooled, score]


def _recommendation_withheld(recommendation: RecommendationScore, why: str) -> RecommendationScore:
    return replace(
        recommendation,
        spread=EMPTY_SPREAD,
        score=None,
        typical_level=None,
        typical_label=None,
        withheld=why,
    )


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
        sides=condition.sides if shown else None,
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
        # Named only where the organisation is shown on its own, and without the range: the
        # gap between its two most different people is a figure about single people.
        divided_organisations={
            name: None
            for name in condition.divided_organisations
            if name in condition.by_organisation and not condition.by_organisation[name].suppressed
        }
        if shown
        else {},
    )


def _recommendation(
    recommendation: RecommendationScore, conditions: dict[str, ConditionScore], k: int
) -> RecommendationScore:
    related = {cid: conditions[cid].score for cid in recommendation.related_conditions}
    follow_up = recommendation.follow_up if sum(recommendation.follow_up.values()) >= k else {}
    if recommendation.counts.rated < k:
        return replace(
            _recommendation_withheld(recommendation, too_few(k)),
            related_conditions=related,
            follow_up=follow_up,
        )
    return replace(
        recommendation,
        spread=_spread(recommendation.spread),
        score=printed_or_none(recommendation.score),
        related_conditions=related,
        follow_up=follow_up,
    )
