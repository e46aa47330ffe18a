"""The ``placecheck`` command.

Each command imports what it needs when it runs (see ``app.cli.support``), so the command's
fixed cost is Python, typer and the settings, not the whole service.

Every failure a person can fix (a bad URL, an unreachable database, an unsafe setting) ends in
one line on stderr and exit code 1, never a traceback.
"""

import copy
import logging
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.network import network_cli
from app.cli.questionnaires import questionnaire_cli
from app.cli.report import report_command
from app.cli.score import score_command
from app.cli.support import fail, load_settings
from app.cli.users import user_cli

if TYPE_CHECKING:
    from app.core.db import UnitOfWork

cli = typer.Typer(
    help="Placecheck: readiness for place-based working, assessed by a place forum.",
    no_args_is_help=True,
    add_completion=False,
)


class DemoScale(StrEnum):
    PLACE = "place"
    NATIONAL = "national"


db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(questionnaire_cli, name="questionnaire")
cli.add_typer(user_cli, name="user")
cli.add_typer(network_cli, name="network")
cli.command("score")(score_command)
cli.command("report")(report_command)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (use 1 with SQLite).")] = 1,
) -> None:
    """Serve the web app and the API."""
    import uvicorn

    from app.cli.database import reachable_engine
    from app.core.migrations import current_revision

    settings = load_settings()
    with reachable_engine(settings) as engine:
        if current_revision(engine) is None:
            fail("the database has no schema yet; run 'placecheck db upgrade' first.")
    typer.echo(
        f"Starting Placecheck at http://{host}:{port}/ - it says 'Placecheck is ready' when "
        "it can answer (press Ctrl+C to stop)"
    )
    # Client addresses behind a proxy come from PLACECHECK_TRUSTED_PROXIES alone (see deps).
    # Uvicorn's own logging, with Placecheck's messages (start-up, background work) beside it.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["placecheck"] = {"handlers": ["default"], "level": "INFO"}
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        log_config=log_config,
    )


@cli.command()
def worker() -> None:
    """Prepare reports and run the scheduled checks (needs PLACECHECK_JOBS=procrastinate and
    PostgreSQL). Run as many as you like, on any machine that reaches the database."""
    from app.core.config import JobRunner

    settings = load_settings()
    if settings.jobs is not JobRunner.PROCRASTINATE:
        fail(
            "with PLACECHECK_JOBS=in-process the app processes run their own jobs; set "
            "PLACECHECK_JOBS=procrastinate (PostgreSQL) to run them on workers."
        )
    from app.cli.database import reachable_engine
    from app.core.migrations import current_revision

    with reachable_engine(settings) as engine:
        if current_revision(engine) is None:
            fail("the database has no schema yet; run 'placecheck db upgrade' first.")
    from app.jobs.queue import run_worker

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    typer.echo("Placecheck worker is taking jobs  (press Ctrl+C to stop)")
    run_worker(settings)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or update the database schema (safe to run again)."""
    from app.cli.database import reachable_engine
    from app.core.migrations import current_revision, upgrade_to_head

    settings = load_settings()
    with reachable_engine(settings) as engine:
        before = current_revision(engine)
        upgrade_to_head(engine)
        after = current_revision(engine)
        if before == after:
            typer.echo(f"Database already up to date (revision {after}).")
        else:
            typer.echo(f"Database upgraded from {before or 'empty'} to {after}.")


@cli.command()
def demo(
    base_url: Annotated[
        str, typer.Option(help="Where the app is served, for the printed links.")
    ] = "http://127.0.0.1:8000",
    scale: Annotated[
        DemoScale,
        typer.Option(
            help="'place': Kestrel Vale alone; 'national': also 300 places with three rounds "
            "of 30 respondents each (about two million answers, a minute or two to load)."
        ),
    ] = DemoScale.PLACE,
) -> None:
    """Load the demo place, Kestrel Vale (safe to run again), and print links to try."""
    from app.cli.database import reachable_engine
    from app.core.config import Environment
    from app.core.db import unit_of_work, write_session
    from app.core.migrations import current_revision
    from app.demo.accounts import (
        DEMO_PASSWORD,
        ensure_demo_accounts,
        ensure_demo_invitation,
        ensure_network_editor,
        ensure_network_reader,
    )
    from app.demo.place import demo_links, load_demo
    from app.demo.stories import ensure_national_stories, ensure_place_stories
    from app.models import Place

    settings = load_settings()
    with reachable_engine(settings) as engine:
        if current_revision(engine) is None:
            fail("the database has no schema yet; run 'placecheck db upgrade' first.")
        secret = settings.secret
        with unit_of_work(engine) as work:
            session = work.session
            summary = load_demo(session, secret)
            links = demo_links(session, secret)
            place = session.get(Place, summary.place_id)
            assert place is not None
            accounts = (
                ensure_demo_accounts(session, place)
                if settings.environment is not Environment.PRODUCTION
                else ()
            )
            joining = ensure_demo_invitation(session, place, secret) if accounts else None
            ensure_place_stories(session, place)
            editor = ensure_network_editor(session) if accounts else None
            in_advance = (
                _demo_reports_in_advance(work, summary.place_id)
                if summary.created and settings.prepare_reports_in_advance
                else None
            )
        if scale is DemoScale.NATIONAL:
            from app.demo.national import first_release, load_national
            from app.network.releases import latest_release

            with write_session(engine) as session:
                national = load_national(session, secret)
                ensure_national_stories(session)
                reader = (
                    ensure_network_reader(session)
                    if settings.environment is not Environment.PRODUCTION
                    else None
                )
                if latest_release(session) is None:
                    first_release(
                        session,
                        settings.network_minimum_places,
                        settings.network_restricted_days,
                    )
            typer.echo(
                f"{'Loaded' if national.created else 'Already loaded:'} the national demo: "
                f"{national.places} places, {national.invitations:,} invitations, "
                f"{national.answers:,} answers; {national.sharing} places share their published "
                f"results with other places, {national.named} of them named."
            )
            if reader:
                typer.echo(
                    f"See the network of places at {base_url.rstrip('/')}/network as {reader} "
                    f"(password {DEMO_PASSWORD}); release it again with: placecheck network "
                    f"release. Its first release is dated past its restricted period, so its "
                    f"open data is at {base_url.rstrip('/')}/network/open-data.csv"
                )
    verb = "Loaded" if summary.created else "Already loaded:"
    typer.echo(
        f"{verb} the demo place Kestrel Vale: {summary.organisations} organisations, "
        f"{summary.rounds} rounds, {summary.invitations} invitations "
        f"({summary.submitted} submitted)."
    )
    typer.echo("See its results with: placecheck score --round demo")
    if in_advance:
        typer.echo(
            f"Its forum report and workshop pack for {in_advance} are being made as the "
            "service starts, as after any round is published; they show as ready on the "
            "round's Reports page."
        )
    if links:
        typer.echo("Try answering as:")
        for who, path in links:
            typer.echo(f"  {who}: {base_url.rstrip('/')}{path}")
    if accounts:
        typer.echo(f"Sign in at {base_url.rstrip('/')}/sign-in as (password {DEMO_PASSWORD}):")
        for account in accounts:
            typer.echo(f"  {account.email} ({account.role.value})")
    if joining:
        typer.echo(
            f"Try joining as someone invited to the forum: {base_url.rstrip('/')}{joining} "
            "(for newcomer@kestrel-vale.example; it works once)"
        )
    if editor:
        typer.echo(
            f"Review the stories places offer the network's library at "
            f"{base_url.rstrip('/')}/network/stories as {editor} (password {DEMO_PASSWORD})"
        )


def _demo_reports_in_advance(work: "UnitOfWork", place_id: int) -> str | None:
    """Ask for the latest published round's workshop reports, as publishing it would have:
    the service makes them when it starts. Returns the round's title."""
    from sqlmodel import col, select

    from app.core.clock import place_today
    from app.enums import RoundStatus
    from app.jobs.report_jobs import reports_in_advance
    from app.models import AssessmentRound

    latest = work.session.exec(
        select(AssessmentRound)
        .where(
            AssessmentRound.place_id == place_id,
            AssessmentRound.status == RoundStatus.PUBLISHED,
        )
        .order_by(col(AssessmentRound.created_at).desc(), col(AssessmentRound.id).desc())
    ).first()
    if latest is None:
        return None
    reports_in_advance(work=work, assessment_round=latest, today=place_today())
    return latest.title


def main() -> None:
    run: Callable[[], None] = cli
    run()
