"""The comparison picture, the summary's account of where partners disagree, and a print
layout whose pages each carry content, read back from the demo place's PDFs."""

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from weasyprint.formatting_structure import boxes

from questionnaires.registry import Registry
from questionnaires.sectors import Sector
from reports import charts
from reports.facts import OrganisationFacts, RoundFacts
from reports.forum import partners_changed
from reports.kinds import ReportKind
from reports.pdf.renderer import report_document
from tests.support.reports import Rendered

GAP_ROW = re.compile(
    r"^(?P<label>[A-Za-z ,']+?) (?P<people>\d+) (?P<score>\d\.\d) (?P<gap>[+-]\d\.\d|0\.0)$"
)


RUNNING = re.compile(
    r"^(Kestrel Vale · .+|.+, (spring|autumn) 20\d\d|Placecheck · .+|Page \d+ of \d+)$"
)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_condition_page_compares_each_sector_with_the_place_by_the_printed_numbers(
    render,  # type: ignore[no-untyped-def]
) -> None:
    rendered: Rendered = render(ReportKind.FORUM)
    condition_pages = [page for page in rendered.pages if "How each sector sees it" in page]
    assert len(condition_pages) == 12
    for page in condition_pages:
        lines = page.splitlines()
        place = next(line for line in lines if line.startswith("All partners ")).split()[-1]
        rows = [m for line in lines if (m := GAP_ROW.match(line.strip()))]
        if place == "–":  # no score for the place: nothing to subtract from
            assert not rows
            continue
        place_score = Decimal(place)
        assert len(rows) >= 4, page[:200]
        for row in rows:
            assert Decimal(row["score"]) - place_score == Decimal(row["gap"]), row.group(0)


def test_a_two_person_sector_is_shown_combined_and_the_community_voice_kept(
    render,  # type: ignore[no-untyped-def]
) -> None:
    """Fire and rescue (2 people) joins housing in a labelled combined column instead of
    hiding the community members' column as its complement, and the key says so."""
    rendered: Rendered = render(ReportKind.FORUM)
    page = next(_flat(p) for p in rendered.pages if "Condition 1:" in p and "sees it" in p)
    assert "Fire and rescue 2 Combined In the combined row" in page
    assert "Housing 3 Combined In the combined row" in page
    assert re.search(
        r"Community member or lived experience \(plain- ?language\) 3 \d\.\d [+-]?\d\.\d",
        page,
    )
    assert re.search(r"Combined: fire and rescue and housing 5 \d\.\d", page)

    heatmap = next(
        _flat(p) for p in rendered.pages if p.startswith("How each sector sees the conditions")
    )
    assert "Combined: a sector with fewer than 3 people is not shown on its own" in heatmap
    co_production = re.search(
        r"Co-production with local people with lived experience ([^A-Z]+)", heatmap
    )
    assert co_production and "Hidden" not in co_production[1]


def test_the_summary_names_the_widest_gap_between_sectors_with_its_numbers(render) -> None:  # type: ignore[no-untyped-def]
    summary = next(
        _flat(p) for p in render(ReportKind.FORUM).pages if "Where partners disagree" in p
    )
    gap = re.search(
        r"Shared outcomes and mutual accountability\. Local authority (\d\.\d), "
        r"NHS provider (\d\.\d): a gap of (\d\.\d)\.",
        summary,
    )
    assert gap, "the biggest split in the demo is named on the summary page"
    assert Decimal(gap[1]) - Decimal(gap[2]) == Decimal(gap[3])
    assert "Least agreement among all partners" in summary


def test_the_workshop_pack_carries_the_same_summary(render) -> None:  # type: ignore[no-untyped-def]
    assert "Where partners disagree" in render(ReportKind.WORKSHOP).text


def test_no_page_holds_only_a_box_or_a_heading(render, demo_place) -> None:  # type: ignore[no-untyped-def]
    nhs = demo_place.organisation_id("Integrated Care Board")
    for kind, options in (
        (ReportKind.FORUM, {}),
        (ReportKind.WORKSHOP, {}),
        (ReportKind.PARTNER, {"organisation_id": nhs}),
    ):
        for number, page in enumerate(render(kind, **options).pages[1:], start=2):
            # The running header and footer aside, a page carries more than a heading, a case
            # study or the tail of a paragraph.
            content = [
                line for line in page.splitlines() if line.strip() and not RUNNING.match(line)
            ]
            assert len(content) >= 6, f"{kind} page {number} holds only: {content}"
            assert not content[0].startswith("From elsewhere:") or len(content) > 6


def test_each_case_study_is_printed_once_and_later_pages_refer_back(render) -> None:  # type: ignore[no-untyped-def]
    text = _flat(render(ReportKind.FORUM).text)
    definition = Registry().get("trusting-place")
    printed = 0
    for case in definition.case_studies:
        opening = _flat(case.summary)[:60]
        assert text.count(opening) <= 1, case.title
        printed += text.count(opening)
    assert printed >= 5
    references = re.findall(r"From elsewhere: ([^,]+), printed with condition (\d+)\.", text)
    assert references
    assert ").From elsewhere" not in text  # a sentence of its own after the recommendations
    for title, number in references:
        printed_at = text.index(f"From elsewhere: {title}")
        condition_heading = text.rfind(f"Condition {number}:", 0, printed_at)
        assert condition_heading != -1, title
        assert f"Condition {int(number) + 1}:" not in text[condition_heading:printed_at], title


def test_a_sectors_dot_sits_where_its_score_is_and_the_place_is_a_diamond() -> None:
    sector = charts.comparison_dot(4.6, 2.8)
    place = charts.comparison_dot(2.8, 2.8, whole_place=True)
    hidden = charts.comparison_dot(None, 2.8)

    assert 'cx="175.2"' in sector  # 4.6 on a 1–5 axis drawn from 6 to 194: 6 + 3.6 / 4 × 188
    assert "<path" in place and "<circle" not in place
    assert "<circle" not in hidden and "stroke-dasharray" in hidden


def test_the_recording_sheet_shows_the_levels_already_agreed_and_leaves_room_to_write(
    render,  # type: ignore[no-untyped-def]
) -> None:
    rendered: Rendered = render(ReportKind.WORKSHOP)
    sheet = next(_flat(p) for p in rendered.pages if "Recording sheet" in p)
    assert "Strong leadership (4.2) 1 2 3 4 5 Could not agree Recorded: 4 – Established" in sheet
    assert "Recorded: The forum could not agree a level" in sheet
    recording = rendered.html[rendered.html.index('id="recording"') :]
    recording = recording[: recording.index("</section>")]
    assert recording.count('class="box filled"') == 5
    assert recording.count('class="why"') == 12


def test_the_workshop_pack_compares_sectors_on_each_discussion_page(render) -> None:  # type: ignore[no-untyped-def]
    """Each discussion is a spread: the evidence on one page, the next level up, what the
    report recommends and room for notes on the next."""
    pages = render(ReportKind.WORKSHOP).pages
    evidence = [p for p in pages if p.startswith("Discuss:") and "(continued)" not in p]
    work = [p for p in pages if p.startswith("Discuss:") and "(continued)" in p]
    assert evidence and len(work) == len(evidence)
    assert all("How each sector sees it" in page for page in evidence)
    assert all("What the next level looks like" in page for page in work)
    assert all("What Trusting place recommends here" in _flat(page) for page in work)


def test_the_partner_report_says_where_the_organisation_differs_most(render, demo_place) -> None:  # type: ignore[no-untyped-def]
    nhs = demo_place.organisation_id("Integrated Care Board")
    flat = _flat(render(ReportKind.PARTNER, organisation_id=nhs).text)
    assert "differs most from the place" in flat
    found = re.findall(
        r"([A-Z][a-z ,-]+): NHS Kestrel and Fenmoor Integrated Care Board (\d\.\d), all partners "
        r"(\d\.\d): (higher|lower) by (\d\.\d)\.",
        flat,
    )
    assert found, "the NHS sees shared outcomes far lower than the place"
    gaps = [Decimal(gap) for *_, gap in found]
    assert all(gap >= Decimal("1.0") for gap in gaps), "only differences worth a conversation"
    assert gaps == sorted(gaps, reverse=True)
    assert found[0][0].strip() == "Shared outcomes and mutual accountability"
    for _, own, place, direction, gap in found:
        assert abs(Decimal(own) - Decimal(place)) == Decimal(gap)
        assert (Decimal(own) > Decimal(place)) == (direction == "higher")


def _contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@given(
    counts=st.dictionaries(st.integers(1, 5), st.integers(0, 40), max_size=5),
    dont_know=st.integers(1, 40),
)
def test_the_dont_know_hatching_stays_inside_its_segment(
    counts: dict[int, int], dont_know: int
) -> None:
    """The stripes are worked out, not clipped: every end must lie inside the segment."""
    svg = charts.stacked_distribution(counts, 5, dont_know)
    segment = re.findall(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"', svg
    )[-1]
    x0, y0, width, height = map(float, segment)
    (path,) = re.findall(r'<path d="([^"]+)" fill="none" stroke="#0b0c0c"', svg) or [""]
    ends = [tuple(map(float, e)) for e in re.findall(r"[ML]([\d.]+) ([\d.]+)", path)]
    assert ends or width < 3, "a segment wide enough to see shows stripes"
    for x, y in ends:
        assert x0 - 0.01 <= x <= x0 + width + 0.01 and y0 - 0.01 <= y <= y0 + height + 0.01


def test_every_shaded_cell_writes_its_number_at_4_5_to_1_or_more() -> None:
    for fill in charts.SEQUENCE:
        assert _contrast(fill, charts.text_colour_on(fill)) >= 4.5, fill


def test_each_agenda_item_says_why_it_is_there(render) -> None:  # type: ignore[no-untyped-def]
    """Split views, a condition nobody could score and the top priorities each get a turn, so
    the lowest-scoring important conditions are not squeezed out by disagreement alone."""
    agenda = next(_flat(p) for p in render(ReportKind.WORKSHOP).pages if "Suggested agenda" in p)
    assert "Views split (consensus" in agenda
    assert "No score: most answers were 'don't know'" in agenda
    priority = re.search(
        r"Discuss: Coordination role A priority: it scores (\d\.\d) out of 5, and partners rate "
        r"its importance (\d\.\d) out of 4",
        agenda,
    )
    assert priority, "the top priority has its own discussion"
    assert re.search(r"\d:\d\d 10 Break", agenda), "a long workshop has a break"
    total = re.search(r"Suggested agenda \((\d+) minutes\)", agenda)
    assert total and int(total[1]) == sum(int(m) for m in re.findall(r"\d:\d\d (\d+) ", agenda))


def test_the_change_table_warns_when_different_partners_answered_the_two_rounds() -> None:
    def facts(*answered: str, previous: tuple[str, ...]) -> RoundFacts:
        return RoundFacts(
            place="Kestrel Vale",
            title="Autumn",
            status="Closed",
            interim=False,
            opens_on=None,
            closes_on=None,
            produced_on=date(2026, 11, 30),
            organisations=tuple(
                OrganisationFacts(n, name, Sector.POLICE, 3, 3 if name in answered else 0)
                for n, name in enumerate(["Council", "ICB", "Police", "Homes"], start=1)
            ),
            previous_title="Spring",
            previous_partners=previous,
        )

    same = facts("Council", "ICB", previous=("Council", "ICB"))
    fewer = facts("Council", "ICB", previous=("Council", "Homes", "ICB", "Police"))

    assert partners_changed(same) == ()
    assert partners_changed(fewer) == (
        "2 partner organisations answered this time, against 4 at Spring: some of the change "
        "may come from who answered rather than from the place.",
        "Answered only last time: Homes and Police.",
    )


def test_the_sector_table_colours_each_score_by_its_band(render) -> None:  # type: ignore[no-untyped-def]
    """Concern and Borderline never share a colour: every sector's cell takes its band's
    colour, the bands read here from the rules file by hand, and three bands have three."""
    rules = yaml.safe_load(Path("scoring/rules.yaml").read_text(encoding="utf-8"))
    table = render(ReportKind.FORUM).html.split('<table class="heatmap">')[1].split("</table>")[0]
    cells = re.findall(r'<td class="" style="background: (#\w+);[^>]*>(\d\.\d)</td>', table)
    fills_of_band: dict[str, set[str]] = {}
    for fill, score in cells:
        band = next(b["id"] for b in rules["bands"] if Decimal(score) >= Decimal(str(b["minimum"])))
        fills_of_band.setdefault(band, set()).add(fill)

    assert set(fills_of_band) == {b["id"] for b in rules["bands"]}
    assert all(len(fills) == 1 for fills in fills_of_band.values()), fills_of_band
    assert len(set.union(*fills_of_band.values())) == len(rules["bands"])


@pytest.mark.parametrize("variant", [None, "plain-language"])
def test_no_printable_questionnaire_page_ends_with_a_heading_and_no_question(
    render,  # type: ignore[no-untyped-def]
    variant: str | None,
) -> None:
    definition = Registry().get("trusting-place")
    headings = {c.title for c in definition.conditions}
    headings |= {c.plain_title for c in definition.conditions if c.plain_title}
    headings |= {r.numbered_title for r in definition.recommendations}
    question = re.compile(r"^(\d+\. |[a-z-]+\.(\d|importance)|R\d+)")
    options = {} if variant is None else {"variant": variant}
    for number, page in enumerate(render(ReportKind.QUESTIONNAIRE, **options).pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        last_heading = max((at for at, line in enumerate(lines) if line in headings), default=None)
        if last_heading is not None:
            after = lines[last_heading + 1 :]
            assert any(question.match(line) for line in after), (
                f"page {number} ends with the heading {lines[last_heading]!r} and no question"
            )


def _text_outside_its_cell(box: boxes.Box, cell: boxes.TableCellBox | None = None) -> Iterator[str]:
    """Each piece of text that runs past its table cell's padding into a neighbour's column."""
    if isinstance(box, boxes.TableCellBox):
        cell = box
    if cell is not None and isinstance(box, boxes.TextBox):
        left = cell.border_box_x() + cell.border_left_width
        right = left + cell.padding_width()
        if box.position_x < left - 0.5 or box.position_x + box.width > right + 0.5:
            yield box.text
    for child in getattr(box, "children", ()):
        yield from _text_outside_its_cell(child, cell)


@pytest.mark.parametrize("kind", [ReportKind.FORUM, ReportKind.WORKSHOP])
def test_no_table_text_runs_into_the_next_column_even_with_three_digit_counts(
    demo_place,  # type: ignore[no-untyped-def]
    kind: ReportKind,
) -> None:
    """The tables whose columns are known have fixed widths (the renderer then lays each cell
    out once): every count must still fit its column, even in a place where over a hundred
    people chose one level."""
    html = re.sub(
        r'<td class="num">\d{1,2}</td>', '<td class="num">188</td>', demo_place.html(kind).html
    )
    assert html.count('<td class="num">188</td>') > 100
    document = report_document(html).render()
    outside = [text for page in document.pages for text in _text_outside_its_cell(page._page_box)]
    assert outside == []
