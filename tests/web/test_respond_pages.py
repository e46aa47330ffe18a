"""The respondent journey through the pages, without a browser."""

import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from app.core import db
from app.core.config import Environment, Settings
from app.core.db import create_db_engine, write_session
from app.core.paths import TEMPLATES_DIR
from app.enums import InvitationStatus, RoundStatus
from app.main import create_app
from app.models import Answer, AssessmentRound, Invitation
from app.rounds.progress import progress_of
from tests.support.pages import csrf_of
from tests.support.records import Invited, make_round, set_status

PEOPLE_FOCUS = ["people-focus.1", "people-focus.2", "people-focus.3", "people-focus.importance"]


def page_form(client: TestClient, token: str, page: str = "people-focus") -> dict[str, str]:
    html = client.get(f"/r/{token}/p/{page}").text
    form = {"csrf_token": csrf_of(html)}
    for name, value in re.findall(r'name="(version-[^"]+)" value="(\d+)"', html):
        form[name] = value
    return form


def stored(engine: Engine) -> dict[str, Answer]:
    with Session(engine) as session:
        return {a.item_id: a for a in session.exec(select(Answer)).all()}


def test_unknown_and_revoked_links_get_the_same_page(
    client: TestClient, engine: Engine, invited: Invited
) -> None:
    with write_session(engine) as session:
        invitation = session.exec(select(Invitation)).first()
        assert invitation is not None
        invitation.status = InvitationStatus.REVOKED
        session.add(invitation)
        session.commit()

    unknown = client.get("/r/not-a-real-token")
    revoked = client.get(f"/r/{invited.council}")

    assert unknown.status_code == revoked.status_code == 404
    assert "This link does not work" in unknown.text
    assert "Ask the person who invited you" in unknown.text
    assert unknown.text == revoked.text


def test_repeated_bad_links_from_one_client_are_slowed_down(client: TestClient) -> None:
    for attempt in range(20):
        assert client.get(f"/r/guess-{attempt}").status_code == 404

    response = client.get("/r/guess-21")

    assert response.status_code == 429
    assert "Too many attempts" in response.text


def test_a_working_link_is_never_refused_because_others_on_the_network_mistyped_theirs(
    client: TestClient, invited: Invited
) -> None:
    for attempt in range(25):
        client.get(f"/r/guess-{attempt}")

    assert client.get(f"/r/{invited.council}").status_code == 200


def test_bad_links_are_counted_across_workers(
    settings: Settings, engine: Engine, invited: Invited
) -> None:
    with (
        TestClient(create_app(settings=settings, engine=engine)) as first,
        TestClient(create_app(settings=settings, engine=engine)) as second,
    ):
        for attempt in range(10):
            assert first.get(f"/r/guess-{attempt}").status_code == 404
            assert second.get(f"/r/other-{attempt}").status_code == 404
        assert first.get("/r/one-more").status_code == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_count(
    engine: Engine, invited: Invited
) -> None:
    settings = Settings(
        environment=Environment.TEST,
        database_url="sqlite://",
        trusted_proxies=["10.0.0.0/8"],  # type: ignore[list-item]
    )
    app = create_app(settings=settings, engine=engine)
    with TestClient(app, client=("10.0.0.4", 50000)) as proxy:
        for attempt in range(20):
            proxy.get(f"/r/guess-{attempt}", headers={"X-Forwarded-For": "203.0.113.9"})
        scanner = proxy.get("/r/one-more", headers={"X-Forwarded-For": "203.0.113.9"})
        colleague = proxy.get("/r/mistyped", headers={"X-Forwarded-For": "203.0.113.10"})

    assert scanner.status_code == 429
    assert colleague.status_code == 404


def test_the_start_page_says_who_is_answering_how_long_and_who_sees_it(
    client: TestClient, invited: Invited
) -> None:
    page = client.get(f"/r/{invited.council}").text

    assert "Testford Council (Local authority)" in page
    assert re.search(r"About \d+ minutes", page)
    assert "fewer than 3 people" in page
    assert "Chatham House Rule" in page


def test_a_question_page_offers_levels_with_descriptors_then_dont_know_after_or(
    client: TestClient, invited: Invited
) -> None:
    page = client.get(f"/r/{invited.council}/p/people-focus").text

    assert "Each organisation plans around its own services and targets." in page
    assert page.index("Embedded") < page.index(">or<") < page.index("Don&#39;t know")
    assert "checked" not in page.split('name="csrf_token"')[1].split("Save and continue")[0]


def test_saving_a_page_stores_answers_and_moves_on(
    client: TestClient, engine: Engine, invited: Invited
) -> None:
    form = page_form(client, invited.council)
    form.update({f"answer-{item}": "3" for item in PEOPLE_FOCUS})
    form["evidence-people-focus.1"] = "Joint neighbourhood plans since March."
    form["action"] = "continue"

    response = client.post(
        f"/r/{invited.council}/p/people-focus", data=form, follow_redirects=False
    )

    assert response.status_code == 303
    assert response.headers["location"].endswith("/p/strong-leadership")
    answers = stored(engine)
    assert {answers[i].level for i in PEOPLE_FOCUS} == {3}
    assert answers["people-focus.1"].evidence == "Joint neighbourhood plans since March."
    with Session(engine) as session:
        statuses = {i.status for i in session.exec(select(Invitation)).all()}
    assert InvitationStatus.STARTED in statuses


def test_a_missing_answer_is_explained_and_everything_typed_is_kept(
    client: TestClient, engine: Engine, invited: Invited
) -> None:
    form = page_form(client, invited.council)
    form.update({"answer-people-focus.1": "2", "answer-people-focus.2": "dont_know"})
    form["evidence-people-focus.3"] = "Only in the north of the borough."
    form["action"] = "continue"

    response = client.post(f"/r/{invited.council}/p/people-focus", data=form)

    assert response.status_code == 400
    assert "<title>Error: People focus" in response.text
    assert "There is a problem" in response.text
    assert 'href="#answer-people-focus-3"' in response.text
    assert "Question 3: Select an answer, or select ‘Don’t know’" in response.text
    assert "Importance: Select how important this is" in response.text
    assert "Only in the north of the borough." in response.text
    answers = stored(engine)
    assert answers["people-focus.1"].level == 2
    assert answers["people-focus.2"].kind.value == "dont_know"
    assert answers["people-focus.3"].evidence == "Only in the north of the borough."


def test_save_and_come_back_later_needs_no_answers(client: TestClient, invited: Invited) -> None:
    form = page_form(client, invited.council)
    form.update({"answer-people-focus.1": "4", "action": "later"})

    response = client.post(f"/r/{invited.council}/p/people-focus", data=form)

    assert response.status_code == 200
    assert "Your answers have been saved" in response.text
    assert f"/r/{invited.council}" in response.text


def test_too_long_a_comment_is_refused_and_shown_back(
    client: TestClient, engine: Engine, invited: Invited
) -> None:
    form = page_form(client, invited.council)
    form.update({f"answer-{item}": "3" for item in PEOPLE_FOCUS})
    form["evidence-people-focus.2"] = "x" * 1201
    form["action"] = "continue"

    response = client.post(f"/r/{invited.council}/p/people-focus", data=form)

    assert response.status_code == 400
    assert "Your comment must be 1,200 characters or fewer; it is 1,201 characters" in response.text
    assert "x" * 1201 in response.text
    assert "people-focus.2" not in stored(engine)
    assert stored(engine)["people-focus.1"].level == 3


def test_a_stale_tab_does_not_overwrite_a_newer_answer(
    client: TestClient, engine: Engine, invited: Invited
) -> None:
    first_tab = page_form(client, invited.council)
    second_tab = dict(first_tab)
    first_tab.update({"answer-people-focus.1": "5", "action": "later"})
    client.post(f"/r/{invited.council}/p/people-focus", data=first_tab)

    second_tab.update({"answer-people-focus.1": "1", "action": "later"})
    response = client.post(f"/r/{invited.council}/p/people-focus", data=second_tab)

    assert response.status_code == 400
    assert "changed in another tab or window" in response.text
    assert "on this page you had chosen: Not in place" in response.text
    assert stored(engine)["people-focus.1"].level == 5


def test_a_form_without_a_valid_csrf_token_keeps_the_answers_on_screen(
    client: TestClient, engine: Engine, invited: Invited
) -> None:
    form = page_form(client, invited.council)
    form["csrf_token"] = "expired"
    form.update({"answer-people-focus.1": "4", "evidence-people-focus.1": "Kept for you."})

    response = client.post(f"/r/{invited.council}/p/people-focus", data=form)

    assert response.status_code == 400
    assert "have not been saved yet" in response.text
    assert "Kept for you." in response.text
    assert re.search(r'value="4" checked', response.text)
    assert stored(engine) == {}


def test_after_the_round_closes_answers_are_read_only(
    client: TestClient, engine: Engine, invited: Invited
) -> None:
    form = page_form(client, invited.council)
    form.update({"answer-people-focus.1": "4", "action": "later"})
    client.post(f"/r/{invited.council}/p/people-focus", data=form)
    set_status(engine, invited.round_id, RoundStatus.CLOSED)

    page = client.get(f"/r/{invited.council}/p/people-focus").text
    form.update({"answer-people-focus.1": "1"})
    refused = client.post(f"/r/{invited.council}/p/people-focus", data=form)

    assert "<form" not in page.split('id="main-content"')[1]
    assert "Established" in page and "can no longer be changed" in page
    assert refused.status_code == 409
    assert stored(engine)["people-focus.1"].level == 4


def test_a_draft_round_says_it_is_not_open_yet(
    client: TestClient, engine: Engine, invited: Invited
) -> None:
    set_status(engine, invited.round_id, RoundStatus.DRAFT)

    response = client.get(f"/r/{invited.council}")

    assert response.status_code == 403
    assert "not open yet" in response.text


def test_check_answers_has_change_links_that_name_the_question(
    client: TestClient, invited: Invited
) -> None:
    form = page_form(client, invited.council)
    form.update({"answer-people-focus.1": "4", "action": "later"})
    client.post(f"/r/{invited.council}/p/people-focus", data=form)

    page = client.get(f"/r/{invited.council}/check/conditions").text

    assert "Check your answers" in page
    assert "Established" in page
    assert f'href="/r/{invited.council}/p/people-focus#answer-people-focus-1"' in page
    assert '<span class="govuk-visually-hidden"> Partners plan and review' in page


def test_submitting_with_nothing_answered_is_asked_about_then_counted_apart(
    client: TestClient, engine: Engine, invited: Invited
) -> None:
    page = client.get(f"/r/{invited.council}/submit").text
    csrf = csrf_of(page)

    asked = client.post(f"/r/{invited.council}/submit", data={"csrf_token": csrf})
    response = client.post(
        f"/r/{invited.council}/submit", data={"csrf_token": csrf, "without_answers": "yes"}
    )

    assert "You have not answered any question yet" in page
    assert asked.status_code == 400 and "confirm that you want to submit" in asked.text
    assert response.status_code == 200
    assert "Answers submitted" in response.text
    with Session(engine) as session:
        assessment_round = session.exec(select(AssessmentRound)).one()
        progress = progress_of(session=session, assessment_round=assessment_round)
    assert progress.submitted_without_answers == 1


def test_submitting_marks_the_invitation_and_confirms(
    client: TestClient, engine: Engine, invited: Invited
) -> None:
    form = page_form(client, invited.council)
    form.update({f"answer-{item}": "3" for item in PEOPLE_FOCUS}, action="later")
    client.post(f"/r/{invited.council}/p/people-focus", data=form)
    csrf = csrf_of(client.get(f"/r/{invited.council}/submit").text)

    response = client.post(f"/r/{invited.council}/submit", data={"csrf_token": csrf})

    assert response.status_code == 200
    assert "Answers submitted" in response.text
    with Session(engine) as session:
        submitted = [i for i in session.exec(select(Invitation)).all() if i.submitted_at]
    assert len(submitted) == 1 and submitted[0].status is InvitationStatus.SUBMITTED


def test_community_members_get_the_plain_language_conditions_only(
    client: TestClient, invited: Invited
) -> None:
    tasks = client.get(f"/r/{invited.community}/tasks").text
    page = client.get(f"/r/{invited.community}/p/people-focus").text

    assert "How things work where you live" in tasks
    assert "What central government should do" not in tasks
    assert "Starting from people" in page
    assert "Not true at all" in page
    assert "Local services plan their work around people" in page


def test_statutory_only_statements_are_not_asked_of_the_voluntary_sector(
    client: TestClient, invited: Invited
) -> None:
    council = client.get(f"/r/{invited.council}/p/shared-outcomes-and-accountability").text
    voluntary = client.get(f"/r/{invited.voluntary}/p/shared-outcomes-and-accountability").text

    assert "open book" in council
    assert "open book" not in voluntary


def test_every_page_says_it_may_not_be_framed_and_runs_only_our_scripts(
    client: TestClient, invited: Invited
) -> None:
    for path in ("/", "/sign-in", f"/r/{invited.council}", f"/api/v1/respondent/{invited.council}"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self';" in policy
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"


def test_no_page_has_an_inline_script() -> None:
    """An inline script would be refused by the policy, so all of them live in static/js."""
    for template in TEMPLATES_DIR.rglob("*.html"):
        for tag in re.findall(r"<script[^>]*>", template.read_text()):
            assert "src=" in tag, f"{template.name} has an inline script: {tag}"


def test_the_plain_language_start_page_speaks_to_community_members_without_jargon(
    client: TestClient, invited: Invited
) -> None:
    page = " ".join(client.get(f"/r/{invited.community}").text.split())

    assert "never person by person" in page
    for jargon in ("Chatham House", "by sector", "facilitator"):
        assert jargon not in page


def test_a_closed_round_does_not_tell_respondents_they_can_still_change_answers(
    client: TestClient, invited: Invited, engine: Engine
) -> None:
    with write_session(engine) as session:
        assessment_round = session.get(AssessmentRound, invited.round_id)
        assert assessment_round is not None
        assessment_round.closes_on = date(2099, 1, 31)
        session.add(assessment_round)
        session.commit()
    assert "You can change your answers until" in client.get(f"/r/{invited.council}").text
    set_status(engine, invited.round_id, RoundStatus.CLOSED)

    page = client.get(f"/r/{invited.council}").text

    assert "You can change your answers until" not in page
    assert "This assessment has closed" in page


def test_a_page_saved_when_the_database_is_too_busy_is_shown_again_with_every_answer(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite only: it alone has one write lock for the whole database."""
    monkeypatch.setattr(db, "WRITER_QUEUE_SECONDS", 0.2)
    engine = create_db_engine(f"sqlite:///{tmp_path / 'busy.db'}")
    SQLModel.metadata.create_all(engine)
    invited = make_round(engine)
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        form = page_form(client, invited.council)
        form.update({"answer-people-focus.1": "4", "evidence-people-focus.1": "Kept while busy."})

        with write_session(engine):
            response = client.post(f"/r/{invited.council}/p/people-focus", data=form)

    assert response.status_code == 503
    assert "too busy to save this page" in response.text
    assert re.search(r'name="answer-people-focus.1" type="radio" value="4" checked', response.text)
    assert "Kept while busy." in response.text
    with Session(engine) as session:
        assert session.exec(select(Answer)).all() == []
