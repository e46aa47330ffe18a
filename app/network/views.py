"""The round's "Sharing with other places" page: the facilitator's choice, per published round,
whether its results join the network of places and whether other places see the place's name."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from app.accounts.access import RoundAccess
from app.core.exceptions import ChangeRefusedError
from app.deps import FacilitatorRoundPage, RoundChange, UnitOfWorkRoute
from app.enums import PeerVisibility, RoundStatus
from app.models import NetworkShareBase
from app.network.service import share_of, share_round, withdraw_from_network
from app.web.pages import Errors, Visit

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

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
