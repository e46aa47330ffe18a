"""Reports prepared in the background: asked for on one request, followed on the next.

A forum report takes seconds of CPU (longer on a busy machine). Rendering it while the browser
waits left facilitators looking at a blank tab, and a busy server refused downloads outright.
So asking for a report writes a row (``ReportJob``), a worker prepares it, and the page follows
the row until the file is there to download.

The rows are the queue: a worker takes one by changing its status from queued to running in a
single conditional UPDATE, so any number of workers, in one process or several sharing the
database, never prepare the same job twice. Nothing about a job lives only in a process's
memory: a job whose worker died is found running long past any render and queued again.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy import Engine, delete, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session, col, select

from app.core.db import UnitOfWork, changed_rows, disk_full, lock_until_commit, write_session
from app.enums import JobStatus
from app.models import AssessmentRound, ReportJob, utcnow
from app.results.inputs import report_inputs
from app.results.reports import ReportUnavailableError, report_html
from app.results.rules import load_rules
from reports.kinds import ReportKind

log = logging.getLogger("placecheck.reports")

STALE_AFTER = timedelta(minutes=10)
"""A job running this long has lost its worker (no render takes a tenth of it): run it again."""
KEEP_FINISHED_FOR = timedelta(days=7)
"""Finished jobs (and their files) are deleted after a week; asking again makes a fresh one."""
KEEP_SUPERSEDED_FOR = timedelta(hours=1)
"""How long a report made from older inputs stays for those already following it."""
MAX_MESSAGE = 1000
REUSABLE = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE, JobStatus.REFUSED)
"""A job in any of these answers a second request for the same report from the same inputs
(a failed one is tried again)."""

Renderer = Callable[[str], bytes]
"""Turns a report's HTML into its PDF."""


@dataclass(frozen=True)
class JobState:
    """What a page needs to follow a job, without reading its file."""

    id: int
    round_id: int
    kind: ReportKind
    organisation_id: int | None
    variant: str | None
    status: JobStatus
    message: str | None
    filename: str | None
    size: int | None
    created_at: datetime
    finished_at: datetime | None
    ahead: int
    """Jobs queued before this one, still waiting for a worker."""


def existing_report(
    session: Session,
    assessment_round: AssessmentRound,
    kind: ReportKind,
    organisation_id: int | None,
    variant: str | None,
    inputs: str,
) -> int | None:
    """The latest job for this report made from these ``inputs`` that is made, refused,
    queued or running: what a download hands over without asking for anything new."""
    return session.exec(
        select(ReportJob.id)
        .where(
            ReportJob.round_id == assessment_round.id,
            ReportJob.kind == kind.value,
            ReportJob.organisation_id == organisation_id,
            ReportJob.variant == variant,
            ReportJob.inputs == inputs,
            col(ReportJob.status).in_(REUSABLE),
        )
        .order_by(col(ReportJob.id).desc())
    ).first()


def request_report(
    *,
    work: UnitOfWork,
    assessment_round: AssessmentRound,
    kind: ReportKind,
    organisation_id: int | None,
    variant: str | None,
    user_id: int | None,
    inputs: str,
) -> tuple[int, bool]:
    """The job for this report made from these ``inputs`` (``report_inputs``): one already
    made, refused, queued or running, or a new one. Returns its id and whether it is new (and
    so needs a worker told, once ``work`` commits it).

    A report already made is handed over again at the cost of a lookup, without the write
    lock. Two people asking for the same report at the same moment get the same job: the check
    and the insert are made again under the write lock and one lock per report."""
    session = work.session
    same = (assessment_round, kind, organisation_id, variant, inputs)
    if (found := existing_report(session, *same)) is not None:
        return found, False
    work.write()
    lock_until_commit(
        session, f"report-job:{assessment_round.id}:{kind.value}:{organisation_id}:{variant}"
    )
    if (found := existing_report(session, *same)) is not None:
        return found, False
    job = ReportJob(
        round_id=assessment_round.id or 0,
        kind=kind.value,
        organisation_id=organisation_id,
        variant=variant,
        inputs=inputs,
        requested_by_user_id=user_id,
    )
    session.add(job)
    session.flush()
    assert job.id is not None
    return job.id, True


IN_ADVANCE = (ReportKind.FORUM, ReportKind.WORKSHOP)
"""What a facilitator prints for the workshop, made before anyone asks for it."""


def reports_in_advance(
    *, work: UnitOfWork, assessment_round: AssessmentRound, today: date
) -> list[int]:
    """Ask for the workshop's reports as soon as the answers are in (the round closed or
    published), in the same unit of work as the change that put them in: the facilitator
    downloading them minutes before the workshop finds them made. Returns the jobs that are
    new, for a worker to be told once ``work`` commits.

    A database failure here is logged and undone alone (a savepoint): whatever closed or
    published the round is still done, and a report not made in advance is made when asked."""
    session = work.write()
    new = []
    try:
        with session.begin_nested():
            inputs = report_inputs(session=session, assessment_round=assessment_round, today=today)
            for kind in IN_ADVANCE:
                job_id, is_new = request_report(
                    work=work,
                    assessment_round=assessment_round,
                    kind=kind,
                    organisation_id=None,
                    variant=None,
                    user_id=None,
                    inputs=inputs,
                )
                if is_new:
                    new.append(job_id)
    except SQLAlchemyError:
        round_id = assessment_round.id
        log.exception("Round %s: its reports could not be asked for in advance", round_id)
        return []
    return new


def made_or_being_made(
    *, session: Session, assessment_round: AssessmentRound, today: date
) -> dict[ReportKind, JobStatus]:
    """Of the reports made in advance, which are made (or being made) from the round as it is
    now, so the reports page can say a download will be immediate."""
    inputs = report_inputs(session=session, assessment_round=assessment_round, today=today)
    found: dict[ReportKind, JobStatus] = {}
    for kind, status in session.exec(
        select(ReportJob.kind, ReportJob.status)
        .where(
            ReportJob.round_id == assessment_round.id,
            col(ReportJob.kind).in_([k.value for k in IN_ADVANCE]),
            col(ReportJob.organisation_id).is_(None),
            col(ReportJob.variant).is_(None),
            ReportJob.inputs == inputs,
            col(ReportJob.status).in_([JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE]),
        )
        .order_by(col(ReportJob.id))
    ).all():
        found[ReportKind(kind)] = JobStatus(status)
    return found


def job_state(session: Session, job_id: int) -> JobState | None:
    columns = [
        getattr(ReportJob, name).label(name)
        for name in (
            "id",
            "round_id",
            "kind",
            "organisation_id",
            "variant",
            "status",
            "message",
            "filename",
            "created_at",
            "finished_at",
        )
    ]
    row = session.execute(
        sa_select(*columns, func.length(ReportJob.pdf).label("size")).where(
            col(ReportJob.id) == job_id
        )
    ).first()
    if row is None:
        return None
    status = JobStatus(row.status)
    ahead = (
        session.exec(
            select(func.count())
            .select_from(ReportJob)
            .where(ReportJob.status == JobStatus.QUEUED, col(ReportJob.id) < job_id)
        ).one()
        if status is JobStatus.QUEUED
        else 0
    )
    return JobState(
        id=row.id,
        round_id=row.round_id,
        kind=ReportKind(row.kind),
        organisation_id=row.organisation_id,
        variant=row.variant,
        status=status,
        message=row.message,
        filename=row.filename,
        size=row.size,
        created_at=row.created_at,
        finished_at=row.finished_at,
        ahead=ahead,
    )


def job_file(session: Session, job_id: int) -> bytes | None:
    return session.exec(
        select(ReportJob.pdf).where(ReportJob.id == job_id, ReportJob.status == JobStatus.DONE)
    ).first()


def _claim(engine: Engine, job_id: int) -> bool:
    """Take the job for this worker: true only for the one worker whose update changed it."""
    with write_session(engine) as session:
        taken = changed_rows(
            session,
            update(ReportJob)
            .where(col(ReportJob.id) == job_id, col(ReportJob.status) == JobStatus.QUEUED)
            .values(status=JobStatus.RUNNING, started_at=utcnow()),
        )
    return taken == 1


def _finish(engine: Engine, job_id: int, status: JobStatus, **values: object) -> None:
    with write_session(engine) as session:
        session.execute(
            update(ReportJob)
            .where(col(ReportJob.id) == job_id)
            .values(status=status, finished_at=utcnow(), **values)
        )


@dataclass(frozen=True)
class MadeReport:
    pdf: bytes
    filename: str


ReportMaker = Callable[[int, date], MadeReport | None]
"""Makes a job's report (None: the job or its round is gone). It may raise
``ReportUnavailableError``, which refuses the job with its message."""


def make_report(engine: Engine, render: Renderer, job_id: int, today: date) -> MadeReport | None:
    """Read the job's round, score it, build the report's HTML and render it. The session holds
    no lock while the PDF renders."""
    with Session(engine) as session:
        job = session.get(ReportJob, job_id)
        assessment_round = session.get(AssessmentRound, job.round_id) if job else None
        if job is None or assessment_round is None:
            return None
        rendered = report_html(
            session=session,
            assessment_round=assessment_round,
            kind=ReportKind(job.kind),
            rules=load_rules(),
            today=today,
            organisation_id=job.organisation_id,
            variant=job.variant,
        )
    return MadeReport(render(rendered.html), rendered.filename)


def made_here(engine: Engine, render: Renderer) -> ReportMaker:
    """Reports made in the calling process, rendered by ``render``."""
    return partial(make_report, engine, render)


def run_report_job(engine: Engine, make: ReportMaker, job_id: int, today: date) -> JobStatus | None:
    """Prepare one job if no other worker has taken it; returns how it ended (None: not ours).
    Only the claim and the result are written here."""
    if not _claim(engine, job_id):
        return None
    try:
        made = make(job_id, today)
        if made is None:
            return None
    except ReportUnavailableError as error:
        message = f"This report cannot be made: {error}."
        _finish(engine, job_id, JobStatus.REFUSED, message=message[:MAX_MESSAGE])
        return JobStatus.REFUSED
    except Exception as error:  # noqa: BLE001 - any failure is the job's, shown on its page
        message = f"Something went wrong while making the report ({type(error).__name__})."
        _finish(engine, job_id, JobStatus.FAILED, message=message)
        raise
    try:
        _finish(engine, job_id, JobStatus.DONE, pdf=made.pdf, filename=made.filename)
    except OperationalError as error:
        if not disk_full(error):
            raise
        log.error("Report job %s was made but could not be kept: %s", job_id, error)
        _finish(engine, job_id, JobStatus.FAILED, message=DISK_FULL)
        return JobStatus.FAILED
    _forget_older_copies(engine, job_id)
    return JobStatus.DONE


DISK_FULL = (
    "The report was made, but the server's disk is full, so it could not be kept. Whoever "
    "runs this Placecheck service has been told in its log; try again once they have made "
    "room."
)


def _forget_older_copies(engine: Engine, job_id: int) -> None:
    """Delete the files of this report made from older inputs, once they are an hour old: only
    the newest is handed over to new requests, and each is a quarter of a megabyte, but someone
    may still be following an older one (on a busy day answers change while readers download),
    and its page must still give them its file."""
    with write_session(engine) as session:
        job = session.get(ReportJob, job_id)
        if job is None:
            return
        session.execute(
            delete(ReportJob).where(
                col(ReportJob.round_id) == job.round_id,
                col(ReportJob.kind) == job.kind,
                col(ReportJob.organisation_id).is_(None)
                if job.organisation_id is None
                else col(ReportJob.organisation_id) == job.organisation_id,
                col(ReportJob.variant).is_(None)
                if job.variant is None
                else col(ReportJob.variant) == job.variant,
                col(ReportJob.status) == JobStatus.DONE,
                col(ReportJob.id) < job_id,
                col(ReportJob.finished_at) < utcnow() - KEEP_SUPERSEDED_FOR,
            )
        )


def jobs_to_run(engine: Engine) -> list[int]:
    """Every job waiting for a worker, oldest first, after putting back any whose worker was
    lost (a restart, a crash): what was asked for before a restart is still prepared."""
    with write_session(engine) as session:
        session.execute(
            update(ReportJob)
            .where(
                col(ReportJob.status) == JobStatus.RUNNING,
                col(ReportJob.started_at) < utcnow() - STALE_AFTER,
            )
            .values(status=JobStatus.QUEUED, started_at=None)
        )
        session.execute(
            delete(ReportJob).where(
                col(ReportJob.finished_at) < utcnow() - KEEP_FINISHED_FOR,
            )
        )
    with Session(engine) as session:
        return [
            job_id
            for job_id in session.exec(
                select(ReportJob.id)
                .where(ReportJob.status == JobStatus.QUEUED)
                .order_by(col(ReportJob.id))
            ).all()
            if job_id is not None
        ]


def forget_place_jobs(session: Session, place_id: int | None) -> None:
    """Delete every prepared report of a place (after an erasure), in the caller's transaction:
    any of them may quote or count the person erased."""
    rounds = select(AssessmentRound.id).where(AssessmentRound.place_id == place_id)
    session.execute(delete(ReportJob).where(col(ReportJob.round_id).in_(rounds)))
