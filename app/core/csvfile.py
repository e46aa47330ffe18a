"""Spreadsheets in and out. Reading a CSV file for every upload: one set of limits, one set
of messages; writing cells for every CSV and XLSX download, so none of them runs a formula.

Each row comes back with its line number and its values trimmed, keyed by the lower-cased
header; blank rows are skipped. Problems with the file as a whole come back as sentences a
facilitator can act on, and nothing after a fatal problem is read.
"""

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_UPLOAD_BYTES = 20_000_000
"""No upload is read beyond this (and one byte more, to tell that a file was larger)."""
MAX_FIELD_CHARACTERS = 10_000
"""Longer than any cell a person types; a longer one is almost always a stray quote mark."""


@dataclass
class CsvTable:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_csv(
    data: bytes, *, columns: Sequence[str], required: Sequence[str], max_rows: int, max_bytes: int
) -> CsvTable:
    """The rows of an uploaded CSV file whose header must name ``required`` (of ``columns``)."""
    template = ",".join(columns)
    if not data.strip():
        return CsvTable(problems=[f"The file is empty. Use the template: {template}"])
    if len(data) > max_bytes:
        return CsvTable(
            problems=[f"The file is larger than {max_bytes / 1_000_000:g} MB. Split it up."]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return CsvTable(
            problems=[
                "The file is not UTF-8 text. In Excel, save it as 'CSV UTF-8 (comma delimited)'."
            ]
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    table = CsvTable()
    records = _records(text, table)
    header = next(records, None)
    headers = [h.strip().lower() for h in (header[1] if header else [])]
    missing = [c for c in required if c not in headers]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        table.problems.append(
            f"Line 1: the header row needs the column{plural} {', '.join(missing)} "
            f"(expected: {template})"
        )
        return table
    for line, cells in records:
        if len(table.rows) >= max_rows:
            table.problems.append(f"Line {line}: more than {max_rows:,} rows; split the file.")
            break
        values = {
            name: (cells[i] if i < len(cells) else "").strip() for i, name in enumerate(headers)
        }
        if any(values.values()):
            table.rows.append((line, values))
    return table


def _records(text: str, table: CsvTable) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each record; a malformed one ends the file with a problem."""
    reader = csv.reader(io.StringIO(text))
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            table.problems.append(f"Line {reader.line_num}: this is not valid CSV ({error}).")
            return
        if any(len(cell) > MAX_FIELD_CHARACTERS for cell in cells):
            table.problems.append(
                f"Line {line}: a cell is longer than {MAX_FIELD_CHARACTERS:,} characters; check "
                'for a quote mark (") that is not closed.'
            )
            return
        yield line, cells
        line = reader.line_num + 1


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NOT_IN_A_WORKBOOK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_row(row: Sequence[Any]) -> list[Any]:
    """Cells as a spreadsheet must show them, for every CSV and XLSX Placecheck writes: text a
    respondent typed never becomes a formula (a leading ' makes Excel, LibreOffice and Sheets
    read "=HYPERLINK(…)" as words), and loses the control characters a workbook cannot hold."""
    return [_cell(value) for value in row]


def _cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = _NOT_IN_A_WORKBOOK.sub("", value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
