"""objectives, threats, contacts: regional knowledge any member may read, anywhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.engine.render import contact_line, objective_line, threat_line
from secbot.services import audit, registers

LIMIT = 12
T = TypeVar("T")


def _list(title: str, items: Sequence[T], line: Callable[[T], str], topic: str, hint: str) -> Reply:
    if not items:
        about = f" about “{topic}”" if topic else ""
        return Reply(f"No {title.lower()}{about}. {hint}")
    shown = items[:LIMIT]
    more = (
        f"\n…and {len(items) - LIMIT} more: add a topic to narrow it." if len(items) > LIMIT else ""
    )
    about = f" about “{topic}”" if topic else ""
    return Reply(f"{title}{about} ({len(items)}):\n" + "\n".join(line(i) for i in shown) + more)


def objectives(ctx: Context, args: str) -> list[Reply]:
    topic = args.strip()
    items = registers.objectives(ctx.session, topic)
    return [_list("Strategic objectives", items, objective_line, topic, "Try `objectives` alone.")]


def threats(ctx: Context, args: str) -> list[Reply]:
    topic = args.strip()
    regional = registers.regional_threats(ctx.session, topic)
    own = registers.state_threats(ctx.session, ctx.scope, topic)
    audit.record_reads(
        ctx.session, ctx.principal, [t.submission for t in own if t.submission is not None]
    )
    replies = [_list("Regional threats", regional, threat_line, topic, "Try `threats` alone.")]
    if own:
        replies.append(
            Reply(
                "State register entries you can see:\n" + "\n".join(threat_line(t) for t in own),
                private=not ctx.in_group,
            )
        )
    return replies


def contacts(ctx: Context, args: str) -> list[Reply]:
    query = args.strip()
    items = registers.contacts(ctx.session, query)
    hint = "Try a state code (JAM), an area (legal, defence) or a topic (cyber)."
    return [_list("Contacts", items, contact_line, query, hint)]
