"""The forum report of the demo place, read back from the PDF."""

import base64
import io
import re
from collections.abc import Callable

import pypdf

from app.demo.workshop import ACTIONS
from questionnaires.registry import Registry
from reports.kinds import ReportKind
from tests.support.reports import Rendered

DEFINITION = Registry().get("trusting-place")
Render = Callable[..., Rendered]


def test_every_section_and_condition_is_in_the_forum_report(render: Render) -> None:
    text = render(ReportKind.FORUM).text
    for heading in [
        "Contents",
        "Summary",
        "How each sector sees the conditions",
        "Recommendations 1 to 9: where the place stands",
        "What central government should do",
        "What the LGA should do",
        "What the forum agreed",
        "Action plan",
        "Change since the previous round",
        "Method",
        "Responses by sector",
    ]:
        assert heading in text, heading
    flat = " ".join(text.split())
    for number, condition in enumerate(DEFINITION.conditions, start=1):
        assert f"Condition {number}: {condition.title}" in flat


def test_every_page_is_numbered_and_carries_the_rules_version(render: Render) -> None:
    pages = render(ReportKind.FORUM).pages
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Placecheck · scoring rules 1.4" in page
    assert "Scoring rules version 1.4" in pages[0]


def test_contents_page_numbers_point_at_their_sections(render: Render) -> None:
    pages = render(ReportKind.FORUM).pages
    contents = next(page for page in pages if page.startswith("Contents"))
    listed = contents.split("Section Page\n", 1)[1].split("\nKestrel Vale · ", 1)[0]
    entries = re.findall(r"^(.+?) (\d+)$", listed, flags=re.MULTILINE)
    assert len(entries) >= 20
    for title, page_number in entries:
        target = " ".join(pages[int(page_number) - 1].split())
        assert title.strip(" .") in target, (title, page_number)


def test_a_sector_below_the_threshold_never_appears_with_a_score(render: Render) -> None:
    rendered = render(ReportKind.FORUM)
    # Fire and rescue answered with two people (k = 3): wherever it is named, no score follows.
    flat = " ".join(rendered.text.split())
    assert "Fire and rescue" in flat
    assert not re.search(r"Fire and rescue \d\.\d", flat)
    assert re.search(r"Fire and rescue (\d+ (people )?)?(Hidden|Combined)", flat)
    # The heatmap's fire column is hidden in every row, in the HTML that became the PDF.
    rows = re.findall(r'<tr>\s*<th scope="row" class="row">.*?</tr>', rendered.html, re.S)
    assert len(rows) == 12
    headers = re.findall(r'<th scope="col">(.*?)<br>', rendered.html)
    fire = headers.index("Fire and rescue")
    for row in rows:
        cells = re.findall(r'<td class="([^"]*)"[^>]*>([^<]*)</td>', row)[1:]
        assert cells[fire] in {("hidden", "Hidden"), ("hidden", "Combined"), ("", "")}, cells[fire]
    # Charts carry no labels at all: nothing in them can name a group.
    for uri in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', rendered.html):
        assert b"<text" not in base64.b64decode(uri)


def test_the_forum_report_shows_what_the_workshop_recorded(render: Render) -> None:
    flat = " ".join(render(ReportKind.FORUM).text.split())
    assert "The forum could not agree a level." in flat
    assert "4 – Established" in flat
    for description, *_ in ACTIONS:
        assert " ".join(description.split()[:6]) in flat
    assert "In partners' words" in flat
    assert "Improved" in flat  # change since the previous round


def test_fonts_are_embedded_and_the_pdf_is_tagged(render: Render) -> None:
    reader = pypdf.PdfReader(io.BytesIO(render(ReportKind.FORUM).pdf))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts and fonts <= {"Lato", "Lato-Bold", "Lato-Italic", "Lato-BoldItalic"}
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
