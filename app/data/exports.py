"""A round's data out and back in: JSON that restores it exactly, CSV and XLSX to analyse it.

The JSON holds everything needed to rebuild the round in a place: the questionnaire snapshot
(checked against its hash on the way back in), organisations by name and sector, invitations
with their answers and link nonces (so links keep working with the same secret key), and what
the workshop recorded. Restoring it gives a round whose scores are identical.
"""

import csv
import io
import json
from datetime import date, datetime
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlmodel import Session, col, select

from app.core.csvfile import spreadsheet_row
from app.core.db import insert_rows
from app.core.fields import plain_text
from app.enums import ActionStatus, AnswerKind, InvitationStatus, RoundStatus
from app.invitations.service import invitations_of, invite, links_in_use
from app.models import (
    MAX_LEVEL,
    MAX_THRESHOLD,
    MIN_THRESHOLD,
    Action,
    ActionBase,
    Answer,
    AssessmentRound,
    ConditionAgreement,
    ConditionAgreementBase,
    EvidenceQuote,
    EvidenceQuoteBase,
    Invitation,
    InvitationBase,
    Organisation,
    Place,
    QuestionnaireSnapshot,
    utcnow,
)
from app.rounds.definitions import definition_of_round, snapshot_definition
from questionnaires.schema import Definition
from questionnaires.sectors import Sector
from scoring.anonymity import COMBINED
from scoring.rounding import hundredths, printed_or_none
from scoring.types import GroupScore, ScoreResult

FORMAT = "placecheck-round"
FORMAT_VERSION = 1


class ImportRefusedError(ValueError):
    """The file cannot be imported; the message says why."""


def _answers(session: Session, invitation_ids: list[int]) -> dict[int, list[Answer]]:
    grouped: dict[int, list[Answer]] = {i: [] for i in invitation_ids}
    for answer in session.exec(
        select(Answer).where(col(Answer.invitation_id).in_(invitation_ids)).order_by(col(Answer.id))
    ).all():
        grouped[answer.invitation_id].append(answer)
    return grouped


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_json(*, session: Session, assessment_round: AssessmentRound) -> dict[str, Any]:
    place = session.get(Place, assessment_round.place_id)
    snapshot = session.get(QuestionnaireSnapshot, assessment_round.questionnaire_hash)
    assert place is not None and snapshot is not None
    rows = invitations_of(session, assessment_round)
    answers = _answers(session, [i.id for i, _ in rows if i.id is not None])
    organisations = {o.id: o for _, o in rows}
    for organisation in session.exec(
        select(Organisation).where(Organisation.place_id == place.id)
    ).all():
        organisations.setdefault(organisation.id, organisation)
    names = {o.id: o.name for o in organisations.values()}
    answer_index = {
        a.id: (inv.id, a.item_id) for inv, _ in rows for a in answers.get(inv.id or 0, [])
    }
    quotes = session.exec(
        select(EvidenceQuote).where(EvidenceQuote.round_id == assessment_round.id)
    ).all()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "place": {"name": place.name, "slug": place.slug},
        "round": {
            "title": assessment_round.title,
            "status": assessment_round.status.value,
            "opens_on": _iso(assessment_round.opens_on),
            "closes_on": _iso(assessment_round.closes_on),
            "anonymity_threshold": assessment_round.anonymity_threshold,
            "created_at": _iso(assessment_round.created_at),
        },
        "questionnaire": {
            "content_hash": snapshot.content_hash,
            "definition": json.loads(snapshot.canonical_json),
        },
        "organisations": [
            {"name": o.name, "sector": o.sector.value}
            for o in sorted(organisations.values(), key=lambda o: o.name)
        ],
        "invitations": [
            {
                "key": invitation.id,
                "organisation": organisation.name,
                "role_title": invitation.role_title,
                "name": invitation.name,
                "email": invitation.email,
                "status": invitation.status.value,
                "link_nonce": invitation.link_nonce,
                "created_at": _iso(invitation.created_at),
                "submitted_at": _iso(invitation.submitted_at),
                "answers": [
                    {
                        "item_id": a.item_id,
                        "kind": a.kind.value,
                        "level": a.level,
                        "evidence": a.evidence,
                    }
                    for a in answers.get(invitation.id or 0, [])
                ],
            }
            for invitation, organisation in rows
        ],
        "agreements": [
            {
                "condition_id": a.condition_id,
                "agreed_level": a.agreed_level,
                "could_not_agree": a.could_not_agree,
                "rationale": a.rationale,
            }
            for a in session.exec(
                select(ConditionAgreement).where(ConditionAgreement.round_id == assessment_round.id)
            ).all()
        ],
        "actions": [
            {
                "description": a.description,
                "condition_id": a.condition_id,
                "recommendation_id": a.recommendation_id,
                "lead": names.get(a.lead_organisation_id),
                "due_on": _iso(a.due_on),
                "status": a.status.value,
            }
            for a in session.exec(
                select(Action)
                .where(Action.round_id == assessment_round.id)
                .order_by(col(Action.id))
            ).all()
        ],
        "quotes": [
            {
                "invitation": answer_index[q.answer_id][0],
                "item_id": answer_index[q.answer_id][1],
                "subject_id": q.subject_id,
                "text": q.text,
            }
            for q in quotes
            if q.answer_id in answer_index
        ],
    }


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AnswerRecord(Record):
    item_id: str = Field(min_length=1, max_length=120)
    kind: AnswerKind
    level: int | None = Field(default=None, ge=1, le=MAX_LEVEL)
    evidence: str | None = Field(default=None, max_length=4000)

    _plain_text = field_validator("evidence")(plain_text)

    @model_validator(mode="after")
    def _level_only_for_levels(self) -> "AnswerRecord":
        if (self.kind is AnswerKind.LEVEL) != (self.level is not None):
            raise ValueError("an answer has a level exactly when its kind is 'level'")
        return self


class InvitationRecord(InvitationBase):
    """An invitation with its answers: the form's fields and limits, and what the round held."""

    key: int | str | None = None
    organisation: str = Field(min_length=1, max_length=200)
    role_title: str = Field(default="Respondent", min_length=1, max_length=200)
    status: InvitationStatus
    link_nonce: str | None = Field(default=None, max_length=120)
    submitted_at: datetime | None = None
    answers: list[AnswerRecord] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _each_item_once(self) -> "InvitationRecord":
        items = [a.item_id for a in self.answers]
        if len(items) != len(set(items)):
            raise ValueError(f"invitation {self.key} answers the same question twice")
        return self


class OrganisationRecord(Record):
    name: str = Field(min_length=1, max_length=200)
    sector: Sector


class RoundRecord(Record):
    title: str = Field(default="Imported round", min_length=1, max_length=200)
    status: RoundStatus
    opens_on: date | None = None
    closes_on: date | None = None
    anonymity_threshold: int = Field(default=3, ge=MIN_THRESHOLD, le=MAX_THRESHOLD)
    created_at: datetime | None = None


class AgreementRecord(ConditionAgreementBase):
    condition_id: str = Field(min_length=1, max_length=120)


class ActionRecord(ActionBase):
    """An action with its lead named, not numbered: ids mean nothing in another database."""

    lead: str | None = Field(default=None, max_length=200)
    status: ActionStatus = ActionStatus.NOT_STARTED


class QuoteRecord(EvidenceQuoteBase):
    invitation: int | str | None = None
    item_id: str = Field(max_length=120)
    subject_id: str = Field(min_length=1, max_length=120)


class QuestionnaireRecord(Record):
    content_hash: str = Field(max_length=64)
    definition: dict[str, Any]


class RoundFile(Record):
    """A round export as it must be to come back in; the limits are the database's."""

    format: Literal["placecheck-round"]
    format_version: Literal[1]
    round: RoundRecord
    questionnaire: QuestionnaireRecord
    organisations: list[OrganisationRecord] = Field(max_length=500)
    invitations: list[InvitationRecord] = Field(max_length=20_000)
    agreements: list[AgreementRecord] = Field(default_factory=list, max_length=200)
    actions: list[ActionRecord] = Field(default_factory=list, max_length=2000)
    quotes: list[QuoteRecord] = Field(default_factory=list, max_length=5000)


def _problems(error: ValidationError) -> str:
    lines = [
        " › ".join(str(part + 1 if isinstance(part, int) else part) for part in e["loc"])
        + f": {e['msg'].removeprefix('Value error, ')}"
        for e in error.errors()
    ]
    more = f" (and {len(lines) - 3} more)" if len(lines) > 3 else ""
    return "; ".join(lines[:3]) + more


def read_round_file(data: bytes) -> RoundFile:
    """The uploaded file as a round export, or ImportRefusedError saying what is wrong."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ImportRefusedError("it is not JSON") from error
    if not isinstance(parsed, dict) or parsed.get("format") != FORMAT:
        raise ImportRefusedError("this is not a Placecheck round export (format placecheck-round)")
    try:
        return RoundFile.model_validate(parsed)
    except ValidationError as error:
        reason = f"the file has values Placecheck cannot store: {_problems(error)}"
        raise ImportRefusedError(reason) from error


def _checked(file: RoundFile) -> Definition:
    """Every cross-reference in the file, checked before anything is written."""
    try:
        definition = Definition.model_validate(file.questionnaire.definition)
    except ValueError as error:
        raise ImportRefusedError("the questionnaire in the file is not valid") from error
    if definition.content_hash != file.questionnaire.content_hash:
        raise ImportRefusedError("the questionnaire in the file does not match its hash")
    names = [o.name for o in file.organisations]
    if len(names) != len(set(names)):
        raise ImportRefusedError("an organisation is listed twice")
    items = definition.items_by_id
    for invitation in file.invitations:
        if invitation.organisation not in names:
            raise ImportRefusedError(
                f"invitation {invitation.key} names an organisation not in the file"
            )
        for answer in invitation.answers:
            item = items.get(answer.item_id)
            if item is None:
                raise ImportRefusedError(
                    f"an answer is to {answer.item_id!r}, which the questionnaire lacks"
                )
            if answer.level is not None and answer.level not in definition.scale(item.scale).values:
                raise ImportRefusedError(
                    f"an answer to {answer.item_id} has level {answer.level}, which its scale "
                    "does not have"
                )
    conditions = {c.id for c in definition.conditions}
    levels = set(definition.statement_scale.values)
    for agreement in file.agreements:
        if agreement.condition_id not in conditions:
            raise ImportRefusedError(
                f"an agreement is about {agreement.condition_id!r}, which the questionnaire lacks"
            )
        if (agreement.agreed_level is None) != agreement.could_not_agree or (
            agreement.agreed_level is not None and agreement.agreed_level not in levels
        ):
            raise ImportRefusedError(
                f"the agreement on {agreement.condition_id} needs one level of the scale, "
                "or could_not_agree"
            )
    return definition


def import_json(*, session: Session, place: Place, file: RoundFile, secret: str) -> AssessmentRound:
    """Rebuild a round in ``place``. Everything is checked before anything is written."""
    definition = _checked(file)
    sectors = {o.name: o.sector for o in file.organisations}
    round_data = file.round
    existing = {
        o.name: o
        for o in session.exec(select(Organisation).where(Organisation.place_id == place.id)).all()
    }
    assert place.id is not None
    for name, sector in sectors.items():
        if name not in existing:
            organisation = Organisation(place_id=place.id, name=name, sector=sector)
            session.add(organisation)
            existing[name] = organisation
    snapshot_definition(session=session, definition=definition)
    session.flush()
    assessment_round = AssessmentRound(
        place_id=place.id,
        title=round_data.title,
        questionnaire_hash=definition.content_hash,
        # A copy never arrives published: publishing it goes through the differencing check
        # against every version of the place's results, as any publication does.
        status=RoundStatus.CLOSED
        if round_data.status is RoundStatus.PUBLISHED
        else round_data.status,
        opens_on=round_data.opens_on,
        closes_on=round_data.closes_on,
        anonymity_threshold=round_data.anonymity_threshold,
        created_at=round_data.created_at or datetime.now().astimezone(),
    )
    session.add(assessment_round)
    session.flush()
    assert assessment_round.id is not None
    taken = links_in_use(
        session=session,
        secret=secret,
        nonces={d.link_nonce for d in file.invitations if d.link_nonce is not None},
    )
    created: list[tuple[InvitationRecord, Invitation]] = []
    for data_invitation in file.invitations:
        nonce = data_invitation.link_nonce
        if nonce in taken:
            nonce = None  # the original round still exists: the copy gets new links
        invitation, _ = invite(
            session=session,
            assessment_round=assessment_round,
            organisation=existing[data_invitation.organisation],
            invitee=data_invitation,
            secret=secret,
            nonce=nonce,
            flush=False,
        )
        invitation.status = data_invitation.status
        invitation.submitted_at = data_invitation.submitted_at
        created.append((data_invitation, invitation))
    session.flush()  # every invitation in one go: their ids, for their answers
    invitation_ids: dict[Any, int] = {}
    answer_rows: list[dict[str, Any]] = []
    now = utcnow()
    for data_invitation, invitation in created:
        assert invitation.id is not None
        invitation_ids[data_invitation.key] = invitation.id
        answer_rows.extend(
            {"invitation_id": invitation.id, "version": 1, "updated_at": now, **a.model_dump()}
            for a in data_invitation.answers
        )
    # One statement for every answer (executemany): a thousand respondents are seventy thousand
    # answers, and one round trip each took a minute.
    insert_rows(session, Answer, answer_rows)
    for agreement in file.agreements:
        session.add(ConditionAgreement(round_id=assessment_round.id, **agreement.model_dump()))
    for action in file.actions:
        lead = existing.get(action.lead or "")
        session.add(
            Action(
                round_id=assessment_round.id,
                lead_organisation_id=lead.id if lead else None,
                **action.model_dump(exclude={"lead", "lead_organisation_id"}),
            )
        )
    for quote in file.quotes:
        answer_id = session.exec(
            select(Answer.id).where(
                Answer.invitation_id == invitation_ids.get(quote.invitation),
                Answer.item_id == quote.item_id,
            )
        ).first()
        if answer_id is not None:
            session.add(
                EvidenceQuote(
                    round_id=assessment_round.id,
                    answer_id=answer_id,
                    subject_id=quote.subject_id,
                    text=quote.text,
                )
            )
    session.flush()
    return assessment_round


# --- tables for analysis ---------------------------------------------------------------------

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
    answers = _answers(session, [i.id for i, _ in rows if i.id is not None])
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
                _one_decimal(c.score),
                _one_decimal(c.score_headcount),
                c.band,
                c.respondents,
                _percent(c.spread.consensus),
                c.spread.split,
                _one_decimal(c.importance),
                None if c.priority is None else hundredths(c.priority) / 100,
                _percent(c.dont_know_share),
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
                _one_decimal(c.score),
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
                _one_decimal(c.score),
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
    _readme(readme, assessment_round, result)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HIDDEN_CELL = "Hidden"
COMBINED_CELL = "Combined"
MAX_COLUMN_WIDTH = 60


def _one_decimal(value: float | None) -> float | None:
    """Rounded as the reports print it, so a sum done in the sheet matches the report."""
    return printed_or_none(value)


def _percent(share: float | None) -> int | None:
    return None if share is None else hundredths(share)


def _group_cell(group: GroupScore | None) -> float | str | None:
    if group is None:
        return None
    if group.reason == COMBINED:
        return COMBINED_CELL
    if group.suppressed or group.score is None:
        return HIDDEN_CELL
    return _one_decimal(group.score)


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


def _readme(sheet: Worksheet, assessment_round: AssessmentRound, result: ScoreResult) -> None:
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
            f"Each condition by sector. '{HIDDEN_CELL}' where fewer than "
            f"{result.anonymity_threshold} people answered or where showing it would let a "
            f"smaller group's score be worked out; '{COMBINED_CELL}' where a small sector is "
            "shown together with others in the combined column.",
        ],
        ["Organisation scores", "Each condition by organisation, hidden as above."],
        ["Codebook", "Every question: its id, wording and the meaning of each answer value."],
        [],
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
