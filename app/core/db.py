"""Engines and sessions.

SQLite is the embedded default and PostgreSQL the production database; both are opened here so
that every caller gets the same connection rules (SQLite: WAL, foreign keys, a busy timeout, and
``BEGIN IMMEDIATE`` for writers so a read-then-write transaction never fails half-way with
'database is locked').
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 15_000
"""How long a writer waits for SQLite's lock. Saves hold it for milliseconds, but on a busy,
shared machine a queue of them can pass 5 s; waiting longer beats refusing an answer."""
IMMEDIATE = "placecheck_immediate"


class DatabaseConfigError(RuntimeError):
    """The database URL cannot be used; the message says what to change."""


class DatabaseUnavailableError(RuntimeError):
    """The database did not answer; the message says which one and why, in one line."""


def parse_database_url(raw: str) -> URL:
    """Parse and normalise a URL, choosing psycopg 3 for PostgreSQL whatever the spelling."""
    try:
        url = make_url(raw)
    except ArgumentError as error:
        raise DatabaseConfigError(
            f"PLACECHECK_DATABASE_URL is not a database URL: {raw!r} "
            "(expected sqlite:///path/to/file.db or postgresql://user:password@host/dbname)"
        ) from error
    if url.drivername in {"postgres", "postgresql", "postgresql+psycopg2"}:
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        raise DatabaseConfigError(
            f"PLACECHECK_DATABASE_URL uses {url.get_backend_name()!r}; "
            "Placecheck supports sqlite and postgresql."
        )
    return url


def describe(url: URL) -> str:
    """The URL as safe to print: no password."""
    return url.render_as_string(hide_password=True)


def create_db_engine(raw_url: str, *, pool_size: int = 5) -> Engine:
    url = parse_database_url(raw_url)
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url)
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _create_sqlite_engine(url: URL) -> Engine:
    in_memory = url.database in {None, "", ":memory:"}
    if not in_memory and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    }
    if in_memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that we can say BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def check_database(connectable: Engine | Session) -> None:
    """Run a trivial query, turning any failure into one readable line."""
    url = connectable.url if isinstance(connectable, Engine) else connectable.get_bind().engine.url
    try:
        if isinstance(connectable, Session):
            connectable.execute(text("SELECT 1"))
        else:
            with connectable.connect() as connection:
                connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        original = getattr(error, "orig", None)
        reason = str(original or error).strip().splitlines()
        raise DatabaseUnavailableError(
            f"Cannot reach the database at {describe(url)}: "
            f"{reason[0] if reason else type(error).__name__}"
        ) from error


def begin_write(session: Session) -> None:
    """Make the session's next work one transaction that holds the write lock from its start.

    Whatever the session read before (the user, their access) is ended first, so SQLite takes
    the lock up front (``BEGIN IMMEDIATE``) instead of upgrading a read part-way, which fails
    with 'database is locked' whatever the busy timeout. Objects read before are refreshed on
    their next use, so every check is made again under the lock. PostgreSQL needs nothing more.
    """
    session.commit()
    session.connection(execution_options={IMMEDIATE: True})


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session outside a request (the command line, tests) that writes, committing on exit."""
    with Session(engine) as session:
        begin_write(session)
        yield session
        session.commit()
