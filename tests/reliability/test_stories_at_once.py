"""A story for the network's library, sent by twenty browsers at once with the same form (a
double-clicking facilitator on a slow connection, a reload), then published by twenty clicks of
the network's editor at once, against ``placecheck serve`` with two workers on SQLite and
PostgreSQL: one story, one publication, each recorded once, and nobody shown an error."""

from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.core.db import create_db_engine, write_session
from app.demo.accounts import DEMO_PASSWORD
from app.enums import StoryStatus
from app.models import NetworkStory, User
from tests.support.audit import audited
from tests.support.bursts import at_once, database_for, signed_in_browsers
from tests.support.demo import prepare
from tests.support.figures import print_table
from tests.support.pages import csrf_of
from tests.support.servers import server

FACILITATOR = "facilitator@kestrel-vale.example"
AT_ONCE = 20
STORIES = "/places/kestrel-vale/stories"


def _recorded(url: str) -> tuple[list[StoryStatus], Counter[str]]:
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            statuses = list(session.exec(select(NetworkStory.status)).all())
            actions = audited(session, "story")
    finally:
        engine.dispose()
    return statuses, Counter(actions)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_twenty_sends_of_one_story_make_one_and_twenty_publications_publish_it_once(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = database_for(backend, tmp_path, request)
    prepare(url, respondents=0)
    engine = create_db_engine(url)
    with write_session(engine) as session:  # the facilitator edits the network too, so the
        # same twenty browsers publish (forty sign-ins made the test twice as long)
        facilitator = session.exec(select(User).where(User.email == FACILITATOR)).one()
        facilitator.edits_network = True
        session.add(facilitator)
        session.commit()
    engine.dispose()
    with server(url, tmp_path, workers=2) as running:
        facilitators = signed_in_browsers(running.url, FACILITATOR, DEMO_PASSWORD, AT_ONCE, STORIES)
        form_key = "one-story-form-sent-twenty-times"
        story = {
            "form_key": form_key,
            "title": "One outcomes framework signed by every board",
            "condition_id": "shared-outcomes-and-accountability",
            "what_they_did": "Six shared outcomes, each with one lead partner.",
            "what_changed": "The forum spends its time on the outcomes off track.",
            "contact": "Forum team, forum@kestrel-vale.example",
        }

        def offer(number: int) -> int:
            browser, token = facilitators[number]
            return browser.post(STORIES, data={**story, "csrf_token": token}).status_code

        offered = at_once(AT_ONCE, offer)
        after_offering = _recorded(url)
        editors = [
            (browser, csrf_of(browser.get("/network/stories").text)) for browser, _ in facilitators
        ]
        engine = create_db_engine(url)
        with Session(engine) as session:
            story_id = session.exec(select(NetworkStory.id)).one()
        engine.dispose()

        def publish(number: int) -> int:
            browser, token = editors[number]
            form = {"decision": "publish", "csrf_token": token}
            return browser.post(f"/network/stories/{story_id}/review", data=form).status_code

        published = at_once(AT_ONCE, publish)
        for browser, _ in facilitators:
            browser.close()
        after_publishing = _recorded(url)
    print_table(
        f"A story sent and published at once, {backend}",
        ["burst", "statuses"],
        [
            [f"{AT_ONCE} sends of one story", str(dict(offered))],
            [f"{AT_ONCE} publications of it", str(dict(published))],
        ],
    )

    assert offered == Counter({303: AT_ONCE}) and published == Counter({303: AT_ONCE})
    assert after_offering == ([StoryStatus.SUBMITTED], Counter({"story-offered": 1}))
    assert after_publishing == (
        [StoryStatus.PUBLISHED],
        Counter({"story-offered": 1, "story-published": 1}),
    )
