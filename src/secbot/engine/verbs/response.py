"""respond, log, need, offer, task, done: a shared report's co-ordination log in chat.

Every verb reads the report through the asker's Scope (reports.response), so the log shows and
takes entries exactly where the report itself may be seen."""

from __future__ import annotations

from secbot.access import audit
from secbot.access.principal import SECRETARIAT
from secbot.domain.errors import InvalidInput
from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.engine.verbs.reports import take_id
from secbot.reports import response

_LABEL = {"log": "Log", "need": "NEED", "offer": "OFFER", "task": "TASK"}


def _party(party: str | None) -> str:
    return "secretariat" if party == SECRETARIAT else party or "?"


def respond(ctx: Context, args: str) -> list[Reply]:
    usage = "respond ID, e.g. respond BRB-0007"
    public_id, rest = take_id(args, usage)
    if rest:
        raise InvalidInput(f"Usage: {usage}")
    submission, entries = response.read_log(ctx.session, ctx.scope, public_id)
    audit.record_reads(ctx.session, ctx.principal, [submission])
    pid = submission.public_id
    head = f"Response log of {pid} · TLP:{submission.tlp}"
    if not entries:
        return [
            Reply(
                f"{head}\nNothing yet. Add to it: log {pid} TEXT · need {pid} TEXT · "
                f"offer {pid} TEXT · task {pid} PARTY TEXT"
            )
        ]
    lines = [head]
    for e in entries:
        when = e.at.astimezone(ctx.zone).strftime("%d %b %H:%M")
        label = _LABEL.get(e.kind, e.kind)
        if e.kind == "task":
            state = "done" if e.done_at else "open"
            label = f"TASK {pid}/{e.number} for {_party(e.assignee)} ({state})"
        lines.append(f"{when} · {_party(e.party)} · {label}: {e.body}")
    return [Reply("\n".join(lines))]


def _add(ctx: Context, args: str, kind: str, usage: str) -> list[Reply]:
    public_id, rest = take_id(args, usage)
    assignee = None
    if kind == "task":
        words = rest.split(maxsplit=1)
        if len(words) < 2:
            raise InvalidInput(f"Usage: {usage}")
        assignee = response.parse_party(ctx.session, words[0])
        rest = words[1]
    written = response.add_entry(
        ctx.session, ctx.principal, public_id, kind, rest, ctx.now, assignee
    )
    pid = written.submission.public_id
    if kind == "task":
        said = f"Task {pid}/{written.entry.number} for {_party(assignee)} added"
    else:
        article = "an" if kind[0] in "aeiou" else "a"
        said = f"Added {article} {kind} to the response log of {pid}"
    return [Reply(f"{said} · TLP:{written.submission.tlp}. See it all: respond {pid}")]


def log(ctx: Context, args: str) -> list[Reply]:
    return _add(ctx, args, "log", "log ID TEXT, e.g. log BRB-0007 Vessel sighted off North Point")


def need(ctx: Context, args: str) -> list[Reply]:
    return _add(ctx, args, "need", "need ID TEXT, e.g. need BRB-0007 A boat with a medic")


def offer(ctx: Context, args: str) -> list[Reply]:
    return _add(ctx, args, "offer", "offer ID TEXT, e.g. offer BRB-0007 One rescue boat")


def task(ctx: Context, args: str) -> list[Reply]:
    usage = "task ID PARTY TEXT, e.g. task BRB-0007 JAM Patrol the north coast tonight"
    return _add(ctx, args, "task", usage)


def done(ctx: Context, args: str) -> list[Reply]:
    written = response.mark_done(ctx.session, ctx.principal, args, ctx.now)
    pid = written.submission.public_id
    return [Reply(f"Task {pid}/{written.entry.number} is done. See the log: respond {pid}")]
