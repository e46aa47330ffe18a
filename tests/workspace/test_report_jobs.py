"""Reports prepared in the background: asked for, followed on their own page, then downloaded;
nothing lost to a restart, and no job prepared twice however many workers see it."""

import os
import re
import threading
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import unquote

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.core.db import UnitOfWork, create_db_engine, write_session
from app.enums import JobStatus
from app.jobs import tasks
from app.jobs.report_jobs import jobs_to_run, made_here, make_report, request_report, run_report_job
from app.jobs.tasks import report_maker
from app.models import (
    Answer,
    AssessmentRound,
    AuditEvent,
    Invitation,
    Organisation,
    ReportJob,
    utcnow,
)
from reports.kinds import ReportKind
from reports.pdf.service import PdfService
from tests.support.pages import csrf_of, post_form
from tests.support.workspace import Workspace

FAKE_PDF = b"%PDF-1.7 a report made by the test's renderer"


def _fake_render(html: str) -> bytes:
    assert "<html" in html.lower()
    return FAKE_PDF


def _prepare(engine: Engine, job_id: int) -> JobStatus | None:
    """What a worker does with the job, with the test's renderer."""
    return run_report_job(engine, made_here(engine, _fake_render), job_id, date.today())


def _ask(client: TestClient, path: str) -> tuple[int, str]:
    """Ask for a report without a worker taking it, as on a busy day: (job id, its page)."""
    client.app.state.report_queue.prepare = lambda job_id: None  # type: ignore[attr-defined]
    token = csrf_of(client.get(path).text)
    response = client.post(path, data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = response.headers["location"]
    match = re.fullmatch(r"/rounds/\d+/report-jobs/(\d+)", page)
    assert match, page
    return int(match[1]), page


def test_a_report_is_shown_being_prepared_and_then_offered_for_download(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    job_id, page = _ask(facilitator, f"/rounds/{workspace.current_round}/reports/forum")

    waiting = facilitator.get(page).text
    assert "Preparing your forum report" in waiting
    assert "It is next to be made" in waiting
    assert "Check whether it is ready" in waiting  # without JavaScript, a way to look again
    assert "follow-job.js" in waiting

    assert _prepare(engine, job_id) is JobStatus.DONE
    ready = facilitator.get(page).text
    assert "Your forum report is ready" in ready
    assert f"/rounds/{workspace.current_round}/report-jobs/{job_id}/file" in ready
    download = facilitator.get(f"{page}/file")
    assert download.status_code == 200
    assert download.content == FAKE_PDF
    assert download.headers["content-disposition"].startswith("attachment;")


def test_asking_again_while_a_report_is_being_made_follows_the_same_job(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    first, _ = _ask(facilitator, f"/rounds/{workspace.current_round}/reports/workshop")
    second, _ = _ask(facilitator, f"/rounds/{workspace.current_round}/reports/workshop")
    other, _ = _ask(facilitator, f"/rounds/{workspace.current_round}/reports/forum")

    assert first == second
    assert other != first
    page = facilitator.get(f"/rounds/{workspace.current_round}/report-jobs/{other}").text
    assert "1 report is being made before it" in page


def test_people_asking_for_the_same_report_at_the_same_moment_share_one_job(
    workspace: Workspace, engine: Engine
) -> None:
    asked: list[tuple[int, bool]] = []
    start = threading.Barrier(8)

    def ask() -> None:
        with Session(engine) as session:
            assessment_round = session.get(AssessmentRound, workspace.current_round)
            assert assessment_round is not None
            start.wait()
            work = UnitOfWork(session)
            asked.append(
                request_report(
                    work=work,
                    assessment_round=assessment_round,
                    kind=ReportKind.FORUM,
                    organisation_id=None,
                    variant=None,
                    user_id=None,
                    inputs="the same inputs",
                )
            )
            work.finish()

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({job_id for job_id, _ in asked}) == 1
    assert [new for _, new in asked].count(True) == 1


def test_a_report_that_cannot_be_made_says_why_and_leads_back_to_the_round(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    """Fire and rescue has two people: fewer than the threshold, so no partner report."""
    with Session(engine) as session:
        fire = session.exec(
            select(Organisation).where(Organisation.name == "Fenmoor Fire and Rescue Service")
        ).one()
    job_id, page = _ask(
        facilitator, f"/rounds/{workspace.current_round}/reports/partner?organisation={fire.id}"
    )

    assert _prepare(engine, job_id) is JobStatus.REFUSED
    shown = " ".join(re.sub(r"<[^>]+>", " ", facilitator.get(page).text).split())
    assert "The partner report cannot be made yet" in shown
    assert "This report cannot be made:" in shown and "3" in shown
    assert f'href="/rounds/{workspace.current_round}"' in facilitator.get(page).text
    assert facilitator.get(f"{page}/file").status_code == 409


def test_only_one_of_many_workers_prepares_a_job(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    job_id, _ = _ask(facilitator, f"/rounds/{workspace.current_round}/reports/forum")
    renders: list[str] = []

    def render(html: str) -> bytes:
        renders.append(html)
        return FAKE_PDF

    outcomes: list[JobStatus | None] = []
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        outcomes.append(run_report_job(engine, made_here(engine, render), job_id, date.today()))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(renders) == 1
    assert outcomes.count(JobStatus.DONE) == 1 and outcomes.count(None) == 7


def test_a_job_whose_worker_was_lost_is_prepared_after_a_restart(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    job_id, page = _ask(facilitator, f"/rounds/{workspace.current_round}/reports/forum")
    with write_session(engine) as session:
        job = session.get(ReportJob, job_id)
        assert job is not None
        job.status = JobStatus.RUNNING
        job.started_at = utcnow() - timedelta(hours=1)
        session.add(job)
        session.commit()

    assert job_id in jobs_to_run(engine)
    assert _prepare(engine, job_id) is JobStatus.DONE
    assert "is ready" in facilitator.get(page).text


def test_a_viewer_cannot_follow_a_facilitators_report_nor_another_rounds(
    facilitator: TestClient, viewer: TestClient, workspace: Workspace
) -> None:
    job_id, _ = _ask(facilitator, f"/rounds/{workspace.current_round}/reports/workshop")
    assert viewer.get(f"/rounds/{workspace.current_round}/report-jobs/{job_id}").status_code in {
        403,
        404,
    }
    elsewhere = facilitator.get(f"/rounds/{workspace.previous_round}/report-jobs/{job_id}")
    assert elsewhere.status_code == 404


def test_erasing_a_respondent_deletes_the_places_prepared_reports(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    job_id, _ = _ask(facilitator, f"/rounds/{workspace.current_round}/reports/forum")
    _prepare(engine, job_id)
    with Session(engine) as session:
        someone = session.exec(select(ReportJob).where(ReportJob.id == job_id)).one()
        assert someone.pdf == FAKE_PDF
    data = f"/rounds/{workspace.current_round}/data"
    erase = re.search(r'href="(/rounds/\d+/respondents/(\d+)/erase)"', facilitator.get(data).text)
    assert erase is not None
    response = post_form(facilitator, erase[1], erase[1], {})
    assert response.status_code in {200, 303}
    with Session(engine) as session:
        assert session.get(ReportJob, job_id) is None


def test_an_impossible_report_choice_is_refused_before_any_job_is_made(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.current_round}/reports"
    for bad in (
        "partner?organisation=-1",
        "partner?organisation=1e9",
        "nonsense",
        "forum?variant=" + "x" * 81,
    ):
        token = csrf_of(facilitator.get(path.removesuffix("/reports")).text)
        for response in (
            facilitator.get(f"{path}/{bad}", follow_redirects=False),
            facilitator.post(f"{path}/{bad}", data={"csrf_token": token}, follow_redirects=False),
        ):
            assert response.status_code in {404, 422}, bad
            assert "<html" in response.text.lower()  # a page a person can read, not a trace
    with Session(engine) as session:
        assert session.exec(select(ReportJob)).all() == []


def test_a_report_already_made_is_handed_over_again_until_something_it_shows_changes(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    first, _ = _ask(facilitator, f"/rounds/{workspace.current_round}/reports/forum")
    assert _prepare(engine, first) is JobStatus.DONE

    again, _ = _ask(facilitator, f"/rounds/{workspace.current_round}/reports/forum")
    download = facilitator.get(f"/rounds/{workspace.current_round}/reports/forum.pdf")
    with write_session(engine) as session:
        answer = session.exec(
            select(Answer)
            .join(Invitation, col(Invitation.id) == col(Answer.invitation_id))
            .where(Invitation.round_id == workspace.current_round)
        ).first()
        assert answer is not None
        answer_id = answer.id
        answer.version += 1  # a respondent changes an answer
        session.add(answer)
        session.commit()
    changed, _ = _ask(facilitator, f"/rounds/{workspace.current_round}/reports/forum")

    assert again == first
    assert download.status_code == 200 and download.content == FAKE_PDF
    assert changed != first
    assert _prepare(engine, changed) is JobStatus.DONE
    # Someone following the older copy still gets it; once it is an hour old it goes.
    older_file = facilitator.get(f"/rounds/{workspace.current_round}/report-jobs/{first}/file")
    assert older_file.content == FAKE_PDF
    with write_session(engine) as session:
        older = session.get(ReportJob, first)
        assert older is not None and older.finished_at is not None
        older.finished_at -= timedelta(hours=2)
        session.add(older)
        answer = session.get(Answer, answer_id)
        assert answer is not None
        answer.version += 1  # and the answer changes again
        session.add(answer)
        session.commit()
    latest, _ = _ask(facilitator, f"/rounds/{workspace.current_round}/reports/forum")
    assert _prepare(engine, latest) is JobStatus.DONE
    with Session(engine) as session:
        assert session.get(ReportJob, first) is None  # superseded over an hour ago
        assert session.get(ReportJob, changed) is not None  # superseded just now


def test_a_report_is_read_scored_and_rendered_in_a_render_process_not_the_apps(
    facilitator: TestClient, workspace: Workspace, engine: Engine, tmp_path: Path
) -> None:
    """The app process only claims the job and writes the result; a refusal made over there
    still reaches the page with its reason."""
    with Session(engine) as session:
        fire = session.exec(
            select(Organisation).where(Organisation.name == "Fenmoor Fire and Rescue Service")
        ).one()
    base = f"/rounds/{workspace.current_round}/reports"
    made, _ = _ask(facilitator, f"{base}/questionnaire")
    refused, page = _ask(facilitator, f"{base}/partner?organisation={fire.id}")
    service = PdfService(workers=1)
    try:
        make = report_maker(engine, service)
        assert run_report_job(engine, make, made, date.today()) is JobStatus.DONE
        assert run_report_job(engine, make, refused, date.today()) is JobStatus.REFUSED
        assert service._pool is not None  # the pool was used ...
        render_processes = {p.pid for p in service._pool._processes.values()}
    finally:
        service.shutdown()

    assert render_processes and os.getpid() not in render_processes
    assert not tasks._engines  # ... and this process never opened the database for a report
    download = facilitator.get(f"/rounds/{workspace.current_round}/report-jobs/{made}/file")
    assert (
        download.content.startswith(b"%PDF")
        and b"questionnaire" in download.headers["content-disposition"].encode()
    )
    assert "This report cannot be made:" in facilitator.get(page).text


def test_reports_of_an_in_memory_database_are_read_here_and_only_rendered_elsewhere(
    tmp_path: Path,
) -> None:
    """Another process cannot open an in-memory database."""
    memory = create_db_engine("sqlite://")
    service = PdfService(workers=1)
    make = report_maker(memory, service)
    assert isinstance(make, partial) and make.func is make_report
    assert make.args == (memory, service.render)
    memory.dispose()


def test_a_report_named_after_a_long_multi_byte_partner_name_saves_on_any_disk(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    """255 bytes is what common file systems allow in a name; Welsh letters take two each."""
    with write_session(engine) as session:
        largest = session.exec(
            select(Organisation)
            .join(Invitation, col(Invitation.organisation_id) == Organisation.id)
            .where(Invitation.round_id == workspace.current_round)
            .group_by(col(Organisation.id))
            .order_by(func.count().desc(), col(Organisation.id))
        ).first()
        assert largest is not None
        largest.name = "Cyngor Llŷn " + "Ŵŷ" * 94  # 200 characters, 390 bytes
        session.add(largest)
        organisation = largest.id
    job_id, page = _ask(
        facilitator,
        f"/rounds/{workspace.current_round}/reports/partner?organisation={organisation}",
    )
    assert _prepare(engine, job_id) is JobStatus.DONE

    disposition = facilitator.get(f"{page}/file").headers["content-disposition"]

    ascii_name = re.search(r'filename="([^"]+)"', disposition)
    real_name = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert ascii_name and real_name
    name = unquote(real_name[1])
    assert len(name.encode()) <= 255 and len(ascii_name[1]) <= 255
    assert name.endswith(".pdf") and "-partner-cyngor-llŷn-ŵŷŵŷ" in name


def test_opening_a_reports_page_or_its_pdf_asks_for_nothing(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    """Asking for a report is a change (a job, an audit record): a POST with its CSRF token,
    never a GET that a link checker, a prefetching browser or another site can send."""
    path = f"/rounds/{workspace.current_round}/reports"
    with Session(engine) as session:
        audited = len(session.exec(select(AuditEvent)).all())

    page = facilitator.get(f"{path}/workshop", follow_redirects=False)
    pdf = facilitator.get(
        f"{path}/questionnaire.pdf?variant=plain-language", follow_redirects=False
    )

    assert page.status_code == 200
    assert f'<form method="post" action="{path}/workshop"' in page.text
    assert "Make the workshop pack (PDF)" in page.text
    assert pdf.status_code == 303
    assert pdf.headers["location"] == f"{path}/questionnaire?variant=plain-language"
    with Session(engine) as session:
        assert session.exec(select(ReportJob)).all() == []
        assert len(session.exec(select(AuditEvent)).all()) == audited
