"""``placecheck report``: one report of a stored round, as a PDF file."""

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from app.cli.support import fail, load_settings
from app.results.rules import load_rules
from reports.kinds import ReportKind


def report_command(
    round_ref: Annotated[
        str,
        typer.Argument(
            metavar="ROUND",
            help="A round id, 'demo' (its latest round), or 'network' (the national report).",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the PDF.")],
    kind: Annotated[ReportKind, typer.Option(help="Which report.")] = ReportKind.FORUM,
    organisation: Annotated[
        int | None, typer.Option(help="Organisation id, for --kind partner.")
    ] = None,
    variant: Annotated[
        str | None,
        typer.Option(help="Questionnaire variant, for --kind questionnaire (e.g. plain-language)."),
    ] = None,
) -> None:
    """Write a forum report, workshop pack, partner report or printable questionnaire, or
    the network's national report ("The state of place-based working")."""
    from sqlmodel import Session

    from app.cli.database import find_round, reachable_engine
    from app.results.reports import ReportUnavailableError, report_html

    if out.parent and not out.parent.exists():
        fail(f"{out.parent}: there is no such folder")
    if round_ref == "network":
        _network_report(out)
        return
    with reachable_engine(load_settings()) as engine, Session(engine) as session:
        assessment_round = find_round(session=session, reference=round_ref)
        if assessment_round is None:
            fail(f"there is no round {round_ref!r} (give a round id, or 'demo')")
        try:
            rendered = report_html(
                session=session,
                assessment_round=assessment_round,
                kind=kind,
                rules=load_rules(),
                today=date.today(),
                organisation_id=organisation,
                variant=variant,
            )
        except ReportUnavailableError as error:
            fail(str(error))
    _write_pdf(rendered.html, out)


def _network_report(out: Path) -> None:
    from sqlmodel import Session

    from app.cli.database import reachable_engine
    from app.core.registry import registry_for
    from app.network.report import network_report_html

    settings = load_settings()
    with reachable_engine(settings) as engine, Session(engine) as session:
        definition = registry_for(settings).get("trusting-place")
        html = network_report_html(session, definition, date.today())
    if html is None:
        fail(
            "the network has released no figures of every sharing place yet "
            "(run 'placecheck network release' once places share)"
        )
    _write_pdf(html, out)


def _write_pdf(html: str, out: Path) -> None:
    started = time.perf_counter()
    from reports.pdf.renderer import html_to_pdf

    pdf = html_to_pdf(html)
    out.write_bytes(pdf)
    typer.echo(f"Wrote {out} ({len(pdf) // 1024} KB) in {time.perf_counter() - started:.1f} s.")
