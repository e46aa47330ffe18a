"""A round's title, dates and reminder: changed with GOV.UK date fields, kept by the service
(the round closes itself after its closing date; a reminder goes once, on its day)."""

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.clock import place_today
from app.core.config import Settings
from app.core.db import write_session
from app.enums import RoundStatus
from app.main import create_app
from app.models import Answer, AssessmentRound, AuditEvent, Invitation
from app.rounds.deadlines import close_rounds_past_deadline, send_due_reminders
from app.rounds.service import reassess
from tests.support.pages import post_form
from tests.support.workspace import Workspace

from .test_email import Inbox, inbox  # noqa: F401 - the SMTP server fixture


def _round(engine: Engine, round_id: int) -> AssessmentRound:
    with Session(engine) as session:
        found = session.get(AssessmentRound, round_id)
        assert found is not None
        return found


def _dates(name: str, when: date) -> dict[str, str]:
    return {
        f"{name}-day": str(when.day),
        f"{name}-month": str(when.month),
        f"{name}-year": str(when.year),
    }


def _closing(day: str, month: str, year: str) -> dict[str, str]:
    return {"closes_on-day": day, "closes_on-month": month, "closes_on-year": year}


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_rounds_title_dates_and_reminder_can_be_changed_and_the_change_is_audited(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.current_round}/edit"
    closes = place_today() + timedelta(days=20)
    response = post_form(
        facilitator,
        path,
        path,
        {
            "title": "Spring 2027 re-assessment",
            **_dates("opens_on", place_today()),
            **_dates("closes_on", closes),
            "remind_days_before": "5",
        },
    )

    assert response.status_code == 200
    assert "The round&#39;s details were changed." in response.text or (
        "The round's details were changed." in response.text
    )
    changed = _round(engine, workspace.current_round)
    assert changed.title == "Spring 2027 re-assessment"
    assert changed.closes_on == closes and changed.remind_days_before == 5
    assert f"{closes.day} {closes:%B %Y}" in _text(response.text)
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "round-changed")).one()
    assert event.detail["changes"]["closes_on"][1] == closes.isoformat()
    assert event.actor_user_id is not None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            {"closes_on-day": "31", "closes_on-month": "2", "closes_on-year": "2027"},
            "like 31 3 2027",
        ),
        ({"closes_on-day": "1", "closes_on-month": "3", "closes_on-year": "27"}, "like 31 3 2027"),
        ({"closes_on-day": "x", "closes_on-month": "", "closes_on-year": ""}, "like 31 3 2027"),
        (_closing("9" * 30, "1", "2027"), "like 31 3 2027"),
        (_closing("1", "1", "9" * 4 + "0"), "like 31 3 2027"),
        ({"remind_days_before": "3"}, "Enter a closing date to send a reminder before it"),
        ({"remind_days_before": "90", **_dates("closes_on", date(2099, 1, 1))}, "from 1 to 28"),
    ],
)
def test_a_date_that_is_not_real_is_refused_with_the_example_of_the_fields(
    facilitator: TestClient,
    workspace: Workspace,
    engine: Engine,
    typed: dict[str, str],
    message: str,
) -> None:
    path = f"/rounds/{workspace.current_round}/edit"
    before = _round(engine, workspace.current_round)

    response = post_form(facilitator, path, path, {"title": "Changed", **typed})

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert message in _text(response.text)
    # What was typed is shown again, and nothing was changed.
    for value in typed.values():
        assert f'value="{value}"' in response.text
    assert _round(engine, workspace.current_round).title == before.title


def test_an_open_round_cannot_be_given_a_closing_date_already_past_nor_a_new_threshold(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.current_round}/edit"
    past = post_form(
        facilitator,
        path,
        path,
        {"title": "Same", **_dates("closes_on", place_today() - timedelta(days=1))},
    )
    assert past.status_code == 400
    assert "close the round" in _text(past.text)

    page = facilitator.get(path).text
    assert 'name="anonymity_threshold"' not in page
    post_form(facilitator, path, path, {"title": "Same", "anonymity_threshold": "2"})
    assert _round(engine, workspace.current_round).anonymity_threshold == 3


def test_a_round_closes_itself_after_its_closing_date_and_not_before(
    workspace: Workspace, engine: Engine
) -> None:
    closes = date(2027, 3, 31)
    with write_session(engine) as session:
        current = session.get(AssessmentRound, workspace.current_round)
        assert current is not None
        current.closes_on = closes
        session.add(current)
        session.commit()

    assert close_rounds_past_deadline(engine, closes) == []
    assert _round(engine, workspace.current_round).status is RoundStatus.OPEN
    assert close_rounds_past_deadline(engine, closes + timedelta(days=1)) == [
        workspace.current_round
    ]
    assert _round(engine, workspace.current_round).status is RoundStatus.CLOSED
    # Run again (another process, a restart): nothing more happens.
    assert close_rounds_past_deadline(engine, closes + timedelta(days=2)) == []
    with Session(engine) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "round-closed-at-deadline")
        ).all()
    assert len(events) == 1 and events[0].actor_user_id is None


def test_answers_stop_at_the_end_of_the_closing_date_before_the_round_is_closed(
    settings: Settings, workspace: Workspace, engine: Engine
) -> None:
    from app.invitations.service import link_token

    with write_session(engine) as session:
        current = session.get(AssessmentRound, workspace.current_round)
        assert current is not None
        current.closes_on = place_today() - timedelta(days=1)
        session.add(current)
        invitation = session.exec(
            select(Invitation).where(
                Invitation.round_id == workspace.current_round, Invitation.status == "started"
            )
        ).first()
        assert invitation is not None and invitation.link_nonce is not None
        token = link_token(settings.secret, invitation.link_nonce)
        session.commit()
    with TestClient(create_app(settings=settings, engine=engine)) as respondent:
        # The start-up check closes the round; either way, answers are no longer taken.
        page = respondent.get(f"/r/{token}").text
    assert "You can change your answers until" not in page


def test_the_scheduled_reminder_goes_once_on_its_day_to_those_who_have_not_submitted(
    settings: Settings,
    workspace: Workspace,
    engine: Engine,
    inbox: tuple[Inbox, int],  # noqa: F811
) -> None:
    handler, port = inbox
    closes = date(2027, 3, 31)
    with write_session(engine) as session:
        current = session.get(AssessmentRound, workspace.current_round)
        assert current is not None
        current.closes_on, current.remind_days_before = closes, 3
        session.add(current)
        waiting = session.exec(
            select(Invitation).where(
                Invitation.round_id == workspace.current_round,
                Invitation.status.in_(["not-opened", "started"]),  # type: ignore[attr-defined]
            )
        ).all()
        for number, invitation in enumerate(waiting):
            invitation.email = f"person{number}@example.org"
            session.add(invitation)
        session.commit()
        expected = len(waiting)
    mail = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_starttls": False,
            "public_url": "https://placecheck.example",
        }
    )

    assert send_due_reminders(engine, mail, date(2027, 3, 27)) == []
    runs = send_due_reminders(engine, mail, date(2027, 3, 28))
    again = send_due_reminders(engine, mail, date(2027, 3, 29))

    assert expected >= 1
    assert [(r.round_id, r.sent) for r in runs] == [(workspace.current_round, expected)]
    assert again == []
    assert len(handler.messages) == expected
    message = handler.messages[0]
    assert str(message["Subject"]).startswith("Reminder: Kestrel Vale")
    body = message.get_content()
    assert "31 March 2027" in body and "https://placecheck.example/r/" in body


def test_a_round_past_its_closing_date_is_reopened_only_after_the_date_changes(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    passed = place_today() - timedelta(days=1)
    with write_session(engine) as session:
        current = session.get(AssessmentRound, workspace.current_round)
        assert current is not None
        current.closes_on = passed
        current.status = RoundStatus.CLOSED
        session.add(current)
        session.commit()
    path = f"/rounds/{workspace.current_round}"

    refused = post_form(facilitator, path, f"{path}/status", {"to": "open"})

    assert refused.status_code == 409
    assert "has passed. Change the round&#39;s closing date first" in refused.text
    assert _round(engine, workspace.current_round).status is RoundStatus.CLOSED
    later = place_today() + timedelta(days=7)
    post_form(
        facilitator,
        f"{path}/edit",
        f"{path}/edit",
        {"title": "Late answers", **_dates("closes_on", later)},
    )
    reopened = post_form(facilitator, path, f"{path}/status", {"to": "open"})
    assert reopened.status_code == 200
    assert _round(engine, workspace.current_round).status is RoundStatus.OPEN


def test_a_round_can_be_compared_with_any_earlier_round_of_the_place(
    facilitator: TestClient, settings: Settings, workspace: Workspace, engine: Engine
) -> None:
    """A mid-point round sits between the baseline and the current one; the results compare
    with the latest by default, and with the baseline when asked."""
    with write_session(engine) as session:
        baseline = session.get(AssessmentRound, workspace.previous_round)
        current = session.get(AssessmentRound, workspace.current_round)
        assert baseline is not None and current is not None
        middle = reassess(
            session=session, previous=baseline, title="Mid-point check", secret=settings.secret
        )
        people = zip(
            session.exec(
                select(Invitation)
                .where(Invitation.round_id == baseline.id)
                .order_by(col(Invitation.id))
            ).all(),
            session.exec(
                select(Invitation)
                .where(Invitation.round_id == middle.id)
                .order_by(col(Invitation.id))
            ).all(),
            strict=False,
        )
        for before, after in people:
            for answer in session.exec(select(Answer).where(Answer.invitation_id == before.id)):
                session.add(
                    Answer(
                        **answer.model_dump(exclude={"id", "invitation_id"}),
                        invitation_id=after.id or 0,
                    )
                )
            after.status = before.status
            session.add(after)
        middle.status = RoundStatus.CLOSED
        current.created_at = middle.created_at + timedelta(days=1)
        session.add_all([middle, current])
        session.commit()
    agreed = f"/rounds/{workspace.current_round}/results/agreed"

    latest = _text(facilitator.get(agreed).text)
    chosen = _text(facilitator.get(f"{agreed}?with={workspace.previous_round}").text)
    stranger = _text(facilitator.get(f"{agreed}?with={workspace.other_round}").text)

    assert "Change since Mid-point check" in latest
    assert "Compare with" in latest and "Baseline assessment, spring 2025 (published)" in latest
    assert "Change since Baseline assessment, spring 2025" in chosen
    # Another place's round is never compared with: the latest of this place's is used.
    assert "Change since Mid-point check" in stranger


def test_a_closing_date_that_is_not_real_is_not_also_said_to_be_missing(
    facilitator: TestClient, workspace: Workspace
) -> None:
    path = f"/rounds/{workspace.current_round}/edit"
    typed = {"closes_on-day": "31", "closes_on-month": "2", "closes_on-year": "2027"}

    response = post_form(
        facilitator, path, path, {"title": "Changed", "remind_days_before": "3", **typed}
    )

    assert response.status_code == 400
    assert "like 31 3 2027" in _text(response.text)
    assert "Enter a closing date to send a reminder before it" not in _text(response.text)


def test_an_open_round_offers_no_change_to_its_anonymity_threshold(
    facilitator: TestClient, workspace: Workspace
) -> None:
    page = facilitator.get(f"/rounds/{workspace.current_round}").text

    assert 'Change<span class="govuk-visually-hidden"> anonymity threshold' not in page
    assert 'Change<span class="govuk-visually-hidden"> closing date' in page
