"""Report contexts to HTML, with the fonts and running-header strings every report needs."""

from dataclasses import dataclass
from typing import Any

from reports.assets import font_url
from reports.kinds import ReportKind
from reports.templating import environment

FONTS = {
    "regular": font_url("Regular"),
    "bold": font_url("Bold"),
    "italic": font_url("Italic"),
    "bold_italic": font_url("BoldItalic"),
}


@dataclass(frozen=True)
class RunningStrings:
    """What the page margins repeat: place, round, kind of report, and a footer that says
    which rules (or which questionnaire version) produced it."""

    place: str
    round: str
    kind: str
    footer: str


def render_report_html(kind: ReportKind | str, strings: RunningStrings, **context: Any) -> str:
    """A place's report by its kind, or the network's ("network"), which is of no round."""
    name = kind.value if isinstance(kind, ReportKind) else kind
    template = environment.get_template(f"reports/{name}.html")
    return template.render(fonts=FONTS, strings=strings, **context)
