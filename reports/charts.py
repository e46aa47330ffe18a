"""Charts as pure functions: numbers in, a small SVG document out.

The report's charts carry no text. Every label and number sits beside them in the HTML table
that holds them, where it can be read, searched, copied, tagged for screen readers and extracted
from the PDF. Only ``bar_chart``, drawn for slides and downloads where no table stands beside
it, writes its labels and figures into the picture (as printed, from the report's own rows).
Keeping text out also keeps rendering fast: WeasyPrint spends most of its time on SVG text,
and an SVG embedded as an ``<img>`` data URI skips the CSS cascade altogether.

The palette is a single-hue sequence (ColorBrewer 'Blues') whose lightness rises with the
level, so it survives colour-blindness and greyscale printing; every shape has a dark outline
so that light fills still stand out from the paper (WCAG 1.4.11, 3:1 for graphics).

Every score is rounded as it is printed before it becomes a position (``scoring.rounding``):
a chart holds no more precision than the table beside it, so no image can be measured to
recover what the table rounds away.
"""

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from scoring.rounding import printed, printed_or_none, tenths

INK = "#0b0c0c"
GRID = "#b1b4b6"
# Lightest to darkest; level 1 of a five-level scale takes the first colour.
SEQUENCE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
HATCH_STEP = 5.6
"""Horizontal distance between the don't-know segment's diagonal stripes."""


def level_colour(level: int, levels: int) -> str:
    """The colour of ``level`` on a scale of ``levels`` levels, spread over the sequence."""
    if levels <= 1:
        return SEQUENCE[-1]
    index = round((level - 1) * (len(SEQUENCE) - 1) / (levels - 1))
    return SEQUENCE[max(0, min(len(SEQUENCE) - 1, index))]


def score_colour(score: float, minimum: float = 1.0, maximum: float = 5.0) -> str:
    """Colour of a mean score as printed: the nearest level's colour, halves going up."""
    levels = round(maximum - minimum) + 1
    above_minimum = tenths(score) - tenths(minimum)  # in tenths, exact
    return level_colour((above_minimum + 5) // 10 + 1, levels)


def text_colour_on(fill: str) -> str:
    """Black or white, whichever meets WCAG's 4.5:1 on ``fill``: only the darkest blue takes
    white (8.4:1); on the next one black reads at 5.1:1 where white would manage only 4.1:1."""
    return "#ffffff" if fill == SEQUENCE[-1] else INK


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _svg(width: float, height: float, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}">{body}</svg>'
    )


def _hatched(x0: float, y0: float, width: float, height: float) -> str:
    """A white rectangle crossed by diagonal ink stripes, the stripes worked out as one path
    that stays inside it. An SVG ``<pattern>`` would draw the same, but the renderer makes each
    one a pattern and a form object of its own: 80 of each in a forum report."""
    x1, y1 = x0 + width, y0 + height
    stripes = []
    # each stripe is the line x + y = c, run from the rectangle's bottom edge to its top edge
    c = x0 + y0 + HATCH_STEP / 2
    while c < x1 + y1:
        start, end = max(x0, c - y1), min(x1, c - y0)
        if end - start > 0.1:
            stripes.append(f"M{start:.2f} {c - start:.2f} L{end:.2f} {c - end:.2f}")
        c += HATCH_STEP
    return (
        f'<rect x="{x0:.2f}" y="{y0:g}" width="{width:.2f}" height="{height:g}" fill="#ffffff"/>'
        + (
            f'<path d="{" ".join(stripes)}" fill="none" stroke="{INK}" stroke-width="1.4"/>'
            if stripes
            else ""
        )
        + f'<rect x="{x0:.2f}" y="{y0:g}" width="{width:.2f}" height="{height:g}" fill="none" '
        f'stroke="{INK}" stroke-width="0.7"/>'
    )


def _gridlines(x: Callable[[float], float], minimum: int, maximum: int, height: float) -> str:
    """A thin grey line at each whole level of the scale, as one path: a report draws about
    200 of these pictures, and the renderer's cost goes by the number of shapes."""
    lines = " ".join(f"M{x(v):.1f} 0 V{height:g}" for v in range(minimum, maximum + 1))
    return f'<path d="{lines}" fill="none" stroke="{GRID}" stroke-width="0.6"/>'


@dataclass(frozen=True)
class ScoreBar:
    score: float | None
    previous: float | None = None
    band_fill: str = SEQUENCE[3]


def score_bar(bar: ScoreBar, *, minimum: int = 1, maximum: int = 5) -> str:
    """One condition's score as a bar on the scale, with gridlines at each level and, when
    there was a previous round, a black tick where the score stood then."""
    width, height, pad = 200.0, 16.0, 3.0

    def x(value: float) -> float:
        return (printed(value) - minimum) / (maximum - minimum) * (width - 2) + 1

    body = _gridlines(x, minimum, maximum, height)
    if bar.score is not None:
        body += (
            f'<rect x="{x(minimum):.1f}" y="{pad:g}" width="{x(bar.score) - x(minimum):.1f}" '
            f'height="{height - 2 * pad:g}" fill="{bar.band_fill}" stroke="{INK}" '
            'stroke-width="0.8"/>'
        )
    if bar.previous is not None:
        px = x(bar.previous)
        body += (
            f'<path d="M{px - 3.5:.1f} 0 L{px + 3.5:.1f} 0 L{px:.1f} 5 Z M{px:.1f} 0 '
            f'L{px:.1f} {height:g}" fill="{INK}" stroke="{INK}" stroke-width="1.2"/>'
        )
    return _svg(width, height, body)


def stacked_distribution(
    counts: Mapping[int, int], levels: int, dont_know: int = 0, *, width: float = 200.0
) -> str:
    """How answers split between the levels (light to dark) and 'don't know' (hatched),
    as one bar whose segments are proportional to the number of answers."""
    height = 14.0
    total = sum(counts.values()) + dont_know
    if total == 0:
        return _svg(
            width,
            height,
            f'<rect x="0.5" y="0.5" width="{width - 1:g}" height="{height - 1:g}" fill="none" '
            f'stroke="{GRID}" stroke-dasharray="3 2"/>',
        )
    body = ""
    offset = 0.5
    usable = width - 1
    for level in range(1, levels + 1):
        count = counts.get(level, 0)
        if not count:
            continue
        part = usable * count / total
        body += (
            f'<rect x="{offset:.2f}" y="0.5" width="{part:.2f}" height="{height - 1:g}" '
            f'fill="{level_colour(level, levels)}" stroke="{INK}" stroke-width="0.7"/>'
        )
        offset += part
    if dont_know:
        body += _hatched(offset, 0.5, usable * dont_know / total, height - 1)
    return _svg(width, height, body)


def comparison_dot(
    score: float | None,
    place: float | None,
    *,
    whole_place: bool = False,
    minimum: int = 1,
    maximum: int = 5,
) -> str:
    """One group's score as a dot on the scale, beside a dashed line at the whole place's score
    and joined to it by a line whose length is the gap, so that a column of these reads as a
    dot plot of every partner against the place. With ``score`` None (a hidden group) only the
    place line shows; the place's own row (``whole_place``) is a black diamond."""
    width, height = 200.0, 16.0
    middle = height / 2
    score, place = printed_or_none(score), printed_or_none(place)

    def x(value: float) -> float:
        return (printed(value) - minimum) / (maximum - minimum) * (width - 12) + 6

    body = _gridlines(x, minimum, maximum, height)
    if place is not None:
        body += (
            f'<line x1="{x(place):.1f}" y1="0" x2="{x(place):.1f}" y2="{height:g}" '
            f'stroke="{INK}" stroke-width="1" stroke-dasharray="2 1.5"/>'
        )
    if score is None:
        return _svg(width, height, body)
    if whole_place:
        cx = x(score)
        return _svg(
            width,
            height,
            body + f'<path d="M{cx:.1f} 2 L{cx + 6:.1f} {middle:g} L{cx:.1f} 14 '
            f'L{cx - 6:.1f} {middle:g} Z" fill="{INK}"/>',
        )
    if place is not None:
        body += (
            f'<line x1="{x(place):.1f}" y1="{middle:g}" x2="{x(score):.1f}" y2="{middle:g}" '
            f'stroke="{INK}" stroke-width="1.6"/>'
        )
    fill = score_colour(score, minimum, maximum)
    body += (
        f'<circle cx="{x(score):.1f}" cy="{middle:g}" r="4.6" fill="{fill}" stroke="{INK}" '
        'stroke-width="1.2"/>'
    )
    return _svg(width, height, body)


@dataclass(frozen=True)
class ChartRow:
    """One line of a chart meant for slides: a label and the figure as the report prints it
    ('3.1', or a word such as 'Hidden'), so the picture is never more precise than the table."""

    label: str
    printed: str
    fill: str = SEQUENCE[3]


def _printed_value(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def bar_chart(title: str, rows: Sequence[ChartRow], *, minimum: int = 1, maximum: int = 5) -> str:
    """A titled horizontal bar chart of printed scores on the 1–5 scale, each bar labelled
    with its figure (or its reason for having none), for a slide or a document."""
    # About 7.2 px a character at 13 px: the longest label sets the label column.
    longest = max((len(row.label) for row in rows), default=10)
    label_width = 24.0 + 7.2 * longest
    plot_width, value_width, row_height, top = 420.0, 110.0, 30.0, 58.0
    width = label_width + plot_width + value_width
    height = top + row_height * len(rows) + 12

    def x(value: float) -> float:
        return label_width + (value - minimum) / (maximum - minimum) * plot_width

    font = 'font-family="Lato, DejaVu Sans, Arial, sans-serif"'
    parts = [
        f'<rect width="{width:g}" height="{height:g}" fill="#ffffff"/>',
        f'<text x="8" y="24" {font} font-size="18" font-weight="bold" fill="{INK}">'
        f"{escape(title)}</text>",
    ]
    for level in range(minimum, maximum + 1):
        parts.append(
            f'<line x1="{x(level):.1f}" y1="{top - 6:g}" x2="{x(level):.1f}" '
            f'y2="{height - 12:g}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{x(level):.1f}" y="{top - 12:g}" {font} font-size="12" '
            f'text-anchor="middle" fill="{INK}">{level}</text>'
        )
    for number, row in enumerate(rows):
        y = top + number * row_height
        value = _printed_value(row.printed)
        parts.append(
            f'<text x="8" y="{y + 19:g}" {font} font-size="13" fill="{INK}">'
            f"{escape(row.label)}</text>"
        )
        if value is not None:
            parts.append(
                f'<rect x="{x(minimum):.1f}" y="{y + 6:g}" width="{x(value) - x(minimum):.1f}" '
                f'height="{row_height - 12:g}" fill="{row.fill}" stroke="{INK}" '
                'stroke-width="0.5"/>'
            )
        parts.append(
            f'<text x="{label_width + plot_width + 10:g}" y="{y + 19:g}" {font} font-size="13" '
            f'font-weight="{"bold" if value is not None else "normal"}" fill="{INK}">'
            f"{escape(row.printed)}</text>"
        )
    return _svg(width, height, "".join(parts))
