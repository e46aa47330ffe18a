"""From a scoring result and the round's facts to everything the forum report and the results
pages show: the summary, the tracker of recommendations, the asks, the actions, the changes
and the method.

Pure: no database, no web, no rendering. Numbers are formatted once (``reports.wording``,
``scoring.rounding``), so the PDF and the HTML pages can never disagree."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from questionnaires.schema import Definition, PartKind
from questionnaires.sectors import Sector, in_sentence
from reports import charts
from reports.comparison import (
    Heatmap,
    divided_conditions,
    organisation_heatmap,
    sector_heatmap,
)
from reports.facts import PlannedAction, RoundFacts, WorkshopRecord
from reports.network import WEAK_TENTHS, Story
from reports.sections import ConditionSection, case_study_placement, condition_section
from reports.wording import (
    Legend,
    band_cutoffs,
    band_fill,
    band_label,
    change_rule,
    difference,
    gap_sentence,
    legend_of,
    listed,
    long_date,
)
from scoring.findings import widest_gap
from scoring.priority import priority_factors
from scoring.rounding import hundredths, one_decimal, percentage, printed_share, tenths
from scoring.rules import Rules, SmallGroups
from scoring.types import Finding, ScoreResult

SUMMARY_LIMIT = 3
"""Strengths, priorities and gaps the summary lists; it says how many more there are."""


@dataclass(frozen=True)
class Meta:
    place: str
    round_title: str
    status: str
    status_label: str
    interim: bool
    dates: str
    produced_on: str
    questionnaire: str
    rules_version: str
    threshold: int
    previous_title: str | None


@dataclass(frozen=True)
class ResponseRow:
    sector: str
    organisations: int
    invited: int
    submitted: int
    below_threshold: bool


@dataclass(frozen=True)
class HeadlineRow:
    condition_id: str
    title: str
    score: str
    band: str
    split: bool
    no_score_reason: str | None
    previous: str | None
    bar: str
    alt: str
    fill: str = charts.SEQUENCE[3]
    """The band's colour, as the bar and the sector table draw it."""


@dataclass(frozen=True)
class TrackerRow:
    number: int
    title: str
    counts: tuple[int | str, ...]
    dont_know: int
    typical: str
    related: str
    bar: str
    alt: str
    withheld: str | None = None


@dataclass(frozen=True)
class AskRow:
    rank: int
    number: int
    title: str
    score: str
    typical: str
    counts: tuple[int, ...]
    dont_know: int
    follow_up: tuple[tuple[str, int], ...]
    bar: str
    alt: str
    follow_up_question: str | None = None
    """This recommendation's own follow-up question: the seven ask different ones."""


@dataclass(frozen=True)
class AskList:
    part_id: str
    title: str
    levels: tuple[str, ...]
    follow_up_question: str | None
    rows: tuple[AskRow, ...]
    not_ranked: str | None = None
    """The recommendations left out of the ranking because too few people rated them."""


@dataclass(frozen=True)
class ChangeRow:
    title: str
    previous: str
    current: str
    delta: str
    verdict: str


@dataclass(frozen=True)
class ActionView:
    description: str
    linked_to: str
    lead: str
    due: str
    status: str


@dataclass(frozen=True)
class ScaleView:
    label: str
    levels: tuple[tuple[int, str, str], ...]


@dataclass(frozen=True)
class Method:
    """The rules in plain words, written from the rules file so the page cannot drift from the
    scoring it describes."""

    scales: tuple[ScaleView, ...]
    bands: tuple[str, ...]
    band_cutoffs: tuple[str, ...]
    threshold: int
    rules_version: str
    scored_when: str
    split_rule: str
    priority_rule: str
    priority_example: str
    sector_gap_rule: str
    change_rule: str
    reading_example: str
    anonymity_rule: str
    pooling_rule: str | None
    """How answers to a plain-language version join the scores, when anyone gave them."""


@dataclass(frozen=True)
class Highlight:
    title: str
    sentence: str


@dataclass(frozen=True)
class ForumReport:
    meta: Meta
    responses: tuple[ResponseRow, ...]
    respondents: int
    organisations: int
    headline: tuple[HeadlineRow, ...]
    strengths: tuple[Highlight, ...]
    strengths_note: str | None
    priorities: tuple[Highlight, ...]
    priorities_note: str | None
    """How many the rules found when the summary shows only some, and where the rest are."""
    divided: tuple[Highlight, ...]
    divided_rule: str
    sector_gaps: tuple[Highlight, ...]
    sector_gaps_note: str | None
    heatmap: Heatmap
    organisation_heatmap: Heatmap
    conditions: tuple[ConditionSection, ...]
    maturity_levels: tuple[str, ...]
    legend: Legend
    tracker_levels: tuple[str, ...]
    tracker_legend: Legend
    tracker: tuple[TrackerRow, ...]
    tracker_findings: tuple[str, ...]
    divided_within: tuple[str, ...]
    """For the facilitators only: organisations whose own people disagree widely on a
    condition, which the organisation's one score hides."""
    asks: tuple[AskList, ...]
    findings: tuple[str, ...]
    agreements_recorded: int
    actions: tuple[ActionView, ...]
    changes: tuple[ChangeRow, ...]
    partners_changed: tuple[str, ...]
    """Sentences saying which partners answered in only one of the two rounds compared."""
    method: Method
    peer_stories: dict[str, tuple[Story, ...]] = field(default_factory=dict)
    """By condition the place scores below 3.0 on, other places' stories about it from the
    network's library (Recommendation 22)."""


def build_forum_report(
    definition: Definition,
    result: ScoreResult,
    facts: RoundFacts,
    workshop: WorkshopRecord,
    rules: Rules,
    stories: Sequence[Story] = (),
) -> ForumReport:
    """``stories``: the network library's published stories of other places."""
    maturity = definition.statement_scale
    cases = case_study_placement(definition, list(result.conditions))
    sections = tuple(
        condition_section(
            definition, result, workshop, number, condition_id, cases[condition_id], rules
        )
        for number, condition_id in enumerate(result.conditions, start=1)
    )
    strengths = _highlights(definition, result.findings, "strength")
    priorities = _highlights(definition, result.findings, "priority")
    sector_gaps = _widest_sector_gaps(definition, result, rules)
    tracker_part = next(
        (p for p in definition.parts if p.kind is PartKind.RECOMMENDATIONS and not p.ranked), None
    )
    tracker_scale = (
        definition.scale(tracker_part.rating.scale) if tracker_part is not None else None
    )
    return ForumReport(
        meta=meta_of(definition, result, facts),
        responses=_responses(facts, result.anonymity_threshold),
        respondents=result.respondents,
        organisations=result.organisations,
        headline=tuple(_headline_row(definition, result, cid) for cid in result.conditions),
        strengths=strengths[:SUMMARY_LIMIT],
        strengths_note=_more_note(strengths, "strengths"),
        priorities=priorities[:SUMMARY_LIMIT],
        priorities_note=_more_note(priorities, "priorities"),
        divided=_most_divided(definition, result, rules),
        divided_rule=(
            "Conditions whose views are split, and those whose consensus is below "
            f"{percentage(rules.disagreement.low_consensus)}, lowest first."
        ),
        sector_gaps=sector_gaps[:SUMMARY_LIMIT],
        sector_gaps_note=_more_note(sector_gaps, "gaps"),
        heatmap=sector_heatmap(definition, result, rules),
        organisation_heatmap=organisation_heatmap(definition, result, rules),
        conditions=sections,
        maturity_levels=tuple(level.label for level in maturity.levels),
        legend=legend_of([level.label for level in maturity.levels]),
        tracker_levels=tuple(level.label for level in tracker_scale.levels)
        if tracker_scale
        else (),
        tracker_legend=legend_of([level.label for level in tracker_scale.levels])
        if tracker_scale
        else legend_of([]),
        tracker=_tracker(definition, result, tracker_part.id if tracker_part else None),
        divided_within=_divided_within(definition, result),
        tracker_findings=tuple(
            f.sentence
            for f in result.findings
            if tracker_part is not None
            and f.subjects
            and f.subjects[0] in tracker_part.recommendations
        ),
        asks=_asks(definition, result),
        findings=tuple(f.sentence for f in result.findings),
        agreements_recorded=len(workshop.agreements),
        actions=actions_view(definition, workshop.actions),
        changes=_changes(definition, result),
        partners_changed=partners_changed(facts),
        method=_method(definition, result, rules),
        peer_stories=_peer_stories(result, stories),
    )


def _peer_stories(result: ScoreResult, stories: Sequence[Story]) -> dict[str, tuple[Story, ...]]:
    """Stories about each condition the place scores below 3.0 on, as printed."""
    weak = {
        condition_id
        for condition_id, condition in result.conditions.items()
        if condition.score is not None and tenths(condition.score) < WEAK_TENTHS
    }
    by_condition: dict[str, tuple[Story, ...]] = {}
    for story in stories:
        if story.condition_id in weak:
            by_condition[story.condition_id] = (*by_condition.get(story.condition_id, ()), story)
    return by_condition


def meta_of(definition: Definition, result: ScoreResult, facts: RoundFacts) -> Meta:
    return Meta(
        place=facts.place,
        round_title=facts.title,
        status=facts.status.lower(),
        status_label=f"{facts.status}: results so far" if facts.interim else facts.status,
        interim=facts.interim,
        dates=f"{long_date(facts.opens_on)} to {long_date(facts.closes_on)}",
        produced_on=long_date(facts.produced_on),
        questionnaire=f"{definition.title}, version {definition.version}",
        rules_version=result.rules_version,
        threshold=result.anonymity_threshold,
        previous_title=facts.previous_title,
    )


def _responses(facts: RoundFacts, threshold: int) -> tuple[ResponseRow, ...]:
    by_sector: dict[Sector, list[int]] = {}
    for organisation in facts.organisations:
        row = by_sector.setdefault(organisation.sector, [0, 0, 0])
        row[0] += 1
        row[1] += organisation.invited
        row[2] += organisation.submitted
    return tuple(
        ResponseRow(
            sector=sector.label,
            organisations=numbers[0],
            invited=numbers[1],
            submitted=numbers[2],
            below_threshold=0 < numbers[2] < threshold,
        )
        for sector, numbers in sorted(by_sector.items(), key=lambda kv: list(Sector).index(kv[0]))
    )


def _headline_row(definition: Definition, result: ScoreResult, condition_id: str) -> HeadlineRow:
    condition = result.conditions[condition_id]
    previous = condition.change.previous_score if condition.change else None
    title = definition.condition(condition_id).title
    alt = (
        f"{title}: {one_decimal(condition.score)} out of 5"
        if condition.score is not None
        else f"{title}: no score"
    )
    if previous is not None:
        alt += f", {one_decimal(previous)} at the previous round"
    return HeadlineRow(
        condition_id=condition_id,
        title=title,
        score=one_decimal(condition.score),
        band=band_label(result, condition.band),
        split=condition.spread.split,
        no_score_reason=condition.no_score_reason,
        previous=one_decimal(previous) if previous is not None else None,
        bar=charts.data_uri(
            charts.score_bar(
                charts.ScoreBar(
                    condition.score, previous, band_fill=band_fill(result, condition.band)
                )
            )
        ),
        alt=alt,
        fill=band_fill(result, condition.band),
    )


def _highlights(
    definition: Definition, findings: Sequence[Finding], rule: str
) -> tuple[Highlight, ...]:
    return tuple(
        Highlight(definition.condition(f.subjects[0]).title, f.sentence)
        for f in findings
        if f.rule == rule
    )


def pooling_note(definition: Definition, result: ScoreResult) -> str | None:
    """The pooling rule, printed wherever pooled figures are, when any pooled answers exist."""
    if not any(s.value in result.respondents_by_sector for s in definition.plain_language_sectors):
        return None
    return definition.pooling_note()


def _divided_within(definition: Definition, result: ScoreResult) -> tuple[str, ...]:
    sentences = []
    for cid, condition in result.conditions.items():
        title = definition.condition(cid).title
        for organisation, spread in condition.divided_organisations.items():
            group = condition.by_organisation.get(organisation)
            own = (
                f" (the organisation's score, {one_decimal(group.score)}, hides it)"
                if group is not None and not group.suppressed and group.score is not None
                else ""
            )
            apart = (
                f"lie {one_decimal(spread)} levels apart"
                if spread is not None
                else ("lie far apart")
            )
            sentences.append(f"{organisation}: its people's own averages for {title} {apart}{own}.")
    return tuple(sentences)


def _more_note(found: Sequence[Highlight], kind: str) -> str | None:
    """When the summary lists only the first few of what the rules found, it says how many
    there are and names the rest, so no finding is left out without a word."""
    rest = [h.title for h in found[SUMMARY_LIMIT:]]
    if not rest:
        return None
    where = "its condition page" if len(rest) == 1 else "their condition pages"
    return (
        f"{SUMMARY_LIMIT} of the {len(found)} {kind} the rules found are listed here. "
        f"The other{'' if len(rest) == 1 else 's'}, on {where}: {listed(rest)}."
    )


def _most_divided(
    definition: Definition, result: ScoreResult, rules: Rules
) -> tuple[Highlight, ...]:
    """Conditions whose views are split or whose consensus, as printed, is low; split views
    first, then lowest consensus. A condition partners broadly agree on is never listed."""
    low = hundredths(rules.disagreement.low_consensus)
    ranked = [
        c
        for c in divided_conditions(result)
        if c.spread.split
        or (c.spread.consensus is not None and hundredths(c.spread.consensus) < low)
    ]
    return tuple(
        Highlight(
            definition.condition(c.condition_id).title,
            f"Consensus {percentage(c.spread.consensus)}"
            + (
                f"; views are split ({c.sides.below} people well below the middle view, "
                f"{c.sides.above} well above)"
                if c.sides is not None
                else "; views are split"
                if c.spread.split
                else ""
            )
            + f"; {c.respondents} {'person' if c.respondents == 1 else 'people'} rated it.",
        )
        for c in ranked
    )


def _widest_sector_gaps(
    definition: Definition, result: ScoreResult, rules: Rules
) -> tuple[Highlight, ...]:
    """Every condition on which two sectors' printed scores lie at least the rules' sector-gap
    threshold apart, widest first: the same gaps as the sector-gap findings."""
    gaps = [
        (gap.gap_tenths, cid, gap)
        for cid, condition in result.conditions.items()
        if (gap := widest_gap(condition)) is not None
        and gap.gap_tenths >= tenths(rules.sector_gap.threshold)
    ]
    gaps.sort(key=lambda entry: (-entry[0], entry[1]))
    return tuple(
        Highlight(
            definition.condition(cid).title,
            gap_sentence(gap, definition.plain_language_sectors) + ".",
        )
        for _, cid, gap in gaps
    )


def _tracker(
    definition: Definition, result: ScoreResult, part_id: str | None
) -> tuple[TrackerRow, ...]:
    if part_id is None:
        return ()
    part = definition.part(part_id)
    scale = definition.scale(part.rating.scale)
    rows = []
    for recommendation_id in part.recommendations:
        score = result.recommendations[recommendation_id]
        spec = definition.recommendation(recommendation_id)
        counts: tuple[int | str, ...] = (
            ("–",) * len(scale.values)
            if score.withheld
            else tuple(score.spread.distribution.get(v, 0) for v in scale.values)
        )
        related = "; ".join(
            f"{definition.condition(cid).title} {one_decimal(value)}"
            for cid, value in score.related_conditions.items()
        )
        rows.append(
            TrackerRow(
                number=spec.number,
                title=spec.title,
                counts=counts,
                dont_know=score.counts.dont_know,
                typical=f"Not shown: {score.withheld}"
                if score.withheld
                else score.typical_label or "–",
                related=related or "–",
                bar=charts.data_uri(
                    charts.stacked_distribution(
                        dict(score.spread.distribution), len(scale.values), score.counts.dont_know
                    )
                ),
                alt=f"Not shown: {score.withheld}"
                if score.withheld
                else ", ".join(
                    f"{level.label} {count}"
                    for level, count in zip(scale.levels, counts, strict=True)
                ),
                withheld=score.withheld,
            )
        )
    return tuple(rows)


def _asks(definition: Definition, result: ScoreResult) -> tuple[AskList, ...]:
    lists = []
    for part_id, ranked in result.asks.items():
        part = definition.part(part_id)
        scale = definition.scale(part.rating.scale)
        follow_scale = definition.scale(part.follow_up.scale) if part.follow_up else None
        rows = []
        for rank, recommendation_id in enumerate(ranked, start=1):
            score = result.recommendations[recommendation_id]
            spec = definition.recommendation(recommendation_id)
            counts = tuple(score.spread.distribution.get(v, 0) for v in scale.values)
            rows.append(
                AskRow(
                    rank=rank,
                    number=spec.number,
                    title=spec.title,
                    score=one_decimal(score.score),
                    typical=score.typical_label or "–",
                    counts=counts,
                    dont_know=score.counts.dont_know,
                    follow_up=tuple(
                        (follow_scale.label_of(v), n) for v, n in score.follow_up.items()
                    )
                    if follow_scale
                    else (),
                    bar=charts.data_uri(
                        charts.stacked_distribution(
                            dict(score.spread.distribution),
                            len(scale.values),
                            score.counts.dont_know,
                        )
                    ),
                    alt=", ".join(
                        f"{level.label} {count}"
                        for level, count in zip(scale.levels, counts, strict=True)
                    ),
                    follow_up_question=(
                        definition.items_by_id[f"{recommendation_id}.follow-up"].question
                        if f"{recommendation_id}.follow-up" in definition.items_by_id
                        else None
                    ),
                )
            )
        lists.append(
            AskList(
                part_id=part_id,
                title=part.title,
                levels=tuple(level.label for level in scale.levels),
                follow_up_question=part.follow_up.question.format(title="this")
                if part.follow_up
                else None,
                rows=tuple(rows),
                not_ranked=_not_ranked(definition, result, part_id, ranked),
            )
        )
    return tuple(lists)


def _not_ranked(
    definition: Definition, result: ScoreResult, part_id: str, ranked: Sequence[str]
) -> str | None:
    """Every recommendation of the part is either ranked or named here with the reason."""
    left_out = [rid for rid in definition.part(part_id).recommendations if rid not in set(ranked)]
    if not left_out:
        return None
    numbers = listed([str(definition.recommendation(rid).number) for rid in left_out])
    reason = result.recommendations[left_out[0]].withheld or "too few people rated it"
    noun = "Recommendation" if len(left_out) == 1 else "Recommendations"
    return f"{noun} {numbers} not ranked: {reason}."


def partners_changed(facts: RoundFacts) -> tuple[str, ...]:
    """A change in who answered can move a score as much as a change in the place, so the
    change table says when the partners differ from the previous round's."""
    if facts.previous_title is None or not facts.previous_partners:
        return ()
    now = {o.name for o in facts.organisations if o.submitted}
    before = set(facts.previous_partners)
    if now == before:
        return ()
    sentences = [
        f"{len(now)} partner organisations answered this time, against {len(before)} at "
        f"{facts.previous_title}: some of the change may come from who answered rather than "
        "from the place."
    ]
    if before - now:
        sentences.append(f"Answered only last time: {listed(sorted(before - now))}.")
    if now - before:
        sentences.append(f"Answered only this time: {listed(sorted(now - before))}.")
    return tuple(sentences)


def _changes(definition: Definition, result: ScoreResult) -> tuple[ChangeRow, ...]:
    rows = []
    for cid, condition in result.conditions.items():
        change = condition.change
        if change is None:
            continue
        if change.delta is None:
            verdict = "Cannot compare: one of the rounds has no score"
        elif change.called:
            verdict = "Improved" if change.delta > 0 else "Declined"
        elif change.caution:
            verdict = "Possible change: few respondents"
        else:
            verdict = "No real change"
        rows.append(
            ChangeRow(
                title=definition.condition(cid).title,
                previous=one_decimal(change.previous_score),
                current=one_decimal(condition.score),
                delta="–"
                if change.previous_score is None or condition.score is None
                else difference(condition.score, change.previous_score),
                verdict=verdict,
            )
        )
    return tuple(rows)


def actions_view(
    definition: Definition, actions: Sequence[PlannedAction]
) -> tuple[ActionView, ...]:
    def linked(action: PlannedAction) -> str:
        links = []
        if action.condition_id:
            links.append(definition.condition(action.condition_id).title)
        if action.recommendation_id:
            number = definition.recommendation(action.recommendation_id).number
            links.append(f"Recommendation {number}")
        return "; ".join(links) or "–"

    return tuple(
        ActionView(
            description=a.description,
            linked_to=linked(a),
            lead=a.lead or "Not yet agreed",
            due=long_date(a.due_on) if a.due_on else "No date",
            status=a.status,
        )
        for a in actions
    )


def _priority_example(definition: Definition, rules: Rules) -> str:
    """One worked example, with the scales and threshold in force, by the rule's own sum."""
    maturity = definition.statement_scale
    conditions_part = next(p for p in definition.parts if p.kind is PartKind.CONDITIONS)
    assert conditions_part.importance is not None
    importance = definition.scale(conditions_part.importance.scale)
    score, rated = 2.0, importance.maximum - 0.5
    gap, need = priority_factors(definition, score, rated)
    verdict = (
        "a priority"
        if gap * need >= Fraction(str(rules.priority.threshold))
        else ("not a priority")
    )
    return (
        f"For example, a condition scoring {one_decimal(score)} out of {maturity.maximum} with "
        f"importance {one_decimal(rated)} out of {importance.maximum} has a gap of "
        f"({maturity.maximum} − {one_decimal(score)}) ÷ {maturity.maximum - 1} = "
        f"{_fraction_text(gap)} and a need of ({one_decimal(rated)} − 1) ÷ "
        f"{importance.maximum - 1} = {_fraction_text(need)}; multiplied, "
        f"{_fraction_text(gap * need)}, so it is {verdict}. The sum uses the score and the "
        "importance as printed, so anyone can repeat it."
    )


def _fraction_text(value: Fraction) -> str:
    """An exact decimal where it has at most three places, else 'about' and two."""
    for places in range(4):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return f"{float(value):.{max(places, 1)}f}"
    return f"about {printed_share(float(value)):.2f}"


def _method(definition: Definition, result: ScoreResult, rules: Rules) -> Method:
    used = [definition.statement_scale.id]
    for part in definition.parts:
        for prompt in (part.rating, part.importance, part.follow_up):
            if prompt is not None and prompt.scale not in used:
                used.append(prompt.scale)
    return Method(
        scales=tuple(
            ScaleView(
                definition.scale(s).label,
                tuple((lv.value, lv.label, lv.description) for lv in definition.scale(s).levels),
            )
            for s in used
        ),
        bands=tuple(label for _, label in result.bands),
        band_cutoffs=band_cutoffs(rules),
        threshold=result.anonymity_threshold,
        rules_version=result.rules_version,
        scored_when=(
            "A condition gets a score only when at least "
            f"{max(rules.coverage.minimum_respondents, result.anonymity_threshold)} people rated "
            f"it and no more than {percentage(rules.coverage.maximum_dont_know_share)} of its "
            "answers were “don't know”."
        ),
        split_rule=(
            f"Views are split when more than {percentage(rules.disagreement.maximum_share_outside)}"
            " of the people who rated a condition rate it, on average across its statements, "
            f"more than {rules.disagreement.band:g} level"
            f"{'' if rules.disagreement.band == 1 else 's'} from the middle view (the median of "
            f"those averages), given at least {rules.disagreement.minimum_ratings} people; for a "
            "statement, the same rule applies to its ratings. A condition whose views are split "
            "is given no band, and its page counts both sides: its average would describe no "
            "one's view."
        ),
        priority_rule=(
            "A condition is a priority when its gap (how far its score is below the top of the "
            "scale, from 0 to 1) multiplied by its need (how important partners rate it, from 0 "
            f"to 1) is {rules.priority.threshold:.2f} or more: low maturity and high importance "
            "together make a priority."
        ),
        priority_example=_priority_example(definition, rules),
        sector_gap_rule=(
            "Two sectors whose scores for a condition, as printed, are "
            f"{one_decimal(rules.sector_gap.threshold)} or more apart are reported as a gap "
            "between them; the gap is the one printed score minus the other."
        ),
        reading_example=_reading_example(definition, rules),
        anonymity_rule=_anonymity_rule(rules, result.anonymity_threshold),
        pooling_rule=pooling_note(definition, result),
        change_rule=change_rule(rules),
    )


def _reading_example(definition: Definition, rules: Rules) -> str:
    scale = definition.statement_scale
    lowest = min(scale.values)
    middle = (lowest + scale.maximum) / 2
    return (
        f"A score of {one_decimal(middle)} out of {scale.maximum} is halfway up the scale (which "
        f"runs from {lowest} to {scale.maximum}), in the {rules.band_of(middle).label} band."
    )


def _anonymity_rule(rules: Rules, threshold: int) -> str:
    """How small groups are protected, in the words of the rules in force."""
    rule = (
        f"No sector or organisation with fewer than {threshold} respondents is shown with a "
        "score, in tables or charts."
    )
    if rules.anonymity.small_groups is SmallGroups.MERGE:
        spared = [in_sentence(Sector(s).label) for s in rules.anonymity.merge_last]
        rule += (
            " Such sectors are shown together in one combined column instead, named with the "
            f"sectors in it; when they are still fewer than {threshold} together, the smallest "
            "other sector joins them"
            + (f" ({listed(spared)} only when no other sector would do)" if spared else "")
            + "."
        )
    if rules.anonymity.complementary_suppression:
        rule += (
            " When hiding one group would let its score be worked out from the total and the "
            "others, a second group is hidden too."
        )
    return rule
