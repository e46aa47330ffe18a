"""The shared job queue (procrastinate, in PostgreSQL): what the app processes hand over."""

import pytest
from sqlalchemy import text

from app.core.db import create_db_engine
from app.core.migrations import upgrade_to_head
from app.jobs.queue import ProcrastinateQueue

pytestmark = pytest.mark.postgres


def test_a_report_job_handed_over_twice_waits_in_the_queue_once(
    fresh_postgres_url: str,
) -> None:
    """The minute's check hands over every waiting report again; the queue keeps one of each."""
    engine = create_db_engine(fresh_postgres_url)
    upgrade_to_head(engine)
    queue = ProcrastinateQueue(fresh_postgres_url)
    queue.start()
    try:
        queue.prepare(7)
        queue.prepare(7)
        queue.prepare(8)
    finally:
        queue.stop()

    with engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT args->>'job_id', count(*) FROM procrastinate_jobs "
                "WHERE task_name = 'placecheck:prepare_report' AND status = 'todo' "
                "GROUP BY 1 ORDER BY 1"
            )
        ).all()
    engine.dispose()
    assert [tuple(row) for row in waiting] == [("7", 1), ("8", 1)]
