"""`secbot admin partner`: non-state organisations as parties of their own (decision 0023)."""

from __future__ import annotations

from typing import Annotated

import typer

from secbot.domain.clock import utcnow
from secbot.domain.enums import PartnerKind
from secbot.entrypoints.cli.app import partner_cli
from secbot.entrypoints.cli.common import CLI_ACTOR, load_app, transaction
from secbot.identity import partners


@partner_cli.command("add")
def partner_add(
    code: Annotated[str, typer.Option(help="4-12 letters, e.g. CDEMA")],
    name: Annotated[str, typer.Option(help="the organisation's name")],
    kind: Annotated[PartnerKind, typer.Option(help="what kind of non-state actor it is")],
    office: Annotated[str, typer.Option(help="its office `contacts` lists")] = "",
    channel: Annotated[str, typer.Option(help="how to reach that office")] = "",
) -> None:
    """Add a partner organisation; states share with it only by naming it."""
    application = load_app()
    with transaction(application) as session:
        partner = partners.add_partner(
            session, code, name, kind.value, by=CLI_ACTOR, office=office, channel=channel
        )
        typer.echo(f"Added partner {partner.code} {partner.name} ({partner.kind})")


@partner_cli.command("list")
def partner_list() -> None:
    application = load_app()
    with application.db.transaction() as session:
        found = partners.list_partners(session)
        if not found:
            typer.echo(
                "No partners yet. Add one with `secbot admin partner add --code CDEMA --name "
                '"..." --kind regional`.'
            )
        for p in found:
            typer.echo(f"{p.code}  {p.name}  {p.kind}")


@partner_cli.command("remove")
def partner_remove(code: str) -> None:
    """Remove a partner: its members and every share to it are revoked at once."""
    application = load_app()
    with transaction(application) as session:
        partner = partners.remove_partner(session, code, by=CLI_ACTOR, now=utcnow())
        typer.echo(f"Removed partner {partner.code}; its members and shares to it are revoked")
