"""A round's answers and results as CSV and XLSX, to analyse in a spreadsheet: figures are the
numbers as the reports print them (so a sum done in the sheet matches the report), hidden groups
say so in the reports' own words."""

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from app.core.csvfile import spreadsheet_row
from app.data.round_file import answers_by_invitation
from app.invitations.service import invitations_of
from app.models import (
    AssessmentRound,
)
from app.rounds.definitions import definition_of_round
from questionnaires.schema import Definition
from questionnaires.sectors import Sector
from reports.forum import pooling_note
from reports.wording import HIDDEN, IN_COMBINED
from scoring.anonymity import COMBINED
from scoring.rounding import hundredths, percent_or_none, printed_or_none
from scoring.types import GroupScore, ScoreResult

ANSWER_COLUMNS = [
    "respondent",
    "organisation",
    "sector",
    "status",
    "item_id",
    "answer_kind",
    "level",
    "level_label",
    "comment",
]


def answer_rows(*, session: Session, assessment_round: AssessmentRound) -> list[list[Any]]:
    """One row per answer. Respondents are numbered, never named."""
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    rows = invitations_of(session, assessment_round)
    answers = answers_by_invitation(session, [i.id for i, _ in rows if i.id is not None])
    table: list[list[Any]] = []
    for number, (invitation, organisation) in enumerate(rows, start=1):
        for answer in answers.get(invitation.id or 0, []):
            item = definition.items_by_id.get(answer.item_id)
            label = (
                definition.scale(item.scale).label_of(answer.level)
                if item is not None and answer.level is not None
                else ""
            )
            table.append(
                [
                    f"R{number:03d}",
                    organisation.name,
                    organisation.sector.label,
                    invitation.status.value,
                    answer.item_id,
                    answer.kind.value,
                    answer.level,
                    label,
                    answer.evidence or "",
                ]
            )
    return table


def answers_csv(*, session: Session, assessment_round: AssessmentRound) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ANSWER_COLUMNS)
    for row in answer_rows(session=session, assessment_round=assessment_round):
        writer.writerow(spreadsheet_row(row))
    return out.getvalue()


def workbook(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    definition: Definition,
    result: ScoreResult,
) -> bytes:
    """What a partner's analyst needs, each sheet with a frozen, filterable header and columns
    wide enough to read: a README, the scores, sector and organisation scores and a codebook.

    Made to be shared, so it holds aggregates only, each through the disclosure gate
    (``result`` must come from ``scoring.disclosure.disclosed``): no answer of any one person,
    which would undo every hidden cell. Row-level answers are the separate, facilitators-only
    CSV."""
    book = Workbook()
    readme = book.active
    assert readme is not None
    readme.title = "README"
    _table(
        book.create_sheet("Scores"),
        [
            "condition_id",
            "condition",
            "score",
            "score_headcount",
            "band",
            "respondents",
            "consensus_percent",
            "split",
            "importance",
            "priority",
            "dont_know_percent",
            "no_score_reason",
        ],
        [
            [
                cid,
                definition.condition(cid).title,
                printed_or_none(c.score),
                printed_or_none(c.score_headcount),
                c.band,
                c.respondents,
                percent_or_none(c.spread.consensus),
                c.spread.split,
                printed_or_none(c.importance),
                None if c.priority is None else hundredths(c.priority) / 100,
                percent_or_none(c.dont_know_share),
                c.no_score_reason,
            ]
            for cid, c in result.conditions.items()
        ],
    )
    sectors = [s for s in Sector if s.value in result.respondents_by_sector]
    combined = any(c.combined_sectors for c in result.conditions.values())
    _table(
        book.create_sheet("Sector scores"),
        ["condition", "all partners", *(s.label for s in sectors)]
        + (["combined small sectors", "combined sectors"] if combined else []),
        [
            [
                definition.condition(cid).title,
                printed_or_none(c.score),
                *(_group_cell(c.by_sector.get(s.value)) for s in sectors),
            ]
            + (
                [_group_cell(c.combined), ", ".join(Sector(x).label for x in c.combined_sectors)]
                if combined
                else []
            )
            for cid, c in result.conditions.items()
        ],
    )
    organisations = sorted({o for c in result.conditions.values() for o in c.by_organisation})
    _table(
        book.create_sheet("Organisation scores"),
        ["condition", "all partners", *organisations],
        [
            [
                definition.condition(cid).title,
                printed_or_none(c.score),
                *(_group_cell(c.by_organisation.get(o)) for o in organisations),
            ]
            for cid, c in result.conditions.items()
        ],
    )
    codebook_rows = []
    for item in definition.items:
        scale = definition.scale(item.scale)
        values = "; ".join(f"{lv.value} = {lv.label}" for lv in scale.levels)
        values += "".join(f"; {o.value}" for o in scale.opt_outs)
        codebook_rows.append(
            [item.id, item.kind.value, item.part, item.subject, item.question, scale.label, values]
        )
    _table(
        book.create_sheet("Codebook"),
        ["item_id", "kind", "part", "subject", "question", "scale", "values"],
        codebook_rows,
    )
    _readme(readme, assessment_round, definition, result)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MAX_COLUMN_WIDTH = 60


def _group_cell(group: GroupScore | None) -> float | str | None:
    if group is None:
        return None
    if group.reason == COMBINED:
        return IN_COMBINED
    if group.suppressed or group.score is None:
        return HIDDEN
    return printed_or_none(group.score)


def _table(sheet: Worksheet, header: list[str], rows: list[list[Any]]) -> None:
    """A header that stays in view and filters, and columns as wide as what they hold. The
    header is made of names people chose (organisations), so it is a row like any other."""
    sheet.append(spreadsheet_row(header))
    for row in rows:
        sheet.append(spreadsheet_row(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2" if len(header) > 2 else "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(sheet.iter_cols(values_only=True), start=1):
        widest = max((len(str(value)) for value in column if value is not None), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(widest + 2, MAX_COLUMN_WIDTH)


def _readme(
    sheet: Worksheet, assessment_round: AssessmentRound, definition: Definition, result: ScoreResult
) -> None:
    lines: list[list[Any]] = [
        ["Placecheck export", assessment_round.title],
        ["Scoring rules version", result.rules_version],
        ["Anonymity threshold", result.anonymity_threshold],
        ["Respondents who submitted", result.respondents],
        [],
        ["Sheet", "What it holds"],
        [
            "Scores",
            "Each condition: organisation-weighted score out of 5 and the headcount score, "
            "rounded to one decimal as in the reports; consensus and 'don't know' as "
            "percentages.",
        ],
        [
            "Sector scores",
            f"Each condition by sector. '{HIDDEN}' where fewer than "
            f"{result.anonymity_threshold} people answered or where showing it would let a "
            f"smaller group's score be worked out; '{IN_COMBINED}' where a small sector is "
            "shown together with others in the combined column.",
        ],
        ["Organisation scores", "Each condition by organisation, hidden as above."],
        [
            "Band",
            "Strength, Borderline or Concern, from the score as printed; 'split' where views "
            "are split, which gets no band because its average describes no one's view.",
        ],
        ["Codebook", "Every question: its id, wording and the meaning of each answer value."],
        [],
        *(
            [["Two versions of the questions", pooling]]
            if (pooling := pooling_note(definition, result))
            else []
        ),
        [
            "Sharing",
            "Every figure here passed the same anonymity rules as the forum report, so the "
            "workbook can be shared with partners' analysts. It holds no one's answers: the "
            "answers are a separate download for the facilitators alone, not to be shared.",
        ],
    ]
    for line in lines:
        sheet.append(spreadsheet_row(line))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A6"].font = sheet["B6"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100
