"""A condition's pages of the forum report and results: its statements, what the forum agreed,
the quotes and case studies placed with it, and its change since the previous round."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from questionnaires.schema import Definition, ItemKind
from reports import charts
from reports.comparison import ComparisonRow, comparison_rows
from reports.facts import Agreement, WorkshopRecord
from reports.wording import band_label, difference, listed, quote_attribution, split_sides
from scoring.rounding import one_decimal, percentage
from scoring.rules import Rules
from scoring.types import ConditionScore, ItemScore, ScoreResult


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

    @property
    def heading(self) -> str:
        """The title with the place it comes from, unless the title names it already."""
        return self.title if self.place in self.title else f"{self.place}: {self.title}"


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
    split_sides: str | None
    """Both sides of a split condition, counted, in a sentence (None when not split or the
    gate hides them)."""
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


def condition_section(
    definition: Definition,
    result: ScoreResult,
    workshop: WorkshopRecord,
    number: int,
    condition_id: str,
    case: CaseStudyView | None,
    rules: Rules,
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
        band=band_label(result, condition.band),
        no_score_reason=condition.no_score_reason,
        respondents=condition.respondents,
        organisations=condition.organisations,
        consensus=percentage(condition.spread.consensus)
        if condition.spread.consensus is not None
        else "–",
        split=condition.spread.split,
        split_sides=split_sides(condition.sides, rules),
        importance=one_decimal(condition.importance),
        importance_words=_between_levels(definition, condition.importance),
        priority=one_decimal(condition.priority),
        dont_know_share=percentage(condition.dont_know_share),
        change=_change_text(condition),
        statements=statements,
        comparison=comparison_rows(condition, result, definition.plain_language_sectors),
        # Every finding about the condition, the strength last (the rest ask for a conversation).
        findings=tuple(
            f.sentence
            for f in sorted(
                (f for f in result.findings if f.subjects and f.subjects[0] == condition_id),
                key=lambda f: f.rule == "strength",
            )
        ),
        quotes=tuple(
            QuoteView(q.text, quote_attribution(q.sector, result))
            for q in workshop.quotes
            if q.subject_id == condition_id
        ),
        recommendations=listed(
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


def case_study_placement(
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
