"""The architecture is checked by tools, not by memory: import-linter's contracts (run by
``make lint``) and a scan of the route modules."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "questionnaires", "scoring", "reports")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
ROUTE_MODULES = sorted(
    path
    for pattern in ("app/*/views.py", "app/*/admin_views.py", "app/*/api.py")
    for path in ROOT.glob(pattern)
)


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("static", "*.pyc")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold_for_the_code_as_it_is(copy_of_the_code: Path) -> None:
    result = _lint_imports(copy_of_the_code)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "import_line", "contract"),
    [
        ("app/rounds/views.py", "import app.places.views", "No view module imports another"),
        ("scoring/engine.py", "import app.models", "Data flows one way"),
        ("app/results/service.py", "import app.demo.place", "Only the command line loads"),
        ("app/workshop/service.py", "import fastapi", "Services know nothing of HTTP"),
        ("app/jobs/report_jobs.py", "import app.deps", "Services know nothing of HTTP"),
        ("app/rounds/deadlines.py", "import starlette", "Services know nothing of HTTP"),
        ("app/results/a_new_module.py", "import fastapi", "Services know nothing of HTTP"),
    ],
)
def test_breaking_a_contract_fails_the_check(
    copy_of_the_code: Path, module: str, import_line: str, contract: str
) -> None:
    path = copy_of_the_code / module
    path.write_text(f"{import_line}  # noqa\n" + (path.read_text() if path.exists() else ""))

    result = _lint_imports(copy_of_the_code)

    assert result.returncode != 0
    broken = re.search(rf"{re.escape(contract)}[^\n]* BROKEN", result.stdout)
    assert broken, result.stdout


@pytest.mark.parametrize("path", ROUTE_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_routes_get_their_session_and_parts_from_the_dependencies(path: Path) -> None:
    source = path.read_text()

    assert "Session(" not in source, "a route builds its own session: use SessionDep"
    assert "app.state" not in source, "a route reads app.state: add a dependency in app/deps.py"
    assert "run_in_threadpool" not in source, "read the form with CsrfForm and write a plain def"
    writes = WRITES_THROUGH_THE_ORM.findall(source)
    assert writes == [], "a route writes rows itself: move the change into its service"


WRITES_THROUGH_THE_ORM = re.compile(
    r"session\.(?:add|add_all|delete|merge)\(|\b(?:delete|update|insert)\((?!\))|setattr\("
)


TEST_MODULES = sorted(path for path in (ROOT / "tests").rglob("*.py") if path.name != "conftest.py")
CONFTEST_IMPORT = re.compile(r"^\s*from\s+(?:\.+|tests(?:\.\w+)*\.)conftest\s+import", re.M)


def test_no_test_reaches_its_helpers_through_a_conftest() -> None:
    """Helpers live in ``tests.support``; a conftest holds fixtures only."""
    reaching = [
        str(path.relative_to(ROOT))
        for path in TEST_MODULES
        if CONFTEST_IMPORT.search(path.read_text(encoding="utf-8"))
    ]

    assert reaching == []


APP_MODULES = sorted((ROOT / "app").rglob("*.py"))
ENDS_A_TRANSACTION = re.compile(r"\.(commit|rollback)\(\)|\bbegin_write\(")


def test_only_the_unit_of_work_commits_rolls_back_or_takes_the_write_lock() -> None:
    """Routes and services say when they need the lock (``work.write()``) and never end a
    transaction themselves: one commit per request, made where a failure becomes a 503."""
    ending = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in APP_MODULES
        if path != ROOT / "app" / "core" / "db.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ENDS_A_TRANSACTION.search(line)
    ]

    assert ending == []


def test_every_route_ends_its_unit_of_work_as_it_returns() -> None:
    """A router made without ``route_class=UnitOfWorkRoute`` would hold the write lock across
    a hop through the event loop after its route returns."""
    from fastapi.routing import APIRoute
    from starlette.routing import BaseRoute

    from app.core.config import Environment, Settings
    from app.deps import UnitOfWorkRoute
    from app.main import create_app

    def every(routes: list[BaseRoute]) -> list[BaseRoute]:
        found: list[BaseRoute] = []
        for route in routes:
            included = getattr(route, "original_router", None)  # FastAPI's included routers
            found += every(included.routes) if included is not None else [route]
        return found

    routes = [
        r
        for r in every(
            create_app(Settings(environment=Environment.TEST, database_url="sqlite://")).routes
        )
        if isinstance(r, APIRoute)
    ]

    assert len(routes) > 50
    assert [r.path for r in routes if not isinstance(r, UnitOfWorkRoute)] == []
