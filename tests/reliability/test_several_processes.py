"""Past one machine: two app processes and a job worker, each started as an operator starts them
(``placecheck serve``, ``placecheck worker``), sharing nothing but one PostgreSQL, where made
reports are kept too. Whatever one app process learns, the other must act on; the reports must
be made by the worker, not by the app processes people are waiting on."""

import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from app.core.clock import place_today
from app.core.db import create_db_engine, write_session
from app.demo.accounts import DEMO_PASSWORD
from app.enums import JobStatus, RoundStatus
from app.models import AssessmentRound, ReportJob
from tests.support.demo import prepare
from tests.support.figures import print_table
from tests.support.pages import csrf_of, post_sign_in
from tests.support.servers import Server, job_worker, server

pytestmark = pytest.mark.postgres

FACILITATOR = "facilitator@kestrel-vale.example"
VIEWER = "viewer@kestrel-vale.example"
REPORT_WAIT_SECONDS = 180


def _is_signed_in(client: httpx.Client) -> bool:
    return client.get("/places", follow_redirects=False).status_code == 200


def _with_cookies_of(client: httpx.Client, other: Server) -> httpx.Client:
    """A browser that carries the same cookies to the other app process."""
    copy = httpx.Client(base_url=other.url, timeout=30)
    for name, value in client.cookies.items():
        copy.cookies.set(name, value)
    return copy


def _job_status(engine: Engine, job_id: int | None) -> JobStatus:
    with Session(engine) as session:
        job = session.get(ReportJob, job_id)
        assert job is not None
        return job.status


def _status(engine: Engine, round_id: int) -> RoundStatus:
    with Session(engine) as session:
        assessment_round = session.get(AssessmentRound, round_id)
        assert assessment_round is not None
        return assessment_round.status


def test_two_app_processes_and_a_worker_share_sign_outs_limits_and_report_jobs(
    fresh_postgres_url: str, tmp_path: Path
) -> None:
    prepared = prepare(fresh_postgres_url, respondents=0)
    engine = create_db_engine(prepared.url)
    with write_session(engine) as session:
        session.execute(
            update(AssessmentRound)
            .where(col(AssessmentRound.id) == prepared.open_round)
            .values(closes_on=place_today() - timedelta(days=1))
        )
        # A report asked for while no worker ran, never handed over: the worker's first
        # check finds it in the table and queues it.
        waiting = ReportJob(round_id=prepared.published_round, kind="workshop")
        session.add(waiting)
        session.flush()
        waiting_id = waiting.id
    rows: list[list[str]] = []
    with (
        server(prepared.url, tmp_path, jobs="procrastinate") as first,
        server(prepared.url, tmp_path, jobs="procrastinate") as second,
        job_worker(prepared.url, tmp_path) as worker,
    ):
        # The worker runs the scheduled checks: a round past its closing date is closed.
        started = time.monotonic()
        while _status(engine, prepared.open_round) is RoundStatus.OPEN:
            assert time.monotonic() - started < 60, worker.log.read_text()[-2000:]
            time.sleep(0.5)
        assert _status(engine, prepared.open_round) is RoundStatus.CLOSED
        rows.append(["round past its closing date, closed by the worker", "closed"])
        while _job_status(engine, waiting_id) is not JobStatus.DONE:
            assert time.monotonic() - started < REPORT_WAIT_SECONDS, worker.log.read_text()[-3000:]
            time.sleep(0.5)
        rows.append(["report asked for before any worker ran, made by its first check", "done"])

        # A sign-out on one process ends the session on the other.
        with httpx.Client(base_url=first.url, timeout=30) as on_first:
            post_sign_in(on_first, FACILITATOR, DEMO_PASSWORD)
            with _with_cookies_of(on_first, second) as on_second:
                assert _is_signed_in(on_first) and _is_signed_in(on_second)
                on_second.post(
                    "/sign-out", data={"csrf_token": csrf_of(on_second.get("/places").text)}
                )
            assert not _is_signed_in(on_first)
        rows.append(["sign-out on B ends the session on A", "yes"])

        # Wrong passwords typed on both processes count towards one limit.
        for attempt in range(5):
            with httpx.Client(base_url=(first, second)[attempt % 2].url, timeout=30) as client:
                assert post_sign_in(client, VIEWER, "not the password").status_code == 400
        refused = []
        for process in (first, second):
            with httpx.Client(base_url=process.url, timeout=30) as client:
                refused.append(post_sign_in(client, VIEWER, DEMO_PASSWORD).status_code)
        assert refused == [429, 429]
        rows.append(["5 wrong passwords over A and B, then the right one", "429 on A and on B"])

        # A report asked for on A is made by the worker and handed over by B.
        with httpx.Client(base_url=first.url, timeout=30) as on_first:
            post_sign_in(on_first, FACILITATOR, DEMO_PASSWORD)
            forum = f"/rounds/{prepared.published_round}/reports/forum"
            asked = on_first.post(forum, data={"csrf_token": csrf_of(on_first.get(forum).text)})
            assert asked.status_code == 303
            job_page = asked.headers["location"]
            started = time.monotonic()
            with _with_cookies_of(on_first, second) as on_second:
                while "/file" not in (page := on_second.get(job_page).text):
                    assert "went wrong" not in page and "cannot be made" not in page
                    assert time.monotonic() - started < REPORT_WAIT_SECONDS, page[-2000:]
                    time.sleep(1)
                waited = time.monotonic() - started
                pdf = on_second.get(f"{job_page}/file")
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
        assert worker.descendants(), "the worker rendered no PDF"
        assert first.descendants() == [] and second.descendants() == [], (
            "an app process rendered a PDF itself"
        )
        rows.append([f"forum report asked on A, followed on B ({waited:.1f} s)", "PDF from B"])
    engine.dispose()
    print_table(
        "Several processes: two app processes and a worker on one PostgreSQL",
        ["what", "seen"],
        rows,
    )
