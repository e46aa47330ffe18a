"""``placecheck questionnaire …``: list, validate and export definitions."""

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from app.cli.support import fail, load_settings
from app.core.registry import registry_for
from questionnaires.export import resolved_definition
from questionnaires.loader import DefinitionError, load_definition
from questionnaires.registry import UnknownQuestionnaireError

questionnaire_cli = typer.Typer(help="Questionnaire definitions.", no_args_is_help=True)


class ExportFormat(StrEnum):
    JSON = "json"


@questionnaire_cli.command("list")
def list_questionnaires() -> None:
    """List the questionnaires this service can use."""
    definitions, problems = registry_for(load_settings()).load_all()
    for definition in sorted(definitions, key=lambda d: (d.id, d.version)):
        typer.echo(
            f"{definition.id}  {definition.version}  {definition.content_hash[:12]}  "
            f"{definition.title} ({len(definition.items)} items)"
        )
    for problem in problems:
        typer.secho(f"Not usable: {problem}", err=True, fg=typer.colors.RED)


@questionnaire_cli.command("validate")
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Definition files to check; all known definitions if none."),
    ] = None,
) -> None:
    """Check definition files and list every problem (exit code 1 if there are any)."""
    files = paths or registry_for(load_settings()).files()
    failed = False
    for path in files:
        try:
            definition = load_definition(path)
        except DefinitionError as error:
            failed = True
            count = len(error.problems)
            typer.secho(f"{path}: {count} problem{'s' if count != 1 else ''}", err=True, fg="red")
            for problem in error.problems:
                typer.echo(f"  {problem}", err=True)
        else:
            typer.echo(
                f"{path}: OK ({definition.id} {definition.version}, {len(definition.items)} items)"
            )
    raise typer.Exit(code=1 if failed else 0)


@questionnaire_cli.command("export")
def export(
    questionnaire_id: Annotated[str, typer.Argument(metavar="ID")],
    output_format: Annotated[
        ExportFormat, typer.Option("--format", help="Output format.")
    ] = ExportFormat.JSON,
    version: Annotated[str | None, typer.Option(help="A version other than the newest.")] = None,
) -> None:
    """Print the full resolved definition (ids, scales, items, variants) as JSON."""
    try:
        definition = registry_for(load_settings()).get(questionnaire_id, version)
    except UnknownQuestionnaireError as error:
        fail(str(error))
    del output_format  # JSON is the only format so far; the option keeps the command stable.
    typer.echo(json.dumps(resolved_definition(definition), indent=2, ensure_ascii=False))
