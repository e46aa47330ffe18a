"""The one place that chooses who runs jobs, from the settings."""

from typing import Protocol

from app.core.config import JobRunner, Settings
from app.jobs.in_process import InProcessQueue
from app.jobs.tasks import JobResources


class ReportQueue(Protocol):
    """Where a request hands the report job it has just written."""

    def prepare(self, job_id: int) -> None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


def report_queue(settings: Settings, resources: JobResources, workers: int) -> ReportQueue:
    if settings.jobs is JobRunner.PROCRASTINATE:
        from app.jobs.queue import ProcrastinateQueue  # procrastinate only where it is used

        return ProcrastinateQueue(settings.database_url)
    return InProcessQueue(resources, workers)
