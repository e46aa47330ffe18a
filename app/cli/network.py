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
    from app.cli.database import reachable_engine
    from app.core.db import write_session
    from app.network.releases import release_now

    settings = load_settings()
    with reachable_engine(settings) as engine, write_session(engine) as session:
        made = release_now(session, settings.network_minimum_places)
        if made is None:
            typer.echo(
                "Nothing to release: no place shares yet, or nothing has changed since the last "
                "release (no place has shared, withdrawn, published again or changed how it is "
                "named or grouped)."
            )
            return
        for stored in made:
            shown = len(stored.figures["shown"])
            held = len(stored.figures["held_back"])
            typer.echo(
                f"Released the figures of {stored.figures['places']} sharing places "
                f"({stored.version[:12]}…): {shown} groups shown, {held} held back."
            )
    if not made:
        typer.echo("No place shares published results yet: nothing was released.")
