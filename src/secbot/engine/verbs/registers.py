"""objectives, threats, contacts: regional knowledge any member may read, anywhere."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from secbot.access import audit
from secbot.domain.errors import InvalidInput, NotFound
from secbot.domain.guess import guess_title
from secbot.domain.ids import canonical_id
from secbot.domain.taxonomy import guess_category
from secbot.engine import paging
from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.engine.render.registers import contact_line, objective_line, threat_detail, threat_line
from secbot.engine.render.report_extras import activity_lines
from secbot.identity.states import read_state_name
from secbot.registers import contacts as contact_directory
from secbot.registers import objectives as objective_list
from secbot.registers import threats as register
from secbot.reports import links as report_links

LIMIT = 12
T = TypeVar("T")


def _list(
    ctx: Context,
    verb: str,
    offset: int,
    title: str,
    items: Sequence[T],
    line: Callable[[T], str],
    topic: str,
    hint: str,
) -> Reply:
    about = f" about “{topic}”" if topic else ""
    if not items:
        paging.remember(ctx, verb, topic, None)
        return Reply(f"No {title.lower()}{about}. {hint}")
    if offset >= len(items):
        paging.remember(ctx, verb, topic, None)
        return Reply(
            f"That was all: {len(items)} {title.lower()}{about}. Send `{verb}` to start again."
        )
    shown, next_offset = paging.window(items, offset, LIMIT)
    buttons = paging.remember(ctx, verb, topic, next_offset)
    text = f"{title}{about} ({len(items)}):\n" + "\n".join(line(i) for i in shown)
    text += paging.footer(offset, len(shown), len(items), next_offset)
    return Reply(text, (buttons,) if buttons else ())


def _by_meaning(ctx: Context, topic: str, kind: str) -> list[str]:
    """Unit ids the retriever finds relevant to the topic, best first (empty without an index)."""
    if not topic or ctx.asker is None:
        return []
    passages = ctx.asker.passages(ctx.session, ctx.principal, topic, kinds=[kind], k=10)
    return [p.chunk_id.split(":", 1)[1] for p in passages]


def _ranked(
    ctx: Context,
    topic: str,
    kind: str,
    everything: dict[str, T],
    matches: Callable[[T, str], bool],
) -> list[T]:
    """Word matches first (they are exact), then what the retriever matched by meaning only."""
    words = [item for item in everything.values() if matches(item, topic)]
    meaning = [everything[c] for c in _by_meaning(ctx, topic, kind) if c in everything]
    return [*words, *(item for item in meaning if item not in words)]


def objectives(ctx: Context, args: str, offset: int = 0) -> list[Reply]:
    topic = args.strip()
    everything = {o.code: o for o in objective_list.objectives(ctx.session)}
    items = _ranked(ctx, topic, "objective", everything, objective_list.objective_matches)
    title, hint = "Strategic objectives", "Try `objectives` alone."
    return [_list(ctx, "objectives", offset, title, items, objective_line, topic, hint)]


def threats(ctx: Context, args: str, offset: int = 0) -> list[Reply]:
    topic = args.strip()
    everything = {t.code: t for t in register.regional_threats(ctx.session)}
    regional = _ranked(ctx, topic, "threat", everything, register.threat_matches)
    # State entries are shown on the first page only, so only that page records reading them.
    own = register.state_threats(ctx.session, ctx.scope, topic) if offset == 0 else []
    audit.record_reads(
        ctx.session, ctx.principal, [t.submission for t in own if t.submission is not None]
    )
    title, hint = "Regional threats", "Try `threats` alone."
    replies = [_list(ctx, "threats", offset, title, regional, threat_line, topic, hint)]
    if own:
        replies.append(
            Reply(
                "State register entries you can see:\n" + "\n".join(threat_line(t) for t in own),
            )
        )
    return replies


def contacts(ctx: Context, args: str, offset: int = 0) -> list[Reply]:
    query = args.strip()
    parsed = contact_directory.parse_contact_query(ctx.session, _name_to_code(ctx, query))
    # The state and area go into the search too: only the topic filters by meaning, but the
    # best ten by meaning must be that state's and area's, or the filter leaves nothing.
    about = (
        " ".join(filter(None, [parsed.state, parsed.area, parsed.topic])) if parsed.topic else ""
    )
    ranked_ids = [int(i) for i in _by_meaning(ctx, about, "contact") if i.isdigit()]
    items = contact_directory.contacts(ctx.session, parsed, ranked_ids)
    hint = "Try a state code (JAM), an area (legal, defence) or a topic (cyber)."
    return [_list(ctx, "contacts", offset, "Contacts", items, contact_line, query, hint)]


def _name_to_code(ctx: Context, query: str) -> str:
    """`contacts st lucia legal` reads as `contacts LCA legal`: the first words that name one
    state as people spell it become its code (an ambiguous name is left as typed)."""
    words = query.split()
    for i in range(len(words)):
        named, size = read_state_name(ctx.session, words[i:])
        if len(named) == 1:
            return " ".join([*words[:i], named[0].code, *words[i + size :]])
    return query


def threat(ctx: Context, args: str) -> list[Reply]:
    """`threat CODE` shows one entry; `threat add TEXT` adds one to your state's own register."""
    head, _, rest = args.strip().partition(" ")
    if head.lower() == "add":
        return _add_threat(ctx, rest.strip())
    if not head or rest:
        raise InvalidInput("Usage: threat CODE (e.g. threat RT-03), or threat add TEXT")
    code = threat_code(head)
    for entry in register.regional_threats(ctx.session):
        if entry.code == code:
            return [Reply(threat_detail(entry) + _activity(ctx, code))]
    for entry in register.state_threats(ctx.session, ctx.scope):
        if entry.code == code and entry.submission is not None:
            audit.record_reads(ctx.session, ctx.principal, [entry.submission])
            return [Reply(threat_detail(entry) + _activity(ctx, code))]
    if ctx.in_group:
        raise NotFound(
            f"I can't show {code} here. If it is yours or shared with you, ask me in a direct "
            "message."
        )
    raise NotFound(f"I can't find a register entry {code} that you can see. Try `threats`.")


def _activity(ctx: Context, code: str) -> str:
    """The linked reports this reader may see here, by month (the same Scope as every read)."""
    months = report_links.threat_activity(ctx.session, ctx.scope, code)
    return "\n".join(activity_lines(code, months))


def threat_code(typed: str) -> str:
    """`rt-3` is RT-03 and `brb-t1` is BRB-T01; anything else is looked up as typed."""
    regional = re.fullmatch(r"RT[-_ ]?(\d{1,3})", typed.strip().upper())
    if regional:
        return f"RT-{int(regional.group(1)):02d}"
    return canonical_id(typed)


def _add_threat(ctx: Context, text: str) -> list[Reply]:
    ctx.require_direct("add to your state's register")
    if len(text) < 5:
        raise InvalidInput("Usage: threat add TEXT, e.g. threat add Rising sea levels at the port")
    category = guess_category(text)
    submission = register.add_state_threat(
        ctx.session,
        ctx.principal,
        title=guess_title(text),
        description=text,
        category=category.key,
    )
    return [
        Reply(
            f"Added {submission.public_id} to your state's register · TLP:{submission.tlp} "
            f"(only your state sees it until you share it).\nCategory: {category.label}; "
            "likelihood possible, impact moderate, lead: security."
        )
    ]
