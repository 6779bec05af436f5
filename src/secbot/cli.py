"""The `secbot` command: serve, chat, and the admin operations."""

from __future__ import annotations

import json
import logging
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import func, select

from secbot.access import audit
from secbot.access.principal import Place, Principal
from secbot.admin import channels as channel_ops
from secbot.admin import states as state_ops
from secbot.bootstrap import App, build
from secbot.config import Settings
from secbot.db.models import Member
from secbot.domain.enums import Role
from secbot.domain.errors import SecbotError
from secbot.knowledge import ingest
from secbot.knowledge.documents import DocumentError
from secbot.knowledge.files import KnowledgeFileError
from secbot.knowledge.passages import Answer
from secbot.services import identity
from secbot.transports.console import PLATFORM, ConsoleChat

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="secbot: security co-ordination assistant"
)
admin = typer.Typer(no_args_is_help=True, help="Administer states, invites, members, channels")
state_cli = typer.Typer(no_args_is_help=True, help="Member states")
invite_cli = typer.Typer(no_args_is_help=True, help="Single-use invite codes")
member_cli = typer.Typer(
    no_args_is_help=True, help="Chat accounts bound to a state or the secretariat"
)
channel_cli = typer.Typer(no_args_is_help=True, help="Registered group chats and their audiences")
index_cli = typer.Typer(no_args_is_help=True, help="The retrieval index (derived from SQL)")
alert_cli = typer.Typer(no_args_is_help=True, help="Secretariat alerts to registered channels")
app.add_typer(alert_cli, name="alert")
app.add_typer(index_cli, name="index")
app.add_typer(admin, name="admin")
admin.add_typer(state_cli, name="state")
admin.add_typer(invite_cli, name="invite")
admin.add_typer(member_cli, name="member")
admin.add_typer(channel_cli, name="channel")

CLI_ACTOR = "cli"


def _app(*, with_index: bool = False) -> App:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return build(Settings(), with_index=with_index)
    except KnowledgeFileError as error:
        typer.echo(f"Knowledge file error: {error}", err=True)
        raise typer.Exit(2) from None


def _safe(value: object) -> str:
    """One printable line per field, so stored text can never forge an audit line."""
    text = str(value)
    return text if text.isprintable() else json.dumps(text)


def _fail(error: SecbotError) -> typer.Exit:
    typer.echo(error.message, err=True)
    return typer.Exit(1)


@app.command()
def chat(
    as_: Annotated[
        str, typer.Option("--as", help="console account name; each is its own account")
    ] = "you",
    group: Annotated[str | None, typer.Option(help="talk in this console group chat id")] = None,
) -> None:
    """A chat session on standard input and output (works in a pipe)."""
    application = _app(with_index=True)
    console = ConsoleChat(application.engine, as_, chat=group)
    console.run(sys.stdin, sys.stdout, prompt=sys.stdin.isatty())


def _json_logs(level: str) -> None:
    from secbot.transports.serve import JsonFormatter

    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)


@app.command()
def dispatch() -> None:
    """Run only the alert dispatcher (add processes to share the load; PostgreSQL only)."""
    import asyncio
    import contextlib
    import signal

    from secbot.dispatch.build import build_dispatcher
    from secbot.transports.serve import run_dispatcher

    application = _app()
    dispatcher = build_dispatcher(application.settings, application.db)
    if dispatcher is None:
        typer.echo("No platform token is configured, so there is nowhere to send.", err=True)
        raise typer.Exit(2)
    _json_logs(application.settings.log_level)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await run_dispatcher(dispatcher, stop)

    asyncio.run(main())


@app.command()
def serve() -> None:
    """Run the bot. With no platform token configured, this is a console chat."""
    application = _app(with_index=True)
    if application.settings.has_platform:
        import asyncio

        from secbot.transports.serve import serve

        _json_logs(application.settings.log_level)
        try:
            asyncio.run(serve(application))
        except ValueError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(2) from None
        return
    _first_run_hint(application)
    console = ConsoleChat(application.engine, "you")
    console.run(sys.stdin, sys.stdout, prompt=sys.stdin.isatty())


def _first_run_hint(application: App) -> None:
    with application.db.transaction() as session:
        members = session.scalar(select(func.count(Member.id))) or 0
        typer.echo("secbot is running with no platform token: console chat as account 'you'.")
        if members:
            return
        code = identity.create_invite(
            session,
            role=Role.FOCAL_POINT,
            state_code="BRB",
            created_by="demo (first run)",
            ttl=timedelta(hours=24),
            prefix="DEMO",
        )
    typer.echo(
        "No members yet. DEMO INVITE (focal point for Barbados, single use, valid 24 hours):\n"
        f"  join {code}\n"
        "Make your own invite with:\n"
        "  .venv/bin/secbot admin invite create --state BRB --role focal_point\n"
        "Other console accounts: .venv/bin/secbot chat --as NAME"
    )


@state_cli.command("add")
def state_add(code: str, name: Annotated[list[str], typer.Argument()]) -> None:
    """Add a member state by its ISO alpha-3 code."""
    application = _app()
    try:
        with application.db.transaction() as session:
            state = state_ops.add_state(session, code, " ".join(name), by=CLI_ACTOR)
            typer.echo(f"Added {state.code} {state.name}")
    except SecbotError as error:
        raise _fail(error) from None


@state_cli.command("list")
def state_list() -> None:
    application = _app()
    with application.db.transaction() as session:
        for state in state_ops.list_states(session):
            typer.echo(f"{state.code}  {state.name}")


@invite_cli.command("create")
def invite_create(
    role: Annotated[Role, typer.Option(help="role the invite grants")],
    state: Annotated[
        str | None, typer.Option(help="state code; leave out for secretariat roles")
    ] = None,
    hours: Annotated[int, typer.Option(help="hours until it expires")] = 0,
) -> None:
    """Print a single-use invite code (alone on the last line)."""
    application = _app()
    ttl = timedelta(hours=hours or application.settings.invite_ttl_hours)
    try:
        with application.db.transaction() as session:
            code = identity.create_invite(
                session, role=role, state_code=state, created_by=CLI_ACTOR, ttl=ttl
            )
    except SecbotError as error:
        raise _fail(error) from None
    where = state.upper() if state else "the secretariat"
    typer.echo(f"Invite for a {role.value} of {where}, valid {ttl}; send it with `join`:")
    typer.echo(code)


@member_cli.command("list")
def member_list(state: Annotated[str | None, typer.Option()] = None) -> None:
    application = _app()
    with application.db.transaction() as session:
        for m in identity.list_members(session, state):
            status = f"revoked {m.revoked_at:%Y-%m-%d}" if m.revoked_at else "active"
            ws = f"{m.workspace}/" if m.workspace else ""
            party = m.state_code or "secretariat"
            typer.echo(f"#{m.id}  {m.platform}:{ws}{m.user_id}  {party}  {m.role}  {status}")


@member_cli.command("revoke")
def member_revoke(member_id: int) -> None:
    """Revoke member #ID (see `member list`); the account must join again with a new invite."""
    application = _app()
    try:
        with application.db.transaction() as session:
            member = identity.revoke_member(session, member_id, by=CLI_ACTOR)
            typer.echo(f"Revoked #{member.id} {member.platform}:{member.user_id}")
    except SecbotError as error:
        raise _fail(error) from None


@admin.command("audit")
def audit_log(
    state: Annotated[str | None, typer.Option(help="only events about or by this state")] = None,
    limit: Annotated[int, typer.Option()] = 100,
) -> None:
    """The audit log, newest first: who did what to which submission (never its content)."""
    application = _app()
    with application.db.transaction() as session:
        for e in audit.events(session, state.upper() if state else None, limit):
            detail = " ".join(f"{k}={_safe(v)}" for k, v in sorted(e.detail.items()))
            typer.echo(f"{e.at:%Y-%m-%d %H:%M:%S}  {_safe(e.actor)}  {e.action}  {detail}")


@channel_cli.command("add")
def channel_add(
    platform: Annotated[str, typer.Option(help="telegram, slack or console")],
    id_: Annotated[str, typer.Option("--id", help="chat or channel id")],
    audience: Annotated[str, typer.Option(help="all, secretariat, or CODE,CODE")],
    workspace: Annotated[str, typer.Option(help="Slack team id")] = "",
    title: Annotated[str, typer.Option()] = "",
    tag: Annotated[list[str] | None, typer.Option(help="tag for alert targeting")] = None,
) -> None:
    """Register a group chat with its audience."""
    application = _app()
    try:
        with application.db.transaction() as session:
            channel = channel_ops.add_channel(
                session,
                platform=platform,
                chat_id=id_,
                audience=audience,
                workspace=workspace,
                title=title,
                tags=tag or [],
                by=CLI_ACTOR,
            )
            typer.echo(f"Channel #{channel.id} registered for audience {audience}")
    except SecbotError as error:
        raise _fail(error) from None


@channel_cli.command("list")
def channel_list() -> None:
    application = _app()
    with application.db.transaction() as session:
        for c in channel_ops.list_channels(session):
            audience = ",".join(c.audience_states) or c.audience_kind
            state = "active" if c.active else f"removed ({c.removed_reason or 'by an admin'})"
            typer.echo(
                f"#{c.id}  {c.platform}:{c.chat_id}  {audience}  {','.join(c.tags)}  {state}"
            )


@channel_cli.command("remove")
def channel_remove(channel_id: int) -> None:
    application = _app()
    try:
        with application.db.transaction() as session:
            channel_ops.remove_channel(session, channel_id, by=CLI_ACTOR)
            typer.echo(f"Channel #{channel_id} removed")
    except SecbotError as error:
        raise _fail(error) from None


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="omit to read one question a line")] = None,
    as_: Annotated[str | None, typer.Option("--as", help="answer as this console account")] = None,
    json_: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Answer a question from the CLI (as an unknown principal unless --as is given)."""
    application = _app(with_index=True)
    assert application.asker is not None
    questions = [question] if question is not None else (line.strip() for line in sys.stdin)
    for q in questions:
        if not q:
            continue
        with application.db.transaction() as session:
            account = identity.Account(PLATFORM, "", as_) if as_ else None
            principal = (
                identity.principal_for(session, account, Place.direct())
                if account
                else Principal.unknown()
            )
            answer = application.asker.ask(session, principal, q)
        if json_ or question is None:
            typer.echo(json.dumps(answer_json(answer), ensure_ascii=False))
        else:
            typer.echo(answer.text)


def answer_json(answer: Answer) -> dict[str, object]:
    return {
        "answer": answer.text,
        "citations": [
            {"source": c.source, "locator": c.locator, "text": c.text, "score": c.score}
            for c in answer.citations
        ],
    }


@app.command("ingest")
def ingest_cmd(
    paths: Annotated[list[Path], typer.Argument(help="files or folders (.md .txt .pdf .docx)")],
    remove_: Annotated[bool, typer.Option("--remove", help="take these documents out")] = False,
) -> None:
    """Add documents to the regional knowledge (idempotent), then update the index."""
    application = _app(with_index=True)
    assert application.index is not None

    def progress(n: int, total: int, name: str) -> None:
        if total > 1:
            typer.echo(f"[{n}/{total}] {name}", err=True)

    try:
        if remove_:
            report = ingest.remove(application.db, [str(p) for p in paths])
        else:
            report = ingest.ingest(application.db, paths, progress=progress)
    except DocumentError as error:
        typer.echo(f"{error.path}: {error.message}", err=True)
        raise typer.Exit(1) from None
    repaired = application.index.repair()
    for label, names in (
        ("added", report.added),
        ("replaced", report.replaced),
        ("unchanged", report.unchanged),
        ("removed", report.removed),
    ):
        if names:
            typer.echo(f"{label}: {', '.join(names)}")
    typer.echo(
        f"{report.chunks} chunks written; index: {repaired.embedded} embedded, "
        f"{repaired.removed} removed, {repaired.total} in all"
    )


@index_cli.command("rebuild")
def index_rebuild() -> None:
    """Recreate the retrieval index from SQL and knowledge/."""
    application = _app(with_index=True)
    assert application.index is not None
    report = application.index.rebuild()
    typer.echo(f"Index rebuilt: {report.total} units")


@app.command("eval")
def eval_cmd(
    questions: Annotated[Path, typer.Option(help="evaluation set")] = Path(
        "tests/eval/questions.yaml"
    ),
    seed: Annotated[
        list[Path] | None,
        typer.Option(help="extra documents to ingest first (e.g. the model text)"),
    ] = None,
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recall@1, recall@5 and MRR for BM25, dense and hybrid retrieval, and answer latency.

    Runs in a throw-away data directory (SQLite, embedded Chroma) with knowledge/ loaded and any
    --seed documents ingested, so it never touches the bot's own data."""
    import dataclasses
    import tempfile

    from secbot.knowledge import evaluation

    with tempfile.TemporaryDirectory(prefix="secbot-eval-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=None, chroma_url=None)
        application = build(settings, with_index=True)
        assert application.index is not None and application.asker is not None
        if seed:
            ingest.ingest(application.db, seed)
            application.index.repair()
        eval_set = evaluation.load_set(questions)
        report = evaluation.run(
            application.db, application.asker, eval_set.questions, eval_set.negatives
        )
        application.db.dispose()
    if json_:
        typer.echo(json.dumps(dataclasses.asdict(report), indent=2))
    else:
        typer.echo(evaluation.render(report))


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
    from secbot.db.types import utcnow
    from secbot.services import alerts

    text = sys.stdin.read() if body == "-" else body
    application = _app()
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
    try:
        with application.db.transaction() as session:
            now = utcnow()
            data = alerts.validate(session, values, now)
            channels = alerts.target_channels(
                session, data.audience_kind, data.audience_states, data.tags
            )
            if not yes:
                typer.echo(alerts.summary(data))
                typer.echo(f"Would reach {alerts.reach(channels)}. Add --yes to send.")
                raise typer.Exit(1)
            alert, created = alerts.create(
                session,
                data,
                principal=None,
                sender=sender,
                origin="cli",
                now=now,
                request_key=f"cli:{key}" if key else None,
            )
            note = "queued" if created else "already queued earlier with this --key"
            typer.echo(f"{alerts.show_id(alert.id)} {note} for {alerts.reach(channels)}")
    except SecbotError as error:
        raise _fail(error) from None


@alert_cli.command("list")
def alert_list(limit: int = 20) -> None:
    """Recent alerts with their delivery counts."""
    from secbot.access.principal import SECRETARIAT
    from secbot.services import alerts

    application = _app()
    operator = Principal(SECRETARIAT, Role.SECRETARIAT, Place.direct(), label=CLI_ACTOR)
    with application.db.transaction() as session:
        for alert in alerts.recent(session, operator, limit):
            c = alerts.counts(session, alert.id)
            typer.echo(
                f"{alerts.show_id(alert.id)}  {alert.created_at:%Y-%m-%d %H:%M}  "
                f"{alert.severity:8} sent {c.sent}/{c.total} failed {c.failed} "
                f"pending {c.pending}  {_safe(alert.headline)}"
            )


@alert_cli.command("show")
def alert_show(alert_id: str) -> None:
    """Per-channel delivery status and acknowledgements of one alert."""
    from secbot.access.principal import SECRETARIAT
    from secbot.engine.alert_render import status_text

    application = _app()
    operator = Principal(SECRETARIAT, Role.SECRETARIAT, Place.direct(), label=CLI_ACTOR)
    try:
        with application.db.transaction() as session:
            typer.echo(status_text(session, operator, alert_id, limit=None))
    except SecbotError as error:
        raise _fail(error) from None


@alert_cli.command("export")
def alert_export(
    alert_id: str,
    format_: Annotated[str, typer.Option("--format", help="cap (CAP 1.2 XML)")] = "cap",
    output: Annotated[Path | None, typer.Option(help="file to write; default stdout")] = None,
) -> None:
    """Write an alert as CAP 1.2 XML, for national warning systems and feeds."""
    from secbot.access.principal import SECRETARIAT
    from secbot.alerts.cap_export import to_cap_xml
    from secbot.services import alerts

    if format_.lower() != "cap":
        raise _fail(SecbotError("The only export format is `cap` (CAP 1.2 XML)."))
    application = _app()
    operator = Principal(SECRETARIAT, Role.SECRETARIAT, Place.direct(), label=CLI_ACTOR)
    try:
        with application.db.transaction() as session:
            alert = alerts.get_for(session, operator, alerts.parse_alert_id(alert_id))
            areas = alerts.area_names(session, alert)
            xml = to_cap_xml(alert, sender=application.settings.cap_sender, areas=areas)
    except SecbotError as error:
        raise _fail(error) from None
    if output is None:
        sys.stdout.write(xml.decode("utf-8"))
    else:
        output.write_bytes(xml)
        typer.echo(f"Wrote {output}")


def main() -> None:
    app()
