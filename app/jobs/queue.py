"""Jobs on procrastinate, a job queue kept in the app's own PostgreSQL: the way to run the
service as several app processes and workers, on as many machines as it needs.

The app processes only hand jobs over (``ProcrastinateQueue.prepare``); ``placecheck worker``
runs them, and runs the scheduled checks every minute (procrastinate defers a periodic task
once however many workers there are). Procrastinate was chosen over a queue of our own or a
broker because it needs nothing but the PostgreSQL the service already has, takes jobs with
``SELECT … FOR UPDATE SKIP LOCKED``, wakes workers with LISTEN/NOTIFY, and keeps its schema
in our migrations (``alembic/versions/*_0c5e2d7f9a14_procrastinate_job_queue.py``).

A report job is handed over under a queueing lock named after it, so the minute's check can
hand over every waiting job again without queueing any twice.
"""

import asyncio
import logging
import os
import socket
import time

import procrastinate
from procrastinate import JobContext
from procrastinate.exceptions import AlreadyEnqueued

from app.core.config import Settings
from app.core.db import create_db_engine, libpq_address
from app.jobs.tasks import (
    JobResources,
    prepare_report,
    render_service,
    report_maker,
    scheduled_checks,
)

log = logging.getLogger("placecheck.jobs")

NAMESPACE = "placecheck"
REPORTS_QUEUE = "reports"
SCHEDULE_QUEUE = "schedule"

tasks = procrastinate.Blueprint()


def _resources(context: JobContext) -> JobResources:
    resources = context.additional_context["resources"]
    assert isinstance(resources, JobResources)
    return resources


def _hand_over(app: procrastinate.App, job_id: int) -> None:
    try:
        app.configure_task(
            f"{NAMESPACE}:prepare_report",
            queue=REPORTS_QUEUE,
            queueing_lock=f"report-job-{job_id}",
        ).defer(job_id=job_id)
    except AlreadyEnqueued:
        pass  # already waiting for a worker: one is enough


@tasks.task(name="prepare_report", queue=REPORTS_QUEUE, pass_context=True)
def prepare_report_task(context: JobContext, job_id: int) -> None:
    prepare_report(_resources(context), job_id)


@tasks.periodic(cron="* * * * *", periodic_id="every-minute")
@tasks.task(
    name="scheduled_checks",
    queue=SCHEDULE_QUEUE,
    queueing_lock="scheduled-checks",
    lock="scheduled-checks",
    pass_context=True,
)
def scheduled_checks_task(context: JobContext, timestamp: int) -> None:
    assert context.app is not None
    app = context.app
    scheduled_checks(_resources(context), lambda job_id: _hand_over(app, job_id))


def _app(connector: procrastinate.connector.BaseConnector) -> procrastinate.App:
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(tasks, namespace=NAMESPACE)
    return app


async def _check_now(app: procrastinate.App) -> None:
    """Run the scheduled checks as the worker starts, not at the next minute: whatever fell
    due while no worker was running (a deadline, a report asked for) is done at once."""
    try:
        await app.configure_task(
            f"{NAMESPACE}:scheduled_checks",
            queueing_lock="scheduled-checks",
            lock="scheduled-checks",
        ).defer_async(timestamp=int(time.time()))
    except AlreadyEnqueued:
        pass  # one is already waiting


class ProcrastinateQueue:
    """The app processes' side: hand a report job to the workers, through PostgreSQL."""

    def __init__(self, database_url: str) -> None:
        self._app = _app(
            procrastinate.SyncPsycopgConnector(conninfo=libpq_address(database_url), max_size=4)
        )

    def prepare(self, job_id: int) -> None:
        _hand_over(self._app, job_id)

    def start(self) -> None:
        self._app.open()

    def stop(self) -> None:
        self._app.close()


def run_worker(settings: Settings) -> None:
    """Run jobs until stopped (SIGINT or SIGTERM, after the jobs in hand finish): as many
    reports at once as the machine renders PDFs at once, plus the scheduled checks."""
    engine = create_db_engine(settings.database_url)
    pdf_service = render_service(settings)
    resources = JobResources(
        engine=engine,
        settings=settings,
        make=report_maker(engine, pdf_service),
    )
    app = _app(procrastinate.PsycopgConnector(conninfo=libpq_address(settings.database_url)))
    name = f"{socket.gethostname()}-{os.getpid()}"
    log.info("Worker %s: %s reports at once", name, pdf_service.workers)
    pdf_service.warm()

    async def work() -> None:
        async with app.open_async():
            await _check_now(app)
            await app.run_worker_async(
                name=name,
                concurrency=pdf_service.workers + 1,
                additional_context={"resources": resources},
                delete_jobs="successful",
            )

    try:
        asyncio.run(work())
    finally:
        pdf_service.shutdown()
        engine.dispose()
