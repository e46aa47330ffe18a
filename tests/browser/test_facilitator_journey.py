"""The facilitator's journey in Chromium, from signing in to a viewer reading published results,
with axe-core on every facilitator page type."""

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.accounts.service import create_user
from app.core.clock import place_today
from app.core.db import write_session
from app.models import UserCreate
from app.rounds.deadlines import close_rounds_past_deadline
from tests.support.browser import axe_violations
from tests.support.servers import LiveServer

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PASSWORD = "a-long-enough-password"
CSV_WITH_A_BAD_ROW = (
    "organisation,role,name,email\n"
    "Heronsgate Council,Director of Place,Alex,alex@example.org\n"
    "Heronsgate Councl,Head of Policy,,\n"
)
CSV = (
    "organisation,role,name,email\n"
    "Heronsgate Council,Director of Place,Alex,alex@example.org\n"
    "Heronsgate Council,Head of Policy,,\n"
    "Heronsgate Council,Director of Public Health,,\n"
    "Heronsgate Police,Superintendent,,\n"
    "Heronsgate Police,Inspector,,\n"
    "Heronsgate Police,Partnerships Lead,,\n"
)


@pytest.fixture
def people(live_server: LiveServer) -> None:
    with write_session(live_server.engine) as session:
        create_user(
            session=session,
            details=UserCreate(
                email="fran@example.org",
                display_name="Fran Facilitator",
                password=PASSWORD,
                is_administrator=True,
            ),
        )
        create_user(
            session=session,
            details=UserCreate(
                email="vic@example.org",
                display_name="Vic Viewer",
                password=PASSWORD,
                is_administrator=False,
            ),
        )
        session.commit()


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Places", exact=True)).to_be_visible()


def check_accessible(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"facilitator-{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def answer_everything(url: str, token: str) -> None:
    """A respondent answering through the API, as the answering pages' autosave does."""
    view = httpx.get(f"{url}/api/v1/respondent/{token}").json()
    versions = {a["item_id"]: a["version"] for a in view["answers"]}
    answers = [
        {
            "item_id": q["id"],
            "value": q["levels"][min(2, len(q["levels"]) - 1)]["value"],
            "version": versions.get(q["id"], 0),
        }
        for q in view["questions"]
    ]
    assert httpx.put(
        f"{url}/api/v1/respondent/{token}/answers", json={"answers": answers}
    ).is_success
    assert httpx.post(f"{url}/api/v1/respondent/{token}/submit").is_success


def test_a_facilitator_runs_a_round_and_a_viewer_reads_the_results(
    browser: Browser, page: Page, live_server: LiveServer, people: None
) -> None:
    url = live_server.url
    sign_in(page, url, "fran@example.org")
    check_accessible(page, "places")

    page.get_by_label("Name of the place").fill("Heronsgate")
    page.get_by_role("button", name="Set up place").click()
    expect(page.get_by_role("heading", name="Heronsgate")).to_be_visible()
    page.get_by_role("button", name="Add organisation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the organisation's name")
    check_accessible(page, "place-with-errors")
    for name, sector in (
        ("Heronsgate Council", "Local authority"),
        ("Heronsgate Police", "Police"),
        ("Heronsgate Fire", "Fire and rescue"),
    ):
        page.get_by_label("Organisation name").fill(name)
        page.get_by_label("Sector").select_option(label=sector)
        page.get_by_role("button", name="Add organisation").click()
    expect(page.get_by_role("cell", name="Heronsgate Police", exact=True)).to_be_visible()
    expect(page.get_by_text("The organisation was added.")).to_be_visible()
    check_accessible(page, "place")
    page.get_by_role("link", name="Change Heronsgate Police").click()
    check_accessible(page, "organisation")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("The organisation was changed.")).to_be_visible()
    # An organisation no one is invited from can be removed.
    page.get_by_role("link", name="Change Heronsgate Fire").click()
    page.get_by_role("button", name="Remove Heronsgate Fire").click()
    expect(page.get_by_text("The organisation was removed.")).to_be_visible()
    expect(page.get_by_role("cell", name="Heronsgate Fire", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Start a new round").click()
    check_accessible(page, "new-round")
    page.get_by_label("Title").fill("Spring 2027")
    page.get_by_role("button", name="Create round").click()
    expect(page.get_by_role("heading", name="Spring 2027")).to_be_visible()
    round_url = page.url

    # The dates go in GOV.UK day, month and year boxes; a date that is not real is explained.
    closes = place_today() + timedelta(days=14)
    page.get_by_role("link", name="Change closing date").click()
    closing = page.get_by_role("group", name="Closes on (optional)")
    closing.get_by_label("Day").fill("31")
    closing.get_by_label("Month").fill("2")
    closing.get_by_label("Year").fill(str(closes.year))
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a real date")
    check_accessible(page, "round-edit-with-errors")
    closing.get_by_label("Day").fill(str(closes.day))
    closing.get_by_label("Month").fill(str(closes.month))
    page.get_by_label("Send a reminder this many days before it closes").fill("3")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("The round's details were changed.")).to_be_visible()
    expect(
        page.get_by_text(f"{closes.day} {closes:%B %Y} (the round closes itself")
    ).to_be_visible()

    page.get_by_role("link", name="Invitations", exact=True).click()
    page.get_by_label("CSV file of invitations").set_input_files(
        files=[
            {"name": "people.csv", "mimeType": "text/csv", "buffer": CSV_WITH_A_BAD_ROW.encode()}
        ]
    )
    page.get_by_role("button", name="Upload invitations").click()
    summary = page.locator(".govuk-error-summary").first
    expect(summary).to_contain_text(
        "Line 3: 'Heronsgate Councl' is not one of this place's organisations"
    )
    check_accessible(page, "invitations-with-csv-errors")
    page.get_by_label("CSV file of invitations").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Upload invitations").click()
    expect(page.get_by_text("6 invitations added")).to_be_visible()
    # Reloading the confirmation sends nothing; the same file again invites no one twice.
    page.reload()
    expect(page.get_by_text("6 invitations added")).to_be_visible()
    page.get_by_text("Invite many people from a spreadsheet").click()
    page.get_by_label("CSV file of invitations").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Upload invitations").click()
    expect(page.get_by_text("6 rows were skipped because those people are already")).to_be_visible()
    page.reload()

    # A person put under the wrong partner is moved, keeping their link.
    page.get_by_role("link", name="Change details of Alex, Heronsgate Council").click()
    check_accessible(page, "invitation")
    page.get_by_label("Partner they answer for").select_option(label="Heronsgate Police (Police)")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("The invitation was changed.")).to_be_visible()
    page.get_by_label("Partner", exact=True).select_option(label="Heronsgate Police")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Showing 4 of 6 invitations")).to_be_visible()
    page.get_by_role("link", name="Show everyone").click()

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Open the round for answers").click()
    expect(page.get_by_role("heading", name="Open the round for answers?")).to_be_visible()
    check_accessible(page, "confirm-open")
    page.get_by_role("button", name="Open the round for answers").click()
    expect(page.locator(".govuk-tag").first).to_have_text("Open")
    expect(page.get_by_text("The round is open: invited people can answer")).to_be_visible()
    check_accessible(page, "round")
    page.get_by_role("link", name="Invitations", exact=True).click()
    check_accessible(page, "invitations")
    links = [page.locator("code[id^=link-]").nth(i).inner_text() for i in range(6)]
    tokens = [link.rsplit("/r/", 1)[1] for link in links]
    # Each link is printed in full, and its button copies exactly that link.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page.locator("button[data-copy]").first.click()
    expect(page.get_by_role("status").filter(has_text="Link copied")).to_have_count(1)
    assert page.evaluate("navigator.clipboard.readText()") == links[0]
    # Without a mail server, the reminder is a list to download and a text for a mail merge.
    with page.expect_download() as reminders:
        page.get_by_role("link", name="download their links (CSV)").click()
    assert reminders.value.suggested_filename.endswith("-reminders.csv")
    page.get_by_text("Reminder text for a mail merge").click()
    expect(page.locator(".pc-mail-merge")).to_contain_text(f"It closes on {closes.day}")

    # A respondent starts in their own browser; the facilitator sees progress change.
    respondent = browser.new_page()
    respondent.goto(links[0])
    respondent.get_by_role("button", name="Start now").click()
    respondent.locator('a[href*="/p/"]').first.click()
    respondent.locator("input[type=radio]").first.check()
    respondent.get_by_role("button", name="Save and come back later").click()
    respondent.close()
    page.get_by_role("link", name="Progress").click()
    check_accessible(page, "progress")
    started = page.locator("table").filter(has_text="Everyone").locator("tbody td").nth(2)
    expect(started).to_have_text("1")
    for token in tokens:
        answer_everything(url, token)
    page.reload()
    submitted = page.locator("table").filter(has_text="Everyone").locator("tbody td").nth(3)
    expect(submitted).to_have_text("6")

    # Closing is confirmed first; here the closing date passes and the service closes it.
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Close the round").click()
    expect(page.get_by_text("Links stop accepting answers at once.")).to_be_visible()
    check_accessible(page, "confirm-close")
    page.get_by_role("link", name="Cancel").click()
    assert close_rounds_past_deadline(live_server.engine, closes + timedelta(days=1))
    page.reload()
    expect(page.locator(".govuk-tag").first).to_have_text("Closed")
    page.get_by_role("link", name="Results", exact=True).click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("People focus")
    check_accessible(page, "results")

    # A report is made in the background: its page shows it being made, then offers it.
    page.get_by_role("link", name="Reports", exact=True).click()
    check_accessible(page, "reports")
    page.get_by_role("link", name="Forum report (PDF)").click()
    # Following the link asks for nothing: its page has the button that does.
    check_accessible(page, "report-ask")
    page.get_by_role("button", name="Make the forum report (PDF)").click()
    expect(page.get_by_role("heading", name="Preparing your forum report")).to_be_visible()
    check_accessible(page, "report-job")
    ready = page.get_by_role("button", name="Download the forum report")
    expect(ready).to_be_visible(timeout=180_000)
    with page.expect_download() as report:
        ready.click()
    assert Path(report.value.path()).read_bytes().startswith(b"%PDF")

    page.goto(f"{round_url}/workshop")
    check_accessible(page, "workshop")
    page.get_by_role("link", name="People focus", exact=True).click()
    page.get_by_label("3 – Developing").check()
    page.get_by_label("Why (optional)").fill("Agreed after the workshop.")
    page.get_by_role("button", name="Save the agreed level").click()
    expect(page.get_by_text("The agreed level was saved.")).to_be_visible()
    page.get_by_text("Add an action").click()
    page.get_by_label("Action", exact=True).fill("Set up a joint neighbourhood team")
    page.get_by_label("Lead organisation").select_option(label="Heronsgate Police")
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("The action was added to the plan.")).to_be_visible()
    check_accessible(page, "workshop-condition")
    page.get_by_role("link", name="Workshop", exact=True).click()
    expect(
        page.get_by_role("cell", name=re.compile("^Set up a joint neighbourhood team"))
    ).to_be_visible()
    # An action is corrected, and one added by mistake is removed after a confirmation.
    page.get_by_role("link", name="Change action: Set up a joint neighbourhood team").click()
    check_accessible(page, "action")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("The action was changed.")).to_be_visible()
    page.get_by_label("Action", exact=True).fill("Added by mistake")
    page.get_by_role("button", name="Add action").click()
    page.get_by_role("link", name="Change action: Added by mistake").click()
    page.get_by_role("button", name="Remove the action").click()
    expect(page.get_by_role("heading", name="Remove this action from the plan?")).to_be_visible()
    page.get_by_role("button", name="Remove the action").click()
    expect(page.get_by_text("The action was removed from the plan.")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("^Added by mistake"))).to_have_count(0)

    page.goto(f"{round_url}/data")
    check_accessible(page, "data")
    page.get_by_role("link", name="Erase answers of Alex, Heronsgate Police").click()
    check_accessible(page, "erase-respondent")
    page.goto(f"{round_url}/delete")
    check_accessible(page, "delete-round")
    page.goto(f"{url}/places/heronsgate/import")
    check_accessible(page, "import-round")
    page.goto(round_url)
    page.get_by_role("button", name="Publish the results").click()
    page.get_by_role("button", name="Publish the results").click()
    expect(page.locator(".govuk-tag").first).to_have_text("Published")

    # The next round starts with the same people and the open actions carried forward.
    page.get_by_label("Title of the new round").fill("Autumn 2027")
    page.get_by_role("button", name="Start a new round").click()
    expect(page.get_by_role("heading", name="Autumn 2027")).to_be_visible()
    page.get_by_role("link", name="Workshop", exact=True).click()
    expect(
        page.get_by_role("cell", name=re.compile("^Set up a joint neighbourhood team"))
    ).to_be_visible()

    page.goto(f"{url}/admin/users")
    check_accessible(page, "users")
    page.get_by_label("User", exact=True).select_option(label="Vic Viewer (vic@example.org)")
    page.get_by_label("Place", exact=True).select_option(label="Heronsgate")
    page.get_by_label("Role", exact=True).select_option(label="Forum member")
    page.get_by_role("button", name="Save access").click()
    page.goto(f"{url}/admin/audit")
    check_accessible(page, "audit")
    page.goto(f"{url}/account")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("link", name="Enter your current password")).to_be_visible()
    check_accessible(page, "account-with-errors")

    viewer = browser.new_page(bypass_csp=True)  # axe-core goes in as an inline script
    sign_in(viewer, url, "vic@example.org")
    viewer.get_by_role("link", name="Heronsgate").click()
    viewer.get_by_role("link", name="Spring 2027").click()
    expect(viewer.get_by_role("link", name="Invitations")).to_have_count(0)
    expect(viewer.get_by_role("link", name="Workshop")).to_have_count(0)
    assert "/r/" not in viewer.content()
    check_accessible(viewer, "round-as-viewer")
    viewer.get_by_role("link", name="Results", exact=True).click()
    viewer.get_by_role("link", name="Change and what the forum agreed").click()
    expect(viewer.get_by_text("3 – Developing. Agreed after the workshop.")).to_be_visible()
    expect(viewer.get_by_text("Set up a joint neighbourhood team")).to_be_visible()
    check_accessible(viewer, "results-as-viewer")
    assert viewer.goto(f"{round_url}/export.csv").status == 403
    assert viewer.goto(f"{round_url}/workshop").status == 403
    check_accessible(viewer, "refused")
    viewer.close()


def test_the_sign_in_page_is_accessible_and_explains_a_wrong_password(
    page: Page, live_server: LiveServer, people: None
) -> None:
    page.goto(f"{live_server.url}/places")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    check_accessible(page, "sign-in")
    page.get_by_label("E-mail address").fill("fran@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The e-mail address or password is not right"
    )
    check_accessible(page, "sign-in-with-errors")
