"""The ``placecheck`` command as an operator uses it."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.main import cli
from app.core.config import get_settings
from app.core.db import create_db_engine
from app.enums import JobStatus
from app.main import READY
from app.models import ReportJob
from tests.support.demo import prepare
from tests.support.servers import server

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(cli, ["--help"])

    assert result.exit_code == 0
    for command in ("serve", "worker", "db", "demo"):
        assert command in result.output


def test_db_upgrade_creates_the_schema_and_a_second_run_changes_nothing(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLACECHECK_DATABASE_URL", empty_database_url)

    first = runner.invoke(cli, ["db", "upgrade"])
    second = runner.invoke(cli, ["db", "upgrade"])

    assert first.exit_code == 0, first.output
    assert "upgraded from empty" in first.output
    assert second.exit_code == 0, second.output
    assert "already up to date" in second.output
    engine = create_db_engine(empty_database_url)
    assert "assessment_round" in inspect(engine).get_table_names()
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://someone@localhost/placecheck", "supports sqlite and postgresql"),
        ("postgresql://nobody@127.0.0.1:1/placecheck", "Cannot reach the database"),
    ],
)
def test_a_bad_database_url_gives_one_clear_line(
    url: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLACECHECK_DATABASE_URL", url)

    result = runner.invoke(cli, ["db", "upgrade"])

    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_serve_refuses_production_with_the_placeholder_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLACECHECK_ENVIRONMENT", "production")
    monkeypatch.delenv("PLACECHECK_SECRET_KEY", raising=False)

    result = runner.invoke(cli, ["serve"])

    assert result.exit_code == 1
    assert "PLACECHECK_SECRET_KEY must be set" in result.output
    assert "Traceback" not in result.output


def test_a_worker_is_refused_while_the_app_processes_run_their_own_jobs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLACECHECK_JOBS", "in-process")

    result = runner.invoke(cli, ["worker"])

    assert result.exit_code == 1
    assert "set PLACECHECK_JOBS=procrastinate" in result.output
    assert "Traceback" not in result.output


def test_demo_asks_for_the_schema_first(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLACECHECK_DATABASE_URL", empty_database_url)

    result = runner.invoke(cli, ["demo"])

    assert result.exit_code == 1
    assert "run 'placecheck db upgrade' first" in result.output


def test_demo_loads_once_and_is_idempotent(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLACECHECK_DATABASE_URL", empty_database_url)
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0

    first = runner.invoke(cli, ["demo"])
    second = runner.invoke(cli, ["demo"])

    assert first.exit_code == 0, first.output
    assert first.output.startswith("Loaded the demo place Kestrel Vale")
    assert second.output.startswith("Already loaded")
    counts = [out.splitlines()[0].rsplit(":", 1)[1] for out in (first.output, second.output)]
    assert counts[0] == counts[1]


def test_network_release_releases_once_and_again_only_after_sharing_changes(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLACECHECK_DATABASE_URL", empty_database_url)
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    nothing_shared = runner.invoke(cli, ["network", "release"])
    assert runner.invoke(cli, ["demo"]).exit_code == 0  # Kestrel Vale shares a round

    first = runner.invoke(cli, ["network", "release"])
    second = runner.invoke(cli, ["network", "release"])

    assert "Nothing to release: no place shares yet" in nothing_shared.output
    # One place: too few for any group to be shown.
    assert "Released the figures of 1 sharing places" in first.output
    assert "0 groups shown" in first.output
    assert "Nothing to release" in second.output


def test_the_demo_asks_for_its_published_rounds_workshop_reports_as_publishing_would(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLACECHECK_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("PLACECHECK_PREPARE_REPORTS_IN_ADVANCE", "true")
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0

    result = runner.invoke(cli, ["demo"])
    runner.invoke(cli, ["demo"])  # loaded already: nothing asked for again

    assert "forum report and workshop pack for Baseline assessment, spring 2025" in result.output, (
        result.output
    )
    engine = create_db_engine(empty_database_url)
    with Session(engine) as session:
        jobs = session.exec(select(ReportJob.kind, ReportJob.status)).all()
    engine.dispose()
    assert sorted(jobs) == [("forum", JobStatus.QUEUED), ("workshop", JobStatus.QUEUED)]


def test_report_writes_the_demo_workshop_pack_and_explains_a_refusal(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PLACECHECK_DATABASE_URL", empty_database_url)
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    out = tmp_path / "pack.pdf"

    written = runner.invoke(cli, ["report", "demo", "--kind", "workshop", "--out", str(out)])
    refused = runner.invoke(
        cli, ["report", "demo", "--kind", "partner", "--organisation", "5", "--out", str(out)]
    )
    missing = runner.invoke(cli, ["report", "42", "--out", str(out)])

    assert written.exit_code == 0, written.output
    assert out.read_bytes().startswith(b"%PDF")
    assert refused.exit_code == 1
    assert "has 2 respondents; a partner report needs at least 3" in refused.output
    assert missing.output.strip() == "Error: there is no round '42' (give a round id, or 'demo')"


def test_the_command_loads_weasyprint_only_to_write_a_pdf() -> None:
    """Loading WeasyPrint's libraries takes seconds; scoring, migrating and serving never need
    it in the command's own process (the web app renders in worker processes)."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, app.cli.main; print('weasyprint' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "False"


def test_serve_says_it_is_ready_only_once_it_answers(tmp_path: Path) -> None:
    """It said "Placecheck is running at …" ten seconds before it accepted connections."""
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    prepare(url, respondents=0)
    with server(url, tmp_path) as running:
        said = running.log.read_text()

    assert "is running at" not in said
    assert said.index("Starting Placecheck at http://127.0.0.1:") < said.index(READY)
