"""Post, redirect, get, against ``placecheck serve``: every form post that changes something,
sent with a valid form, answers with a redirect to a page, so reloading that page sends nothing
again. The routes come from the app itself: a form route added without a step here fails the
walk."""

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pyotp
import pytest
from alembic import command
from httpx import Response
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.accounts.two_factor import STEP_SECONDS
from app.core.config import Settings
from app.core.migrations import run_migrations
from app.main import ROUTERS
from app.models import (
    AccountInvitation,
    Action,
    Answer,
    AssessmentRound,
    EvidenceQuote,
    Invitation,
    NetworkStory,
    Organisation,
    Place,
    TwoFactor,
    User,
    utcnow,
)
from tests.support.mail import mail_server
from tests.support.pages import csrf_of, sign_in
from tests.support.servers import server
from tests.support.workspace import Workspace

NOT_A_CHANGE = {"/rounds/{round_id}/reports/{kind}.pdf", "/sign-in/with/{key}"}
"""Asks for a report and hands over its file, for scripts: sent again, it finds the same
report (nothing is made twice), so it answers with the file, not a redirect. Starting a sign-in
with the organisation's account changes nothing here: it redirects to the provider (walked in
tests/browser/test_organisation_sign_in.py)."""


@pytest.fixture
def mail_port() -> Iterator[int]:
    with mail_server() as inbox:
        yield inbox.port


def _form_routes() -> set[str]:
    return {
        route.path
        for router in ROUTERS
        for route in router.routes
        if "POST" in getattr(route, "methods", set()) and not route.path.startswith("/api/")
    }


def _two_factor_secret(engine: Engine, email: str) -> str:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        found = session.get(TwoFactor, user.id)
        assert found is not None
        return found.secret


def _code_a_step_ago(secret: str) -> str:
    """Confirmed with the code of the step before, the one of this step is left for signing in."""
    return pyotp.TOTP(secret).at(utcnow() - timedelta(seconds=STEP_SECONDS))


def _post(
    client: httpx.Client, page: str, action: str, data: dict[str, str], **files: object
) -> Response:
    token = csrf_of(client.get(page).text)
    return client.post(
        action,
        data={**data, "csrf_token": token},
        files=files or None,  # type: ignore[arg-type]
        follow_redirects=False,
    )


def test_every_form_post_that_changes_something_redirects_to_a_page(
    settings: Settings, engine: Engine, workspace: Workspace, mail_port: int, tmp_path: Path
) -> None:
    mail = {
        "PLACECHECK_SECRET_KEY": settings.secret,  # the workspace's links were made with it
        "PLACECHECK_SMTP_HOST": "127.0.0.1",
        "PLACECHECK_SMTP_PORT": str(mail_port),
        "PLACECHECK_SMTP_STARTTLS": "false",
    }
    url = engine.url.render_as_string(hide_password=False)
    # The workspace's tables are built from the models, which the migrations are checked to
    # match: marked as migrated, so that the server starts on it as on any database.
    run_migrations(engine, lambda config: command.stamp(config, "head"))
    round_id, slug = workspace.current_round, workspace.place_slug
    r = f"/rounds/{round_id}"
    walked: dict[str, Response] = {}
    landed: dict[str, int] = {}

    with (
        server(url, tmp_path, environment=mail) as running,
        httpx.Client(base_url=running.url, timeout=120) as fran,
        httpx.Client(base_url=running.url, timeout=120) as admin,
        httpx.Client(base_url=running.url, timeout=120) as respondent,
    ):
        sign_in(fran, "fran@example.org")
        sign_in(admin, "admin@example.org")

        def step(route: str, send: Callable[[], Response], by: httpx.Client | None = None) -> None:
            """Send the form, then follow the redirect at once, as the browser does."""
            walked[route] = response = send()
            if response.status_code == 303:
                landed[route] = (by or fran).get(response.headers["location"]).status_code

        def find(statement: object) -> int:
            with Session(engine) as session:
                found = session.exec(statement).first()  # type: ignore[call-overload]
            assert found is not None, {
                k: (v.status_code, v.text[-300:]) for k, v in walked.items() if v.status_code != 303
            }
            return int(found)

        links = list(csv.DictReader(io.StringIO(fran.get(f"{r}/links.csv").text)))
        waiting = next(row for row in links if row["status"] == "not-opened")
        token = waiting["link"].rsplit("/r/", 1)[1]
        answer_page = f"/r/{token}/p/people-focus"
        shown = respondent.get(answer_page).text
        item, value = re.findall(r'name="answer-([^"]+)" type="radio" value="([^"]+)"', shown)[0]
        step(
            "/r/{token}/p/{page_id}",
            lambda: respondent.post(
                answer_page,
                data={"csrf_token": csrf_of(shown), "action": "later", f"answer-{item}": value},
                follow_redirects=False,
            ),
            by=respondent,
        )
        step(
            "/r/{token}/submit",
            lambda: _post(respondent, f"/r/{token}/submit", f"/r/{token}/submit", {}),
            by=respondent,
        )

        with httpx.Client(base_url=running.url, timeout=120) as visitor:
            step(
                "/sign-in",
                lambda: _post(
                    visitor,
                    "/sign-in",
                    "/sign-in",
                    {"email": "vic@example.org", "password": "a-long-enough-password"},
                ),
                by=visitor,
            )
            step("/sign-out", lambda: _post(visitor, "/places", "/sign-out", {}), by=visitor)

        step("/places", lambda: _post(fran, "/places", "/places", {"name": "Walk Vale"}))
        step(
            "/places/{slug}/edit",
            lambda: _post(
                fran, f"/places/{slug}/edit", f"/places/{slug}/edit", {"name": "Kestrel Vale"}
            ),
        )
        step(
            "/places/{slug}/organisations",
            lambda: _post(
                fran,
                f"/places/{slug}",
                f"/places/{slug}/organisations",
                {"name": "Walk Housing Trust", "sector": "housing"},
            ),
        )
        organisation = find(
            select(Organisation.id).where(Organisation.name == "Walk Housing Trust")
        )
        step(
            "/places/{slug}/organisations/{organisation_id}",
            lambda: _post(
                fran,
                f"/places/{slug}/organisations/{organisation}",
                f"/places/{slug}/organisations/{organisation}",
                {"name": "Walk Housing", "sector": "housing"},
            ),
        )
        step(
            "/places/{slug}/organisations/{organisation_id}/delete",
            lambda: _post(
                fran,
                f"/places/{slug}/organisations/{organisation}",
                f"/places/{slug}/organisations/{organisation}/delete",
                {},
            ),
        )
        step(
            "/places/{slug}/rounds",
            lambda: _post(
                fran,
                f"/places/{slug}/rounds/new",
                f"/places/{slug}/rounds",
                {
                    "title": "Walk round",
                    "questionnaire_id": "trusting-place@1.0.0",
                    "anonymity_threshold": "3",
                },
            ),
        )
        draft = find(select(AssessmentRound.id).where(AssessmentRound.title == "Walk round"))
        d = f"/rounds/{draft}"
        step(
            "/rounds/{round_id}/edit",
            lambda: _post(fran, f"{d}/edit", f"{d}/edit", {"title": "Walk round"}),
        )
        step("/rounds/{round_id}/status", lambda: _post(fran, d, f"{d}/status", {"to": "open"}))
        step(
            "/rounds/{round_id}/reassess",
            lambda: _post(fran, r, f"{r}/reassess", {"title": "Walk again"}),
        )
        step(
            "/rounds/{round_id}/delete",
            lambda: _post(fran, f"{d}/delete", f"{d}/delete", {"confirm": "yes"}),
        )

        police = find(select(Organisation.id).where(Organisation.name == "Fenmoor Police"))
        step(
            "/rounds/{round_id}/invitations",
            lambda: _post(
                fran,
                f"{r}/invitations",
                f"{r}/invitations",
                {
                    "organisation_id": str(police),
                    "role_title": "Walk inspector",
                    "email": "walk@example.org",
                },
            ),
        )
        invitation = find(select(Invitation.id).where(Invitation.role_title == "Walk inspector"))
        step(
            "/rounds/{round_id}/invitations/{invitation_id}/edit",
            lambda: _post(
                fran,
                f"{r}/invitations/{invitation}/edit",
                f"{r}/invitations/{invitation}/edit",
                {
                    "organisation_id": str(police),
                    "role_title": "Walk inspector",
                    "name": "Wal Walker",
                },
            ),
        )
        people = (
            "organisation,role,name,email\n"
            "Fenmoor Police,Walk sergeant,Sam Walk,sam.walk@example.org\n"
        )
        step(
            "/rounds/{round_id}/invitations/upload",
            lambda: _post(
                fran,
                f"{r}/invitations",
                f"{r}/invitations/upload",
                {},
                invitations_file=("people.csv", people.encode(), "text/csv"),
            ),
        )

        def send_email() -> Response:
            confirm = fran.get(f"{r}/invitations/email?who=new").text
            fields = dict(
                re.findall(
                    r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                    confirm.split(f'action="{r}/invitations/email"', 1)[1],
                )
            )
            return fran.post(f"{r}/invitations/email", data=fields, follow_redirects=False)

        step("/rounds/{round_id}/invitations/email", send_email)
        step(
            "/rounds/{round_id}/invitations/{invitation_id}/{action}",
            lambda: _post(
                fran,
                f"{r}/invitations/{invitation}/reissue",
                f"{r}/invitations/{invitation}/reissue",
                {},
            ),
        )
        step(
            "/rounds/{round_id}/reports/{kind}",
            lambda: _post(fran, f"{r}/reports/workshop", f"{r}/reports/workshop", {}),
        )

        w = f"{r}/workshop"
        step(
            "/rounds/{round_id}/workshop/agreements",
            lambda: _post(fran, w, f"{w}/agreements", {"level-people-focus": "3"}),
        )
        step(
            "/rounds/{round_id}/workshop/actions",
            lambda: _post(
                fran,
                w,
                f"{w}/actions",
                {"description": "Walk the action plan", "condition_id": "people-focus"},
            ),
        )
        action = find(select(Action.id).where(Action.description == "Walk the action plan"))
        step(
            "/rounds/{round_id}/workshop/action-status",
            lambda: _post(
                fran, w, f"{w}/action-status", {"action_id": str(action), "status": "done"}
            ),
        )
        step(
            "/rounds/{round_id}/workshop/actions/{action_id}",
            lambda: _post(
                fran,
                f"{w}/actions/{action}",
                f"{w}/actions/{action}",
                {"description": "Walk the plan", "condition_id": "people-focus", "status": "done"},
            ),
        )
        step(
            "/rounds/{round_id}/workshop/actions/{action_id}/remove",
            lambda: _post(fran, f"{w}/actions/{action}/remove", f"{w}/actions/{action}/remove", {}),
        )
        comment = find(
            select(Answer.id)
            .join(Invitation, col(Invitation.id) == col(Answer.invitation_id))
            .where(
                Invitation.round_id == round_id,
                col(Answer.evidence).is_not(None),
                col(Answer.id).not_in(select(EvidenceQuote.answer_id)),
            )
        )
        step(
            "/rounds/{round_id}/workshop/quotes",
            lambda: _post(
                fran,
                w,
                f"{w}/quotes",
                {"answer_id": str(comment), "text": "Walked into the report."},
            ),
        )
        quote = find(select(EvidenceQuote.id).where(EvidenceQuote.answer_id == comment))
        step(
            "/rounds/{round_id}/workshop/remove-quote",
            lambda: _post(fran, w, f"{w}/remove-quote", {"quote_id": str(quote)}),
        )

        paper = (
            "respondent,organisation,role,item_id,answer,comment\n"
            "W1,Fenmoor Police,Walker,people-focus.1,4,\n"
        )
        step(
            "/rounds/{round_id}/paper",
            lambda: _post(
                fran,
                f"{r}/data",
                f"{r}/paper",
                {},
                paper_file=("paper.csv", paper.encode(), "text/csv"),
            ),
        )
        step(
            "/rounds/{round_id}/respondents/{invitation_id}/erase",
            lambda: _post(fran, f"{r}/data", f"{r}/respondents/{invitation}/erase", {}),
        )
        shared = f"/rounds/{workspace.previous_round}/network"
        step(
            "/rounds/{round_id}/network",
            lambda: _post(fran, shared, shared, {"visibility": "unnamed"}),
        )
        step(
            "/rounds/{round_id}/network/withdraw",
            lambda: _post(fran, shared, f"{shared}/withdraw", {}),
        )
        stories = f"/places/{slug}/stories"

        def offer(title: str) -> Response:
            key = re.findall(r'name="form_key" value="([^"]+)"', fran.get(stories).text)[0]
            story = {
                "form_key": key,
                "title": title,
                "condition_id": "data-and-evidence",
                "what_they_did": "One data sharing agreement for every partner, in six weeks.",
                "what_changed": "The forum reads the same figures as each partner's board.",
                "contact": "Forum team, forum@fenmoor.example",
            }
            return _post(fran, stories, stories, story)

        step("/places/{slug}/stories", lambda: offer("One agreement"))
        offer("Another agreement")
        published, taken_back = (
            find(select(NetworkStory.id).where(NetworkStory.title == title))
            for title in ("One agreement", "Another agreement")
        )
        step(
            "/network/stories/{story_id}/review",
            lambda: _post(
                admin,
                "/network/stories",
                f"/network/stories/{published}/review",
                {"decision": "publish"},
            ),
            by=admin,
        )
        step(
            "/network/releases",
            lambda: _post(admin, "/network", "/network/releases", {}),
            by=admin,
        )
        step(
            "/places/{slug}/stories/{story_id}/take-back",
            lambda: _post(fran, stories, f"{stories}/{taken_back}/take-back", {}),
        )
        exported = fran.get(f"/rounds/{workspace.previous_round}/export.json").json()
        exported["round"]["title"] = "Walk import"
        step(
            "/places/{slug}/import",
            lambda: _post(
                fran,
                f"/places/{slug}/import",
                f"/places/{slug}/import",
                {},
                round_file=("round.json", json.dumps(exported).encode(), "application/json"),
            ),
        )

        people = f"/places/{slug}/people"

        def invite(email: str) -> Response:
            key = re.findall(r'name="form_key" value="([^"]+)"', fran.get(people).text)[0]
            invited = {"form_key": key, "display_name": "Jo Joiner", "email": email}
            return _post(fran, people, people, {**invited, "role": "viewer"})

        step("/places/{slug}/people", lambda: invite("jo@example.org"))
        join = re.findall(r">https?://[^<]*(/join/[^<]+)</code>", fran.get(people).text)[0]
        with httpx.Client(base_url=running.url, timeout=120) as joiner:
            chosen = "jo's own long password"
            step(
                "/join/{token}",
                lambda: _post(
                    joiner,
                    join,
                    join,
                    {"email": "jo@example.org", "new_password": chosen, "confirm_password": chosen},
                ),
                by=joiner,
            )
        invite("lee@example.org")
        lee = find(select(AccountInvitation.id).where(AccountInvitation.email == "lee@example.org"))
        step(
            "/places/{slug}/people/invitations/{invitation_id}/withdraw",
            lambda: _post(fran, people, f"{people}/invitations/{lee}/withdraw", {}),
        )
        step(
            "/admin/users",
            lambda: _post(
                admin,
                "/admin/users",
                "/admin/users",
                {
                    "display_name": "Wyn Walker",
                    "email": "wyn@example.org",
                    "password": "a-long-enough-password",
                },
            ),
            by=admin,
        )
        users_page = admin.get("/admin/users").text
        reader_key = re.findall(r'name="form_key" value="([^"]+)"', users_page)[0]
        step(
            "/admin/network-readers",
            lambda: _post(
                admin,
                "/admin/users",
                "/admin/network-readers",
                {"form_key": reader_key, "reader_name": "Rae", "reader_email": "rae@example.org"},
            ),
            by=admin,
        )
        rae = find(select(AccountInvitation.id).where(AccountInvitation.email == "rae@example.org"))
        step(
            "/admin/network-readers/{invitation_id}/withdraw",
            lambda: _post(admin, "/admin/users", f"/admin/network-readers/{rae}/withdraw", {}),
            by=admin,
        )
        wyn = find(select(User.id).where(User.email == "wyn@example.org"))
        place = find(select(Place.id).where(Place.slug == slug))
        step(
            "/admin/memberships",
            lambda: _post(
                admin,
                "/admin/users",
                "/admin/memberships",
                {"user_id": str(wyn), "place_id": str(place), "role": "viewer"},
            ),
            by=admin,
        )
        step(
            "/admin/users/{user_id}/active",
            lambda: _post(admin, "/admin/users", f"/admin/users/{wyn}/active", {"active": "no"}),
            by=admin,
        )
        two_factor = "/account/two-factor"
        step(f"{two_factor}/start", lambda: _post(fran, two_factor, f"{two_factor}/start", {}))
        recovery = re.findall(r"<li><code>([a-z0-9-]{11})</code></li>", fran.get(two_factor).text)
        secret = _two_factor_secret(engine, "fran@example.org")
        step(
            f"{two_factor}/confirm",
            lambda: _post(
                fran, two_factor, f"{two_factor}/confirm", {"code": _code_a_step_ago(secret)}
            ),
        )
        with httpx.Client(base_url=running.url, timeout=120) as second:
            password = {"email": "fran@example.org", "password": "a-long-enough-password"}
            assert _post(second, "/sign-in", "/sign-in", password).status_code == 303
            step(
                "/sign-in/code",
                lambda: _post(
                    second, "/sign-in/code", "/sign-in/code", {"code": pyotp.TOTP(secret).now()}
                ),
                by=second,
            )
        step(
            f"{two_factor}/off",
            lambda: _post(fran, two_factor, f"{two_factor}/off", {"code": recovery[0]}),
        )
        step(
            "/account/password",
            lambda: _post(
                fran,
                "/account",
                "/account/password",
                {
                    "current_password": "a-long-enough-password",
                    "new_password": "a longer new password",
                    "confirm_password": "a longer new password",
                },
            ),
        )
        step(
            "/account/sign-out-elsewhere",
            lambda: _post(fran, "/account", "/account/sign-out-elsewhere", {}),
        )

        not_redirected = {
            route: (response.status_code, response.text[-500:])
            for route, response in walked.items()
            if response.status_code != 303
        }

    assert _form_routes() - NOT_A_CHANGE == set(walked), "a form route has no step in the walk"
    assert not_redirected == {}
    assert set(landed.values()) == {200}, {k: v for k, v in landed.items() if v != 200}
