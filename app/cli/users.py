"""``placecheck user``: facilitator accounts from the command line (the first administrator)."""

from typing import Annotated

import typer
from pydantic import ValidationError

from app.cli.support import fail, load_settings

user_cli = typer.Typer(help="Facilitator accounts.", no_args_is_help=True)


@user_cli.command("create")
def create(
    email: Annotated[str, typer.Option(help="Their e-mail address, used to sign in.")],
    name: Annotated[str, typer.Option(help="Their name, as others see it.")],
    administrator: Annotated[
        bool, typer.Option("--admin", help="May manage users, memberships and the audit log.")
    ] = False,
    places: Annotated[
        bool, typer.Option("--places", help="May set up new places (administrators always may).")
    ] = False,
    password: Annotated[
        str,
        typer.Option(
            prompt="Password (at least 12 characters)",
            show_default=False,
            hide_input=True,
            confirmation_prompt=True,
            envvar="PLACECHECK_NEW_USER_PASSWORD",
            help="Asked for when not given (or set PLACECHECK_NEW_USER_PASSWORD).",
        ),
    ] = "",
) -> None:
    """Create an account; the first one should be an administrator (--admin)."""
    from app.accounts.service import AccountError, create_user
    from app.cli.database import reachable_engine
    from app.core import audit
    from app.core.db import write_session
    from app.core.validation import field_messages
    from app.models import UserCreate

    try:
        details = UserCreate(
            email=email,
            display_name=name,
            password=password,
            is_administrator=administrator,
            may_create_places=places,
        )
    except ValidationError as error:
        fail("; ".join(field_messages(UserCreate, error).values()))
    with reachable_engine(load_settings()) as engine, write_session(engine) as session:
        try:
            user = create_user(session=session, details=details, temporary_password=True)
        except AccountError as error:
            fail(str(error))
        audit.record(session, "user-created", actor_user_id=None, email=user.email)
        created = user.email
    kind = "administrator" if administrator else "user"
    typer.echo(
        f"Created {kind} {created}. They can sign in at /sign-in, and must then choose a "
        "password of their own."
    )
