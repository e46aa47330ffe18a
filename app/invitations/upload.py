"""Invitations from a spreadsheet: every row checked with the same model as the form, every bad
row reported by its line number, and nothing imported unless every row is good."""

from dataclasses import dataclass

from pydantic import Field, ValidationError, ValidationInfo, field_validator

from app.core.csvfile import read_csv
from app.core.validation import cleaned, field_messages
from app.models import InvitationBase, Organisation

MAX_BYTES = 1_000_000
MAX_ROWS = 2000
COLUMNS = ("organisation", "role", "name", "email")


class InvitationRow(InvitationBase):
    """One row of the file: the form's fields, with the organisation given by name."""

    organisation: str = Field(min_length=1, max_length=200, title="the organisation")

    @field_validator("organisation")
    @classmethod
    def _partner_of_the_place(cls, name: str, info: ValidationInfo) -> str:
        known: dict[str, Organisation] = (info.context or {}).get("organisations", {})
        if name.lower() not in known:
            names = ", ".join(sorted(o.name for o in known.values())) or "none yet"
            raise ValueError(f"'{name}' is not one of this place's organisations ({names})")
        return name


@dataclass(frozen=True)
class Invitee:
    line: int
    organisation: Organisation
    details: InvitationRow


@dataclass(frozen=True)
class CsvResult:
    rows: list[Invitee]
    problems: list[str]


def parse_invitations(data: bytes, organisations: list[Organisation]) -> CsvResult:
    table = read_csv(
        data, columns=COLUMNS, required=COLUMNS[:2], max_rows=MAX_ROWS, max_bytes=MAX_BYTES
    )
    by_name = {o.name.strip().lower(): o for o in organisations}
    rows: list[Invitee] = []
    problems = list(table.problems)
    for line, values in table.rows:
        values["role_title"] = values.pop("role", "")
        try:
            row = InvitationRow.model_validate(cleaned(values), context={"organisations": by_name})
        except ValidationError as error:
            messages = field_messages(InvitationRow, error).values()
            problems.append(f"Line {line}: " + "; ".join(messages))
            continue
        rows.append(Invitee(line, by_name[row.organisation.lower()], row))
    if not rows and not problems:
        problems.append("The file has a header row but no invitations.")
    return CsvResult(rows if not problems else [], problems)
