"""`secbot web link --as NAME`: the one-time sign-in link a console account would get from the
`web` verb, alone on the last line, so operators and tests can sign in."""

from __future__ import annotations

from typing import Annotated

import typer

from secbot.access.principal import Place
from secbot.domain.clock import utcnow
from secbot.entrypoints.cli.app import app
from secbot.entrypoints.cli.common import fail, load_app, transaction
from secbot.identity import accounts, web_access
from secbot.transports.console_rooms import PLATFORM

web_cli = typer.Typer(no_args_is_help=True, help="The web console")
app.add_typer(web_cli, name="web")


@web_cli.command("link")
def link(
    as_: Annotated[str, typer.Option("--as", help="the console account to sign in as")],
) -> None:
    """Print a sign-in link (single use, 10 minutes) for a console member."""
    application = load_app()
    base = application.settings.web_url
    if not base:
        raise fail("Set SECBOT_WEB_URL (the console's public address) first.", 2)
    with transaction(application) as session:
        principal = accounts.principal_for(
            session, accounts.Account(PLATFORM, "", as_), Place.direct()
        )
        if not principal.is_member or principal.member_id is None:
            raise fail(f"{as_!r} is not a member. Join first: secbot chat --as {as_}")
        token = web_access.create_link(session, principal.member_id, utcnow())
    typer.echo(f"Sign-in link for {as_} (works once, for 10 minutes):")
    typer.echo(web_access.signin_url(base, token))
