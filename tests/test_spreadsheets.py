"""What Placecheck writes into spreadsheets never runs as a formula or breaks a workbook."""

import pytest

from app.core.csvfile import spreadsheet_row


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
