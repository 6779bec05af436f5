"""`secbot export --as NAME` and `secbot import --as NAME FILE`: a state's own data out as JSON,
CSV or STIX 2.1, and a STIX bundle in as that state's own submissions. The console account named
acts, with its role: the same permission and the same audit as the chat verb."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from secbot.access.permissions import Action, allowed
from secbot.access.principal import Place, Principal
from secbot.domain.clock import utcnow
from secbot.entrypoints.cli.app import app
from secbot.entrypoints.cli.common import fail, load_app, transaction
from secbot.identity import accounts
from secbot.interchange.export import export_for
from secbot.interchange.render import Format, render
from secbot.interchange.stix_in import import_bundle
from secbot.transports.console_rooms import PLATFORM


def _acting(session: Session, name: str, action: Action, refusal: str) -> Principal:
    principal = accounts.principal_for(
        session, accounts.Account(PLATFORM, "", name), Place.direct()
    )
    if not principal.is_member:
        raise fail(f"{name!r} is not a member. Join first: secbot chat --as {name}")
    if not allowed(principal, action):
        raise fail(refusal)
    return principal


@app.command("export")
def export_cmd(
    as_: Annotated[str, typer.Option("--as", help="the console account whose state exports")],
    format_: Annotated[
        Format, typer.Option("--format", help="json, csv (zip) or stix")
    ] = Format.JSON,
    output: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
) -> None:
    """Everything that member's party submitted, and only that (a state's focal points and
    admins, a partner's members)."""
    application = load_app()
    with transaction(application) as session:
        principal = _acting(
            session, as_, Action.EXPORT_STATE,
            "Only a state's focal points and state admins, or a partner's members, can export "
            "its data.",
        )  # fmt: skip
        result = export_for(session, principal, format_.value)
        made = render(session, result, format_)
    if output is None:
        sys.stdout.buffer.write(made.data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(made.data)
        typer.echo(
            f"Wrote {output} ({len(made.data)} bytes: {len(result.reports)} reports, "
            f"{len(result.threats)} register entries, {len(result.reads)} reads)",
            err=True,
        )


@app.command("import")
def import_cmd(
    as_: Annotated[str, typer.Option("--as", help="the console account whose state imports")],
    file: Annotated[Path, typer.Argument(help="a STIX 2.1 bundle (JSON)")],
) -> None:
    """A STIX 2.1 bundle in as that member's state's own, private submissions; labels kept.
    A bad bundle is refused whole, with the object and the reason."""
    try:
        data = file.read_bytes()
    except OSError as error:
        raise fail(f"I can't read {file}: {error.strerror}") from None
    application = load_app()
    with transaction(application) as session:
        principal = _acting(
            session, as_, Action.FILE_REPORT, "Only focal points or state admins can import."
        )
        result = import_bundle(session, principal, data, utcnow())
    typer.echo(
        f"Imported {len(result.reports)} reports ({', '.join(result.reports) or 'none'}), "
        f"{len(result.threats)} register entries, {result.updates} updates, "
        f"{result.links} links. All are private to your state until you share them."
    )
    if result.skipped_links:
        typer.echo(
            "Links to register entries this secbot does not have were left out: "
            + ", ".join(sorted(set(result.skipped_links))[:20])
        )
