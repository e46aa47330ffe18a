"""The national report from the network's latest release: the same figures, through the same
gate, as the network page, for the command line (``placecheck report network``) and the web."""

import threading
from collections.abc import Callable
from datetime import date

from sqlmodel import Session

from app.network.releases import group_label, latest_release, named_now
from app.network.stories import library_version, published_stories
from app.results.rules import load_rules
from questionnaires.schema import Definition
from reports.network import group_key, network_report
from reports.render import RunningStrings, render_report_html
from reports.wording import change_rule, long_date
from scoring.network import EVERY_PLACE, TAKES_PART

TITLE = "The state of place-based working"


def network_report_html(session: Session, definition: Definition, today: date) -> str | None:
    """None until a release shows at least every sharing place together."""
    released = latest_release(session)
    if released is None:
        return None
    figures = released.figures
    labels = {
        group_key(g): group_label(g)
        for g in [*figures.get("shown", []), *figures.get("held_back", [])]
        if g["value"] or g["dimension"] == EVERY_PLACE
    }
    report = network_report(
        figures,
        released_on=released.made_at.date(),
        produced_on=today,
        minimum=released.minimum_places,
        labels=labels,
        conditions=[(c.id, c.title) for c in definition.conditions],
        recommendations={r.id: r.title for r in definition.recommendations},
        parts={p.id: p.title for p in definition.parts},
        named=named_now(session),
        stories=published_stories(session),
        change_rule=change_rule(load_rules()),
        takes_part=TAKES_PART,
    )
    if report is None:
        return None
    strings = RunningStrings(
        place="The network of places",
        round=f"Released {long_date(released.made_at.date())}",
        kind="National report",
        footer=(f"{report.places} sharing places; groups of at least {report.minimum} places only"),
    )
    return render_report_html("network", strings, report=report, title=TITLE)


_made: dict[tuple[object, ...], bytes] = {}
_made_lock = threading.Lock()
KEEP_MADE = 4


def network_report_pdf(
    session: Session, definition: Definition, today: date, render: Callable[[str], bytes]
) -> bytes | None:
    """The national report as a PDF (``render``: on the web, the render processes every report
    uses), made once per release, day, set of names allowed now and library of stories (a
    release never changes; a name withdrawn, or a story published or taken back, makes a new
    one at once)."""
    released = latest_release(session)
    if released is None:
        return None
    key = (
        str(session.get_bind().engine.url),
        released.id,
        today,
        frozenset(named_now(session).items()),
        library_version(session),
    )
    with _made_lock:
        made = _made.get(key)
    if made is not None:
        return made
    html = network_report_html(session, definition, today)
    if html is None:
        return None
    pdf = render(html)
    with _made_lock:
        while len(_made) >= KEEP_MADE:
            _made.pop(next(iter(_made)))
        _made[key] = pdf
    return pdf
