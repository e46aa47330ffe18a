"""``placecheck network``: the network's releases, made when its editor says so (here, or on the
Network page) or on its schedule (``PLACECHECK_NETWORK_RELEASE_EVERY_DAYS``), never as each
place publishes."""

import typer

from app.cli.support import load_settings

network_cli = typer.Typer(help="The network of places.", no_args_is_help=True)


@network_cli.command("release")
def release() -> None:
    """Release the network's figures: every sharing place's latest published round, in the
    groups the gate allows, checked against earlier releases."""
    from sqlmodel import Session

    from app.cli.database import reachable_engine
    from app.core.db import write_session
    from app.network.releases import prepare_release, store_release

    settings = load_settings()
    minimum = settings.network_minimum_places
    with reachable_engine(settings) as engine:
        with Session(engine) as session:  # worked out without the write lock, as the web does
            prepared = prepare_release(session, minimum)
        if prepared is None:
            typer.echo(NOTHING)
            return
        with write_session(engine) as session:
            made = store_release(session, prepared, minimum)
            for stored in made or []:
                shown = len(stored.figures["shown"])
                held = len(stored.figures["held_back"])
                typer.echo(
                    f"Released the figures of {stored.figures['places']} sharing places "
                    f"({stored.version[:12]}…): {shown} groups shown, {held} held back."
                )
    if not made:
        typer.echo(NOTHING)


NOTHING = (
    "Nothing to release: no place shares yet, or nothing has changed since the last release (no "
    "place has shared, withdrawn, published again or changed how it is named or grouped)."
)
