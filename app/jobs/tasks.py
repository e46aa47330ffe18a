"""The work itself, whoever runs it: what a worker needs, and the two tasks it runs."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.clock import place_today
from app.core.config import Settings
from app.core.db import create_db_engine, unit_of_work
from app.jobs.report_jobs import (
    MadeReport,
    ReportMaker,
    jobs_to_run,
    made_here,
    make_report,
    reports_in_advance,
    run_report_job,
)
from app.models import AssessmentRound, utcnow
from app.network.releases import prepare_release, release_due, store_release
from app.results.publication import fill_missing_snapshots
from app.rounds.deadlines import close_rounds_past_deadline, send_due_reminders
from reports.pdf.renderer import html_to_pdf
from reports.pdf.service import PdfService

HandOver = Callable[[int], None]
"""Gives a report job to whatever runs jobs (this process's threads, or the shared queue)."""


@dataclass(frozen=True)
class JobResources:
    """What every task needs, made once per process that runs tasks."""

    engine: Engine
    settings: Settings
    make: ReportMaker


def render_service(settings: Settings) -> PdfService:
    """The render processes of an app or worker process, which load this module as they start
    (it is what their report tasks run)."""
    return PdfService(settings.report_workers or None, preload=(__name__,))


def report_maker(engine: Engine, pdf_service: PdfService) -> ReportMaker:
    """Where reports are made: all of a report (reading the answers, scoring, the HTML and the
    PDF) in a render process, which runs at a lower priority than pages. Building the HTML on a
    thread of the app process held the interpreter lock that every page being served needs, and
    the health check took four times as long while reports were made.

    An in-memory database cannot be opened from another process: its reports are read here and
    only rendered there."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in {None, "", ":memory:"}:
        return made_here(engine, pdf_service.render)
    address = url.render_as_string(hide_password=False)
    return partial(pdf_service.run, _make_in_render_process, address)


_engines: dict[str, Engine] = {}
"""One engine per database for the life of a render process."""


def _make_in_render_process(address: str, job_id: int, today: date) -> MadeReport | None:
    engine = _engines.get(address) or _engines.setdefault(address, create_db_engine(address))
    return make_report(engine, html_to_pdf, job_id, today)


def prepare_report(resources: JobResources, job_id: int) -> None:
    run_report_job(resources.engine, resources.make, job_id, place_today())


def _ask_in_advance(engine: Engine, round_ids: list[int], today: date) -> None:
    """Ask for the reports of the rounds the deadline closed."""
    with unit_of_work(engine) as work:
        for assessment_round in work.session.exec(
            select(AssessmentRound).where(col(AssessmentRound.id).in_(round_ids))
        ).all():
            reports_in_advance(work=work, assessment_round=assessment_round, today=today)


def release_network_when_due(engine: Engine, settings: Settings, now: datetime) -> None:
    """The network's release on its schedule, if one is set: looked at and worked out without
    the write lock (most minutes it is not due; when it is, working it out takes seconds at
    national scale), then stored under it."""
    every, minimum = settings.network_release_every_days, settings.network_minimum_places
    if every is None:
        return
    with Session(engine) as session:
        prepared = prepare_release(session, minimum) if release_due(session, every, now) else None
    if prepared is not None:
        with unit_of_work(engine) as work:
            store_release(work.session, prepared, minimum)


def scheduled_checks(resources: JobResources, hand_over: HandOver) -> None:
    """Close rounds past their deadline, send reminders that are due, keep a snapshot of any
    publication made before snapshots were kept, and hand over again every report still
    waiting (asked for before a restart, or whose worker was lost)."""
    today = place_today()
    fill_missing_snapshots(resources.engine)
    closed = close_rounds_past_deadline(resources.engine, today)
    if closed and resources.settings.prepare_reports_in_advance:
        _ask_in_advance(resources.engine, closed, today)
    send_due_reminders(resources.engine, resources.settings, today)
    release_network_when_due(resources.engine, resources.settings, utcnow())
    for job_id in jobs_to_run(resources.engine):
        hand_over(job_id)
