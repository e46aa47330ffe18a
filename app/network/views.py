"""The network's pages: a round's "Sharing with other places" (the facilitator's choice, per
published round, whether its results join the network and whether other places see the place's
name), the view across places with its national report, the editor's release, and the open
data anyone may download once a release's restricted period is over."""

from datetime import timedelta
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from app.accounts.access import RoundAccess, may_edit_network
from app.core.clock import place_today
from app.core.exceptions import ChangeRefusedError, ShownError
from app.deps import (
    FacilitatorRoundPage,
    NetworkEditorAsk,
    PdfServiceDep,
    PlacesPage,
    RegistryDep,
    RoundChange,
    SessionDep,
    SettingsDep,
    UnitOfWorkRoute,
)
from app.enums import PeerVisibility, RoundStatus, StoryStatus
from app.models import NetworkShareBase, utcnow
from app.network.open_data import open_data_csv, open_release, open_release_id
from app.network.releases import (
    group_label,
    latest_release,
    named_now,
    network_audience,
    prepare_release,
    sharing_changed,
    store_release,
    weaknesses,
)
from app.network.report import network_report_pdf
from app.network.service import share_of, share_round, withdraw_from_network
from app.network.stories import library, stories_by_condition
from app.results.rules import load_rules
from app.web.pages import Errors, Visit, download
from reports.network import group_key, strong_places
from reports.wording import change_rule
from scoring.network import EVERY_PLACE, TAKES_PART, band_of

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

RELEASED = {
    "released": "The network's figures were released: every reader sees them now.",
    "unchanged": "Nothing has changed since the last release, so nothing was released.",
}
"""The banner after an editor's release."""

DONE = {
    "shared": "These results have joined the network of places.",
    "changed": "How other places see your place was changed.",
    "withdrawn": "These results have left the network: no network view counts them any more.",
}
"""The banner after each change, by the name the address gives; any other name shows nothing."""


def _page(
    visit: Visit[RoundAccess], errors: Errors | None = None, notice: str | None = None
) -> Response:
    access = visit.access
    context = {
        "access": access,
        "place": access.place,
        "round": access.assessment_round,
        "share": share_of(visit.session, access.assessment_round),
        "published": access.assessment_round.status is RoundStatus.PUBLISHED,
        "visibilities": list(PeerVisibility),
        "notice": notice,
    }
    return visit.page("round_network", context, errors=errors)


@router.get("/rounds/{round_id}/network", response_class=HTMLResponse)
def network_page(visit: FacilitatorRoundPage, done: str | None = None) -> Response:
    return _page(visit, notice=DONE.get(done or ""))


@router.post("/rounds/{round_id}/network", response_class=HTMLResponse)
def share(change: RoundChange) -> Response:
    errors = Errors()
    choice = change.form.validated(NetworkShareBase, errors)
    if choice is None:
        return _page(change, errors)
    try:
        shared, new = share_round(
            session=change.session, assessment_round=change.access.assessment_round, choice=choice
        )
    except ChangeRefusedError as refused:
        errors.add(refused.field or "visibility", str(refused))
        return _page(change, errors)
    change.record(
        "network-shared" if new else "network-share-changed", visibility=shared.visibility.value
    )
    done = "shared" if new else "changed"
    return change.done(f"/rounds/{change.access.assessment_round.id}/network?done={done}")


@router.post("/rounds/{round_id}/network/withdraw", response_class=HTMLResponse)
def withdraw(change: RoundChange) -> Response:
    """Withdrawing what is not shared changes nothing and says nothing: a second click (or a
    reload) of the same withdrawal lands on the page as it is."""
    assessment_round = change.access.assessment_round
    if withdraw_from_network(session=change.session, assessment_round=assessment_round):
        change.record("network-withdrawn")
        return change.done(f"/rounds/{assessment_round.id}/network?done=withdrawn")
    return change.done(f"/rounds/{assessment_round.id}/network")


# --- the view across places --------------------------------------------------------------------


@cache
def _change_rule() -> str:
    """Read once per process: the rules file changes only with a new release of Placecheck."""
    return change_rule(load_rules())


@router.get("/network", response_class=HTMLResponse)
def network_view(
    visit: PlacesPage,
    registry: RegistryDep,
    group: Annotated[str, Query(max_length=200)] = EVERY_PLACE,
    done: str | None = None,
) -> Response:
    """The latest release only: what every reader sees changes when the network releases, not
    when a place publishes."""
    sees, own = network_audience(visit.session, visit.user)
    editor = may_edit_network(visit.user)
    released = latest_release(visit.session) if sees else None
    figures = released.figures if released else {}
    shown = figures.get("shown", [])
    chosen = next((g for g in shown if group_key(g) == group), shown[0] if shown else None)
    members = {
        group_key(g): set(g["members"])
        for g in (released.members.get("shown", []) if released else [])
    }
    definition = registry.get("trusting-place")
    own_shown = [
        o for o in own if chosen is not None and o.key in members.get(group_key(chosen), set())
    ]
    named = named_now(visit.session) if released else {}
    told = library(visit.session) if sees else []
    strong = strong_places(chosen, named) if chosen else {}
    context = {
        "sees": sees,
        "release": released,
        "figures": figures,
        "groups": [(group_key(g), group_label(g), g["places"]) for g in shown],
        "chosen": chosen,
        "chosen_key": group_key(chosen) if chosen else None,
        "held_back": [group_label(g) for g in figures.get("held_back", []) if g["value"]],
        "conditions": {c.id: c.title for c in definition.conditions},
        "parts": {p.id: p.title for p in definition.parts},
        "recommendations": {r.id: r.title for r in definition.recommendations},
        "takes_part": TAKES_PART,
        "change_rule": _change_rule(),
        "own": own_shown,
        "own_anywhere": own,
        "band_of": band_of,
        "named_now": named,
        "strong": strong,
        "weaknesses": weaknesses(own_shown, strong),
        "stories": stories_by_condition(told),
        "story_count": len(told),
        "waiting_count": len(library(visit.session, StoryStatus.SUBMITTED)) if editor else 0,
        "editor": editor,
        "changed_since": sharing_changed(visit.session) if editor else False,
        "every_days": visit.settings.network_release_every_days,
        "restricted_days": visit.settings.network_restricted_days,
        "open_on": released.made_at + timedelta(days=visit.settings.network_restricted_days)
        if released
        else None,
        "open_now": open_release_id(visit.session, visit.settings.network_restricted_days, utcnow())
        is not None,
        "notice": RELEASED.get(done or ""),
    }
    return visit.page("network", context)


@router.get("/network/report.pdf")
def network_report_download(
    visit: PlacesPage, registry: RegistryDep, pdf_service: PdfServiceDep
) -> Response:
    """The national report, for whoever sees the network page, rendered in the render
    processes (with their time limit and recovery from a crash), not on a request thread."""
    sees, _ = network_audience(visit.session, visit.user)
    definition = registry.get("trusting-place")
    pdf = (
        network_report_pdf(visit.session, definition, place_today(), pdf_service.render)
        if sees
        else None
    )
    if pdf is None:
        raise ShownError(
            404,
            "There is no national report yet: the network has not released the figures of its "
            "sharing places together.",
        )
    return download(pdf, "application/pdf", "The state of place-based working.pdf")


@router.post("/network/releases", response_class=HTMLResponse)
def release(ask: NetworkEditorAsk) -> Response:
    """An editor's release: worked out before the write lock is taken, stored under it; sent
    again with nothing changed, it releases nothing more."""
    minimum = ask.settings.network_minimum_places
    prepared = prepare_release(ask.session, minimum)
    made = store_release(ask.work.write(), prepared, minimum) if prepared else None
    if made is None:
        return ask.done("/network?done=unchanged")
    ask.record(
        "network-released",
        place_id=None,
        round_id=None,
        places=sum(r.figures["places"] for r in made),
        groups=sum(len(r.figures["shown"]) for r in made),
    )
    return ask.done("/network?done=released")


@router.get("/network/open-data.csv")
def open_data(session: SessionDep, settings: SettingsDep, registry: RegistryDep) -> Response:
    """Anyone's, signed in or not: the newest release whose restricted period is over."""
    days = settings.network_restricted_days
    opened = open_release(session, days, utcnow())
    if opened is None:
        raise ShownError(
            404,
            f"No network figures are open data yet: each release's figures become open "
            f"{days} days after it is made.",
        )
    csv = open_data_csv(opened, registry.get("trusting-place"))
    name = f"placecheck-network-{opened.made_at.date().isoformat()}.csv"
    return download(csv, "text/csv; charset=utf-8", name)
