"""Connection rules: what SQLite is told on every connection, and writers that never collide."""

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, select

from app.core import db
from app.core.db import (
    DatabaseBusyError,
    DatabaseConfigError,
    create_db_engine,
    parse_database_url,
    write_session,
)
from app.models import Place


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    engine.dispose()

    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 60000,
        "synchronous": 1,
    }


def test_sqlite_creates_the_folder_for_its_file(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'new' / 'folder' / 'x.db'}")
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    engine.dispose()

    assert (tmp_path / "new" / "folder" / "x.db").exists()


@pytest.mark.parametrize("spelling", ["postgres://u@h/d", "postgresql://u@h/d"])
def test_postgresql_urls_use_psycopg_3(spelling: str) -> None:
    assert parse_database_url(spelling).drivername == "postgresql+psycopg"


def test_an_unsupported_database_is_refused_by_name() -> None:
    with pytest.raises(DatabaseConfigError, match="'oracle'"):
        parse_database_url("oracle://u@h/d")


def test_concurrent_read_then_write_transactions_all_succeed(tmp_path: Path) -> None:
    """Deferred SQLite transactions that upgrade to writes fail with 'database is locked';
    write_session takes the lock up front, so every one of these increments lands."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    SQLModel.metadata.create_all(engine)
    with write_session(engine) as session:
        session.add(Place(name="0", slug="counter"))
    errors: list[BaseException] = []

    def increment(times: int) -> None:
        try:
            for _ in range(times):
                with write_session(engine) as session:
                    place = session.exec(select(Place).where(Place.slug == "counter")).one()
                    place.name = str(int(place.name) + 1)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=increment, args=(50,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with write_session(engine) as session:
        final = session.exec(select(Place).where(Place.slug == "counter")).one().name
    engine.dispose()
    assert errors == []
    assert final == "200"


def _write_slowly_at_once(engines: list[Engine]) -> list[str]:
    """One thread per engine, all at once, each adding a place and holding the write lock for
    0.1 s; returns the errors they met."""
    failures: list[str] = []

    def slow_writer(engine: Engine, number: int) -> None:
        try:
            with write_session(engine) as session:
                session.add(Place(name=f"Place {number}", slug=f"place-{number}"))
                session.flush()
                time.sleep(0.1)
        except Exception as error:  # noqa: BLE001 - collected and returned
            failures.append(str(error))

    threads = [
        threading.Thread(target=slow_writer, args=(engine, number))
        for number, engine in enumerate(engines)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_writers_of_one_process_queue_instead_of_timing_out_on_sqlites_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty writers, each holding the lock far longer than SQLite's (shortened) busy
    timeout: without the queue most fail with 'database is locked'."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 50)
    engine = create_db_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    SQLModel.metadata.create_all(engine)
    assert _write_slowly_at_once([engine] * 20) == []
    with Session(engine) as session:
        assert len(session.exec(select(Place)).all()) == 20


def test_a_writer_that_waits_too_long_is_refused_as_busy_and_the_turn_passes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "WRITER_QUEUE_SECONDS", 0.2)
    engine = create_db_engine(f"sqlite:///{tmp_path / 'busy.db'}")
    SQLModel.metadata.create_all(engine)
    with write_session(engine) as holder:
        holder.add(Place(name="First", slug="first"))
        holder.flush()
        with pytest.raises(DatabaseBusyError), write_session(engine):
            pass
    with write_session(engine) as later:
        later.add(Place(name="Second", slug="second"))
    with Session(engine) as session:
        assert len(session.exec(select(Place)).all()) == 2


def test_writers_in_two_processes_take_turns_instead_of_timing_out_on_sqlites_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two engines on one file stand for two worker processes: each has its own queue, and
    they share the turn through the file lock beside the database."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "shared.db"
    first, second = create_db_engine(f"sqlite:///{path}"), create_db_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(first)
    assert _write_slowly_at_once([first, second] * 5) == []
    with Session(first) as session:
        assert len(session.exec(select(Place)).all()) == 10
