"""Engines and sessions.

SQLite is the embedded default and PostgreSQL the production database; both are opened here so
that every caller gets the same connection rules (SQLite: WAL, foreign keys, a busy timeout, and
``BEGIN IMMEDIATE`` for writers so a read-then-write transaction never fails half-way with
'database is locked').
"""

import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, Engine, Table, event, insert, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

SQLITE_BUSY_TIMEOUT_MS = 60_000
"""SQLite's own wait for its lock: a backstop for writers outside Placecheck (a sqlite3 shell);
Placecheck's writers queue for their turn first and seldom meet it."""
WRITER_QUEUE_SECONDS = 120
"""How long a writer waits for its turn (behind the writers of every process) before giving up."""
WRITER_POLL_SECONDS = 0.002
IMMEDIATE = "placecheck_immediate"
_HOLDS_WRITER_TURN = "placecheck_writer_turn"


class DatabaseBusyError(RuntimeError):
    """Writers queued for longer than anyone should wait; nothing was written."""


class DatabaseConfigError(RuntimeError):
    """The database URL cannot be used; the message says what to change."""


class DatabaseUnavailableError(RuntimeError):
    """The database did not answer; the message says which one and why, in one line."""


def disk_full(error: BaseException) -> bool:
    """Whether a database error is the server's disk being full (SQLite's "database or disk is
    full", PostgreSQL's SQLSTATE 53100), which the operator must fix and nobody else can."""
    original = getattr(error, "orig", None)
    return (
        "database or disk is full" in str(error)
        or "No space left on device" in str(error)
        or getattr(original, "sqlstate", None) == "53100"
    )


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


def libpq_address(raw: str) -> str:
    """The PostgreSQL URL as libpq spells it (no SQLAlchemy driver name), for libraries that
    connect on their own, such as the job queue."""
    url = parse_database_url(raw)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def describe(url: URL) -> str:
    """The URL as safe to print: no password."""
    return url.render_as_string(hide_password=True)


# As many connections as the server runs request threads (AnyIO's default of 40), half kept
# open: each request holds one connection, so none waits for a connection, only for a thread.
# On PostgreSQL that is up to 40 per worker process; size max_connections for the workers.
POOL_SIZE, POOL_OVERFLOW = 20, 20


def create_db_engine(raw_url: str) -> Engine:
    url = parse_database_url(raw_url)
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url)
    return create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_pre_ping=True)


def _create_sqlite_engine(url: URL) -> Engine:
    in_memory = url.database in {None, "", ":memory:"}
    if not in_memory and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    }
    if in_memory:
        kwargs["poolclass"] = StaticPool
    else:
        kwargs.update(pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
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

    _queue_writers(engine, None if in_memory else Path(f"{url.database}.write-turn"))
    return engine


class _ProcessTurn:
    """The turn between processes: an exclusive ``flock`` on a file beside the database.

    SQLite's busy handler backs off to 100 ms between tries, so a writer in one process could
    lose the lock to a busy second process for longer than any timeout (one download in a
    two-worker burst waited past 15 s). Trying the file lock every 2 ms gives each process a
    fair chance at every gap, within the same deadline as the queue inside a process.
    """

    def __init__(self, path: Path) -> None:
        self._descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def acquire(self, deadline: float) -> bool:
        while True:
            try:
                fcntl.flock(self._descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(WRITER_POLL_SECONDS)

    def release(self) -> None:
        fcntl.flock(self._descriptor, fcntl.LOCK_UN)


def _queue_writers(engine: Engine, turn_file: Path | None) -> None:
    """Writers take turns before they ask SQLite for its lock: in a queue inside the process,
    then for a file lock shared with every other process on the same database.

    SQLite has one write lock, and a writer that waits for it polls until its busy timeout runs
    out. With forty request threads sharing one interpreter, the thread holding the lock gets
    only a share of the CPU, so a queue of writers polling SQLite timed out ('database is
    locked') on a busy hour. Here they wait their turn within one deadline, and a writer that
    does not get it is refused as busy, never failed half-way. The turn ends with the
    transaction, however it ends.
    """
    turn = threading.Lock()
    between_processes = _ProcessTurn(turn_file) if turn_file is not None else None

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not connection.get_execution_options().get(IMMEDIATE, False):
            connection.exec_driver_sql("BEGIN")
            return
        deadline = time.monotonic() + WRITER_QUEUE_SECONDS
        if not turn.acquire(timeout=WRITER_QUEUE_SECONDS):
            raise DatabaseBusyError("the database is too busy to save anything just now")
        if between_processes is not None and not between_processes.acquire(deadline):
            turn.release()
            raise DatabaseBusyError("the database is too busy to save anything just now")
        connection.info[_HOLDS_WRITER_TURN] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as error:
            _end_turn(connection.info)
            if "database is locked" in str(error):
                raise DatabaseBusyError("another process held the database for too long") from error
            raise
        except BaseException:
            _end_turn(connection.info)
            raise

    def _end_turn(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_WRITER_TURN, False):
            if between_processes is not None:
                between_processes.release()
            turn.release()

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Any) -> None:
        _end_turn(connection.info)

    @event.listens_for(engine, "reset")
    def _on_reset(_dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
        _end_turn(record.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _end_turn(record.info)


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
    Only ``UnitOfWork.write`` calls it: a second caller would end the first one's transaction.
    """
    session.commit()
    session.info[WROTE] = True
    session.connection(execution_options={IMMEDIATE: True})


WROTE = "placecheck.wrote"
"""Set in ``session.info`` while a session's transaction holds (or may hold) the write lock."""


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended no longer holds the lock, so the next write takes it again
    (a savepoint's end leaves its transaction, and the lock, as they were)."""
    if transaction.parent is None:
        session.info.pop(WROTE, None)


def has_written(session: Session) -> bool:
    """Whether this session may hold writes or the write lock: it began a write, or has changes
    not yet flushed. A session that only read has nothing to undo."""
    return bool(session.info.get(WROTE) or session.new or session.dirty or session.deleted)


class UnitOfWork:
    """Everything one request (or one job's step) changes, committed once, by its owner.

    Whoever opens a unit of work finishes it: the request's dependency after the route
    returns and before the response is sent, ``write_session`` as its block ends. Routes and
    services only say when they need the write lock (``write``) and never commit, so a change
    is never half-saved, and a commit that fails is the request's failure (a 503 that shows
    what was typed), never a redirect that claims it worked.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._after: list[Callable[[], object]] = []

    def after_commit(self, then: Callable[[], object]) -> None:
        """Do ``then`` once the unit has committed (tell a worker about a job it added), so
        nothing outside the database acts on a change that might yet be rolled back."""
        self._after.append(then)

    def write(self) -> Session:
        """Hold the write lock from now until the unit finishes. Routes that read for long
        first (a download, a password hash, the mail server) call it just before their short
        write; the others are given it held from the start (``WriteSession``)."""
        if not self.session.info.get(WROTE):
            begin_write(self.session)
        return self.session

    def discard(self) -> None:
        """Undo what was written (a refused form writes nothing) and let the lock go."""
        if has_written(self.session):
            self.session.rollback()
        self._after.clear()

    def read_afresh(self) -> None:
        """End a transaction that only read, so the next read sees what others committed since
        (a download waiting for its report to be made). It never throws away a change."""
        if has_written(self.session):
            raise RuntimeError("read_afresh would discard a change: finish the unit first")
        self.session.rollback()

    def end(self, keep: bool) -> None:
        """Finish the unit (if its work is to be kept) and give its connection back."""
        try:
            if keep:
                self.finish()
        finally:
            self.session.close()

    def finish(self) -> None:
        """Commit, then do what waited for the commit. Its owner calls it at the end; a route
        calls it early only to let others see its change before it waits on something slow
        (the mail server, a report being made), and what it writes afterwards is committed
        by the owner's call as usual."""
        if has_written(self.session):
            self.session.commit()
        after, self._after = self._after, []
        for then in after:
            then()


def lock_until_commit(session: Session, name: str) -> None:
    """Inside a write transaction, wait for and hold a lock on ``name`` until it ends: two
    requests that check for a row and then add it (a report job, say) then add it once.
    SQLite needs nothing more, since ``begin_write`` already lets one writer in at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[UnitOfWork]:
    """A unit of work outside a request (the command line, jobs, tests): the write lock from
    the start, one commit at the end, nothing kept if the block fails."""
    with Session(engine) as session:
        work = UnitOfWork(session)
        work.write()
        yield work
        work.finish()


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """The session of a ``unit_of_work``, for a block that needs nothing else of it."""
    with unit_of_work(engine) as work:
        yield work.session


def insert_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Insert many rows as one executemany on the session's connection. The ORM's bulk insert
    splits rows into a statement each wherever their empty columns differ (a level here, none
    there), which made importing a thousand respondents take a minute."""
    if rows:
        table: Table = model.__table__  # type: ignore[attr-defined]
        session.connection().execute(insert(table), rows)


def changed_rows(session: Session, statement: Any) -> int:
    """Run an UPDATE or DELETE and say how many rows it changed: the test of a conditional
    update that only one of several processes can win."""
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return result.rowcount
