"""People with different roles, the demo place and a second place, and a way to sign in."""

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.accounts.service import create_user
from app.core.config import Settings
from app.demo.place import load_demo
from app.enums import MembershipRole, RoundStatus
from app.models import AssessmentRound, Place, PlaceCreate, PlaceMembership, UserCreate
from app.places.service import create_place

PASSWORD = "a-long-enough-password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Workspace:
    place_slug: str
    other_slug: str
    current_round: int
    previous_round: int
    other_round: int


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def post_form(client: TestClient, page_path: str, action: str, data: dict[str, str], **kw: object):  # type: ignore[no-untyped-def]
    """Submit a form as a browser would: with the CSRF token from the page it is on."""
    page = client.get(page_path)
    assert page.status_code == 200, page.text
    return client.post(action, data={**data, "csrf_token": csrf_of(page.text)}, **kw)  # type: ignore[arg-type]


@pytest.fixture
def workspace(engine: Engine, settings: Settings) -> Workspace:
    with Session(engine) as session:
        load_demo(session, settings.secret_key.get_secret_value())
        place = session.exec(select(Place).where(Place.slug == "kestrel-vale")).one()
        admin = create_user(
            session=session,
            details=UserCreate(
                email="admin@example.org",
                display_name="Ada Admin",
                password=PASSWORD,
                is_administrator=True,
            ),
        )
        facilitator = create_user(
            session=session,
            details=UserCreate(
                email="fran@example.org",
                display_name="Fran Facilitator",
                password=PASSWORD,
                is_administrator=False,
            ),
        )
        viewer = create_user(
            session=session,
            details=UserCreate(
                email="vic@example.org",
                display_name="Vic Viewer",
                password=PASSWORD,
                is_administrator=False,
            ),
        )
        stranger = create_user(
            session=session,
            details=UserCreate(
                email="sam@example.org",
                display_name="Sam Elsewhere",
                password=PASSWORD,
                is_administrator=False,
            ),
        )
        assert place.id and facilitator.id and viewer.id and admin.id
        session.add(PlaceMembership(user_id=facilitator.id, place_id=place.id))
        session.add(
            PlaceMembership(user_id=viewer.id, place_id=place.id, role=MembershipRole.VIEWER)
        )
        other = create_place(session=session, creator=stranger, details=PlaceCreate(name="Fenmoor"))
        other_round = AssessmentRound(
            place_id=other.id or 0,
            title="Fenmoor first round",
            questionnaire_hash=session.exec(select(AssessmentRound)).first().questionnaire_hash,  # type: ignore[union-attr]
            status=RoundStatus.OPEN,
        )
        session.add(other_round)
        session.commit()
        rounds = session.exec(
            select(AssessmentRound).where(AssessmentRound.place_id == place.id)
        ).all()
        current = next(r for r in rounds if r.status is RoundStatus.OPEN)
        previous = next(r for r in rounds if r.status is RoundStatus.PUBLISHED)
        return Workspace(
            "kestrel-vale", other.slug, current.id or 0, previous.id or 0, other_round.id or 0
        )
