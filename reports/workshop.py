"""The facilitator's workshop pack: time goes where partners disagree most.

Built from the forum report's context, so the pack and the report always show the same numbers.
"""

import math
from dataclasses import dataclass

from questionnaires.schema import Definition
from questionnaires.sectors import Sector, in_sentence
from reports.comparison import divided_conditions
from reports.facts import Quote, RoundFacts, WorkshopRecord
from reports.forum import ActionView, ForumReport, Meta, build_forum_report
from reports.sections import AgreementView, ConditionSection, QuoteView
from reports.wording import comment_writers, gap_sentence
from scoring.findings import widest_gap
from scoring.rounding import one_decimal, tenths
from scoring.rules import Rules
from scoring.types import ConditionScore, ScoreResult

MINUTES_PER_DIVIDED_CONDITION = 20
MINUTES_TO_CONFIRM_THE_REST = 30
BLANK_ACTION_ROWS = 8
MOST_DISCUSSION_PAGES = 5
FEWEST_DISCUSSION_PAGES = 3
"""When fewer conditions need discussing, the least agreed others are discussed too."""
MOST_OF_ONE_KIND = 2
"""Split views, unknowns and priorities each get at most this many of the discussions, so
that the forum's top priorities are not squeezed out by disagreement alone."""
BREAK_AFTER_DISCUSSIONS = 2
BREAK_MINUTES = 10
MOST_COMMENTS = 4
"""Comments printed on a discussion page; the rest are counted and on the workshop page."""
LONGEST_COMMENT = 320
"""Characters of a comment printed before it is cut at a word (a comment may hold 4,000)."""


@dataclass(frozen=True)
class AgendaItem:
    starts: str
    minutes: int
    title: str
    note: str


@dataclass(frozen=True)
class NextLevel:
    """One statement: where partners typically put it, and what the level above looks like."""

    statement: str
    now: str
    next_level: str
    looks_like: str


@dataclass(frozen=True)
class Discussion:
    section: ConditionSection
    prompts: tuple[str, ...]
    next_levels: tuple[NextLevel, ...] = ()
    recommendations: tuple[str, ...] = ()
    """What *Trusting place* recommends that bears on the condition: 'Recommendation 2: …'."""
    comments: tuple[QuoteView, ...] = ()
    """Comments partners wrote on the condition that are not among the chosen quotes, as
    written (shortened if long), with a sector named only as a quote's would be."""
    more_comments: int = 0


@dataclass(frozen=True)
class RecordingRow:
    title: str
    score: str
    consensus: str
    split: bool
    agreement: AgreementView | None
    """What the forum has already recorded in Placecheck, printed so the room confirms it."""


@dataclass(frozen=True)
class WorkshopPack:
    meta: Meta
    report: ForumReport
    agenda: tuple[AgendaItem, ...]
    discussions: tuple[Discussion, ...]
    recording: tuple[RecordingRow, ...]
    maturity_levels: tuple[str, ...]
    actions: tuple[ActionView, ...]
    blank_action_rows: int
    priorities_without_action: tuple[str, ...]
    """Conditions the rules call a priority on which no action is recorded yet."""


def is_divided(condition: ConditionScore, result: ScoreResult) -> bool:
    """Split overall, or on at least one of its statements."""
    return condition.spread.split or any(
        item.spread.split
        for item in result.items.values()
        if item.subject == condition.condition_id
    )


def build_workshop_pack(
    definition: Definition,
    result: ScoreResult,
    facts: RoundFacts,
    workshop: WorkshopRecord,
    rules: Rules,
    comments: tuple[Quote, ...] = (),
) -> WorkshopPack:
    """``comments``: what partners wrote that the facilitator has not chosen as a quote. The
    pack is the facilitator's, so it holds their words, the richest material for the room;
    the forum report holds only the quotes chosen (and edited) for it."""
    report = build_forum_report(definition, result, facts, workshop, rules)
    sections = {s.condition_id: s for s in report.conditions}
    divided = _to_discuss(result)
    priorities = {f.subjects[0] for f in result.findings if f.rule == "priority"}
    discussions = tuple(
        Discussion(
            sections[c.condition_id],
            _prompts(definition, result, c),
            _next_levels(definition, result, c.condition_id),
            tuple(
                definition.recommendation(rid).numbered_title
                for rid in definition.condition(c.condition_id).related_recommendations
            ),
            *_comments_on(c.condition_id, comments, workshop.quotes, result),
        )
        for c in divided
    )
    acted_on = {a.condition_id for a in workshop.actions}
    return WorkshopPack(
        meta=report.meta,
        report=report,
        agenda=_agenda(
            [
                (
                    d.section,
                    _what_to_discuss(
                        c, d.section, rules, priorities, definition.plain_language_sectors
                    ),
                )
                for c, d in zip(divided, discussions, strict=True)
            ],
            len(report.conditions),
        ),
        discussions=discussions,
        recording=tuple(
            RecordingRow(s.title, s.score, s.consensus, s.split, s.agreement)
            for s in report.conditions
        ),
        maturity_levels=report.maturity_levels,
        actions=report.actions,
        blank_action_rows=BLANK_ACTION_ROWS,
        priorities_without_action=tuple(
            sections[cid].title
            for cid in dict.fromkeys(f.subjects[0] for f in result.findings if f.rule == "priority")
            if cid not in acted_on
        ),
    )


def _comments_on(
    condition_id: str,
    comments: tuple[Quote, ...],
    quotes: tuple[Quote, ...],
    result: ScoreResult,
) -> tuple[tuple[QuoteView, ...], int]:
    """The first few comments on the condition, and how many more there are. The same words
    written by several people are printed once, saying how many wrote them; words already
    printed as a chosen quote are not printed again."""
    quoted = {" ".join(q.text.split()) for q in quotes if q.subject_id == condition_id}
    writers: dict[str, list[Sector]] = {}
    for comment in comments:
        words = " ".join(comment.text.split())
        if comment.subject_id == condition_id and words not in quoted:
            writers.setdefault(words, []).append(comment.sector)
    shown = tuple(
        QuoteView(shortened_comment(words), comment_writers(sectors, result))
        for words, sectors in list(writers.items())[:MOST_COMMENTS]
    )
    return shown, len(writers) - len(shown)


def shortened_comment(words: str) -> str:
    """A comment cut at a word, saying so, so that one long comment cannot fill the page."""
    if len(words) <= LONGEST_COMMENT:
        return words
    return words[:LONGEST_COMMENT].rsplit(" ", 1)[0].rstrip(",;:.") + " …"


def _next_levels(
    definition: Definition, result: ScoreResult, condition_id: str
) -> tuple[NextLevel, ...]:
    """For each statement, its typical level (the median, as printed in the table above) and
    the description of the next whole level up: what the forum could aim for by next round."""
    scale = definition.statement_scale
    rows = []
    for statement in definition.condition(condition_id).statements:
        item = result.items.get(statement.id)
        median = item.spread.median if item is not None and item.withheld is None else None
        if median is None or median >= scale.maximum:
            continue
        target = math.floor(median) + 1
        rows.append(
            NextLevel(
                statement=statement.text,
                now=one_decimal(median),
                next_level=f"{target} {scale.label_of(target)}",
                looks_like=statement.levels.get(target, ""),
            )
        )
    return tuple(rows)


def _to_discuss(result: ScoreResult) -> list[ConditionScore]:
    """The conditions the workshop discusses one by one: split views first, then a condition
    nobody could score (who would know?), then the rules' priorities, each kind capped so that
    every kind gets a turn, then the least agreed of the rest up to the fewest discussions."""
    conditions = result.conditions
    ordered = divided_conditions(result)
    kinds = [
        [c for c in ordered if is_divided(c, result)],
        [c for c in conditions.values() if c.score is None and c.no_score_reason],
        [conditions[f.subjects[0]] for f in result.findings if f.rule == "priority"],
    ]
    chosen: list[ConditionScore] = []
    for kind in kinds:
        chosen += [c for c in kind if c not in chosen][:MOST_OF_ONE_KIND]
    chosen = chosen[:MOST_DISCUSSION_PAGES]
    shortfall = max(0, FEWEST_DISCUSSION_PAGES - len(chosen))
    return chosen + [c for c in ordered if c not in chosen][:shortfall]


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _what_to_discuss(
    condition: ConditionScore,
    section: ConditionSection,
    rules: Rules,
    priorities: set[str],
    plain: frozenset[Sector],
) -> str:
    """The agenda's note: why the condition is on the agenda (split views, no score, a
    priority, a gap between sectors, or the least agreement of the rest), in numbers the pack
    prints elsewhere."""
    gap = widest_gap(condition)
    between = gap_sentence(gap, plain) if gap else None
    if condition.spread.split:
        return f"Views split (consensus {section.consensus})" + (
            f"; {between}." if between else "."
        )
    if condition.score is None and condition.no_score_reason:
        return f"No score: {condition.no_score_reason}. Who would know?"
    if condition.condition_id in priorities:
        return (
            f"A priority: it scores {section.score} out of 5, and partners rate its importance "
            f"{section.importance} out of 4 ({section.importance_words})."
        )
    if gap and gap.gap_tenths >= tenths(rules.sector_gap.threshold):
        return f"Sectors see it differently: {between}."
    return f"Least agreed of the rest (consensus {section.consensus})" + (
        f"; {between}." if between else "."
    )


def _agenda(divided: list[tuple[ConditionSection, str]], conditions: int) -> tuple[AgendaItem, ...]:
    plan: list[tuple[int, str, str]] = [
        (10, "Welcome and purpose", "Why the forum is here; the Chatham House Rule applies."),
        (
            15,
            "What partners said",
            "The Summary and How each sector sees the conditions, the next pages of this pack.",
        ),
    ]
    for number, (section, note) in enumerate(divided, start=1):
        plan.append((MINUTES_PER_DIVIDED_CONDITION, f"Discuss: {section.title}", note))
        if number == BREAK_AFTER_DISCUSSIONS and len(divided) > number:
            plan.append((BREAK_MINUTES, "Break", "Ten minutes away from the table."))
    plan += [
        (
            MINUTES_TO_CONFIRM_THE_REST,
            "Confirm the other conditions",
            f"Agree a level for each of the {conditions - len(divided)} remaining conditions "
            "on the recording sheet.",
        ),
        (30, "Action planning", "Two or three actions, each with a lead and a date."),
        (5, "Close", "What happens next and when the forum will look again."),
    ]
    items = []
    elapsed = 0
    for minutes, title, note in plan:
        items.append(AgendaItem(_clock(elapsed), minutes, title, note))
        elapsed += minutes
    return tuple(items)


def _prompts(
    definition: Definition, result: ScoreResult, condition: ConditionScore
) -> tuple[str, ...]:
    prompts = []
    gap = widest_gap(condition)
    gap_found = any(
        f.rule == "sector-gap" and f.subjects and f.subjects[0] == condition.condition_id
        for f in result.findings
    )
    # A gap the rules found is asked about once, in its own words, below.
    if gap is not None and condition.score is not None and not gap_found:
        higher, lower = Sector(gap.higher).label, Sector(gap.lower).label
        prompts.append(
            f"What does {in_sentence(higher)} ({one_decimal(gap.higher_tenths / 10)}) see "
            f"that {in_sentence(lower)} ({one_decimal(gap.lower_tenths / 10)}) does not, and "
            "the other way round?"
        )
    for finding in result.findings:
        if finding.subjects and finding.subjects[0] == condition.condition_id:
            if finding.rule == "sector-gap":
                prompts.append(
                    f"{finding.sentence} What would each need to see to share one picture?"
                )
            elif finding.rule in ("mostly-dont-know", "low-coverage"):
                prompts.append(
                    "Many partners could not say. Who does know, and how could the forum "
                    "see the same evidence?"
                )
            elif finding.rule == "priority":
                prompts.append(
                    "Partners see this as important now. What is the first step, and who "
                    "will take it?"
                )
    prompts.append(
        "Which level on the scale can the forum agree on, and what evidence would move it "
        "up one level by the next round?"
    )
    return tuple(prompts)
