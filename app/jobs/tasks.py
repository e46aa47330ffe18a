"""The work itself, whoever runs it: what a worker needs, and the two tasks it runs."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from app.core.clock import place_today
from app.core.config import Settings
from app.results.jobs import Renderer, jobs_to_run, run_report_job
from app.rounds.deadlines import close_rounds_past_deadline, send_due_reminders

HandOver = Callable[[int], None]
"""Gives a report job to whatever runs jobs (this process's threads, or the shared queue)."""


@dataclass(frozen=True)
class JobResources:
    """What every task needs, made once per process that runs tasks."""

    engine: Engine
    settings: Settings
    render: Renderer


def prepare_report(resources: JobResources, job_id: int) -> None:
    run_report_job(resources.engine, resources.render, job_id, place_today())


def scheduled_checks(resources: JobResources, hand_over: HandOver) -> None:
    """Close rounds past their deadline, send reminders that are due, and hand over again
    every report still waiting (asked for before a restart, or whose worker was lost)."""
    today = place_today()
    close_rounds_past_deadline(resources.engine, today)
    send_due_reminders(resources.engine, resources.settings, today)
    for job_id in jobs_to_run(resources.engine):
        hand_over(job_id)
