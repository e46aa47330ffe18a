"""A round's workshop reports are made as soon as its answers are in, so the facilitator who
downloads them minutes before the workshop finds them made."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app.core.clock import place_today
from app.core.config import Settings
from app.core.db import write_session
from app.enums import JobStatus, RoundStatus
from app.jobs import report_jobs as jobs
from app.jobs.report_jobs import made_here, run_report_job
from app.jobs.tasks import JobResources, scheduled_checks
from app.main import create_app
from app.models import AssessmentRound, ConditionAgreement, ReportJob
from tests.support.pages import post_form, sign_in
from tests.support.workspace import Workspace

BOTH_QUEUED = [("forum", JobStatus.QUEUED), ("workshop", JobStatus.QUEUED)]
"""What closing or publishing a round asks for."""


@pytest.fixture
def in_advance(settings: Settings) -> Settings:
    return settings.model_copy(update={"prepare_reports_in_advance": True})


@pytest.fixture
def handed_over() -> list[int]:
    return []


@pytest.fixture
def facilitator_in_advance(
    in_advance: Settings, engine: Engine, workspace: Workspace, handed_over: list[int]
) -> Iterator[TestClient]:
    with TestClient(create_app(settings=in_advance, engine=engine)) as client:
        client.app.state.report_queue.prepare = handed_over.append  # type: ignore[attr-defined]
        yield sign_in(client, "fran@example.org")


def _jobs(engine: Engine, round_id: int) -> list[tuple[str, JobStatus]]:
    with Session(engine) as session:
        return [
            (job.kind, job.status)
            for job in session.exec(
                select(ReportJob).where(ReportJob.round_id == round_id).order_by(col(ReportJob.id))
            ).all()
        ]


def test_closing_and_publishing_a_round_start_its_forum_and_workshop_reports(
    facilitator_in_advance: TestClient,
    workspace: Workspace,
    engine: Engine,
    handed_over: list[int],
) -> None:
    path = f"/rounds/{workspace.current_round}"
    post_form(facilitator_in_advance, path, f"{path}/status", {"to": "closed"})
    assert _jobs(engine, workspace.current_round) == BOTH_QUEUED
    assert len(handed_over) == 2

    # Published, the reports say so: made again from the round as it now is.
    post_form(facilitator_in_advance, path, f"{path}/status", {"to": "published"})
    assert [kind for kind, _ in _jobs(engine, workspace.current_round)] == [
        "forum",
        "workshop",
        "forum",
        "workshop",
    ]
    assert len(handed_over) == 4

    # Asking for the forum report finds the one already on its way.
    asked = facilitator_in_advance.get(f"{path}/reports/forum", follow_redirects=False)
    assert asked.headers["location"] == f"{path}/report-jobs/{handed_over[2]}"
    assert len(handed_over) == 4


def test_withdrawing_a_publication_starts_nothing(
    facilitator_in_advance: TestClient, workspace: Workspace, handed_over: list[int]
) -> None:
    path = f"/rounds/{workspace.current_round}"
    post_form(facilitator_in_advance, path, f"{path}/status", {"to": "closed"})
    post_form(facilitator_in_advance, path, f"{path}/status", {"to": "published"})
    before = len(handed_over)
    post_form(facilitator_in_advance, path, f"{path}/status", {"to": "closed"})
    assert len(handed_over) == before


def test_a_round_closed_at_its_deadline_has_its_reports_made_by_the_same_check(
    in_advance: Settings, engine: Engine, workspace: Workspace
) -> None:
    with write_session(engine) as session:
        open_round = session.get(AssessmentRound, workspace.current_round)
        assert open_round is not None and open_round.status is RoundStatus.OPEN
        open_round.closes_on = place_today() - timedelta(days=1)
        session.add(open_round)
        session.commit()
    handed: list[int] = []
    resources = JobResources(
        engine=engine, settings=in_advance, make=made_here(engine, lambda html: b"%PDF")
    )

    scheduled_checks(resources, handed.append)

    assert _jobs(engine, workspace.current_round) == BOTH_QUEUED
    assert len(handed) == 2


def test_nothing_is_made_in_advance_when_the_setting_is_off(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.current_round}"
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})
    assert _jobs(engine, workspace.current_round) == []


def test_the_reports_page_says_which_are_made_from_the_round_as_it_is(
    facilitator_in_advance: TestClient,
    workspace: Workspace,
    engine: Engine,
    handed_over: list[int],
) -> None:
    path = f"/rounds/{workspace.current_round}"
    assert "Being made" not in facilitator_in_advance.get(f"{path}/reports").text
    post_form(facilitator_in_advance, path, f"{path}/status", {"to": "closed"})
    page = facilitator_in_advance.get(f"{path}/reports").text
    assert page.count("Being made") == 2 and "Ready</strong>" not in page

    fake = made_here(engine, lambda html: b"%PDF-1.7 made in advance")
    for job_id in handed_over:
        run_report_job(engine, fake, job_id, place_today())
    page = facilitator_in_advance.get(f"{path}/reports").text
    assert page.count("Ready</strong>") == 2 and "Being made" not in page

    with write_session(engine) as session:  # the forum agrees a level: both reports would show it
        session.add(
            ConditionAgreement(
                round_id=workspace.current_round, condition_id="people-focus", agreed_level=2
            )
        )
        session.commit()
    page = facilitator_in_advance.get(f"{path}/reports").text
    assert "Ready</strong>" not in page and "Being made" not in page


def test_a_round_is_closed_even_when_its_reports_cannot_be_asked_for_in_advance(
    facilitator_in_advance: TestClient,
    workspace: Workspace,
    engine: Engine,
    handed_over: list[int],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def locked(**_: object) -> tuple[int, bool]:
        raise OperationalError("INSERT INTO report_job", {}, Exception("database is locked"))

    monkeypatch.setattr(jobs, "request_report", locked)
    path = f"/rounds/{workspace.current_round}"
    closed = post_form(facilitator_in_advance, path, f"{path}/status", {"to": "closed"})

    assert closed.status_code == 200 and "round is closed" in closed.text.lower()
    with Session(engine) as session:
        assessment_round = session.get(AssessmentRound, workspace.current_round)
        assert assessment_round is not None and assessment_round.status is RoundStatus.CLOSED
    assert handed_over == [] and "could not be asked for in advance" in caplog.text
