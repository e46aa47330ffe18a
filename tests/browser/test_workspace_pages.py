"""Every workspace page type, on the demo place, in Chromium: none taller than 4,000 px at a
desktop width (a page per job, not a scroll through everything), none running off a 320 px
screen except inside a labelled scroll region, and axe-core finds no WCAG 2.2 A/AA violation."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlmodel import col, select

from app.accounts.two_factor import start_setup
from app.core.db import write_session
from app.demo.accounts import DEMO_ACCOUNTS, DEMO_NEWCOMER, DEMO_PASSWORD, ensure_demo_invitation
from app.enums import JobStatus, MembershipRole
from app.models import (
    AssessmentRound,
    Invitation,
    NetworkShare,
    Organisation,
    Place,
    PlaceMembership,
    ReportJob,
    User,
)
from tests.support.browser import DemoPlace, axe_violations
from tests.support.servers import LiveServer

from .test_results_page import OUTSIDE_A_SCROLL_REGION

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
TALLEST = 4_000
OUTSIDE_THE_HEADER = """() => {
  const band = document.querySelector('.pc-header').getBoundingClientRect();
  return [...document.querySelectorAll('.pc-header a, .pc-header button')]
    .filter(e => e.getBoundingClientRect().bottom > band.bottom)
    .map(e => e.textContent.trim());
}"""
"""Header links drawn below the green band would be white on white."""


@pytest.fixture
def demo_pages(
    live_server: LiveServer, demo_place: DemoPlace
) -> Iterator[tuple[str, dict[str, str]]]:
    """The address of every page type a facilitator works in, on the demo place."""
    with write_session(live_server.engine) as session:
        current = session.get(AssessmentRound, demo_place.open_round)
        assert current is not None
        invitation = session.exec(
            select(Invitation).where(Invitation.round_id == current.id).order_by(col(Invitation.id))
        ).first()
        organisation = session.exec(select(Organisation).order_by(col(Organisation.id))).first()
        shared = session.exec(select(NetworkShare)).one()  # the demo's baseline, shared
        facilitator_account = session.exec(
            select(User).where(User.email == DEMO_ACCOUNTS[0].email)
        ).one()
        start_setup(session, facilitator_account)  # the QR code and recovery codes, shown
        place = session.exec(select(Place).where(Place.slug == demo_place.slug)).one()
        ensure_demo_invitation(session, place, live_server.settings.secret)  # one waiting
        # A facilitator of thirty more places: the list of places is paged and searchable.
        facilitator = session.exec(select(User).where(User.email == DEMO_ACCOUNTS[0].email)).one()
        more = [Place(name=f"Area {n:02d}", slug=f"area-{n:02d}") for n in range(30)]
        session.add_all(more)
        session.flush()
        role = MembershipRole.FACILITATOR
        session.add_all(
            PlaceMembership(user_id=facilitator.id or 0, place_id=p.id or 0, role=role)
            for p in more
        )
        job = ReportJob(
            round_id=current.id or 0,
            kind="forum",
            status=JobStatus.DONE,
            filename="forum.pdf",
            pdf=b"%PDF-1.7 made earlier",
        )
        session.add(job)
        session.commit()
        assert invitation is not None and organisation is not None
        r = f"/rounds/{current.id}"
        pages = {
            "places": "/places",
            "places-page-2": "/places?page=2",
            "places-search": "/places?q=Area+1",
            "place": f"/places/{demo_place.slug}",
            "organisation": f"/places/{demo_place.slug}/organisations/{organisation.id}",
            "new-round": f"/places/{demo_place.slug}/rounds/new",
            "place-edit": f"/places/{demo_place.slug}/edit",
            "people": f"/places/{demo_place.slug}/people",
            "sharing": f"/rounds/{shared.round_id}/network",
            "sharing-unpublished": f"{r}/network",
            "round": r,
            "round-edit": f"{r}/edit",
            "confirm": f"{r}/status/closed",
            "invitations": f"{r}/invitations",
            "invitation": f"{r}/invitations/{invitation.id}/edit",
            "progress": f"{r}/progress",
            "results": f"{r}/results",
            "results-sectors": f"{r}/results/sectors",
            "results-tables": f"{r}/results/tables",
            "results-recommendations": f"{r}/results/recommendations",
            "results-agreed": f"{r}/results/agreed",
            "workshop": f"{r}/workshop",
            "workshop-condition": f"{r}/workshop/conditions/shared-outcomes-and-accountability",
            "reports": f"{r}/reports",
            "report-job": f"{r}/report-jobs/{job.id}",
            "report-ask": f"{r}/reports/workshop",
            "data": f"{r}/data",
            "account": "/account",
            "two-factor-setup": "/account/two-factor",
            "help": "/help",
        }
    yield live_server.url, pages


@pytest.mark.parametrize("width", [1280, 375, 320])
def test_every_workspace_page_fits_the_screen_and_passes_axe(
    browser: Browser, demo_pages: tuple[str, dict[str, str]], width: int
) -> None:
    origin, pages = demo_pages
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-GB", bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{origin}/sign-in")
    page.get_by_label("E-mail address").fill(DEMO_ACCOUNTS[0].email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    problems: dict[str, object] = {}
    heights: dict[str, int] = {}
    for name, path in pages.items():
        response = page.goto(origin + path)
        assert response is not None and response.status == 200, (name, path)
        page.screenshot(path=str(SCREENSHOTS / f"workspace-{name}-{width}.png"), full_page=True)
        heights[name] = page.evaluate("document.documentElement.scrollHeight")
        if width == 1280 and heights[name] > TALLEST:
            problems[f"{name} is {heights[name]} px tall"] = path
        if lost := page.evaluate(OUTSIDE_THE_HEADER):
            problems[f"{name}: header links below the band"] = lost
        if escaped := page.evaluate(OUTSIDE_A_SCROLL_REGION):
            problems[f"{name} runs off the screen"] = escaped[:3]
        # Hidden labels escaping a scroll region widened the whole page, unseen by the check
        # above: the page itself must be no wider than the screen.
        if (wide := page.evaluate("document.documentElement.scrollWidth")) > width:
            problems[f"{name} is {wide} px wide"] = path
        if violations := axe_violations(page):
            problems[f"{name}: axe"] = [v["id"] for v in violations]
    print(f"\nPage heights at {width} px:", heights)
    context.close()
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


@pytest.mark.parametrize("width", [1280, 320])
def test_someone_invited_joins_through_their_link(
    browser: Browser, live_server: LiveServer, demo_place: DemoPlace, width: int
) -> None:
    """The invitation page, as its newcomer sees it, passes axe and fits the screen; they
    give their address and a password and land, signed in, on their place."""
    with write_session(live_server.engine) as session:
        place = session.exec(select(Place).where(Place.slug == demo_place.slug)).one()
        link = ensure_demo_invitation(session, place, live_server.settings.secret)
        session.commit()
    assert link is not None
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-GB", bypass_csp=True
    )
    page = context.new_page()
    page.goto(live_server.url + link)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
    page.get_by_label("Your e-mail address").fill("someone.else@example.org")
    page.get_by_label("Choose a password").fill("a newcomer's own password")
    page.get_by_label("The password again").fill("a newcomer's own password")
    page.get_by_role("button", name="Make my account and join").click()
    summary = page.locator(".govuk-error-summary")
    assert "sent to another e-mail address" in summary.inner_text()
    assert axe_violations(page) == []
    page.get_by_label("Your e-mail address").fill(DEMO_NEWCOMER.email.upper())
    page.get_by_label("Choose a password").fill("a newcomer's own password")
    page.get_by_label("The password again").fill("a newcomer's own password")
    page.get_by_role("button", name="Make my account and join").click()
    page.wait_for_load_state()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"joined-{width}.png"), full_page=True)
    assert "Welcome: you have joined this place" in page.inner_text("main")
    assert "Nell Newcomer" in page.inner_text("main")
    assert page.url.endswith(f"/places/{demo_place.slug}?done=joined")
    context.close()
