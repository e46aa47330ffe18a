"""Databases for tests: PostgreSQL from ``PLACECHECK_TEST_POSTGRES_URL`` (``.ci/run`` starts a
throwaway server and sets it), and the rule that a missing dependency fails in CI."""

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlmodel import Session, col, select

from app.core.db import parse_database_url
from app.enums import InvitationStatus
from app.models import Invitation

POSTGRES_ENV = "PLACECHECK_TEST_POSTGRES_URL"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_dependency(available: bool, reason: str) -> None:
    """Skip locally with the reason; in CI a missing dependency is a failure, not a skip."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(f"SKIPPED LOUDLY: {reason}")


@contextmanager
def postgres_admin() -> Iterator[Connection]:
    """A connection to the test PostgreSQL server outside any transaction (to create and drop
    databases)."""
    server = parse_database_url(os.environ[POSTGRES_ENV])
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            yield connection
    finally:
        admin.dispose()


_TEMPLATES: list[str] = []
"""The template databases this test process made on the test server, dropped at its end."""


def new_postgres_template() -> str:
    """The address of a new, empty database on the test server that tests' databases are to be
    copied from (``copy_postgres_template``); it lasts until ``drop_postgres_templates``."""
    name = f"placecheck_template_{uuid.uuid4().hex[:12]}"
    with postgres_admin() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    _TEMPLATES.append(name)
    server = parse_database_url(os.environ[POSTGRES_ENV])
    return server.set(database=name).render_as_string(hide_password=False)


def copy_postgres_template(template_url: str, database_url: str) -> None:
    """The database at ``database_url`` made again as a copy of the template's, which is far
    quicker than loading the same rows again (nobody may be connected to either)."""
    template = parse_database_url(template_url).database
    name = parse_database_url(database_url).database
    with postgres_admin() as admin:
        admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))


def on_test_server(database_url: str) -> bool:
    """Whether the database is on the test PostgreSQL server (not a throwaway cluster)."""
    server = os.environ.get(POSTGRES_ENV, "")
    if not server or not database_url.startswith("postgresql"):
        return False
    ours, theirs = parse_database_url(server), parse_database_url(database_url)
    return (ours.host, ours.port) == (theirs.host, theirs.port)


def drop_postgres_templates() -> None:
    """At the end of the session: the PostgreSQL templates it made."""
    while _TEMPLATES:
        name = _TEMPLATES.pop()
        with postgres_admin() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A brand-new, empty database on the PostgreSQL server at ``server_url``, dropped after."""
    server = parse_database_url(server_url)
    name = f"placecheck_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def submitted_invitations(engine: Engine, round_id: int) -> list[int]:
    """The ids of the round's submitted invitations, oldest first."""
    with Session(engine) as session:
        return [
            i.id or 0
            for i in session.exec(
                select(Invitation)
                .where(
                    Invitation.round_id == round_id,
                    Invitation.status == InvitationStatus.SUBMITTED,
                )
                .order_by(col(Invitation.id))
            ).all()
        ]


class Cluster:
    """A PostgreSQL server of a test's own (``.ci/start-postgres``), which it may stop and
    start again without disturbing the suite's shared one."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.url = ""

    def _as_postgres(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []

    def start(self) -> None:
        bin_dir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder / 'cluster'}"
        subprocess.run(
            [*self._as_postgres(), str(bin_dir / "pg_ctl"), "-D", str(self.folder / "cluster/data")]
            + ["-l", str(self.folder / "cluster/server.log"), "-w", "-o", options, "start"],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run([str(CI / "stop-postgres"), str(self.folder / "cluster")], check=True)


CI = Path(__file__).resolve().parents[2] / ".ci"


def postgres_installed() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))


@contextmanager
def throwaway_cluster(port: int) -> Iterator[Cluster]:
    """A new PostgreSQL cluster on ``port``, removed afterwards. Its folder is readable by the
    ``postgres`` user, as ``.ci/run``'s is."""
    folder = Path(tempfile.mkdtemp(prefix="placecheck-down-", dir="/tmp"))
    folder.chmod(0o755)
    cluster = Cluster(folder, port)
    try:
        cluster.url = subprocess.run(
            [str(CI / "start-postgres"), str(folder / "cluster"), str(port)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
