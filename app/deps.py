"""Everything a route needs from outside itself, decided once: its session, the settings, the
signed-in user and what they may do, the checked form, the respondent behind a link.

Routes declare these as parameters (``session: WriteSession``, ``access: FacilitatorRound``) and
never build a session or read ``app.state`` themselves, so that:

- a request uses one session, and so one database connection, however many dependencies read
  through it (two per request deadlocked the pool under load);
- a route that writes says so (``WriteSession``), and its transaction takes the write lock
  first, so a read-then-write cannot fail half-way with 'database is locked' on SQLite;
- a page and the API for the same thing check access in the same function.

A dependency that touches neither the database nor a file is ``async def``: FastAPI hands every
plain ``def`` to a worker thread and back, and those hand-overs, not the checks, were most of
what a page cost beyond its queries.
"""

import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Depends, Path, Request
from fastapi.routing import APIRoute
from sqlmodel import Session

from app.accounts.access import (
    OPEN_BEFORE_CHOOSING,
    OPEN_BEFORE_TWO_FACTOR,
    PasswordChoiceRequiredError,
    PlaceAccess,
    RoundAccess,
    SignInRequiredError,
    TwoFactorRequiredError,
    facilitating,
    place_for,
    require_administrator,
    require_network_editor,
    require_place_creator,
    results_of,
    round_for,
)
from app.accounts.service import signed_in
from app.accounts.two_factor import is_two_factor_on
from app.core.config import Settings
from app.core.db import UnitOfWork, has_written
from app.core.exceptions import ShownError
from app.core.fields import MAX_ID
from app.core.security.csrf import csrf_valid
from app.core.security.proxies import forwarded_client
from app.core.security.ratelimit import BAD_LINKS_PER_ADDRESS, take_places
from app.core.security.session_cookie import SESSION_COOKIE
from app.enums import MembershipRole, RoundStatus
from app.jobs.runners import ReportQueue
from app.models import User
from app.responses.service import ResponseContext, open_response
from app.web.pages import VISITOR_COOKIE, Form, Visit, csrf_subject
from questionnaires.registry import Registry
from reports.pdf.service import PdfService

EXPIRED_FORM = (
    "This form has expired or did not come from Placecheck. Nothing was changed: go back, "
    "reload the page and try again."
)
INVALID_LINK = "This invitation link does not work. Ask your facilitator for a new one."
TOO_MANY_BAD_LINKS = "Too many links that do not work were tried. Wait 10 minutes."


# --- the application's parts ----------------------------------------------------------------


def _part(name: str) -> Callable[[Request], Any]:
    """A dependency giving the part of the application that ``create_app`` made as ``name``."""

    async def part(request: Request) -> Any:
        return getattr(request.app.state, name)

    part.__name__ = f"get_{name}"
    return part


SettingsDep = Annotated[Settings, Depends(_part("settings"))]
ReportQueueDep = Annotated[ReportQueue, Depends(_part("report_queue"))]
RegistryDep = Annotated[Registry, Depends(_part("registry"))]
PdfServiceDep = Annotated[PdfService, Depends(_part("pdf_service"))]
"""The render processes, for a PDF made while its reader waits (the national report)."""


async def client_address(request: Request, settings: SettingsDep) -> str:
    """The address a request came from, looking through the proxies the operator trusts.

    Behind a reverse proxy every request arrives from the proxy, so limits keyed by address
    would lump all clients together; ``X-Forwarded-For`` is read from the right, skipping
    trusted proxies, and only when the request came from one (anyone can send the header).
    """
    peer = request.client.host if request.client else "unknown"
    return forwarded_client(peer, request.headers.getlist("x-forwarded-for"), settings)


ClientAddress = Annotated[str, Depends(client_address)]


# --- the session ------------------------------------------------------------------------------


_REQUEST_WORK: ContextVar[UnitOfWork | None] = ContextVar("placecheck_work", default=None)


async def unit_of_work(request: Request) -> AsyncIterator[UnitOfWork]:
    """The request's one session, as a unit of work: committed once when the route returns
    (before the response is sent, so a failed commit is this request's 503), rolled back if
    the route or a dependency raised. A refusal that is itself recorded (a bad link counted)
    keeps what it wrote.

    A plain ``def`` route's unit ends on the route's own thread as it returns (see
    ``UnitOfWorkRoute``); here, on the event loop, it ends only for a route that raised or did
    not end it, in a thread of its own (never one the waiting routes may be holding)."""
    session = Session(request.app.state.engine)
    work = UnitOfWork(session)
    current = _REQUEST_WORK.set(work)
    keep = True
    try:
        yield work
    except ShownError as refusal:
        keep = refusal.keeps_changes
        raise
    except BaseException:
        keep = False
        raise
    finally:
        _REQUEST_WORK.reset(current)
        if session.in_transaction() or has_written(session):
            await anyio.to_thread.run_sync(work.end, keep, limiter=CapacityLimiter(1))
        else:
            session.close()


class UnitOfWorkRoute(APIRoute):
    """Every route: a plain ``def`` one ends its request's unit of work on its own thread the
    moment it returns. Ending it in the dependency instead meant a hop back through the event
    loop while the write lock was held; on a busy day (forty threads sharing the interpreter)
    that hop took long enough for the queue of savers to exhaust the connection pool."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _ending_its_work(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _ending_its_work(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def route(*args: Any, **kwargs: Any) -> Any:
        response = endpoint(*args, **kwargs)
        work = _REQUEST_WORK.get()
        if work is not None:
            work.end(keep=True)
        return response

    return route


UnitOfWorkDep = Annotated[UnitOfWork, Depends(unit_of_work, scope="function")]


async def get_session(work: UnitOfWorkDep) -> Session:
    return work.session


SessionDep = Annotated[Session, Depends(get_session)]


def get_write_session(work: UnitOfWorkDep) -> Session:
    """The same session, holding the write lock from before anything else reads through it."""
    return work.write()


WriteSession = Annotated[Session, Depends(get_write_session)]


# --- who is asking ----------------------------------------------------------------------------


def optional_user(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    """The signed-in person, with the header their pages show ("Facilitator's workspace" or a
    forum member's) noted on the request for the layout."""
    person = signed_in(
        session=session, secret=settings.secret, value=request.cookies.get(SESSION_COOKIE)
    )
    if person is None:
        return None
    request.state.facilitator = person.facilitates
    # Asked only where the operator requires a code, of the people who run something and sign
    # in with a password (an organisation's own sign-in asks for its own second step).
    request.state.needs_two_factor = (
        settings.require_two_factor
        and person.user.signs_in_with_password
        and (person.user.is_administrator or person.facilitates)
        and not is_two_factor_on(session, person.user)
    )
    return person.user


OptionalUser = Annotated[User | None, Depends(optional_user)]


async def signed_in_user(request: Request, user: OptionalUser) -> User:
    """The signed-in person, sent first to choose their own password if someone else set it,
    and then, where the operator requires it, to set up a code (``optional_user`` found out)."""
    if user is None:
        raise SignInRequiredError(request.url.path)
    path = request.url.path
    if user.must_choose_password and path not in OPEN_BEFORE_CHOOSING:
        raise PasswordChoiceRequiredError
    if request.state.needs_two_factor and path not in OPEN_BEFORE_TWO_FACTOR:
        raise TwoFactorRequiredError
    return user


CurrentUser = Annotated[User, Depends(signed_in_user)]


async def administrator(user: CurrentUser) -> User:
    return require_administrator(user)


Administrator = Annotated[User, Depends(administrator)]


async def csrf_form(request: Request, user: OptionalUser, settings: SettingsDep) -> Form:
    """The submitted form, after checking its CSRF token against the signed-in session."""
    data = await request.form()
    values = {k: v for k, v in data.items() if isinstance(v, str)}
    files = {k: v for k, v in data.items() if not isinstance(v, str)}
    chosen: dict[str, list[str]] = {}
    for name, value in data.multi_items():
        if isinstance(value, str):
            chosen.setdefault(name, []).append(value)
    subject = csrf_subject(request, user, request.cookies.get(VISITOR_COOKIE))
    if not csrf_valid(settings.secret, subject, values.get("csrf_token")):
        raise ShownError(400, EXPIRED_FORM)
    return Form(values, files, chosen)


CsrfForm = Annotated[Form, Depends(csrf_form)]

RoundId = Annotated[int, Path(ge=1, le=MAX_ID, description="The round's id.")]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""Any other id in an address (an organisation, an invitation, a report, a user): a whole
number the database can hold, so a huge or negative one is a 422, never a database error."""


def viewer_place(slug: str, session: SessionDep, user: CurrentUser) -> PlaceAccess:
    return place_for(session, user, slug, MembershipRole.VIEWER)


def facilitator_place(slug: str, session: SessionDep, user: CurrentUser) -> PlaceAccess:
    return place_for(session, user, slug, MembershipRole.FACILITATOR)


def viewer_round(round_id: RoundId, session: SessionDep, user: CurrentUser) -> RoundAccess:
    return round_for(session, user, round_id, MembershipRole.VIEWER)


async def facilitator_round(access: Annotated[RoundAccess, Depends(viewer_round)]) -> RoundAccess:
    return facilitating(access)


async def results_round(access: Annotated[RoundAccess, Depends(viewer_round)]) -> RoundAccess:
    return results_of(access)


async def anyone_signed_in(user: CurrentUser) -> None:
    """No place or round: pages of the signed-in person's own (their places)."""
    del user


async def administrators_only(user: Administrator) -> None:
    del user


async def place_creators_only(user: CurrentUser) -> None:
    require_place_creator(user)


async def network_editors_only(user: CurrentUser) -> None:
    require_network_editor(user)


def _page(access_of: Callable[..., Any]) -> Callable[..., Awaitable[Visit[Any]]]:
    """A dependency giving a workspace page its whole visit, with access checked by
    ``access_of``."""

    async def visit(
        request: Request,
        work: UnitOfWorkDep,
        settings: SettingsDep,
        user: CurrentUser,
        access: Annotated[Any, Depends(access_of)],
    ) -> Visit[Any]:
        return Visit(request, work, settings, user, access)

    return visit


def _change(access_of: Callable[..., Any]) -> Callable[..., Awaitable[Visit[Any]]]:
    """The same for a form that changes something: the form is checked for its CSRF token
    and the session holds the write lock before access is checked (and so cannot go stale)."""

    async def visit(
        request: Request,
        form: CsrfForm,
        work: UnitOfWorkDep,
        session: WriteSession,
        settings: SettingsDep,
        user: CurrentUser,
        access: Annotated[Any, Depends(access_of)],
    ) -> Visit[Any]:
        del session  # asked for so that the lock is held before access is checked
        return Visit(request, work, settings, user, access, form)

    return visit


def _ask(access_of: Callable[..., Any]) -> Callable[..., Awaitable[Visit[Any]]]:
    """A form that asks for something long to read before a short write (a report): its CSRF
    token is checked, and the route takes the write lock itself, only for the write."""

    async def visit(
        request: Request,
        form: CsrfForm,
        work: UnitOfWorkDep,
        settings: SettingsDep,
        user: CurrentUser,
        access: Annotated[Any, Depends(access_of)],
    ) -> Visit[Any]:
        return Visit(request, work, settings, user, access, form)

    return visit


# A page or a change, by what it reaches and who may reach it.
PlacesPage = Annotated[Visit[None], Depends(_page(anyone_signed_in))]
PlacesChange = Annotated[Visit[None], Depends(_change(place_creators_only))]
AdminPage = Annotated[Visit[None], Depends(_page(administrators_only))]
NetworkEditorChange = Annotated[Visit[None], Depends(_change(network_editors_only))]
NetworkEditorAsk = Annotated[Visit[None], Depends(_ask(network_editors_only))]
AdminChange = Annotated[Visit[None], Depends(_change(administrators_only))]
PlacePage = Annotated[Visit[PlaceAccess], Depends(_page(viewer_place))]
FacilitatorPlacePage = Annotated[Visit[PlaceAccess], Depends(_page(facilitator_place))]
PlaceChange = Annotated[Visit[PlaceAccess], Depends(_change(facilitator_place))]
RoundPage = Annotated[Visit[RoundAccess], Depends(_page(viewer_round))]
FacilitatorRoundPage = Annotated[Visit[RoundAccess], Depends(_page(facilitator_round))]
ResultsPage = Annotated[Visit[RoundAccess], Depends(_page(results_round))]
ResultsAsk = Annotated[Visit[RoundAccess], Depends(_ask(results_round))]
RoundChange = Annotated[Visit[RoundAccess], Depends(_change(facilitator_round))]


# --- the respondent behind an invitation link -------------------------------------------------


def respondent_context(token: str, work: UnitOfWorkDep, client: ClientAddress) -> ResponseContext:
    """The respondent's questionnaire, for the pages and the API alike.

    Unknown and revoked links are refused in the same words (nothing says whether a token
    exists). Bad links are counted per address and, past the limit, refused with a wait; a
    link that works always works, whatever others on the same network have mistyped.
    """
    context = open_response(session=work.session, token=token)
    if context is None:
        if take_places(work, [(BAD_LINKS_PER_ADDRESS, client)], pending=False) is None:
            raise ShownError(429, TOO_MANY_BAD_LINKS, template="respond/too_many.html")
        raise ShownError(
            404,
            INVALID_LINK,
            title="Not found",
            template="respond/invalid_link.html",
            keeps_changes=True,
        )
    if context.assessment_round.status is RoundStatus.DRAFT:
        raise ShownError(
            403,
            "This questionnaire is not open yet. The same link will work once it opens.",
            template="respond/not_open.html",
            context={"ctx": context},
        )
    return context


RespondentContext = Annotated[ResponseContext, Depends(respondent_context)]


@dataclass(frozen=True)
class RespondentLink:
    """An invitation link not yet opened, for the API's saves, which open it on their own
    thread with the write lock taken first (``open_to_save``): the link, its round and its
    answers are then read once, under the lock. Taken after the read, the lock ended it and
    everything was read again (a fifth of a save); taken by a dependency on a thread of its
    own, it was held while the route waited for a thread, and forty saves waiting for the
    lock held every thread (the save benchmark stopped)."""

    token: str
    work: UnitOfWork
    client: str

    def open_to_save(self) -> ResponseContext:
        self.work.write()
        return respondent_context(self.token, self.work, self.client)


async def respondent_link(token: str, work: UnitOfWorkDep, client: ClientAddress) -> RespondentLink:
    return RespondentLink(token, work, client)


RespondentLinkDep = Annotated[RespondentLink, Depends(respondent_link)]


async def form_values(request: Request) -> dict[str, str]:
    """A respondent's submitted page, as text fields (their CSRF check keeps what they typed)."""
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}


RespondentForm = Annotated[dict[str, str], Depends(form_values)]
