"""Every verb, declared once: its handler, who may use it, its help lines and its Telegram
command. `help`, Telegram's setMyCommands and routing all read this table, so they cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from secbot.access.permissions import Action, allowed
from secbot.access.principal import Principal
from secbot.engine.context import Context
from secbot.engine.forms import Form
from secbot.engine.forms import runner as forms
from secbot.engine.messages import Reply
from secbot.engine.verbs import (
    account,
    alert_form,
    alerts,
    ask,
    brief,
    channels,
    erase,
    interchange,
    more,
    registers,
    report_filing,
    report_form,
    report_links,
    reports,
    response,
    web_link,
    zone,
)

Handler = Callable[[Context, str], list[Reply]]


@dataclass(frozen=True)
class Help:
    usage: str
    text: str
    actions: tuple[Action, ...]
    """Shown to those the permission table allows any of these actions."""

    def shown_to(self, principal: Principal) -> bool:
        return any(allowed(principal, a) for a in self.actions)


@dataclass(frozen=True)
class Verb:
    name: str
    handler: Handler
    helps: tuple[Help, ...] = ()
    command: str = ""
    """The Telegram command menu's description; empty: not in the menu."""
    open: bool = False
    """Usable before joining (start, help, join); everything else asks a stranger to join."""
    form: Form | None = None
    """The form this verb opens: its answers are routed to the form's runner."""


def _cancel(ctx: Context, args: str) -> list[Reply]:
    return forms.cancel(ctx, FORMS)


def _h(usage: str, text: str, *actions: Action) -> Help:
    return Help(usage, text, actions)


R, F, S, C = Action.READ, Action.FILE_REPORT, Action.CHANGE_REPORT, Action.COORDINATE

VERBS: tuple[Verb, ...] = (
    Verb("start", lambda ctx, args: _start(ctx), open=True),
    Verb("help", lambda ctx, args: _help(ctx), command="What I can do", open=True),
    Verb("join", account.join, open=True),
    Verb(
        "report",
        report_form.report,
        (_h("report", "file an incident step by step (or: report <what happened>)", F),),
        command="File an incident report",
        form=report_form.FORM,
    ),
    Verb("edit", reports.edit, (_h("edit ID FIELD VALUE", "correct one of your reports", S),)),
    Verb(
        "share",
        reports.share,
        (_h("share ID TARGET...", "share with states, all or secretariat", S),),
    ),
    Verb("unshare", reports.unshare, (_h("unshare ID TARGET", "take a share back", S),)),
    Verb(
        "link",
        report_links.link,
        (
            _h(
                "link ID CODE",
                "tie a report to a threat-register entry, e.g. link BRB-0007 RT-05",
                S,
            ),
        ),
    ),
    Verb("unlink", report_links.unlink, (_h("unlink ID CODE", "remove that link", S),)),
    Verb(
        "update",
        report_links.update,
        (_h("update ID TEXT", "add a dated update to a report's timeline", S),),
    ),
    Verb(
        "export",
        interchange.export,
        (
            _h(
                "export [json|csv|stix]",
                "everything your state submitted, as a file (direct message only)",
                Action.EXPORT_STATE,
            ),
        ),
    ),
    Verb(
        "push",
        interchange.push,
        (_h("push ID misp", "send one of your reports to the MISP instance (never RED)", S),),
    ),
    Verb(
        "respond",
        response.respond,
        (_h("respond ID", "a shared report's co-ordination log: notes, needs, offers, tasks", R),),
    ),
    Verb("log", response.log, (_h("log ID TEXT", "add a dated note to a report's log", C),)),
    Verb(
        "need", response.need, (_h("need ID TEXT", "post a need the report's parties can see", C),)
    ),
    Verb("offer", response.offer, (_h("offer ID TEXT", "offer help on a shared report", C),)),
    Verb(
        "task",
        response.task,
        (_h("task ID PARTY TEXT", "give a party a task, e.g. task BRB-0007 JAM Patrol", C),),
    ),
    Verb("done", response.done, (_h("done ID/N", "close task N of a report", C),)),
    Verb("filing", report_filing.filing),
    Verb(
        "erase",
        erase.erase,
        (_h("erase ID", "erase one of your state's reports for good (asks first)", S),),
    ),
    Verb(
        "web",
        web_link.web,
        (_h("web", "a one-time sign-in link to the web console (direct message only)", R),),
    ),
    Verb(
        "cancel",
        _cancel,
        (_h("cancel", "stop the form you are filling in", F, Action.SEND_ALERT),),
        command="Stop the form",
    ),
    Verb(
        "alert",
        alerts.alert,
        (
            _h(
                "alert",
                "compose an alert to the registered channels, with a preview",
                Action.SEND_ALERT,
            ),
            _h("alert ID", "who received and who acknowledged an alert", Action.SEE_ALERT_STATUS),
        ),
        form=alert_form.FORM,
    ),
    Verb(
        "ask",
        ask.ask,
        (
            _h(
                "ask QUESTION",
                "a cited answer from the sources you may see (in a DM, just type it)",
                R,
            ),
        ),
        command="Ask a question",
    ),
    Verb(
        "reports",
        reports.reports,
        (_h("reports", "the reports you may see here, yours and those shared with you", R),),
        command="Reports you can see",
    ),
    Verb(
        "mine",
        reports.mine,
        (_h("mine", "your state's reports", Action.READ_OWN_STATE),),
        command="Your state's reports",
    ),
    Verb(
        "incident",
        reports.incident,
        (_h("incident ID", "one report, e.g. incident BRB-0007 (or just type BRB-7)", R),),
    ),
    Verb(
        "objectives",
        registers.objectives,
        (_h("objectives [topic]", "agreed strategic objectives", R),),
        command="Agreed strategic objectives",
    ),
    Verb(
        "threats",
        registers.threats,
        (_h("threats [topic]", "the threat registers", R),),
        command="Threat registers",
    ),
    Verb(
        "threat",
        registers.threat,
        (
            _h("threat CODE", "one register entry, e.g. threat RT-03", R),
            _h(
                "threat add TEXT",
                "add to your state's own threat register",
                Action.ADD_STATE_THREAT,
            ),
        ),
    ),
    Verb(
        "contacts",
        registers.contacts,
        (_h("contacts [state|area|topic]", "co-ordination contacts", R),),
        command="Co-ordination contacts",
    ),
    Verb(
        "more",
        more.more,
        (_h("more", "the next page of the last long list", R),),
    ),
    Verb(
        "brief",
        brief.brief,
        (
            _h(
                "brief [week|month|quarter|year] [STATES]",
                "a trend brief with a chart and a PDF, e.g. brief quarter JAM,TTO",
                Action.READ_BRIEF,
            ),
            _h(
                "brief subscribe weekly|monthly [ZONE]",
                "inside a registered group: a scheduled brief (brief unsubscribe, brief schedule)",
                Action.SUBSCRIBE_BRIEF,
            ),
        ),
        command="Trend brief with chart and PDF",
    ),
    Verb(
        "whoami",
        account.whoami,
        (_h("whoami", "who you are here and what this chat can show", R),),
        command="Your state and role",
    ),
    Verb(
        "timezone",
        zone.timezone,
        (_h("timezone [ZONE]", "the time zone I show times in, e.g. America/Barbados or utc", R),),
    ),
    Verb(
        "alerts",
        alerts.list_alerts,
        (_h("alerts", "recent alerts sent to you", R),),
        command="Recent alerts",
    ),
    Verb(
        "ack",
        alerts.ack,
        (
            _h(
                "ack ID",
                "acknowledge an alert, e.g. ack A-12 (or tap its button)",
                Action.ACKNOWLEDGE,
            ),
        ),
        command="Acknowledge an alert",
    ),
    Verb(
        "register",
        channels.register,
        (
            _h(
                "register AUDIENCE [#tag]",
                "inside a group: register it for alerts (all, BRB,JAM...)",
                Action.REGISTER_CHANNEL,
            ),
        ),
    ),
)

BY_NAME: dict[str, Verb] = {v.name: v for v in VERBS}
FORMS: dict[str, Form] = {v.form.name: v.form for v in VERBS if v.form is not None}


def help_lines(principal: Principal) -> list[str]:
    return [
        f"• {h.usage} — {h.text}"
        for v in BY_NAME.values()
        for h in v.helps
        if h.shown_to(principal)
    ]


def _help(ctx: Context) -> list[Reply]:
    if not ctx.principal.is_member:
        return [Reply(account.JOIN_HELP)]
    lines = ["What I can do (a leading / is optional):", *help_lines(ctx.principal)]
    if ctx.in_group:
        lines.append("In this group I only show what every party here may see.")
    return [Reply("\n".join(lines))]


def _start(ctx: Context) -> list[Reply]:
    if not ctx.principal.is_member:
        return [Reply(account.JOIN_HELP)]
    return [Reply(f"Welcome back. {account.who(ctx)}"), *_help(ctx)]


def telegram_commands() -> list[tuple[str, str]]:
    """(command, description) for Telegram's command menu, in the table's order."""
    return [(v.name, v.command) for v in BY_NAME.values() if v.command]
