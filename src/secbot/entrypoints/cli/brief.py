"""`secbot brief --as NAME`: the same brief a console member would get in a direct message, in
md, pdf, csv or json, to stdout or a file."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from secbot import briefs
from secbot.access.permissions import Action, allowed
from secbot.access.principal import Place
from secbot.access.scope import scope_for
from secbot.briefs.request import parse_states
from secbot.domain.clock import utcnow
from secbot.engine.verbs.brief import reader_name
from secbot.entrypoints.cli.app import app
from secbot.entrypoints.cli.common import fail, load_app, transaction
from secbot.identity import accounts, zones
from secbot.transports.console_rooms import PLATFORM


class Format(StrEnum):
    MD = "md"
    PDF = "pdf"
    CSV = "csv"
    JSON = "json"


@app.command("brief")
def brief_cmd(
    as_: Annotated[str, typer.Option("--as", help="the console account the brief is for")],
    period: Annotated[str, typer.Option(help="7d, 30d, 90d or 365d (or week, month...)")] = "7d",
    states: Annotated[str, typer.Option(help="only these states, e.g. JAM,TTO")] = "",
    format_: Annotated[Format, typer.Option("--format", help="md, pdf, csv or json")] = Format.MD,
    output: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
) -> None:
    """A trend brief over exactly what that member may see in a direct message."""
    application = load_app()
    with transaction(application) as session:
        account = accounts.Account(PLATFORM, "", as_)
        principal = accounts.principal_for(session, account, Place.direct())
        if not principal.is_member:
            raise fail(f"{as_!r} is not a member. Join first: secbot chat --as {as_}")
        if not allowed(principal, Action.READ_BRIEF):
            raise fail("Trend briefs are for members of a state and the secretariat.")
        brief = briefs.build_brief(
            session,
            scope_for(principal),
            reader=reader_name(principal, in_group=False),
            period=briefs.parse_period(period),
            states=parse_states(session, states),
            now=utcnow(),
            zone=zones.zone_for(session, principal),
        )
    data = render(brief, format_)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"Wrote {output} ({len(data)} bytes, TLP:{brief.tlp.value})", err=True)


def render(brief: briefs.Brief, format_: Format) -> bytes:
    if format_ is Format.PDF:
        return briefs.render_pdf(brief)
    if format_ is Format.CSV:
        return briefs.render_csv(brief)
    if format_ is Format.JSON:
        return briefs.render_json(brief)
    return briefs.render_markdown(brief).encode("utf-8")
