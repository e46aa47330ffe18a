"""What every command-line module shares, kept light: one-line failures and the settings.

Heavy modules (the ORM, Alembic, WeasyPrint, the web app) are imported inside the commands that
use them, so that ``placecheck score`` on a file or ``--help`` starts in a fraction of a second
(``tests/benchmarks/bench_scoring.py`` measures it).
"""

from typing import TYPE_CHECKING, NoReturn

import typer
from pydantic import ValidationError

if TYPE_CHECKING:
    from app.core.config import Settings


def fail(message: str) -> NoReturn:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code=1)


def load_settings() -> "Settings":
    from app.core.config import get_settings  # pydantic-settings: only where settings matter

    try:
        return get_settings()
    except ValidationError as error:
        reasons = "; ".join(
            str(problem["msg"]).removeprefix("Value error, ") for problem in error.errors()
        )
        fail(f"invalid settings: {reasons}")
