"""The network's library of what worked: a story is seen by its place and the network's editors
only, until an editor publishes it; then by everyone who reads the network (never by a place
that does not share), in the national report, and in the forum report of a place weak on its
condition. Every form is sent once, hostile input is refused with a message, and the place can
take its story back."""

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app.core.config import Settings
from app.core.db import write_session
from app.enums import StoryStatus
from app.models import AssessmentRound, NetworkStory, Place, User
from app.results.inputs import report_inputs
from app.results.reports import report_html
from app.results.rules import load_rules
from reports.kinds import ReportKind
from tests.support.audit import audited
from tests.support.pages import csrf_of
from tests.support.workspace import Workspace

STORIES = "/places/kestrel-vale/stories"
STORY = {
    "title": "A residents' panel that sets the forum's agenda",
    "condition_id": "co-production-with-lived-experience",
    "what_they_did": "Twelve paid residents choose two agenda items a year.",
    "what_changed": "Two of our four priorities came from the panel.",
    "contact": "Forum team, forum@kestrel-vale.example",
}


def _offer(client: TestClient, story: dict[str, str], key: str | None = None) -> object:
    page = client.get(STORIES).text
    form_key = key or re.findall(r'name="form_key" value="([^"]+)"', page)[0]
    return client.post(
        STORIES,
        data={**story, "form_key": form_key, "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )


def _review(client: TestClient, story_id: int, decision: str, note: str = "") -> object:
    page = client.get("/network/stories").text
    return client.post(
        f"/network/stories/{story_id}/review",
        data={"decision": decision, "editor_note": note, "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )


def _story_id(engine: Engine, title: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(NetworkStory.id).where(NetworkStory.title == title)).one()
        assert found is not None
        return found


def _audited(engine: Engine, action: str) -> int:
    with Session(engine) as session:
        return audited(session, action).count(action)


def test_a_story_is_seen_by_its_place_and_editors_only_until_an_editor_publishes_it(
    facilitator: TestClient,
    viewer: TestClient,
    admin: TestClient,
    outsider: TestClient,
    engine: Engine,
) -> None:
    offered = _offer(facilitator, STORY)
    assert offered.status_code == 303  # type: ignore[attr-defined]
    assert "Waiting for the network" in facilitator.get(STORIES).text
    story_id = _story_id(engine, STORY["title"])
    title = "A residents&#39; panel that sets the forum&#39;s agenda"

    assert title not in viewer.get("/network/stories").text  # Kestrel Vale shares: a reader
    waiting = admin.get("/network/stories").text.split("The library")[0]
    assert "Waiting for review (1)" in waiting and title in waiting

    refused = _review(admin, story_id, "decline")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert f'href="#editor_note-{story_id}"' in refused.text  # type: ignore[attr-defined]
    assert "Say why the story is not published" in refused.text  # type: ignore[attr-defined]

    published = _review(admin, story_id, "publish")
    again = _review(admin, story_id, "publish")  # a reload, or a second click

    assert published.headers["location"] == "/network/stories?done=published"  # type: ignore[attr-defined]
    assert again.headers["location"] == "/network/stories"  # type: ignore[attr-defined]
    assert _audited(engine, "story-published") == 1
    library = viewer.get("/network/stories").text.split("The library")[1]
    assert title in library and "Kestrel Vale" in library
    assert "1 in the library" in viewer.get("/network").text
    not_sharing = outsider.get("/network/stories").text
    assert "Your places do not share yet" in not_sharing and title not in not_sharing
    assert "Published in the library" in facilitator.get(STORIES).text


def test_a_declined_story_tells_its_place_why_and_a_taken_back_story_is_gone(
    facilitator: TestClient, viewer: TestClient, admin: TestClient, engine: Engine
) -> None:
    _offer(facilitator, STORY)
    story_id = _story_id(engine, STORY["title"])
    _review(admin, story_id, "publish")
    _review(admin, story_id, "decline", "Please give a team's contact rather than a person's.")

    mine = facilitator.get(STORIES).text
    assert "Not published" in mine
    assert "The editor says: Please give a team&#39;s contact rather than a person&#39;s." in mine
    assert "residents&#39; panel" not in viewer.get("/network/stories").text

    page = facilitator.get(STORIES).text
    taken = facilitator.post(
        f"{STORIES}/{story_id}/take-back",
        data={"csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert taken.headers["location"] == f"{STORIES}?done=taken-back"
    with Session(engine) as session:
        assert session.get(NetworkStory, story_id) is None


def test_the_same_story_form_sent_twice_makes_one_story(
    facilitator: TestClient, engine: Engine
) -> None:
    key = "a-one-time-form-key-0123456789"
    first = _offer(facilitator, STORY, key)
    second = _offer(facilitator, STORY, key)

    assert first.headers["location"] == second.headers["location"]  # type: ignore[attr-defined]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(NetworkStory)).one() == 1
    assert _audited(engine, "story-offered") == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": "x" * 121}, "title", "120"),
        ({"title": "Two\nlines"}, "title", "one line"),
        ({"condition_id": "no-such-condition"}, "condition_id", "Choose the condition"),
        ({"what_they_did": "Too short"}, "what_they_did", "20"),
        ({"what_changed": "y" * 2001}, "what_changed", "2,000 characters or fewer"),
        ({"what_changed": "A nul \x00 character in what changed"}, "what_changed", "stored"),
        ({"contact": ""}, "contact", "Enter"),
    ],
)
def test_hostile_story_input_is_refused_with_a_message_and_nothing_written(
    facilitator: TestClient, engine: Engine, change: dict[str, str], field: str, message: str
) -> None:
    refused = _offer(facilitator, {**STORY, **change})

    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert f'href="#{field}"' in refused.text  # type: ignore[attr-defined]
    summary = refused.text.split("govuk-error-summary__list")[1].split("</ul>")[0]  # type: ignore[attr-defined]
    assert message.lower() in summary.lower()
    assert STORY["what_they_did"] in refused.text or field == "what_they_did"  # kept as typed
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(NetworkStory)).one() == 0


def test_formula_like_and_markup_text_is_kept_as_written_and_shown_as_text(
    facilitator: TestClient, admin: TestClient, engine: Engine
) -> None:
    story = {**STORY, "title": '=HYPERLINK("http://x.example")<script>alert(1)</script>'}
    _offer(facilitator, story)

    page = admin.get("/network/stories").text
    assert "<script>alert(1)</script>" not in page
    assert "=HYPERLINK(&#34;http://x.example&#34;)&lt;script&gt;" in page


def test_a_network_editor_who_is_not_an_administrator_reviews_and_others_may_not(
    settings: Settings, engine: Engine, facilitator: TestClient, viewer: TestClient
) -> None:
    _offer(facilitator, STORY)
    story_id = _story_id(engine, STORY["title"])
    assert _review(viewer, story_id, "publish").status_code == 403  # type: ignore[attr-defined]
    with write_session(engine) as session:
        vic = session.exec(select(User).where(User.email == "vic@example.org")).one()
        vic.edits_network = True
        session.add(vic)
        session.commit()

    assert _review(viewer, story_id, "publish").status_code == 303  # type: ignore[attr-defined]
    with Session(engine) as session:
        story = session.get(NetworkStory, story_id)
        assert story is not None and story.status is StoryStatus.PUBLISHED


def _published_story(engine: Engine, place_slug: str, condition_id: str, title: str) -> None:
    with write_session(engine) as session:
        place = session.exec(select(Place).where(Place.slug == place_slug)).one()
        session.add(
            NetworkStory(
                **{**STORY, "condition_id": condition_id, "title": title},
                place_id=place.id or 0,
                status=StoryStatus.PUBLISHED,
                form_key=f"key-{place_slug}-{condition_id}",
            )
        )
        session.commit()


def test_a_forum_report_cites_other_places_stories_on_the_conditions_it_prints_below_3(
    engine: Engine, workspace: Workspace
) -> None:
    """Fenmoor tells a story on every condition, Kestrel Vale on one: Kestrel Vale's forum
    report cites Fenmoor's on exactly the conditions whose printed score is below 3.0, and
    never its own; publishing a story changes what the report's fingerprint reads."""
    with Session(engine) as session:
        published = session.get(AssessmentRound, workspace.previous_round)
        assert published is not None
        before = report_inputs(
            session=session, assessment_round=published, today=_today(), published=True
        )
    conditions = re.findall(r'id="condition-([a-z-]+)"', _forum(engine, workspace))
    for condition_id in conditions:
        _published_story(engine, workspace.other_slug, condition_id, f"Fenmoor on {condition_id}")
    _published_story(engine, workspace.place_slug, conditions[0], "Our own story")

    html = _forum(engine, workspace)
    cited = 0
    for condition_id in conditions:
        section = html.split(f'id="condition-{condition_id}"')[1].split("</section>")[0]
        score = re.search(r"<strong>([\d.]+|–)</strong><span>Score out of 5", section)
        assert score is not None
        weak = score.group(1) != "–" and float(score.group(1)) < 3.0
        assert (f"Fenmoor on {condition_id}" in section) is weak, condition_id
        cited += weak
    assert cited > 0, "the demo round has conditions below 3.0"
    assert "Our own story" not in html
    with Session(engine) as session:
        published = session.get(AssessmentRound, workspace.previous_round)
        assert published is not None
        after = report_inputs(
            session=session, assessment_round=published, today=_today(), published=True
        )
    assert before != after
    with write_session(engine) as session:  # the report prints the story's place's name
        fenmoor = session.exec(select(Place).where(Place.slug == workspace.other_slug)).one()
        fenmoor.name = "Fenmoor and Marsh"
        session.add(fenmoor)
        session.commit()
    with Session(engine) as session:
        published = session.get(AssessmentRound, workspace.previous_round)
        assert published is not None
        renamed = report_inputs(
            session=session, assessment_round=published, today=_today(), published=True
        )
    assert renamed != after


def _today() -> date:
    return date(2026, 12, 7)


def _forum(engine: Engine, workspace: Workspace) -> str:
    with Session(engine) as session:
        published = session.get(AssessmentRound, workspace.previous_round)
        assert published is not None
        return report_html(
            session=session,
            assessment_round=published,
            kind=ReportKind.FORUM,
            rules=load_rules(),
            today=_today(),
        ).html
