"""`secbot admin state erase CODE --yes`, `secbot admin erasure list|compact`, and retention:
`secbot admin state retention CODE [--tlp T --days N]`, `secbot admin retention run`."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from secbot.db.erasures import Erasure
from secbot.domain.clock import utcnow
from secbot.entrypoints.bootstrap import compactor
from secbot.entrypoints.cli.app import admin, state_cli
from secbot.entrypoints.cli.common import CLI_ACTOR, fail, load_app, safe, transaction
from secbot.rights import retention, service

erasure_cli = typer.Typer(no_args_is_help=True, help="Erasure tombstones and compaction")
retention_cli = typer.Typer(no_args_is_help=True, help="Retention periods and the daily job")
admin.add_typer(erasure_cli, name="erasure")
admin.add_typer(retention_cli, name="retention")


@state_cli.command("erase")
def state_erase(
    code: str,
    yes: Annotated[
        bool, typer.Option("--yes", help="really erase; without it, only count")
    ] = False,
) -> None:
    """Erase every submission of a state, for good (a tombstone per submission remains)."""
    application = load_app()
    if not yes:
        with transaction(application) as session:
            found = service.state_submissions(session, code)
        raise fail(
            f"This would erase {len(found)} submission(s) of {code.strip().upper()} for good. "
            "Run it again with --yes to do it.",
            1,
        )
    with transaction(application) as session:
        erased = service.erase_state(session, code, CLI_ACTOR)
    typer.echo(f"Erased {len(erased)} submission(s) of {code.strip().upper()}.")


@erasure_cli.command("list")
def erasure_list(
    state: Annotated[str | None, typer.Option(help="one state's tombstones")] = None,
) -> None:
    """The tombstones: when, which id, by whom, why, and the SHA-256 of what was erased."""
    application = load_app()
    with application.db.reading() as session:
        query = select(Erasure).order_by(Erasure.id)
        if state:
            query = query.where(Erasure.owner_state == state.strip().upper())
        for e in session.scalars(query):
            done = "compacted" if e.compacted_at else "pending"
            typer.echo(
                f"{e.at:%Y-%m-%d %H:%M}  {e.public_id}  {e.reason}  {safe(e.actor)}  "
                f"{e.content_sha256}  {done}"
            )


@erasure_cli.command("compact")
def erasure_compact() -> None:
    """Finish erasures a crash or a busy database left pending (index, storage)."""
    application = load_app()
    done = compactor(application.settings, application.db, None).run()
    typer.echo(f"Compacted {done.erasures} pending erasure(s).")


@state_cli.command("retention")
def state_retention(
    code: str,
    tlp: Annotated[
        str | None, typer.Option(help="CLEAR, GREEN, AMBER, AMBER+STRICT or RED")
    ] = None,
    days: Annotated[int | None, typer.Option(help="keep reports this many days")] = None,
) -> None:
    """Show a state's retention periods, or shorten one (never beyond the deployment's)."""
    application = load_app()
    periods = retention.Periods.from_settings(application.settings)
    if (tlp is None) != (days is None):
        raise fail("Give both --tlp and --days to change a period, or neither to see them.", 2)
    with transaction(application) as session:
        if tlp is not None and days is not None:
            retention.set_override(session, periods, code, tlp, days, CLI_ACTOR)
        lines = retention.describe(session, periods, code)
    for line in lines:
        typer.echo(line)


@retention_cli.command("run")
def retention_run() -> None:
    """Erase what is past its retention period now (the daily job does the same)."""
    application = load_app()
    periods = retention.Periods.from_settings(application.settings)
    with transaction(application) as session:
        erased = retention.erase_expired(session, periods, utcnow())
    typer.echo(f"Retention erased {len(erased)} submission(s).")
