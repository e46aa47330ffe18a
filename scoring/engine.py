"""``score``: from a definition, respondents' answers and the rules to a ``ScoreResult``.

Small numbers are the norm (6–40 respondents, some organisations with one), so the headline
score of a condition is organisation-weighted: each organisation's mean counts once, and a
partner that sends eight people does not outvote the police force that sends three.

Organisations too small to be shown on their own (those the anonymity plan hides) count
together, as one. Counted one by one, a hidden organisation of two beside a hidden one of three
would weigh their people differently in this score than in the headcount score and the
statements' tables beside it, and those three figures together would give each organisation's
answers away (``scoring.solving``). Counted together, they are one group of at least k people in
every figure.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from statistics import fmean, median_low

from questionnaires.schema import Definition, OptOut, PartKind
from scoring.anonymity import counted_together, plan_suppression, weighting_unit
from scoring.findings import find_all
from scoring.priority import priority_index
from scoring.rounding import difference_in_tenths, hundredths, printed, tenths
from scoring.rules import Rules
from scoring.stats import is_split, mean_of_means, split_sides, spread
from scoring.types import (
    SPLIT_BAND,
    AnswerValue,
    Change,
    ConditionScore,
    Counts,
    GroupScore,
    ItemScore,
    QuestionnaireRef,
    RecommendationScore,
    Respondent,
    ScoreResult,
)
from scoring.validation import InvalidAnswersError, check_respondents, items_asked

GroupKey = Callable[[Respondent], str]
COMBINED_GROUP = "combined"


def score(
    definition: Definition,
    respondents: Sequence[Respondent],
    rules: Rules,
    previous: ScoreResult | None = None,
) -> ScoreResult:
    """Score one round. Raises InvalidAnswersError (listing every problem) for bad input."""
    problems = check_respondents(definition, respondents)
    if problems:
        raise InvalidAnswersError(problems)
    ordered = sorted(respondents, key=lambda r: r.id)
    asked_by_kind: dict[tuple[object, str | None], set[str]] = {}
    for respondent in ordered:
        kind = (respondent.sector, respondent.respondent_type)
        if kind not in asked_by_kind:
            asked_by_kind[kind] = set(items_asked(definition, respondent))
    asked = {r.id: asked_by_kind[(r.sector, r.respondent_type)] for r in ordered}

    # Every item's answers in one pass over the respondents, not one pass per item.
    answers_to: dict[str, list[AnswerValue]] = defaultdict(list)
    for respondent in ordered:
        for item_id, value in respondent.answers.items():
            answers_to[item_id].append(value)
    items = {
        item.id: _item_score(definition, item.id, answers_to.get(item.id, []), rules)
        for item in definition.items
    }
    conditions = {
        condition.id: _condition_score(definition, condition.id, ordered, asked, rules)
        for condition in definition.conditions
    }
    recommendations = {
        recommendation_id: _recommendation_score(
            definition, part.id, recommendation_id, ordered, conditions, rules
        )
        for part in definition.parts
        if part.kind is PartKind.RECOMMENDATIONS
        for recommendation_id in part.recommendations
    }
    asks = {
        part.id: ranked([recommendations[rid] for rid in part.recommendations])
        for part in definition.parts
        if part.ranked
    }
    by_sector: dict[str, int] = defaultdict(int)
    for respondent in ordered:
        by_sector[respondent.sector.value] += 1
    result = ScoreResult(
        rules_version=rules.version,
        anonymity_threshold=rules.anonymity.threshold,
        bands=tuple((band.id, band.label) for band in rules.bands),
        questionnaire=QuestionnaireRef(definition.id, definition.version, definition.content_hash),
        respondents=len(ordered),
        organisations=len({r.organisation for r in ordered}),
        respondents_by_sector=dict(sorted(by_sector.items())),
        items=items,
        conditions=conditions,
        recommendations=recommendations,
        asks=asks,
        findings=[],
    )
    return compared(definition, result, previous, rules)


def compared(
    definition: Definition, result: ScoreResult, previous: ScoreResult | None, rules: Rules
) -> ScoreResult:
    """``result`` with each condition's change since ``previous`` and the findings made again.

    Needs only the two results, not their answers: a viewer's comparison of two published
    rounds is built this way from the two stored snapshots."""
    conditions = result.conditions
    if previous is not None:
        conditions = {
            cid: _with_change(condition, previous.conditions.get(cid), rules)
            for cid, condition in conditions.items()
        }
    changed = ScoreResult(**{**result.__dict__, "conditions": conditions, "findings": []})
    return ScoreResult(**{**changed.__dict__, "findings": find_all(definition, changed, rules)})


# --- items ------------------------------------------------------------------------------------


def _counts(values: Sequence[object]) -> Counts:
    """Every value is a level or an opt-out (``check_respondents`` saw to it), so the levels
    are what the opt-outs leave; ``list.count`` keeps this fast at national scale."""
    answers = list(values)
    dont_know = answers.count(OptOut.DONT_KNOW)
    not_applicable = answers.count(OptOut.NOT_APPLICABLE)
    return Counts(
        rated=len(answers) - dont_know - not_applicable,
        dont_know=dont_know,
        not_applicable=not_applicable,
    )


def _item_score(
    definition: Definition, item_id: str, values: Sequence[AnswerValue], rules: Rules
) -> ItemScore:
    item = definition.items_by_id[item_id]
    ratings = [v for v in values if isinstance(v, int)]
    return ItemScore(
        item_id=item_id,
        subject=item.subject,
        counts=_counts(values),
        spread=spread(ratings, definition.scale(item.scale).values, rules.disagreement),
    )


def _ratings_by_unit(
    respondents: Sequence[Respondent], item_id: str, k: int
) -> dict[str, list[float]]:
    """Each organisation's ratings of one question, the small ones counted together
    (``scoring.anonymity.counted_together``)."""
    groups: dict[str, list[float]] = defaultdict(list)
    for respondent in respondents:
        value = respondent.answers.get(item_id)
        if isinstance(value, int):
            groups[respondent.organisation].append(value)
    small = counted_together({name: len(ratings) for name, ratings in groups.items()}, k)
    units: dict[str, list[float]] = defaultdict(list)
    for name, ratings in groups.items():
        units[weighting_unit(name, small)] += ratings
    return units


# --- conditions -------------------------------------------------------------------------------


def _condition_score(
    definition: Definition,
    condition_id: str,
    respondents: Sequence[Respondent],
    asked: Mapping[str, set[str]],
    rules: Rules,
) -> ConditionScore:
    statement_ids = definition.statement_ids(condition_id)
    values: list[object] = []
    means: dict[str, float] = {}
    answers_by_organisation: dict[str, list[object]] = defaultdict(list)
    for respondent in respondents:
        answers = [respondent.answers[s] for s in statement_ids if s in respondent.answers]
        values.extend(answers)
        answers_by_organisation[respondent.organisation].extend(answers)
        ratings = [a for a in answers if isinstance(a, int)]
        if ratings:
            means[respondent.id] = fmean(ratings)
    counts = _counts(values)
    rated = [r for r in respondents if r.id in means]
    was_asked = [r for r in respondents if asked[r.id] & set(statement_ids)]
    pooled = [v for v in values if isinstance(v, int)]
    condition_spread = spread(pooled, definition.statement_scale.values, rules.disagreement)
    respondent_means = [means[r.id] for r in rated]
    split = is_split(respondent_means, rules.disagreement)
    condition_spread = type(condition_spread)(**{**condition_spread.__dict__, "split": split})

    dont_know_share = _dont_know_share(answers_by_organisation)
    no_score_reason = _no_score_reason(len(rated), counts, dont_know_share, rules)
    by_organisation_means = _group_means(rated, means, key=lambda r: r.organisation)
    by_sector, by_organisation, combined_sectors, combined = _breakdowns(rated, means, rules)
    hidden = {name for name, group in by_organisation.items() if group.suppressed}
    by_unit = _group_means(rated, means, key=lambda r: weighting_unit(r.organisation, hidden))
    headline = mean_of_means(list(by_unit.values()))
    headcount = fmean(respondent_means) if respondent_means else None
    if no_score_reason:
        headline = headcount = None

    importance_item = f"{condition_id}.importance"
    importance = (
        mean_of_means(
            list(_ratings_by_unit(respondents, importance_item, rules.anonymity.threshold).values())
        )
        if importance_item in definition.items_by_id
        else None
    )
    return ConditionScore(
        condition_id=condition_id,
        score=headline,
        score_headcount=headcount,
        band=_band(headline, condition_spread.split, rules),
        sides=split_sides(respondent_means, rules.disagreement) if split else None,
        no_score_reason=no_score_reason,
        respondents=len(rated),
        organisations=len(by_organisation_means),
        counts=counts,
        dont_know_share=dont_know_share,
        coverage=len(rated) / len(was_asked) if was_asked else 0.0,
        spread=condition_spread,
        importance=importance,
        priority=priority_index(definition, headline, importance),
        by_sector=by_sector,
        by_organisation=by_organisation,
        combined_sectors=combined_sectors,
        combined=combined,
        counted_together=tuple(sorted(hidden)),
        divided_organisations=_divided_organisations(by_organisation_means, rules),
    )


def _divided_organisations(
    means_by_organisation: Mapping[str, Sequence[float]], rules: Rules
) -> dict[str, float | None]:
    """Each organisation whose people's averages, as printed, lie the rules' range apart."""
    limit = tenths(rules.disagreement.within_organisation_range)
    divided: dict[str, float | None] = {}
    for organisation, means in sorted(means_by_organisation.items()):
        printed_means = [tenths(mean) for mean in means]
        spread_tenths = max(printed_means) - min(printed_means)
        if len(means) >= 2 and spread_tenths >= limit:
            divided[organisation] = spread_tenths / 10
    return divided


def _band(score: float | None, split: bool, rules: Rules) -> str | None:
    """The band of the score as printed (one decimal), so 3.96, printed 4.0, is a Strength; a
    split condition has none, since its average describes no one's view."""
    if score is None:
        return None
    return SPLIT_BAND if split else rules.band_of(printed(score)).id


def _dont_know_share(answers_by_organisation: Mapping[str, Sequence[object]]) -> float:
    """Organisation-weighted, like the headline: each organisation's share of 'don't know'
    counts once, so a large delegation that does not know cannot outvote the rest."""
    counted = [_counts(answers) for answers in answers_by_organisation.values()]
    shares = [c.dont_know_share for c in counted if c.rated + c.dont_know]
    return fmean(shares) if shares else 0.0


def _no_score_reason(
    respondents: int, counts: Counts, dont_know_share: float, rules: Rules
) -> str | None:
    minimum = max(rules.coverage.minimum_respondents, rules.anonymity.threshold)
    if respondents < minimum:
        return f"fewer than {minimum} respondents rated it"
    # Held to the share as printed (a whole percentage), like every other rule.
    if hundredths(dont_know_share) > hundredths(rules.coverage.maximum_dont_know_share):
        return (
            f"most answers were 'don't know' ({counts.dont_know} of "
            f"{counts.rated + counts.dont_know})"
        )
    return None


def _group_means(
    respondents: Sequence[Respondent],
    means: Mapping[str, float],
    *,
    key: GroupKey,
) -> dict[str, list[float]]:
    groups: dict[str, list[float]] = defaultdict(list)
    for respondent in respondents:
        groups[key(respondent)].append(means[respondent.id])
    return dict(groups)


def _breakdowns(
    respondents: Sequence[Respondent], means: Mapping[str, float], rules: Rules
) -> tuple[dict[str, GroupScore], dict[str, GroupScore], tuple[str, ...], GroupScore | None]:
    """Scores by sector and by organisation, and of the combined small sectors, with groups
    hidden as the anonymity plan says. Respondents are grouped by organisation once, and every
    group is made of whole organisations (each organisation's mean counts once)."""
    by_organisation: dict[str, list[float]] = defaultdict(list)
    sector_of: dict[str, str] = {}
    for respondent in respondents:
        by_organisation[respondent.organisation].append(means[respondent.id])
        sector_of[respondent.organisation] = respondent.sector.value
    plan = plan_suppression(
        {name: len(group) for name, group in by_organisation.items()}, sector_of, rules.anonymity
    )
    in_sector: dict[str, list[str]] = defaultdict(list)
    for organisation, sector in sector_of.items():
        in_sector[sector].append(organisation)

    def scored(name: str, organisations: Sequence[str], hidden: Mapping[str, str]) -> GroupScore:
        if name in hidden:
            return GroupScore(name, None, None, suppressed=True, reason=hidden[name])
        units: dict[str, list[float]] = defaultdict(list)
        for organisation in organisations:
            units[weighting_unit(organisation, plan.organisations)] += by_organisation[organisation]
        return GroupScore(
            name,
            score=mean_of_means(list(units.values())),
            score_headcount=fmean(chain.from_iterable(units.values())),
            suppressed=False,
        )

    combined = None
    if plan.combined:
        together = [o for o in by_organisation if sector_of[o] in plan.combined]
        combined = scored(COMBINED_GROUP, together, {})
    return (
        {s: scored(s, in_sector[s], plan.sectors) for s in sorted(in_sector)},
        {o: scored(o, [o], plan.organisations) for o in sorted(by_organisation)},
        plan.combined,
        combined,
    )


def _with_change(
    current: ConditionScore, previous: ConditionScore | None, rules: Rules
) -> ConditionScore:
    if previous is None:
        return current
    return ConditionScore(
        **{**current.__dict__, "change": change_between(current, previous, rules)}
    )


def change_between(current: ConditionScore, previous: ConditionScore, rules: Rules) -> Change:
    """The change from ``previous`` by the rules' change rule: the one rule a place's report
    and the network's "where places improved" both decide by."""
    if current.score is None or previous.score is None:
        return Change(previous.score, None, called=False, caution=None)
    # Decided on the two scores as printed, so the page's own subtraction agrees with it.
    steps = difference_in_tenths(current.score, previous.score)
    delta = steps / 10
    big_enough = abs(steps) >= tenths(rules.change.minimum_delta)
    enough_people = min(current.respondents, previous.respondents) >= (
        rules.change.minimum_respondents
    )
    caution = (
        f"fewer than {rules.change.minimum_respondents} respondents rated it in one of "
        "the rounds, so this may not be a real change"
        if big_enough and not enough_people
        else None
    )
    return Change(previous.score, delta, called=big_enough and enough_people, caution=caution)


# --- recommendations --------------------------------------------------------------------------


def _recommendation_score(
    definition: Definition,
    part_id: str,
    recommendation_id: str,
    respondents: Sequence[Respondent],
    conditions: Mapping[str, ConditionScore],
    rules: Rules,
) -> RecommendationScore:
    item = definition.items_by_id[recommendation_id]
    scale = definition.scale(item.scale)
    values = [r.answers[recommendation_id] for r in respondents if recommendation_id in r.answers]
    ratings = [v for v in values if isinstance(v, int)]
    typical = median_low(ratings) if ratings else None
    follow_up_id = f"{recommendation_id}.follow-up"
    follow_up: dict[int, int] = {}
    if follow_up_id in definition.items_by_id:
        follow_scale = definition.scale(definition.items_by_id[follow_up_id].scale)
        answers = [r.answers.get(follow_up_id) for r in respondents]
        follow_up = {value: answers.count(value) for value in follow_scale.values}
    recommendation = definition.recommendation(recommendation_id)
    return RecommendationScore(
        recommendation_id=recommendation_id,
        part=part_id,
        counts=_counts(values),
        spread=spread(ratings, scale.values, rules.disagreement),
        score=mean_of_means(
            list(
                _ratings_by_unit(respondents, recommendation_id, rules.anonymity.threshold).values()
            )
        ),
        typical_level=typical,
        typical_label=scale.label_of(typical) if typical is not None else None,
        related_conditions={
            cid: conditions[cid].score for cid in recommendation.related_conditions
        },
        follow_up=follow_up,
    )


def ranked(recommendations: Sequence[RecommendationScore]) -> list[str]:
    """Most wanted first: by score, then by the share of answers in the top two levels."""

    def top_two_share(r: RecommendationScore) -> float:
        top = sorted(r.spread.distribution)[-2:]
        return sum(r.spread.distribution[v] for v in top) / r.counts.rated if r.counts.rated else 0

    ordered = sorted(
        recommendations,
        key=lambda r: (
            r.score is None,
            -(r.score or 0.0),
            -top_two_share(r),
            int(r.recommendation_id[1:]),
        ),
    )
    return [r.recommendation_id for r in ordered]
