"""Connection rules: what SQLite is told on every connection, and writers that never collide."""

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

from app.core.db import DatabaseConfigError, create_db_engine, parse_database_url, write_session
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
        "busy_timeout": 15000,
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
