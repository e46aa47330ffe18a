"""The scoring package stays pure: no web, database or file I/O imports."""

import ast
from pathlib import Path

import scoring

FORBIDDEN = {
    "app",
    "fastapi",
    "starlette",
    "sqlmodel",
    "sqlalchemy",
    "jinja2",
    "weasyprint",
    "io",
    "os",
    "pathlib",
    "shutil",
    "tempfile",
    "open",
    "yaml",
    "json",
    "requests",
    "httpx",
}


def test_scoring_imports_nothing_that_touches_the_outside_world() -> None:
    offenders = []
    for path in Path(scoring.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open":
                names = ["open"]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]

    assert offenders == []
