"""Chart images and a short slide deck of the summary, for forums that still present slides.

Both are drawn from the forum report's own context (``reports.forum.ForumReport``): the same
printed figures, through the same disclosure gate, as the PDF and the results pages. PNGs are
drawn from the SVGs by Cairo (cairosvg), so the two formats can never differ.
"""

import io
from dataclasses import dataclass

import cairosvg
from pptx import Presentation
from pptx.presentation import Presentation as Deck
from pptx.util import Inches, Pt

from reports import charts
from reports.forum import ForumReport, Highlight
from reports.sections import ConditionSection

PNG_WIDTH = 1720
"""Pixels across: sharp on a projector, small enough to e-mail."""


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    svg: str
    alt: str

    @property
    def png(self) -> bytes:
        drawn = cairosvg.svg2png(bytestring=self.svg.encode("utf-8"), output_width=PNG_WIDTH)
        assert isinstance(drawn, bytes)
        return drawn


def summary_chart(report: ForumReport) -> Chart:
    rows = [
        charts.ChartRow(
            row.title + (" (views split: no band)" if row.split else ""),
            row.score if not row.no_score_reason else "No score",
            row.fill,
        )
        for row in report.headline
    ]
    title = f"{report.meta.place}: the 12 conditions, score out of 5"
    return Chart("summary", title, charts.bar_chart(title, rows), _alt(title, rows))


def condition_chart(report: ForumReport, section: ConditionSection) -> Chart:
    rows = [
        charts.ChartRow(
            f"{row.label} ({row.people})" if row.people is not None else row.label,
            row.score if row.score else "–",
            charts.SEQUENCE[4] if row.whole_place else charts.SEQUENCE[2],
        )
        for row in section.comparison
    ]
    title = f"{section.title}: score out of 5 by sector"
    return Chart(section.condition_id, title, charts.bar_chart(title, rows), _alt(title, rows))


def charts_of(report: ForumReport) -> dict[str, Chart]:
    """Every chart a reader may download, by name: the summary and one per condition."""
    found = {"summary": summary_chart(report)}
    for section in report.conditions:
        found[section.condition_id] = condition_chart(report, section)
    return found


def _alt(title: str, rows: list[charts.ChartRow]) -> str:
    return f"{title}. " + "; ".join(f"{row.label}: {row.printed}" for row in rows) + "."


def _bullets(slide_title: str, lines: list[str], deck: Deck) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = slide_title
    body = slide.placeholders[1].text_frame
    body.clear()
    for number, line in enumerate(lines):
        paragraph = body.paragraphs[0] if number == 0 else body.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(16)


def _sentences(highlights: tuple[Highlight, ...], note: str | None, empty: str) -> list[str]:
    lines = [h.sentence for h in highlights] or [empty]
    return lines + ([note] if note else [])


def summary_deck(report: ForumReport) -> bytes:
    """Five slides: the title, the 12 conditions as a chart, strengths and priorities, where
    partners disagree, and how the figures were made."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    meta = report.meta
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = f"{meta.place}: {meta.round_title}"
    cover.placeholders[1].text = (
        f"Place-based working self-assessment · {meta.status_label} · {report.respondents} "
        f"people from {report.organisations} organisations · produced on {meta.produced_on}"
    )

    chart = summary_chart(report)
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "The 12 conditions for successful place-based working"
    picture = slide.shapes.add_picture(
        io.BytesIO(chart.png), Inches(0.6), Inches(1.4), height=Inches(5.8)
    )
    picture._element.nvPicPr.cNvPr.set("descr", chart.alt)

    _bullets(
        "Strengths and priorities",
        _sentences(report.strengths, report.strengths_note, "No condition is yet a clear strength.")
        + _sentences(
            report.priorities,
            report.priorities_note,
            "No condition combines a low score with high importance.",
        ),
        deck,
    )
    _bullets(
        "Where partners disagree",
        [f"{h.title}: {h.sentence}" for h in report.sector_gaps]
        + ([report.sector_gaps_note] if report.sector_gaps_note else [])
        + [f"{h.title}: {h.sentence}" for h in report.divided]
        or ["No two sectors are far apart, and no condition's views are split."],
        deck,
    )
    _bullets(
        "How the figures were made",
        [
            f"Placecheck scoring rules version {meta.rules_version}; every figure as printed in "
            "the forum report.",
            report.method.anonymity_rule,
            *([report.method.pooling_rule] if report.method.pooling_rule else []),
        ],
        deck,
    )
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
