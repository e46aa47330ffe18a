"""Answers from printed questionnaires, typed into a spreadsheet by the facilitator.

One row per answer: respondent (any label, e.g. P1), organisation, role, item_id, answer
(a level number, dont_know or not_applicable) and an optional comment. Every row is checked
against the questionnaire the round uses; any problem stops the whole import, listed by line.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.core.csvfile import MAX_UPLOAD_BYTES, read_csv
from app.core.fields import unstorable
from app.core.security.tokens import hash_token, new_token
from app.enums import AnswerKind, InvitationStatus
from app.models import Answer, AssessmentRound, Invitation, Organisation, utcnow
from app.responses.service import MAX_EVIDENCE
from questionnaires.schema import Definition, Item, OptOut
from questionnaires.sectors import Sector, in_sentence

COLUMNS = ("respondent", "organisation", "role", "item_id", "answer", "comment")
MAX_ROWS = 100_000
MAX_BYTES = MAX_UPLOAD_BYTES
TEMPLATE = ",".join(COLUMNS)


@dataclass
class PaperRespondent:
    label: str
    organisation: Organisation
    role: str
    answers: dict[str, tuple[AnswerKind, int | None, str | None]] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)

    @property
    def sheet_hash(self) -> str:
        """The same sheet typed in again (the same file imported twice) has the same digest."""
        sheet = [self.label, self.organisation.name, self.role, sorted(self.answers.items())]
        return hashlib.sha256(json.dumps(sheet, default=str).encode()).hexdigest()


def _asked(
    definition: Definition, sector: Sector, known: dict[Sector, dict[str, Item]]
) -> dict[str, Item]:
    """The items a sector is asked, by id, worked out once per sector of the file."""
    if sector not in known:
        known[sector] = {item.id: item for item in definition.items_for(sector)}
    return known[sector]


def parse_paper_answers(
    data: bytes, organisations: list[Organisation], definition: Definition
) -> tuple[list[PaperRespondent], list[str]]:
    table = read_csv(
        data, columns=COLUMNS, required=COLUMNS[:5], max_rows=MAX_ROWS, max_bytes=MAX_BYTES
    )
    by_name = {o.name.lower(): o for o in organisations}
    respondents: dict[str, PaperRespondent] = {}
    problems: list[str] = list(table.problems)
    seen: dict[tuple[str, str], int] = defaultdict(int)
    by_sector: dict[Sector, dict[str, Item]] = {}
    for line, values in table.rows:
        row_problems: list[str] = []
        label = values.get("respondent", "")
        organisation = by_name.get(values.get("organisation", "").lower())
        if not label:
            row_problems.append("the respondent label is empty")
        if organisation is None:
            row_problems.append(
                f"'{values.get('organisation', '')}' is not one of this place's organisations"
            )
        item_id = values.get("item_id", "")
        item = definition.items_by_id.get(item_id)
        # What this person was asked, in their sector's wording and scale: community members
        # answer a plain-language version, without some statements and on an agreement scale.
        asked = _asked(definition, organisation.sector, by_sector) if organisation else {}
        not_asked = organisation is not None and item is not None and item_id not in asked
        item = asked.get(item_id, item)
        answer = values.get("answer", "").lower().replace(" ", "_").replace("'", "")
        kind: AnswerKind | None = None
        level: int | None = None
        if item is None:
            row_problems.append(f"'{item_id}' is not a question in this round's questionnaire")
        elif not_asked and organisation is not None:
            row_problems.append(
                f"{item_id} is not asked of {in_sentence(organisation.sector.label)}"
            )
        else:
            scale = definition.scale(item.scale)
            if answer.isdigit() and int(answer) in scale.values:
                kind, level = AnswerKind.LEVEL, int(answer)
            elif answer in {o.value for o in scale.opt_outs}:
                kind = AnswerKind(OptOut(answer).value)
            else:
                allowed = ", ".join(
                    [str(v) for v in scale.values] + [o.value for o in scale.opt_outs]
                )
                row_problems.append(
                    f"the answer '{values.get('answer', '')}' is not one of {allowed}"
                )
        seen[(label, item_id)] += 1
        if unstorable("".join(values.values())):
            row_problems.append("a cell has a character that cannot be stored; remove it")
        if len(values.get("comment", "")) > MAX_EVIDENCE:
            row_problems.append(
                f"the comment is longer than {MAX_EVIDENCE:,} characters; shorten it"
            )
        if seen[(label, item_id)] > 1:
            row_problems.append(f"{label} already has an answer to {item_id}")
        existing = respondents.get(label)
        if (
            existing is not None
            and organisation is not None
            and existing.organisation.id != organisation.id
        ):
            row_problems.append(f"{label} was given a different organisation on an earlier line")
        if row_problems:
            problems.append(f"Line {line}: " + "; ".join(row_problems))
            continue
        assert organisation is not None and kind is not None
        respondent = respondents.setdefault(
            label, PaperRespondent(label, organisation, values.get("role") or "Paper respondent")
        )
        respondent.answers[item_id] = (kind, level, values.get("comment") or None)
        respondent.lines.append(line)
    if not respondents and not problems:
        problems.append("The file has a header row but no answers.")
    return (list(respondents.values()) if not problems else []), problems


def already_imported(
    *, session: Session, assessment_round: AssessmentRound, respondents: list[PaperRespondent]
) -> list[str]:
    """The sheets in this file that are already in the round, one problem each."""
    stored = set(
        session.exec(
            select(Invitation.paper_sheet_hash).where(
                Invitation.round_id == assessment_round.id,
                col(Invitation.paper_sheet_hash).is_not(None),
            )
        ).all()
    )
    return [
        f"Lines {respondent.lines[0]} to {respondent.lines[-1]}: {respondent.label}'s answers "
        "were imported before; remove them from the file"
        for respondent in respondents
        if respondent.sheet_hash in stored
    ]


def store_paper_answers(
    *, session: Session, assessment_round: AssessmentRound, respondents: list[PaperRespondent]
) -> int:
    """Each paper respondent becomes a submitted response with no link. The database refuses a
    sheet already stored (two imports of one file at the same moment), so nothing doubles."""
    assert assessment_round.id is not None
    for respondent in respondents:
        assert respondent.organisation.id is not None
        invitation = Invitation(
            round_id=assessment_round.id,
            organisation_id=respondent.organisation.id,
            role_title=respondent.role[:200],
            token_hash=hash_token(new_token()),
            status=InvitationStatus.SUBMITTED,
            submitted_at=utcnow(),
            paper_sheet_hash=respondent.sheet_hash,
        )
        session.add(invitation)
        session.flush()
        assert invitation.id is not None
        for item_id, (kind, level, comment) in respondent.answers.items():
            session.add(
                Answer(
                    invitation_id=invitation.id,
                    item_id=item_id,
                    kind=kind,
                    level=level,
                    evidence=comment,
                )
            )
    return len(respondents)
