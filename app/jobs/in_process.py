"""Jobs run on threads of the app's own process: the single-machine way, and the only one on
the embedded SQLite database, where there is no other process to hand work to.

Every process runs the scheduled checks and any report it is handed; a job is claimed in the
database before it is run, so two processes (or a restart) never prepare it twice.
"""

from app.jobs.background import TICK_SECONDS, Background
from app.jobs.tasks import JobResources, prepare_report, scheduled_checks


class InProcessQueue:
    def __init__(self, resources: JobResources, workers: int) -> None:
        self._resources = resources
        self._background = Background(workers=workers)

    def prepare(self, job_id: int) -> None:
        self._background.submit(prepare_report, self._resources, job_id)

    def start(self) -> None:
        """Run the scheduled checks now (what fell due while the service was down) and every
        minute after."""
        self._background.every(
            TICK_SECONDS, lambda: scheduled_checks(self._resources, self.prepare)
        )

    def stop(self) -> None:
        self._background.shutdown()
