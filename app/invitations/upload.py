"""Invitations from a spreadsheet: every row checked, every bad row reported by its line number,
and nothing imported unless every row is good."""

import csv
import io
import re
from dataclasses import dataclass

from app.models import Organisation

MAX_BYTES = 1_000_000
MAX_ROWS = 2000
REQUIRED = ("organisation", "role")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TEMPLATE = "organisation,role,name,email\n"


@dataclass(frozen=True)
class InvitationRow:
    line: int
    organisation: Organisation
    role: str
    name: str | None
    email: str | None


@dataclass(frozen=True)
class CsvResult:
    rows: list[InvitationRow]
    problems: list[str]


def parse_invitations(data: bytes, organisations: list[Organisation]) -> CsvResult:
    if not data.strip():
        return CsvResult([], ["The file is empty. Use the template: " + TEMPLATE.strip()])
    if len(data) > MAX_BYTES:
        return CsvResult([], ["The file is larger than 1 MB. Split it into smaller files."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return CsvResult(
            [], ["The file is not UTF-8 text. In Excel, save it as 'CSV UTF-8 (comma delimited)'."]
        )
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        return CsvResult(
            [],
            [
                f"Line 1: the header row needs the column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} (expected: {TEMPLATE.strip()})"
            ],
        )
    reader.fieldnames = headers
    by_name = {o.name.strip().lower(): o for o in organisations}
    rows: list[InvitationRow] = []
    problems: list[str] = []
    for record in reader:
        line = reader.line_num
        if len(rows) + len(problems) >= MAX_ROWS:
            problems.append(f"Line {line}: more than {MAX_ROWS} rows; split the file.")
            break
        values = {k: (v or "").strip() for k, v in record.items() if isinstance(k, str)}
        if not any(values.values()):
            continue
        organisation = by_name.get(values.get("organisation", "").lower())
        row_problems = []
        if organisation is None:
            known = ", ".join(sorted(o.name for o in organisations)) or "none yet"
            row_problems.append(
                f"'{values.get('organisation', '')}' is not one of this place's organisations "
                f"({known})"
            )
        if not values.get("role"):
            row_problems.append("the role is empty")
        elif len(values["role"]) > 200:
            row_problems.append("the role is longer than 200 characters")
        email = values.get("email") or None
        if email and not EMAIL.match(email):
            row_problems.append(f"'{email}' is not an e-mail address")
        if row_problems:
            problems.append(f"Line {line}: " + "; ".join(row_problems))
            continue
        assert organisation is not None
        rows.append(
            InvitationRow(line, organisation, values["role"], values.get("name") or None, email)
        )
    if not rows and not problems:
        problems.append("The file has a header row but no invitations.")
    return CsvResult(rows if not problems else [], problems)
