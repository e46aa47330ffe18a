"""Each condition compared across sectors and organisations: the comparison rows of a
condition page and the heat maps of the summary, hidden groups kept in place with the reason.
Pure: no group's score is read without checking that it is shown."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from questionnaires.schema import Definition
from questionnaires.sectors import Sector, in_sentence
from reports import charts
from reports.wording import (
    HIDDEN,
    IN_COMBINED,
    band_cutoffs,
    band_fill,
    combined_label,
    difference,
    hidden_label,
    listed,
)
from scoring.anonymity import COMBINED, COMPLEMENT
from scoring.rounding import one_decimal, printed
from scoring.rules import Rules
from scoring.types import ConditionScore, GroupScore, ScoreResult


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


def comparison_rows(
    condition: ConditionScore, result: ScoreResult, plain: frozenset[Sector] = frozenset()
) -> tuple[ComparisonRow, ...]:
    """The comparison picture of one condition: the whole place, then every sector in the
    sectors' usual order, hidden groups kept in their place with the reason; a sector that
    answered the plain-language version (``plain``) says so in its label."""
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
                label=sector.label + (" (plain-language)" if sector in plain else ""),
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


def _fill(score: float, result: ScoreResult, rules: Rules) -> str:
    """A cell's colour is its band's (of the score as printed), so Concern and Borderline never
    look alike; the key names the bands."""
    return band_fill(result, rules.band_of(printed(score)).id)


def _band_key(rules: Rules) -> str:
    return (
        "Cells are coloured by band, darkest the highest: " + "; ".join(band_cutoffs(rules)) + "."
    )


def _cell(group: GroupScore | None, result: ScoreResult, rules: Rules) -> Cell:
    if group is None:
        return Cell("", "#ffffff", charts.INK, hidden=False, reason="no respondents")
    if group.reason == COMBINED:
        return Cell(IN_COMBINED, "#ffffff", charts.INK, hidden=True, reason=group.reason)
    if group.suppressed or group.score is None:
        return Cell(HIDDEN, "#ffffff", charts.INK, hidden=True, reason=group.reason)
    fill = _fill(group.score, result, rules)
    return Cell(one_decimal(group.score), fill, charts.text_colour_on(fill), hidden=False)


def _overall_cell(condition: ConditionScore, result: ScoreResult, rules: Rules) -> Cell:
    if condition.score is None:
        return Cell("–", "#ffffff", charts.INK, hidden=False, reason=condition.no_score_reason)
    # The place's own cell shows the condition's band, which a split condition does not have.
    fill = band_fill(result, condition.band)
    return Cell(one_decimal(condition.score), fill, charts.text_colour_on(fill), hidden=False)


def sector_heatmap(definition: Definition, result: ScoreResult, rules: Rules) -> Heatmap:
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
            overall=_overall_cell(condition, result, rules),
            cells=tuple(_cell(condition.by_sector.get(s.value), result, rules) for s in sectors)
            + ((_cell(condition.combined, result, rules),) if memberships else ()),
        )
        for cid, condition in result.conditions.items()
    )
    plain = [s for s in sectors if s in definition.plain_language_sectors]
    key = (
        (_band_key(rules), *_heatmap_key(rows, result.anonymity_threshold))
        + tuple(
            f"{s.label}: answered a plain-language version of the statements on an agreement "
            "scale, counted level for level with the maturity scale (see the Method)."
            for s in plain
        )
        + tuple(
            f"For {definition.condition(cid).title}, which not everyone rated, the combined "
            f"column is {listed([in_sentence(Sector(s).label) for s in c.combined_sectors])}."
            for cid, c in result.conditions.items()
            if c.combined_sectors and c.combined_sectors != usual
        )
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


def organisation_heatmap(definition: Definition, result: ScoreResult, rules: Rules) -> Heatmap:
    names = sorted({name for c in result.conditions.values() for name in c.by_organisation})
    rows = tuple(
        HeatmapRow(
            condition_id=cid,
            title=definition.condition(cid).title,
            overall=_overall_cell(condition, result, rules),
            cells=tuple(
                _cell(condition.by_organisation.get(name), result, rules) for name in names
            ),
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
        (_band_key(rules), *_heatmap_key(rows, result.anonymity_threshold)),
    )
