"""`secbot alert`: send (the same checks and outbox as the chat form), list, show, export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from secbot.alerts import compose, fields, status
from secbot.alerts.audience import target_channels
from secbot.alerts.cap_export import to_cap_xml
from secbot.alerts.text import show_id
from secbot.domain.clock import utcnow
from secbot.engine.render.alerts import reach, status_text, summary
from secbot.entrypoints.cli.app import alert_cli
from secbot.entrypoints.cli.common import OPERATOR, fail, load_app, safe, transaction


@alert_cli.command("send")
def alert_send(
    headline: Annotated[str, typer.Option(help="one line, under 160 characters")],
    body: Annotated[str, typer.Option(help="the message; `-` reads it from standard input")],
    severity: Annotated[str, typer.Option(help="Extreme, Severe, Moderate, Minor, Unknown")],
    audience: Annotated[str, typer.Option(help="all, secretariat, or CODE,CODE")],
    urgency: Annotated[str, typer.Option(help="Immediate, Expected, Future, Past")] = "Expected",
    certainty: Annotated[str, typer.Option(help="Observed, Likely, Possible")] = "Likely",
    category: Annotated[str, typer.Option(help="CAP category, e.g. Met, Security")] = "Security",
    tag: Annotated[list[str] | None, typer.Option(help="only channels with this tag")] = None,
    expires: Annotated[str, typer.Option(help="6h, 2 days, a UTC date, or none")] = "24h",
    sender: Annotated[str, typer.Option(help="who the alert is from")] = "Regional secretariat",
    key: Annotated[
        str | None, typer.Option(help="idempotency key: the same key never sends twice")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="send; without it, only preview")] = False,
) -> None:
    """Queue an alert for every matching channel (the same checks and outbox as the chat)."""

    text = sys.stdin.read() if body == "-" else body
    application = load_app()
    values = {
        "headline": headline,
        "body": text,
        "severity": severity,
        "urgency": urgency,
        "certainty": certainty,
        "category": category,
        "audience": audience,
        "tags": " ".join(tag or []),
        "expires": expires,
    }
    with transaction(application) as session:
        now = utcnow()
        data = compose.validate(session, values, now)
        channels = target_channels(session, data.audience_kind, data.audience_states, data.tags)
        if not channels:  # the preview and the send agree: nothing to send is said at once
            typer.echo(summary(data))
            raise fail(
                "No registered channel matches that audience, so nobody would receive this "
                "alert and nothing was queued. `secbot admin channel list` shows the channels "
                "and their tags."
            )
        if not yes:
            typer.echo(summary(data))
            typer.echo(f"Would reach {reach(channels)}. Add --yes to send.")
            raise typer.Exit(1)
        alert, created = compose.create(
            session,
            data,
            principal=None,
            sender=sender,
            origin="cli",
            now=now,
            request_key=f"cli:{key}" if key else None,
        )
        note = "queued" if created else "already queued earlier with this --key"
        typer.echo(f"{show_id(alert.id)} {note} for {reach(channels)}")
    from secbot.transports.console_rooms import deliverer as console_deliverer

    delivered = console_deliverer(application.settings, application.db)()
    if delivered:
        typer.echo(f"Delivered to {delivered} console chat{'s' if delivered != 1 else ''}.")


@alert_cli.command("list")
def alert_list(limit: int = 20) -> None:
    """Recent alerts with their delivery counts."""

    application = load_app()
    with application.db.transaction() as session:
        for alert in status.recent(session, OPERATOR, limit):
            c = status.counts(session, alert.id)
            typer.echo(
                f"{show_id(alert.id)}  {alert.created_at:%Y-%m-%d %H:%M}  "
                f"{alert.severity:8} sent {c.sent}/{c.total} failed {c.failed} "
                f"pending {c.pending}  {safe(alert.headline)}"
            )


@alert_cli.command("show")
def alert_show(alert_id: str) -> None:
    """Per-channel delivery status and acknowledgements of one alert."""

    application = load_app()
    with transaction(application) as session:
        typer.echo(status_text(session, OPERATOR, alert_id, limit=None))


@alert_cli.command("export")
def alert_export(
    alert_id: str,
    format_: Annotated[str, typer.Option("--format", help="cap (CAP 1.2 XML)")] = "cap",
    output: Annotated[Path | None, typer.Option(help="file to write; default stdout")] = None,
) -> None:
    """Write an alert as CAP 1.2 XML, for national warning systems and feeds."""

    if format_.lower() != "cap":
        raise fail("The only export format is `cap` (CAP 1.2 XML).")
    application = load_app()
    with transaction(application) as session:
        alert = status.get_for(session, OPERATOR, fields.alert_id(alert_id))
        areas = status.area_names(session, alert)
        xml = to_cap_xml(
            alert,
            sender=application.settings.cap_sender,
            areas=areas,
            sender_name=application.settings.cap_sender_name,
        )
    if output is None:
        sys.stdout.write(xml.decode("utf-8"))
    else:
        output.write_bytes(xml)
        typer.echo(f"Wrote {output}")
