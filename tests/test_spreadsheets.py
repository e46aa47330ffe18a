"""What Placecheck writes into spreadsheets never runs as a formula or breaks a workbook."""

import pytest

from app.core.csvfile import CsvTable, read_csv, spreadsheet_row


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("A fair point = well made", "A fair point = well made"),
        ("Bell\x07 and\x00 nul", "Bell and nul"),
        ("Línea uno\nlínea dos", "Línea uno\nlínea dos"),
    ],
)
def test_text_is_written_as_text(typed: str, written: str) -> None:
    assert spreadsheet_row([typed]) == [written]


def test_numbers_and_empty_cells_are_left_as_they_are() -> None:
    assert spreadsheet_row([3, -1, 2.5, None, ""]) == [3, -1, 2.5, None, ""]


def _read(data: bytes) -> CsvTable:
    return read_csv(
        data,
        columns=("organisation", "role"),
        required=("organisation", "role"),
        max_rows=10,
        max_bytes=1_000_000,
    )


def test_a_file_saved_with_old_mac_line_endings_is_read_line_by_line() -> None:
    table = _read(b"organisation,role\rCouncil,Director\rPolice,Inspector\r")

    assert table.problems == []
    assert [values["role"] for _, values in table.rows] == ["Director", "Inspector"]


def test_a_quote_mark_left_open_is_reported_instead_of_swallowing_the_file() -> None:
    rows = b"".join(b"Council,Officer %d\n" % n for n in range(5000))
    table = _read(b'organisation,role\nCouncil,"Director\n' + rows)

    assert table.rows == []
    assert len(table.problems) == 1
    assert table.problems[0].startswith("Line 2: a cell is longer than 10,000 characters")


def test_more_rows_than_allowed_are_refused_with_the_line_number() -> None:
    table = _read(b"organisation,role\n" + b"Council,Officer\n" * 11)

    assert table.problems == ["Line 12: more than 10 rows; split the file."]
