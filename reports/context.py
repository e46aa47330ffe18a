"""From a scoring result and the round's facts to everything a report or results page shows.

Pure: no database, no web, no rendering. Numbers are formatted here, once, so the PDF and the
HTML pages can never disagree. Anonymity is enforced here too: the scoring result already hides
small groups, and nothing below reads a group's score without checking that it is shown.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from questionnaires.schema import OPT_OUT_LABELS, Definition, ItemKind, OptOut, PartKind
from questionnaires.sectors import Sector, in_sentence
from reports import charts
from reports.facts import Agreement, PlannedAction, RoundFacts, WorkshopRecord
from scoring.anonymity import COMBINED, COMPLEMENT
from scoring.rounding import difference_in_tenths, one_decimal, percentage, signed_tenths
from scoring.rules import Rules, SmallGroups
from scoring.types import ConditionScore, Finding, GroupScore, ItemScore, ScoreResult

HIDDEN = "Hidden"
IN_COMBINED = "Combined"
BROAD_AGREEMENT = 0.9
"""Consensus from which a condition is not listed among the most divided."""


def long_date(value: date | None) -> str:
    return "not set" if value is None else f"{value.day} {value:%B %Y}"


def difference(later: float, earlier: float) -> str:
    """``later - earlier`` as the difference of the two numbers as printed (one decimal each),
    with its sign, so a reader's own subtraction agrees with the page."""
    return signed_tenths(difference_in_tenths(later, earlier))


# --- the pieces --------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Cell:
    text: str
    fill: str
    ink: str
    hidden: bool
    reason: str | None = None


@dataclass(frozen=True)
class HeatmapColumn:
    label: str
    respondents: int | None


@dataclass(frozen=True)
class HeatmapRow:
    condition_id: str
    title: str
    overall: Cell
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Heatmap:
    columns: tuple[HeatmapColumn, ...]
    rows: tuple[HeatmapRow, ...]
    any_hidden: bool
    key: tuple[str, ...] = ()
    """One sentence for each kind of blank or hidden cell in the table, saying which and why."""


@dataclass(frozen=True)
class StatementRow:
    item_id: str
    text: str
    counts: tuple[int | str, ...]
    dont_know: int
    not_applicable: int
    median: str
    split: bool
    bar: str
    alt: str
    withheld: str | None = None
    """Why its spread is not shown (too few people rated it), when it is not."""


@dataclass(frozen=True)
class QuoteView:
    text: str
    attribution: str


@dataclass(frozen=True)
class AgreementView:
    text: str
    rationale: str
    could_not_agree: bool
    level: int | None = None


@dataclass(frozen=True)
class CaseStudyView:
    place: str
    title: str
    summary: str
    printed_with: int | None = None
    """The number of the condition whose page already prints this case study; this page refers
    back by that number, not by a page number: WeasyPrint lays out again, twice, every page that
    prints another page's number, and on condition pages that cost a quarter of the render."""


@dataclass(frozen=True)
class ComparisonRow:
    """One line of the comparison picture: a group's score as a dot against the place's."""

    label: str
    people: int | None
    score: str
    gap: str
    """The group's score minus the place's, both as printed; '–' when either is missing."""
    picture: str
    alt: str
    hidden_reason: str | None = None
    whole_place: bool = False


@dataclass(frozen=True)
class ConditionSection:
    condition_id: str
    number: int
    title: str
    summary: str
    score: str
    score_headcount: str
    band: str
    no_score_reason: str | None
    respondents: int
    organisations: int
    consensus: str
    split: bool
    importance: str
    importance_words: str
    """Where the importance lies between the scale's named levels: 'between High and Essential'."""
    priority: str
    dont_know_share: str
    change: str | None
    statements: tuple[StatementRow, ...]
    comparison: tuple[ComparisonRow, ...]
    findings: tuple[str, ...]
    quotes: tuple[QuoteView, ...]
    recommendations: str
    """The related recommendations' numbers, as words: '1, 2 and 10'."""
    case_study: CaseStudyView | None
    agreement: AgreementView | None
    previous_agreement: AgreementView | None


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


@dataclass(frozen=True)
class Highlight:
    title: str
    sentence: str


@dataclass(frozen=True)
class Legend:
    levels: tuple[tuple[str, str], ...]
    """(label, fill colour), lowest first, then 'Don't know' (hatched by the stylesheet)."""


@dataclass(frozen=True)
class ForumReport:
    meta: Meta
    responses: tuple[ResponseRow, ...]
    respondents: int
    organisations: int
    headline: tuple[HeadlineRow, ...]
    strengths: tuple[Highlight, ...]
    priorities: tuple[Highlight, ...]
    divided: tuple[Highlight, ...]
    sector_gaps: tuple[Highlight, ...]
    heatmap: Heatmap
    organisation_heatmap: Heatmap
    conditions: tuple[ConditionSection, ...]
    maturity_levels: tuple[str, ...]
    legend: Legend
    tracker_levels: tuple[str, ...]
    tracker_legend: Legend
    tracker: tuple[TrackerRow, ...]
    asks: tuple[AskList, ...]
    findings: tuple[str, ...]
    agreements_recorded: int
    actions: tuple[ActionView, ...]
    changes: tuple[ChangeRow, ...]
    partners_changed: tuple[str, ...]
    """Sentences saying which partners answered in only one of the two rounds compared."""
    method: Method


# --- building ----------------------------------------------------------------------------------


def build_forum_report(
    definition: Definition,
    result: ScoreResult,
    facts: RoundFacts,
    workshop: WorkshopRecord,
    rules: Rules,
) -> ForumReport:
    maturity = definition.statement_scale
    cases = _case_study_placement(definition, list(result.conditions))
    sections = tuple(
        _condition_section(definition, result, workshop, number, condition_id, cases[condition_id])
        for number, condition_id in enumerate(result.conditions, start=1)
    )
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
        strengths=_highlights(definition, result.findings, "strength"),
        priorities=_highlights(definition, result.findings, "priority"),
        divided=_most_divided(definition, result),
        sector_gaps=_widest_sector_gaps(definition, result, rules),
        heatmap=sector_heatmap(definition, result),
        organisation_heatmap=organisation_heatmap(definition, result),
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
        asks=_asks(definition, result),
        findings=tuple(f.sentence for f in result.findings),
        agreements_recorded=len(workshop.agreements),
        actions=actions_view(definition, workshop.actions),
        changes=_changes(definition, result),
        partners_changed=partners_changed(facts),
        method=_method(definition, result, rules),
    )


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


def _band_label(result: ScoreResult, band: str | None) -> str:
    return dict(result.bands).get(band or "", "No score")


def _band_fill(result: ScoreResult, band: str | None) -> str:
    """Strongest band darkest: bands are listed highest first."""
    ids = [band_id for band_id, _ in result.bands]
    if band not in ids:
        return charts.SEQUENCE[0]
    step = ids.index(band or "")
    return charts.SEQUENCE[max(1, len(charts.SEQUENCE) - 1 - step)]


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
        band=_band_label(result, condition.band),
        split=condition.spread.split,
        no_score_reason=condition.no_score_reason,
        previous=one_decimal(previous) if previous is not None else None,
        bar=charts.data_uri(
            charts.score_bar(
                charts.ScoreBar(
                    condition.score, previous, band_fill=_band_fill(result, condition.band)
                )
            )
        ),
        alt=alt,
    )


def _highlights(
    definition: Definition, findings: Sequence[Finding], rule: str, limit: int = 3
) -> tuple[Highlight, ...]:
    return tuple(
        Highlight(definition.condition(f.subjects[0]).title, f.sentence)
        for f in findings
        if f.rule == rule
    )[:limit]


def _most_divided(
    definition: Definition, result: ScoreResult, limit: int = 3
) -> tuple[Highlight, ...]:
    """Conditions whose ratings agree least (lowest consensus), split views first; conditions
    partners broadly agree on are never called divided."""
    ranked = [
        c
        for c in divided_conditions(result)
        if c.spread.split or (c.spread.consensus or 0.0) < BROAD_AGREEMENT
    ][:limit]
    return tuple(
        Highlight(
            definition.condition(c.condition_id).title,
            f"Consensus {percentage(c.spread.consensus or 0)}"
            + ("; views are split" if c.spread.split else "")
            + f"; {c.respondents} respondents rated it.",
        )
        for c in ranked
    )


SectorGap = tuple[str, str, str, str, str]


def widest_sector_gap(condition: ConditionScore) -> SectorGap | None:
    """(high sector, its score, low sector, its score, the gap), as printed, among the sectors
    shown with a score; None when fewer than two are shown."""
    shown = [
        (group.score, Sector(name).label)
        for name, group in condition.by_sector.items()
        if group.score is not None and not group.suppressed
    ]
    if len(shown) < 2:
        return None
    (high, high_name), (low, low_name) = max(shown), min(shown)
    return (
        high_name,
        one_decimal(high),
        low_name,
        one_decimal(low),
        difference(high, low).lstrip("+"),
    )


def gap_sentence(gap: SectorGap) -> str:
    return f"{gap[0]} {gap[1]}, {in_sentence(gap[2])} {gap[3]}: a gap of {gap[4]}"


def _widest_sector_gaps(
    definition: Definition, result: ScoreResult, rules: Rules, limit: int = 3
) -> tuple[Highlight, ...]:
    """The conditions on which two sectors' printed scores lie furthest apart, widest first,
    down to the rules' sector-gap threshold, so the summary names the biggest split."""
    gaps = [
        (Decimal(gap[4]), cid, gap)
        for cid, condition in result.conditions.items()
        if (gap := widest_sector_gap(condition)) is not None
        and Decimal(gap[4]) >= Decimal(str(rules.sector_gap.threshold))
    ]
    gaps.sort(key=lambda entry: (-entry[0], entry[1]))
    return tuple(
        Highlight(definition.condition(cid).title, gap_sentence(gap) + ".")
        for _, cid, gap in gaps[:limit]
    )


def hidden_label(reason: str | None) -> str:
    """A hidden group's reason in the few words a table cell has room for."""
    if reason == COMBINED:
        return "In the combined row"
    return "Protects a smaller group" if reason == COMPLEMENT else "Too few people"


def comparison_rows(condition: ConditionScore, result: ScoreResult) -> tuple[ComparisonRow, ...]:
    """The comparison picture of one condition: the whole place, then every sector in the
    sectors' usual order, hidden groups kept in their place with the reason."""
    place = condition.score
    place_text = one_decimal(place)
    rows = [
        ComparisonRow(
            label="All partners",
            people=result.respondents,
            score=place_text,
            gap="",
            picture=charts.data_uri(charts.comparison_dot(place, place, whole_place=True)),
            alt=f"All partners: {place_text}",
            whole_place=True,
        )
    ]
    for sector in Sector:
        group = condition.by_sector.get(sector.value)
        if group is None:
            continue
        people = result.respondents_by_sector.get(sector.value)
        if group.suppressed or group.score is None:
            rows.append(
                ComparisonRow(
                    label=sector.label,
                    people=people,
                    score=IN_COMBINED if group.reason == COMBINED else HIDDEN,
                    gap=hidden_label(group.reason),
                    picture=charts.data_uri(charts.comparison_dot(None, place)),
                    alt=f"{sector.label}: hidden, {group.reason or 'too few people'}",
                    hidden_reason=group.reason,
                )
            )
            continue
        gap = difference(group.score, place) if place is not None else "–"
        rows.append(
            ComparisonRow(
                label=sector.label,
                people=people,
                score=one_decimal(group.score),
                gap=gap,
                picture=charts.data_uri(charts.comparison_dot(group.score, place)),
                alt=f"{sector.label}: {one_decimal(group.score)}, {gap} against all partners",
            )
        )
    if condition.combined is not None:
        rows.append(_combined_row(condition, result))
    return tuple(rows)


def _combined_row(condition: ConditionScore, result: ScoreResult) -> ComparisonRow:
    """The combined small sectors, shown like a sector (the anonymity plan only combines them
    when the combined group can be shown)."""
    assert condition.combined is not None
    score = condition.combined.score
    label = combined_label(condition.combined_sectors)
    people = sum(result.respondents_by_sector.get(s, 0) for s in condition.combined_sectors)
    place = condition.score
    gap = difference(score, place) if score is not None and place is not None else "–"
    return ComparisonRow(
        label=label,
        people=people,
        score=one_decimal(score),
        gap=gap,
        picture=charts.data_uri(charts.comparison_dot(score, place)),
        alt=f"{label}: {one_decimal(score)}, {gap} against all partners",
    )


def divided_conditions(result: ScoreResult) -> list[ConditionScore]:
    """Every rated condition, where partners disagree most first: split views, then by
    consensus from lowest."""
    rated = [c for c in result.conditions.values() if c.spread.consensus is not None]
    return sorted(
        rated,
        key=lambda c: (not c.spread.split, c.spread.consensus or 0.0, c.condition_id),
    )


def _cell(group: GroupScore | None) -> Cell:
    if group is None:
        return Cell("", "#ffffff", charts.INK, hidden=False, reason="no respondents")
    if group.reason == COMBINED:
        return Cell(IN_COMBINED, "#ffffff", charts.INK, hidden=True, reason=group.reason)
    if group.suppressed or group.score is None:
        return Cell(HIDDEN, "#ffffff", charts.INK, hidden=True, reason=group.reason)
    fill = charts.score_colour(group.score)
    return Cell(one_decimal(group.score), fill, charts.text_colour_on(fill), hidden=False)


def _overall_cell(condition: ConditionScore) -> Cell:
    if condition.score is None:
        return Cell("–", "#ffffff", charts.INK, hidden=False, reason=condition.no_score_reason)
    fill = charts.score_colour(condition.score)
    return Cell(one_decimal(condition.score), fill, charts.text_colour_on(fill), hidden=False)


def combined_label(sectors: Sequence[str]) -> str:
    """The name of a combined column, naming every sector in it."""
    return "Combined: " + _listed([in_sentence(Sector(s).label) for s in sectors])


def sector_heatmap(definition: Definition, result: ScoreResult) -> Heatmap:
    sectors = [s for s in Sector if s.value in result.respondents_by_sector]
    columns = [HeatmapColumn(s.label, result.respondents_by_sector[s.value]) for s in sectors]
    memberships = Counter(
        c.combined_sectors for c in result.conditions.values() if c.combined_sectors
    )
    usual = memberships.most_common(1)[0][0] if memberships else ()
    if memberships:
        columns.append(
            HeatmapColumn(
                combined_label(usual),
                sum(result.respondents_by_sector.get(s, 0) for s in usual),
            )
        )
    rows = tuple(
        HeatmapRow(
            condition_id=cid,
            title=definition.condition(cid).title,
            overall=_overall_cell(condition),
            cells=tuple(_cell(condition.by_sector.get(s.value)) for s in sectors)
            + ((_cell(condition.combined),) if memberships else ()),
        )
        for cid, condition in result.conditions.items()
    )
    key = _heatmap_key(rows, result.anonymity_threshold) + tuple(
        f"For {definition.condition(cid).title}, which not everyone rated, the combined "
        f"column is {_listed([in_sentence(Sector(s).label) for s in c.combined_sectors])}."
        for cid, c in result.conditions.items()
        if c.combined_sectors and c.combined_sectors != usual
    )
    return Heatmap(
        tuple(columns), rows, any(cell.hidden for row in rows for cell in row.cells), key
    )


def _heatmap_key(rows: Sequence[HeatmapRow], threshold: int) -> tuple[str, ...]:
    reasons = {cell.reason for row in rows for cell in row.cells if cell.hidden}
    key = []
    if COMBINED in reasons:
        key.append(
            f"{IN_COMBINED}: a sector with fewer than {threshold} people is not shown on its "
            "own but together with other small sectors, in the combined column, which names "
            "them."
        )
    if reasons - {COMBINED, COMPLEMENT}:
        key.append(f"{HIDDEN}: fewer than {threshold} people in the group rated the condition.")
    if COMPLEMENT in reasons:
        key.append(
            f"{HIDDEN}, though the group is larger: hidden so that a smaller group's score "
            "cannot be worked out from the total, the groups that are shown and the other "
            "figures on these pages."
        )
    return tuple(key)


def organisation_heatmap(definition: Definition, result: ScoreResult) -> Heatmap:
    names = sorted({name for c in result.conditions.values() for name in c.by_organisation})
    rows = tuple(
        HeatmapRow(
            condition_id=cid,
            title=definition.condition(cid).title,
            overall=_overall_cell(condition),
            cells=tuple(_cell(condition.by_organisation.get(name)) for name in names),
        )
        for cid, condition in result.conditions.items()
    )
    # Organisation sizes are not part of the result: with one or two people per partner they
    # would say too much about who answered.
    columns = tuple(HeatmapColumn(name, None) for name in names)
    return Heatmap(
        columns,
        rows,
        any(cell.hidden for row in rows for cell in row.cells),
        _heatmap_key(rows, result.anonymity_threshold),
    )


def _statement_row(definition: Definition, item: ItemScore) -> StatementRow:
    scale = definition.scale(definition.items_by_id[item.item_id].scale)
    if item.withheld is not None:
        return StatementRow(
            item_id=item.item_id,
            text=definition.items_by_id[item.item_id].question,
            counts=("–",) * len(scale.values),
            dont_know=item.counts.dont_know,
            not_applicable=item.counts.not_applicable,
            median="–",
            split=False,
            bar=charts.data_uri(charts.stacked_distribution({}, len(scale.values))),
            alt=f"Not shown: {item.withheld}",
            withheld=item.withheld,
        )
    counts = tuple(item.spread.distribution.get(v, 0) for v in scale.values)
    described = ", ".join(
        f"{level.label} {count}" for level, count in zip(scale.levels, counts, strict=True)
    )
    return StatementRow(
        item_id=item.item_id,
        text=definition.items_by_id[item.item_id].question,
        counts=counts,
        dont_know=item.counts.dont_know,
        not_applicable=item.counts.not_applicable,
        median=one_decimal(item.spread.median),
        split=item.spread.split,
        bar=charts.data_uri(
            charts.stacked_distribution(
                dict(item.spread.distribution), len(scale.values), item.counts.dont_know
            )
        ),
        alt=f"{described}, don't know {item.counts.dont_know}",
    )


def _agreement_view(definition: Definition, agreement: Agreement | None) -> AgreementView | None:
    if agreement is None:
        return None
    if agreement.could_not_agree or agreement.level is None:
        text = "The forum could not agree a level"
    else:
        scale = definition.statement_scale
        text = f"{agreement.level} – {scale.label_of(agreement.level)}"
    return AgreementView(
        text,
        agreement.rationale,
        agreement.could_not_agree,
        None if agreement.could_not_agree else agreement.level,
    )


def quote_attribution(sector: Sector, result: ScoreResult) -> str:
    """A sector is named only when enough people in it answered for no one to be singled out."""
    if result.respondents_by_sector.get(sector.value, 0) >= result.anonymity_threshold:
        return f"A respondent from {in_sentence(sector.label)}"
    return "A partner"


def _condition_section(
    definition: Definition,
    result: ScoreResult,
    workshop: WorkshopRecord,
    number: int,
    condition_id: str,
    case: CaseStudyView | None,
) -> ConditionSection:
    condition = result.conditions[condition_id]
    spec = definition.condition(condition_id)
    statements = tuple(
        _statement_row(definition, item)
        for item in result.items.values()
        if item.subject == condition_id
        and definition.items_by_id[item.item_id].kind is ItemKind.STATEMENT
    )
    agreements = {a.condition_id: a for a in workshop.agreements}
    previous_agreements = {a.condition_id: a for a in workshop.previous_agreements}
    return ConditionSection(
        condition_id=condition_id,
        number=number,
        title=spec.title,
        summary=spec.summary,
        score=one_decimal(condition.score),
        score_headcount=one_decimal(condition.score_headcount),
        band=_band_label(result, condition.band),
        no_score_reason=condition.no_score_reason,
        respondents=condition.respondents,
        organisations=condition.organisations,
        consensus=percentage(condition.spread.consensus)
        if condition.spread.consensus is not None
        else "–",
        split=condition.spread.split,
        importance=one_decimal(condition.importance),
        importance_words=_between_levels(definition, condition.importance),
        priority=one_decimal(condition.priority),
        dont_know_share=percentage(condition.dont_know_share),
        change=_change_text(condition),
        statements=statements,
        comparison=comparison_rows(condition, result),
        # A gap between sectors is drawn and numbered in the comparison picture on the same page.
        findings=tuple(
            f.sentence
            for f in result.findings
            if f.subjects
            and f.subjects[0] == condition_id
            and f.rule not in ("strength", "sector-gap")
        )
        + tuple(
            f.sentence
            for f in result.findings
            if f.subjects and f.subjects[0] == condition_id and f.rule == "strength"
        ),
        quotes=tuple(
            QuoteView(q.text, quote_attribution(q.sector, result))
            for q in workshop.quotes
            if q.subject_id == condition_id
        ),
        recommendations=_listed(
            [str(definition.recommendation(r).number) for r in spec.related_recommendations]
        ),
        case_study=case,
        agreement=_agreement_view(definition, agreements.get(condition_id)),
        previous_agreement=_agreement_view(definition, previous_agreements.get(condition_id)),
    )


def _between_levels(definition: Definition, importance: float | None) -> str:
    """The printed importance in the words of its scale, so '3.3 out of 4' reads as a level."""
    part = next((p for p in definition.parts if p.importance is not None), None)
    if importance is None or part is None or part.importance is None:
        return ""
    levels = definition.scale(part.importance.scale).levels
    printed = Decimal(one_decimal(importance))
    below = max((lv for lv in levels if lv.value <= printed), key=lambda lv: lv.value)
    above = min((lv for lv in levels if lv.value >= printed), key=lambda lv: lv.value)
    if below.value == above.value:
        return below.label
    return f"between {below.label} and {above.label}"


def _listed(words: Sequence[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _case_study_placement(
    definition: Definition, condition_ids: Sequence[str]
) -> dict[str, CaseStudyView | None]:
    """Each case study printed once: a condition page takes the first of its case studies not
    yet printed, or, when all have been, refers back to where its first one was printed."""
    printed: dict[str, int] = {}
    placement: dict[str, CaseStudyView | None] = {}
    for number, condition_id in enumerate(condition_ids, start=1):
        options = definition.condition(condition_id).case_studies
        fresh = next((case_id for case_id in options if case_id not in printed), None)
        chosen = fresh or (options[0] if options else None)
        if chosen is None:
            placement[condition_id] = None
            continue
        case = definition.case_study(chosen)
        placement[condition_id] = CaseStudyView(
            case.place, case.title, case.summary, printed_with=printed.get(chosen)
        )
        printed.setdefault(chosen, number)
    return placement


def _change_text(condition: ConditionScore) -> str | None:
    change = condition.change
    if change is None:
        return None
    if change.delta is None:
        return f"Previous round: {one_decimal(change.previous_score)}; no comparison possible."
    text = (
        f"Previous round {one_decimal(change.previous_score)}, now {one_decimal(condition.score)} "
        f"({difference(condition.score or 0.0, change.previous_score or 0.0)})"
    )
    if change.called:
        return text + ": a real change."
    return text + (f": {change.caution}." if change.caution else ": too small to call a change.")


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
    numbers = _listed([str(definition.recommendation(rid).number) for rid in left_out])
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
        sentences.append(f"Answered only last time: {_listed(sorted(before - now))}.")
    if now - before:
        sentences.append(f"Answered only this time: {_listed(sorted(now - before))}.")
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


def _band_cutoffs(rules: Rules) -> tuple[str, ...]:
    lines = []
    for higher, band in zip([None, *rules.bands[:-1]], rules.bands, strict=True):
        if higher is None:
            lines.append(f"{band.label}: {band.minimum:.1f} or more")
        elif band is rules.bands[-1]:
            lines.append(f"{band.label}: under {higher.minimum:.1f}")
        else:
            lines.append(
                f"{band.label}: {band.minimum:.1f} up to, not including, {higher.minimum:.1f}"
            )
    return tuple(lines)


def _priority_example(definition: Definition, rules: Rules) -> str:
    """One worked example, with the scales and threshold in force."""
    maturity = definition.statement_scale
    conditions_part = next(p for p in definition.parts if p.kind is PartKind.CONDITIONS)
    assert conditions_part.importance is not None
    importance = definition.scale(conditions_part.importance.scale)
    score, rated = 2.0, importance.maximum - 0.5
    gap = (maturity.maximum - score) / (maturity.maximum - 1)
    need = (rated - 1) / (importance.maximum - 1)
    verdict = "a priority" if gap * need >= rules.priority.threshold else "not a priority"
    return (
        f"For example, a condition scoring {score:.1f} out of {maturity.maximum} with importance "
        f"{rated:.1f} out of {importance.maximum} has a gap of ({maturity.maximum} − {score:.1f}) "
        f"÷ {maturity.maximum - 1} = {gap:.2f} and a need of ({rated:.1f} − 1) ÷ "
        f"{importance.maximum - 1} = {need:.2f}; {gap:.2f} × {need:.2f} = {gap * need:.2f}, "
        f"so it is {verdict}."
    )


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
        band_cutoffs=_band_cutoffs(rules),
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
            f" of the ratings lie more than {rules.disagreement.band:g} level"
            f"{'' if rules.disagreement.band == 1 else 's'} from the middle rating (the median),"
            f" given at least {rules.disagreement.minimum_ratings} ratings."
        ),
        priority_rule=(
            "A condition is a priority when its gap (how far its score is below the top of the "
            "scale, from 0 to 1) multiplied by its need (how important partners rate it, from 0 "
            f"to 1) is {rules.priority.threshold:.2f} or more: low maturity and high importance "
            "together make a priority."
        ),
        priority_example=_priority_example(definition, rules),
        sector_gap_rule=(
            f"Two sectors whose scores for a condition are {rules.sector_gap.threshold:.1f} or "
            "more apart are reported as a gap between them."
        ),
        reading_example=(
            f"A score of 3.5 out of {definition.statement_scale.maximum} is halfway up the scale,"
            f" in the {rules.band_of(3.5).label} band."
        ),
        anonymity_rule=_anonymity_rule(rules, result.anonymity_threshold),
        change_rule=(
            "A change since the previous round is called only when it is at least "
            f"{rules.change.minimum_delta:.1f} and at least {rules.change.minimum_respondents} "
            "people rated the condition in both rounds; smaller moves are reported as too small "
            "to call."
        ),
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
            + (f" ({_listed(spared)} only when no other sector would do)" if spared else "")
            + "."
        )
    if rules.anonymity.complementary_suppression:
        rule += (
            " When hiding one group would let its score be worked out from the total and the "
            "others, a second group is hidden too."
        )
    return rule


def legend_of(labels: Sequence[str]) -> Legend:
    entries = [
        (label, charts.level_colour(level, len(labels)))
        for level, label in enumerate(labels, start=1)
    ]
    entries.append((OPT_OUT_LABELS[OptOut.DONT_KNOW], "#ffffff"))
    return Legend(tuple(entries))
