"""A partner report: one organisation's answers set against the whole place's.

Only where anonymity allows. An organisation with fewer respondents than the threshold gets no
report (its people could be singled out by their own colleagues), and a condition on which the
place result hides the organisation, to protect a smaller one, is hidden here too.
"""

from dataclasses import dataclass
from decimal import Decimal

from questionnaires.schema import Definition, ItemKind
from questionnaires.sectors import Sector
from reports import charts
from reports.facts import RoundFacts
from reports.forum import Meta, meta_of
from reports.wording import Legend, difference, legend_of, listed
from scoring.rounding import one_decimal
from scoring.rules import Rules
from scoring.types import ScoreResult


class PartnerReportRefusedError(ValueError):
    """Anonymity does not allow a report for this organisation."""


@dataclass(frozen=True)
class PartnerConditionRow:
    title: str
    place: str
    own: str
    difference: str
    hidden: bool
    picture: str
    """The organisation's score as a dot against the place's dashed line."""
    blank_reason: str | None = None
    """Why the organisation's score is not shown, when it is not."""


@dataclass(frozen=True)
class PartnerStatementRow:
    condition: str
    text: str
    place_median: str
    own_median: str
    own_counts: tuple[int, ...]
    own_dont_know: int
    bar: str
    alt: str


@dataclass(frozen=True)
class PartnerRecommendationRow:
    number: int
    title: str
    place: str
    own: str


@dataclass(frozen=True)
class PartnerReport:
    meta: Meta
    organisation: str
    sector: str
    respondents: int
    conditions: tuple[PartnerConditionRow, ...]
    differs_most: tuple[PartnerConditionRow, ...]
    """The conditions where the organisation's printed score is furthest from the place's."""
    statements: tuple[PartnerStatementRow, ...]
    statements_not_shown: int
    """Statements of shown conditions that fewer than k of the organisation's people rated."""
    recommendations: tuple[PartnerRecommendationRow, ...]
    maturity_levels: tuple[str, ...]
    legend: Legend
    any_hidden: bool
    worth_discussing: str
    """The smallest difference listed as 'differs most': the rules' sector-gap threshold."""
    divided_within: tuple[str, ...]
    """Conditions on which the organisation's own people disagree widely (titles)."""
    divided_range: str
    blank_reasons: tuple[str, ...]
    """One sentence per reason a score of the organisation is blank, naming the conditions."""


DIFFERS_MOST = 3


def _furthest_from_the_place(
    rows: list[PartnerConditionRow], rules: Rules
) -> tuple[PartnerConditionRow, ...]:
    """Widest printed difference first, and only differences worth a conversation: at least
    the gap the rules call worth talking through between sectors."""
    worth = Decimal(one_decimal(rules.sector_gap.threshold))
    compared = [
        row for row in rows if row.difference != "–" and abs(Decimal(row.difference)) >= worth
    ]
    compared.sort(key=lambda row: -abs(Decimal(row.difference)))
    return tuple(compared[:DIFFERS_MOST])


def _blank_reasons(rows: list[PartnerConditionRow]) -> tuple[str, ...]:
    """Every blank in the organisation's column explained once, next to the table."""
    by_reason: dict[str, list[str]] = {}
    for row in rows:
        if row.blank_reason:
            by_reason.setdefault(row.blank_reason, []).append(row.title)
    return tuple(
        f"{'Hidden' if rows_hidden else 'Not shown'} for {listed(titles)}: {reason}."
        for reason, titles in by_reason.items()
        for rows_hidden in [any(r.hidden for r in rows if r.blank_reason == reason)]
    )


def build_partner_report(
    definition: Definition,
    place: ScoreResult,
    own: ScoreResult,
    *,
    organisation: str,
    sector: Sector,
    facts: RoundFacts,
    rules: Rules,
) -> PartnerReport:
    """``own`` is the organisation's respondents scored on their own, with the same rules; both
    results come through the disclosure gate (``scoring.disclosure``), so a statement or a
    recommendation fewer than k of the organisation's people rated shows no figure, however
    many of them submitted."""
    if own.respondents < place.anonymity_threshold:
        raise PartnerReportRefusedError(
            f"{organisation} has {own.respondents} "
            f"{'respondent' if own.respondents == 1 else 'respondents'}; a partner report needs "
            f"at least {place.anonymity_threshold} so that no one's answers can be singled out"
        )
    hidden = {
        cid
        for cid, condition in place.conditions.items()
        if (group := condition.by_organisation.get(organisation)) is None or group.suppressed
    }
    conditions = []
    for cid, condition in place.conditions.items():
        own_score = own.conditions[cid].score if cid not in hidden else None
        both = condition.score is not None and own_score is not None
        group = condition.by_organisation.get(organisation)
        if cid in hidden:
            reason: str | None = (
                group.reason if group is not None and group.reason else "too few people rated it"
            )
        else:
            reason = own.conditions[cid].no_score_reason if own_score is None else None
        conditions.append(
            PartnerConditionRow(
                title=definition.condition(cid).title,
                place=one_decimal(condition.score),
                own="Hidden" if cid in hidden else one_decimal(own_score),
                difference=difference(own_score, condition.score)  # type: ignore[arg-type]
                if both
                else "–",
                hidden=cid in hidden,
                picture=charts.data_uri(charts.comparison_dot(own_score, condition.score)),
                blank_reason=reason,
            )
        )
    scale = definition.statement_scale
    statements = []
    statements_not_shown = 0
    for item_id, item in own.items.items():
        spec = definition.items_by_id[item_id]
        if spec.kind is not ItemKind.STATEMENT or item.subject in hidden:
            continue
        if item.withheld is not None:
            statements_not_shown += 1
            continue
        counts = tuple(item.spread.distribution.get(v, 0) for v in scale.values)
        statements.append(
            PartnerStatementRow(
                condition=definition.condition(item.subject).title,
                text=spec.question,
                place_median=one_decimal(place.items[item_id].spread.median),
                own_median=one_decimal(item.spread.median),
                own_counts=counts,
                own_dont_know=item.counts.dont_know,
                bar=charts.data_uri(
                    charts.stacked_distribution(
                        dict(item.spread.distribution), len(scale.values), item.counts.dont_know
                    )
                ),
                alt=", ".join(
                    f"{lv.label} {n}" for lv, n in zip(scale.levels, counts, strict=True)
                ),
            )
        )
    recommendations = tuple(
        PartnerRecommendationRow(
            number=definition.recommendation(rid).number,
            title=definition.recommendation(rid).title,
            place=score.typical_label or "–",
            own=f"Not shown: {own.recommendations[rid].withheld}"
            if own.recommendations[rid].withheld
            else own.recommendations[rid].typical_label or "–",
        )
        for rid, score in place.recommendations.items()
        if not definition.part(score.part).ranked
    )
    return PartnerReport(
        meta=meta_of(definition, place, facts),
        organisation=organisation,
        sector=sector.label,
        respondents=own.respondents,
        conditions=tuple(conditions),
        differs_most=_furthest_from_the_place(conditions, rules),
        statements=tuple(statements),
        statements_not_shown=statements_not_shown,
        recommendations=recommendations,
        maturity_levels=tuple(level.label for level in scale.levels),
        legend=legend_of([level.label for level in scale.levels]),
        any_hidden=bool(hidden),
        blank_reasons=_blank_reasons(conditions),
        worth_discussing=one_decimal(rules.sector_gap.threshold),
        divided_range=one_decimal(rules.disagreement.within_organisation_range),
        divided_within=tuple(
            definition.condition(cid).title
            for cid, condition in own.conditions.items()
            if cid not in hidden and organisation in condition.divided_organisations
        ),
    )
