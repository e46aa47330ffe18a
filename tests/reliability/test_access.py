"""Access: every route, walked as each kind of person (including someone holding a copy of a
cookie from a session that was signed out, and one whose session was revoked on the server):
who gets what, and nothing leaks."""

from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.accounts.joining import invite_to_place, join_token
from app.core.config import Settings
from app.core.db import write_session
from app.core.security.session_cookie import SESSION_COOKIE
from app.core.security.tokens import new_token
from app.enums import JobStatus, MembershipRole
from app.main import ROUTERS, create_app
from app.models import (
    AccountInvitationBase,
    Action,
    Invitation,
    Place,
    ReportJob,
    User,
    UserSession,
)
from tests.support.pages import PASSWORD, csrf_of, sign_in
from tests.support.workspace import Workspace

ANON, RESPONDENT, VIEWER, OUTSIDER, FACILITATOR, ADMIN = (
    "anonymous",
    "respondent",
    "viewer",
    "facilitator of another place",
    "facilitator",
    "administrator",
)
SIGNED_OUT, REVOKED = "someone with a signed-out cookie", "someone whose session was revoked"
ACTORS = [ANON, RESPONDENT, SIGNED_OUT, REVOKED, VIEWER, OUTSIDER, FACILITATOR, ADMIN]
# Treated exactly as someone who never signed in: sent to the sign-in page from every route.
NOT_SIGNED_IN = (ANON, RESPONDENT, SIGNED_OUT, REVOKED)
EMAILS = {
    VIEWER: "vic@example.org",
    OUTSIDER: "sam@example.org",
    FACILITATOR: "fran@example.org",
    ADMIN: "admin@example.org",
}

# Who gets what from each route, keyed by the route as the app declares it. The list of routes
# comes from the app itself (``app.routes``), so a route added without an entry here fails
# ``test_every_route_has_an_access_rule``. Anyone not signed in is sent to the sign-in page.
PLACE_PAGE = {VIEWER: 200, OUTSIDER: 404, FACILITATOR: 200, ADMIN: 200}
FACILITATORS_ONLY = {VIEWER: 403, OUTSIDER: 404, FACILITATOR: 200, ADMIN: 200}
FACILITATORS_ONLY_BAD_FORM = {VIEWER: 403, OUTSIDER: 404, FACILITATOR: 400, ADMIN: 400}
FACILITATORS_ONLY_DONE = {VIEWER: 403, OUTSIDER: 404, FACILITATOR: 303, ADMIN: 303}
ADMINISTRATORS_ONLY = {VIEWER: 403, OUTSIDER: 403, FACILITATOR: 403, ADMIN: 200}
JOIN_LINK = {
    **dict.fromkeys(NOT_SIGNED_IN, 200),
    **dict.fromkeys((VIEWER, OUTSIDER, FACILITATOR, ADMIN), 403),
}
RESULTS = {"round_id": "{previous}"}
CURRENT = {"round_id": "{current}"}

# route -> [(path parameters, form data, {actor: status})]
RULES: dict[tuple[str, str], list[tuple[dict[str, str], dict[str, str], dict[str, int]]]] = {
    ("GET", "/places"): [({}, {}, {VIEWER: 200, OUTSIDER: 200, FACILITATOR: 200, ADMIN: 200})],
    # Fran has been given the right to set up places; the viewer and Sam have not.
    ("POST", "/places"): [({}, {}, {VIEWER: 403, OUTSIDER: 403, FACILITATOR: 400, ADMIN: 400})],
    ("GET", "/places/{slug}"): [({}, {}, PLACE_PAGE)],
    ("POST", "/places/{slug}/organisations"): [({}, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("GET", "/places/{slug}/rounds/new"): [({}, {}, FACILITATORS_ONLY)],
    ("GET", "/places/{slug}/edit"): [({}, {}, FACILITATORS_ONLY)],
    ("POST", "/places/{slug}/edit"): [({}, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("GET", "/places/{slug}/organisations/{organisation_id}"): [
        ({"organisation_id": "{organisation}"}, {}, FACILITATORS_ONLY),
    ],
    ("POST", "/places/{slug}/organisations/{organisation_id}"): [
        ({"organisation_id": "{organisation}"}, {}, FACILITATORS_ONLY_BAD_FORM),
    ],
    # The organisation has invitations, so a facilitator is told it cannot be removed.
    ("POST", "/places/{slug}/organisations/{organisation_id}/delete"): [
        ({"organisation_id": "{organisation}"}, {}, FACILITATORS_ONLY_BAD_FORM),
    ],
    ("POST", "/places/{slug}/rounds"): [({}, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("GET", "/places/{slug}/import"): [({}, {}, FACILITATORS_ONLY)],
    ("POST", "/places/{slug}/import"): [({}, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("GET", "/rounds/{round_id}"): [(CURRENT, {}, PLACE_PAGE)],
    ("GET", "/rounds/{round_id}/progress"): [(CURRENT, {}, PLACE_PAGE)],
    ("GET", "/rounds/{round_id}/reports"): [(CURRENT, {}, PLACE_PAGE), (RESULTS, {}, PLACE_PAGE)],
    ("GET", "/rounds/{round_id}/invitations"): [(CURRENT, {}, FACILITATORS_ONLY)],
    ("GET", "/rounds/{round_id}/edit"): [(CURRENT, {}, FACILITATORS_ONLY)],
    ("GET", "/rounds/{round_id}/invitations/{invitation_id}/edit"): [
        ({**CURRENT, "invitation_id": "{invitation}"}, {}, FACILITATORS_ONLY),
    ],
    ("POST", "/rounds/{round_id}/invitations/{invitation_id}/edit"): [
        ({**CURRENT, "invitation_id": "{invitation}"}, {}, FACILITATORS_ONLY_BAD_FORM),
    ],
    ("GET", "/rounds/{round_id}/workshop/actions/{action_id}"): [
        ({**CURRENT, "action_id": "{action}"}, {}, FACILITATORS_ONLY),
    ],
    ("POST", "/rounds/{round_id}/workshop/actions/{action_id}"): [
        ({**CURRENT, "action_id": "{action}"}, {}, FACILITATORS_ONLY_BAD_FORM),
    ],
    ("GET", "/rounds/{round_id}/workshop/actions/{action_id}/remove"): [
        ({**CURRENT, "action_id": "{action}"}, {}, FACILITATORS_ONLY),
    ],
    # An action that is not the round's is never found, so nothing is removed here.
    ("POST", "/rounds/{round_id}/workshop/actions/{action_id}/remove"): [
        (
            {**CURRENT, "action_id": "999999"},
            {},
            {**FACILITATORS_ONLY, FACILITATOR: 404, ADMIN: 404},
        ),
    ],
    ("GET", "/rounds/{round_id}/workshop/conditions/{condition_id}"): [
        ({**CURRENT, "condition_id": "people-focus"}, {}, FACILITATORS_ONLY),
    ],
    ("POST", "/rounds/{round_id}/edit"): [(CURRENT, {}, FACILITATORS_ONLY_BAD_FORM)],
    # A report's page offers a button that asks for it (nothing is asked for on a GET);
    # asking sends the asker to the page that follows it.
    ("GET", "/rounds/{round_id}/reports/{kind}"): [
        ({**RESULTS, "kind": "forum"}, {}, PLACE_PAGE),
        ({**CURRENT, "kind": "forum"}, {}, FACILITATORS_ONLY),
        ({**CURRENT, "kind": "workshop"}, {}, FACILITATORS_ONLY),
    ],
    ("POST", "/rounds/{round_id}/reports/{kind}"): [
        (
            {**RESULTS, "kind": "forum"},
            {},
            {**PLACE_PAGE, VIEWER: 303, FACILITATOR: 303, ADMIN: 303},
        ),
        ({**CURRENT, "kind": "workshop"}, {}, FACILITATORS_ONLY_DONE),
    ],
    ("GET", "/rounds/{round_id}/report-jobs/{job_id}"): [
        ({**RESULTS, "job_id": "{forum_job}"}, {}, PLACE_PAGE),
        ({**CURRENT, "job_id": "{workshop_job}"}, {}, FACILITATORS_ONLY),
    ],
    ("GET", "/rounds/{round_id}/report-jobs/{job_id}/file"): [
        ({**RESULTS, "job_id": "{forum_job}"}, {}, PLACE_PAGE),
        ({**CURRENT, "job_id": "{workshop_job}"}, {}, FACILITATORS_ONLY),
    ],
    ("POST", "/rounds/{round_id}/status"): [(CURRENT, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("POST", "/rounds/{round_id}/reassess"): [(CURRENT, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("POST", "/rounds/{round_id}/invitations"): [(CURRENT, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("POST", "/rounds/{round_id}/invitations/upload"): [(CURRENT, {}, FACILITATORS_ONLY_BAD_FORM)],
    # A send without its confirmation's one-time key is refused; no mail server is set up
    # here, so the confirmation page says so (409), and there is no send to report on.
    ("POST", "/rounds/{round_id}/invitations/email"): [(CURRENT, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("GET", "/rounds/{round_id}/invitations/email"): [
        (CURRENT, {}, {**FACILITATORS_ONLY, FACILITATOR: 409, ADMIN: 409}),
    ],
    ("GET", "/rounds/{round_id}/invitations/sent/{send_key}"): [
        (
            {**CURRENT, "send_key": "no-such-send-key-at-all"},
            {},
            {**FACILITATORS_ONLY, FACILITATOR: 404, ADMIN: 404},
        ),
    ],
    ("POST", "/rounds/{round_id}/invitations/{invitation_id}/{action}"): [
        (
            {**CURRENT, "invitation_id": "{invitation}", "action": "reissue"},
            {},
            FACILITATORS_ONLY_DONE,
        ),
    ],
    ("GET", "/rounds/{round_id}/links.csv"): [(CURRENT, {}, FACILITATORS_ONLY)],
    ("GET", "/rounds/{round_id}/invitations/{invitation_id}/{action}"): [
        (
            {**CURRENT, "invitation_id": "{invitation}", "action": "revoke"},
            {},
            FACILITATORS_ONLY,
        ),
    ],
    ("GET", "/rounds/{round_id}/status/{to}"): [
        ({**CURRENT, "to": "closed"}, {}, FACILITATORS_ONLY),
    ],
    ("GET", "/rounds/{round_id}/results/{part}"): [
        ({**CURRENT, "part": "tables"}, {}, FACILITATORS_ONLY),
        ({**RESULTS, "part": "agreed"}, {}, PLACE_PAGE),
    ],
    ("GET", "/rounds/{round_id}/results"): [
        (CURRENT, {}, FACILITATORS_ONLY),
        (RESULTS, {}, PLACE_PAGE),
    ],
    # Charts and slides for presenting: the live figures to facilitators, the published ones
    # to forum members, never anything to anyone else.
    ("GET", "/rounds/{round_id}/results/charts/{chart}.{image_format}"): [
        ({**CURRENT, "chart": "summary", "image_format": "png"}, {}, FACILITATORS_ONLY),
        ({**RESULTS, "chart": "people-focus", "image_format": "svg"}, {}, PLACE_PAGE),
    ],
    ("GET", "/rounds/{round_id}/results/slides.pptx"): [
        (CURRENT, {}, FACILITATORS_ONLY),
        (RESULTS, {}, PLACE_PAGE),
    ],
    # A report already asked for (above) downloads at once; one never asked for is the page
    # with the button that asks.
    ("GET", "/rounds/{round_id}/reports/{kind}.pdf"): [
        ({**RESULTS, "kind": "forum"}, {}, PLACE_PAGE),
        ({**CURRENT, "kind": "workshop"}, {}, FACILITATORS_ONLY),
        ({**CURRENT, "kind": "forum"}, {}, FACILITATORS_ONLY_DONE),
        ({**CURRENT, "kind": "questionnaire"}, {}, FACILITATORS_ONLY_DONE),
    ],
    ("POST", "/rounds/{round_id}/reports/{kind}.pdf"): [
        ({**RESULTS, "kind": "forum"}, {}, PLACE_PAGE),
        ({**CURRENT, "kind": "questionnaire"}, {}, FACILITATORS_ONLY),
        ({**RESULTS, "kind": "partner"}, {}, {**FACILITATORS_ONLY, FACILITATOR: 409, ADMIN: 409}),
    ],
    ("GET", "/rounds/{round_id}/workshop"): [(CURRENT, {}, FACILITATORS_ONLY)],
    # Sharing with other places is the facilitators' choice; an empty form chooses nothing, and
    # withdrawing what was never shared changes nothing but still lands on the page.
    ("GET", "/rounds/{round_id}/network"): [
        (RESULTS, {}, FACILITATORS_ONLY),
        (CURRENT, {}, FACILITATORS_ONLY),
    ],
    ("POST", "/rounds/{round_id}/network"): [(RESULTS, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("POST", "/rounds/{round_id}/network/withdraw"): [(CURRENT, {}, FACILITATORS_ONLY_DONE)],
    # An empty form: no level is a level left as it was; no comment or quote is never found.
    ("POST", "/rounds/{round_id}/workshop/agreements"): [(CURRENT, {}, FACILITATORS_ONLY_DONE)],
    ("POST", "/rounds/{round_id}/workshop/actions"): [(CURRENT, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("POST", "/rounds/{round_id}/workshop/action-status"): [
        (CURRENT, {}, FACILITATORS_ONLY_BAD_FORM),
    ],
    ("POST", "/rounds/{round_id}/workshop/quotes"): [
        (CURRENT, {}, {**FACILITATORS_ONLY, FACILITATOR: 404, ADMIN: 404}),
    ],
    ("POST", "/rounds/{round_id}/workshop/remove-quote"): [
        (CURRENT, {}, {**FACILITATORS_ONLY, FACILITATOR: 404, ADMIN: 404}),
    ],
    ("GET", "/rounds/{round_id}/data"): [(CURRENT, {}, FACILITATORS_ONLY)],
    ("GET", "/rounds/{round_id}/export.{extension}"): [
        ({**CURRENT, "extension": extension}, {}, FACILITATORS_ONLY)
        for extension in ("json", "csv", "xlsx")
    ],
    ("POST", "/rounds/{round_id}/paper"): [(CURRENT, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("GET", "/rounds/{round_id}/respondents/{invitation_id}/erase"): [
        ({**CURRENT, "invitation_id": "{invitation}"}, {}, FACILITATORS_ONLY),
    ],
    ("POST", "/rounds/{round_id}/respondents/{invitation_id}/erase"): [
        ({**CURRENT, "invitation_id": "{invitation}"}, {}, FACILITATORS_ONLY_DONE),
    ],
    ("GET", "/rounds/{round_id}/delete"): [(CURRENT, {}, FACILITATORS_ONLY)],
    ("POST", "/rounds/{round_id}/delete"): [(CURRENT, {}, FACILITATORS_ONLY_BAD_FORM)],
    # Inviting people is the place's facilitators' (an empty form has no one-time key).
    ("GET", "/places/{slug}/people"): [({}, {}, FACILITATORS_ONLY)],
    ("POST", "/places/{slug}/people"): [({}, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("POST", "/places/{slug}/people/invitations/{invitation_id}/withdraw"): [
        ({"invitation_id": "999999"}, {}, {**FACILITATORS_ONLY, FACILITATOR: 404, ADMIN: 404}),
    ],
    # An invitation link to join is for one address: anyone not signed in sees its form (an
    # empty one is refused with messages); everyone signed in here is someone else.
    ("GET", "/join/{token}"): [({"token": "{join}"}, {}, JOIN_LINK)],
    ("POST", "/join/{token}"): [
        ({"token": "{join}"}, {}, {**JOIN_LINK, **dict.fromkeys(NOT_SIGNED_IN, 400)})
    ],
    # Everyone signed in has the network's page: its figures for readers and members of
    # places that share, what joining would give for the rest.
    ("GET", "/network"): [({}, {}, {VIEWER: 200, OUTSIDER: 200, FACILITATOR: 200, ADMIN: 200})],
    # The library of stories is read as the network is (what joining would give, for the rest).
    ("GET", "/network/stories"): [
        ({}, {}, {VIEWER: 200, OUTSIDER: 200, FACILITATOR: 200, ADMIN: 200})
    ],
    # No place shares here, so nothing is released and there is no national report to give.
    ("GET", "/network/report.pdf"): [
        ({}, {}, {VIEWER: 404, OUTSIDER: 404, FACILITATOR: 404, ADMIN: 404})
    ],
    # Releasing the figures is the network's editors' (an administrator always is); the demo
    # place shares, so a release is made.
    ("POST", "/network/releases"): [({}, {}, {**ADMINISTRATORS_ONLY, ADMIN: 303})],
    # Reviewing stories is the network's editors' (an administrator always is); an empty form
    # decides nothing.
    ("POST", "/network/stories/{story_id}/review"): [
        ({"story_id": "999999"}, {}, {**ADMINISTRATORS_ONLY, ADMIN: 400}),
    ],
    # Offering a story is the place's facilitators' (an empty form has no one-time key);
    # taking back a story the place does not have changes nothing and lands on the page.
    ("GET", "/places/{slug}/stories"): [({}, {}, FACILITATORS_ONLY)],
    ("POST", "/places/{slug}/stories"): [({}, {}, FACILITATORS_ONLY_BAD_FORM)],
    ("POST", "/places/{slug}/stories/{story_id}/take-back"): [
        ({"story_id": "999999"}, {}, FACILITATORS_ONLY_DONE),
    ],
    ("GET", "/admin/users"): [({}, {}, ADMINISTRATORS_ONLY)],
    ("POST", "/admin/users"): [({}, {}, {**ADMINISTRATORS_ONLY, ADMIN: 400})],
    ("POST", "/admin/memberships"): [({}, {}, {**ADMINISTRATORS_ONLY, ADMIN: 400})],
    ("POST", "/admin/users/{user_id}/active"): [
        ({"user_id": "{outsider}"}, {"active": "yes"}, {**ADMINISTRATORS_ONLY, ADMIN: 303}),
    ],
    ("GET", "/admin/audit"): [({}, {}, ADMINISTRATORS_ONLY)],
    # Inviting a network reader is an administrator's (an empty form has no one-time key).
    ("POST", "/admin/network-readers"): [({}, {}, {**ADMINISTRATORS_ONLY, ADMIN: 400})],
    ("POST", "/admin/network-readers/{invitation_id}/withdraw"): [
        ({"invitation_id": "999999"}, {}, {**ADMINISTRATORS_ONLY, ADMIN: 404}),
    ],
    # Everyone signed in has an account page; an empty password form is refused with a message.
    ("GET", "/account"): [({}, {}, {VIEWER: 200, OUTSIDER: 200, FACILITATOR: 200, ADMIN: 200})],
    ("POST", "/account/password"): [
        ({}, {}, {VIEWER: 400, OUTSIDER: 400, FACILITATOR: 400, ADMIN: 400})
    ],
    # Everyone's own: setting up a code from an app (an empty form confirms and turns off
    # nothing).
    ("GET", "/account/two-factor"): [
        ({}, {}, {VIEWER: 200, OUTSIDER: 200, FACILITATOR: 200, ADMIN: 200})
    ],
    ("POST", "/account/two-factor/start"): [
        ({}, {}, {VIEWER: 303, OUTSIDER: 303, FACILITATOR: 303, ADMIN: 303})
    ],
    ("POST", "/account/two-factor/confirm"): [
        ({}, {}, {VIEWER: 400, OUTSIDER: 400, FACILITATOR: 400, ADMIN: 400})
    ],
    ("POST", "/account/two-factor/off"): [
        ({}, {}, {VIEWER: 400, OUTSIDER: 400, FACILITATOR: 400, ADMIN: 400})
    ],
    # Everyone's own: it ends only their other browsers (here, none).
    ("POST", "/account/sign-out-elsewhere"): [
        ({}, {}, {VIEWER: 303, OUTSIDER: 303, FACILITATOR: 303, ADMIN: 303})
    ],
}
# Routes anyone may reach: the site, signing in and out, and the respondent's link (checked by
# the respondent tests), with the API's own documentation.
OPEN_TO_ALL = {
    ("GET", "/"),
    ("GET", "/healthz"),
    ("GET", "/api/v1/status"),
    ("GET", "/sign-in"),
    ("POST", "/sign-in"),
    ("GET", "/sign-in/code"),  # the second step of signing in (tests/workspace/test_two_factor)
    ("POST", "/sign-in/code"),
    # Signing in with the organisation's account (tests/browser/test_organisation_sign_in):
    # here no provider is set up, so starting one is not found and a return is refused.
    ("POST", "/sign-in/with/{key}"),
    ("GET", "/sign-in/callback"),
    ("GET", "/accessibility"),
    ("GET", "/privacy"),
    ("GET", "/help"),
    ("POST", "/sign-out"),
    # The network's open data, once a release's restricted period is over (here none is:
    # tests/workspace/test_network_releases.py).
    ("GET", "/network/open-data.csv"),
}
RESPONDENT_PREFIXES = ("/r/{token}", "/api/v1/respondent/{token}")


def _declared_routes() -> set[tuple[str, str]]:
    """Every route the app serves: ``create_app`` includes exactly the routers in ROUTERS."""
    return {
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
        if method != "HEAD" and not route.path.startswith(RESPONDENT_PREFIXES)
    }


def test_every_route_has_an_access_rule() -> None:
    declared = _declared_routes()

    assert declared - OPEN_TO_ALL - set(RULES) == set(), "routes without an access rule"
    assert set(RULES) - declared == set(), "rules for routes that no longer exist"


@pytest.fixture
def clients(
    settings: Settings, engine: Engine, workspace: Workspace
) -> Iterator[dict[str, TestClient]]:
    made = {}
    app = create_app(settings=settings, engine=engine)  # one app, one PDF pool, eight browsers
    made[REVOKED] = _revoked(TestClient(app), engine)
    made[SIGNED_OUT] = _signed_out_copy(TestClient(app))
    for actor in ACTORS[:2] + ACTORS[4:]:
        client = TestClient(app)
        client.__enter__()
        if actor in EMAILS:
            sign_in(client, EMAILS[actor])
        made[actor] = client
    made[RESPONDENT].get("/r/not-a-real-token")  # someone holding only an invitation link
    yield made
    for client in made.values():
        client.__exit__(None, None, None)


def _signed_out_copy(client: TestClient) -> TestClient:
    """Signs in as the facilitator, keeps a copy of the cookie, signs out, then puts the copy
    back, as someone who copied the cookie from a shared computer would."""
    client.__enter__()
    sign_in(client, EMAILS[FACILITATOR])
    copied = client.cookies[SESSION_COOKIE]
    client.post("/sign-out", data={"csrf_token": csrf_of(client.get("/places").text)})
    client.cookies.set(SESSION_COOKIE, copied)
    return client


def _revoked(client: TestClient, engine: Engine) -> TestClient:
    """Signs in as the viewer, then ends every one of the viewer's sessions on the server (as
    deactivating the account or an administrator's 'sign out everywhere' does)."""
    client.__enter__()
    sign_in(client, EMAILS[VIEWER])
    with write_session(engine) as session:
        viewer = session.exec(select(User).where(User.email == EMAILS[VIEWER])).one()
        for row in session.exec(select(UserSession).where(UserSession.user_id == viewer.id)):
            session.delete(row)
        session.commit()
    return client


def _invited(session: Session, secret: str, email: str) -> str:
    """The link of an invitation to the demo place for someone with no account."""
    place = session.exec(select(Place).where(Place.slug == "kestrel-vale")).one()
    invitation, _ = invite_to_place(
        session=session,
        secret=secret,
        place=place,
        details=AccountInvitationBase(
            display_name="Nat Newcomer", email=email, role=MembershipRole.VIEWER
        ),
        invited_by=session.exec(select(User).where(User.email == EMAILS[ADMIN])).one(),
        form_key=new_token(),
    )
    return join_token(secret, invitation.link_nonce)


def test_every_route_answers_each_kind_of_person_as_it_should(
    clients: dict[str, TestClient], workspace: Workspace, engine: Engine, settings: Settings
) -> None:
    with write_session(engine) as session:
        invitation = session.exec(
            select(Invitation).where(Invitation.round_id == workspace.current_round)
        ).first()
        outsider = session.exec(select(User).where(User.email == EMAILS[OUTSIDER])).one()
        # Reports already made, as if asked for earlier: following one and taking its file.
        jobs = {
            name: ReportJob(
                round_id=round_id,
                kind=kind,
                status=JobStatus.DONE,
                filename=f"{kind}.pdf",
                pdf=b"%PDF-1.7 made earlier",
            )
            for name, round_id, kind in (
                ("forum_job", workspace.previous_round, "forum"),
                ("workshop_job", workspace.current_round, "workshop"),
            )
        }
        assert invitation is not None
        action = session.exec(
            select(Action).where(Action.round_id == workspace.current_round)
        ).first()
        assert action is not None
        values = {
            "action": str(action.id),
            "current": str(workspace.current_round),
            "previous": str(workspace.previous_round),
            "invitation": str(invitation.id),
            "organisation": str(invitation.organisation_id),
            "outsider": str(outsider.id),
            "join": _invited(session, settings.secret, "newcomer@example.org"),
        }
        session.add_all(jobs.values())
        session.commit()
        values |= {name: str(job.id) for name, job in jobs.items()}
    failures = []
    for (method, template), cases in RULES.items():
        for parameters, data, expected in cases:
            filled = {"slug": workspace.place_slug} | {
                name: value.format(**values) for name, value in parameters.items()
            }
            path = template.format(**filled)
            for actor, client in clients.items():
                want = expected.get(actor, 303)
                if method == "GET":
                    response = client.get(path, follow_redirects=False)
                else:
                    token = csrf_of(
                        client.get("/sign-in" if actor in NOT_SIGNED_IN else "/places").text
                    )
                    response = client.post(
                        path, data={**data, "csrf_token": token}, follow_redirects=False
                    )
                if response.status_code != want:
                    failures.append(
                        f"{method} {path} as {actor}: {response.status_code}, not {want}"
                    )
                    continue
                if actor in NOT_SIGNED_IN and want == 303:
                    assert response.headers["location"].startswith("/sign-in?next=")
                if want in (403, 404):
                    # A refusal says nothing about the place, its rounds or its people.
                    assert "Kestrel Vale" not in response.text, f"{path} as {actor} leaks"
                    assert "/r/" not in response.text
    assert not failures, "\n".join(failures)


def test_a_viewer_never_sees_invitation_links_or_who_answered(
    clients: dict[str, TestClient], workspace: Workspace
) -> None:
    round_path = f"/rounds/{workspace.current_round}"
    for section in ("", "/progress", "/reports"):
        page = clients[VIEWER].get(round_path + section)
        assert page.status_code == 200
        assert "/r/" not in page.text
        assert "By organisation" not in page.text
        assert "Invitations" not in page.text and f"{round_path}/invitations" not in page.text
    assert "/r/" in clients[FACILITATOR].get(f"{round_path}/invitations").text
    assert "By organisation" in clients[FACILITATOR].get(f"{round_path}/progress").text


def test_a_form_without_its_csrf_token_changes_nothing(
    clients: dict[str, TestClient], workspace: Workspace
) -> None:
    client = clients[FACILITATOR]
    response = client.post(
        f"/rounds/{workspace.current_round}/status", data={"to": "closed"}, follow_redirects=False
    )
    assert response.status_code == 400
    assert "Nothing was changed" in response.text
    assert "Open" in client.get(f"/rounds/{workspace.current_round}").text


def test_a_form_token_from_before_signing_out_is_refused_after_signing_in_again(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    """A page left open (or a token copied from it) in a session that ended must not work in
    the next one: tokens are bound to the signed-in browser's session, not to the person."""
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        sign_in(client, "fran@example.org")
        round_page = f"/rounds/{workspace.current_round}"
        old_token = csrf_of(client.get(round_page).text)
        assert client.post("/sign-out", data={"csrf_token": old_token}).status_code == 200
        sign_in(client, "fran@example.org")

        stale = client.post(
            f"{round_page}/status",
            data={"to": "closed", "csrf_token": old_token},
            follow_redirects=False,
        )
        assert stale.status_code == 400
        assert "Nothing was changed" in stale.text
        assert "Open" in client.get(round_page).text
        fresh = client.post(
            f"{round_page}/status",
            data={"to": "closed", "csrf_token": csrf_of(client.get(round_page).text)},
            follow_redirects=False,
        )
        assert fresh.status_code == 303


def test_a_viewer_is_told_when_results_will_come_instead_of_being_offered_links_that_refuse(
    clients: dict[str, TestClient], workspace: Workspace
) -> None:
    unpublished = clients[VIEWER].get(f"/rounds/{workspace.current_round}").text
    published = clients[VIEWER].get(f"/rounds/{workspace.previous_round}").text
    assert "once the facilitator publishes them" in unpublished
    assert "/results" not in unpublished
    assert f"/rounds/{workspace.previous_round}/results" in published


def test_only_people_allowed_to_set_up_places_are_offered_the_form(
    clients: dict[str, TestClient],
) -> None:
    assert "Set up a place" not in clients[VIEWER].get("/places").text
    assert "Set up a place" not in clients[OUTSIDER].get("/places").text
    assert "Set up a place" in clients[FACILITATOR].get("/places").text
    assert "Set up a place" in clients[ADMIN].get("/places").text


def test_each_anonymous_browser_gets_its_own_sign_in_token(
    settings: Settings, engine: Engine, workspace: Workspace
) -> None:
    """A token shared by every visitor would let another site post the sign-in form
    (login CSRF); each browser's token is bound to a random id in its own cookie."""
    app = create_app(settings=settings, engine=engine)
    with TestClient(app) as mine, TestClient(app) as theirs:
        my_token = csrf_of(mine.get("/sign-in").text)
        their_token = csrf_of(theirs.get("/sign-in").text)
        assert my_token != their_token

        borrowed = theirs.post(
            "/sign-in",
            data={"email": "fran@example.org", "password": PASSWORD, "csrf_token": my_token},
            follow_redirects=False,
        )
        own = theirs.post(
            "/sign-in",
            data={"email": "fran@example.org", "password": PASSWORD, "csrf_token": their_token},
            follow_redirects=False,
        )

    assert borrowed.status_code == 400
    assert "This form has expired" in borrowed.text
    assert own.status_code == 303
