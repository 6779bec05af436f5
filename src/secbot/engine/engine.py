"""The conversation engine: resolves who and where, then routes to a verb or the open form.

Each inbound message is one transaction. A SecbotError rolls the whole transaction back and
becomes a polite reply, so bad input changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from secbot.access.principal import Place
from secbot.db.models import ProcessedInbound
from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.enums import ChatKind
from secbot.domain.errors import FormErrors, InvalidInput, SecbotError
from secbot.domain.text import clean_text
from secbot.engine import (
    account_verbs,
    alert_verbs,
    ask_verbs,
    knowledge_verbs,
    report_flow,
    report_verbs,
)
from secbot.engine.context import Context
from secbot.engine.messages import Inbound, Reply
from secbot.knowledge.ask import Asker
from secbot.services import identity

log = logging.getLogger(__name__)

Handler = Callable[[Context, str], list[Reply]]

VERBS: dict[str, Handler] = {
    "start": account_verbs.start,
    "help": account_verbs.help_,
    "join": account_verbs.join,
    "whoami": account_verbs.whoami,
    "report": report_flow.start,
    "cancel": report_flow.cancel,
    "reports": report_verbs.reports,
    "mine": report_verbs.mine,
    "incident": report_verbs.incident,
    "edit": report_verbs.edit,
    "share": report_verbs.share,
    "unshare": report_verbs.unshare,
    "objectives": knowledge_verbs.objectives,
    "threats": knowledge_verbs.threats,
    "threat": knowledge_verbs.threat,
    "contacts": knowledge_verbs.contacts,
    "ask": ask_verbs.ask,
    "alert": alert_verbs.alert,
    "alerts": alert_verbs.list_alerts,
    "ack": alert_verbs.ack,
    "register": alert_verbs.register,
}
OPEN_VERBS = {"start", "help", "join"}
"""The only verbs a stranger may use; everything else gets the join explanation."""


def parse(text: str) -> tuple[str, str, bool]:
    """Split `/verb@bot args` or `verb args` into (verb, args, had_slash)."""
    slash = text.startswith("/")
    body = text[1:] if slash else text
    parts = body.split(maxsplit=1)
    head = parts[0] if parts else ""
    rest = parts[1] if len(parts) > 1 else ""
    verb = head.split("@", 1)[0].lower()
    return verb, rest.strip(), slash


class Engine:
    def __init__(self, db: Database, *, max_chars: int = 4000, asker: Asker | None = None) -> None:
        self.db = db
        self.max_chars = max_chars
        self.asker = asker

    def handle(self, inbound: Inbound) -> list[Reply]:
        """Replies for one inbound message; [] for a delivery already handled."""
        raw = inbound.payload if inbound.payload is not None else inbound.text
        try:
            text = clean_text(raw, max_chars=self.max_chars)
            if inbound.chat_kind is ChatKind.GROUP:
                self._note_presence(inbound)
            with self.db.transaction() as session:
                if inbound.message_key and not self._first_delivery(session, inbound):
                    return []
                place = self._place(session, inbound)
                account = identity.Account(
                    inbound.platform, inbound.workspace, inbound.user_id, inbound.display_name
                )
                principal = identity.principal_for(session, account, place)
                ctx = Context(session, inbound, principal, utcnow(), self.max_chars, self.asker)
                return self._route(ctx, text)
        except FormErrors as error:
            return [Reply(error.message, field_errors=error.fields)]
        except SecbotError as error:
            return [Reply(error.message)]

    def bot_removed(self, platform: str, workspace: str, chat_id: str, reason: str) -> bool:
        """The bot was kicked from, or lost, a registered chat: alerts stop going there."""
        from secbot.admin.channels import mark_removed

        with self.db.transaction() as session:
            return mark_removed(session, platform, workspace, chat_id, reason)

    def _note_presence(self, inbound: Inbound) -> None:
        """In its own transaction, so it holds even when the message itself fails."""
        with self.db.transaction() as session:
            account = identity.Account(inbound.platform, inbound.workspace, inbound.user_id)
            principal = identity.principal_for(session, account, Place.direct())
            audience = identity.channel_audience(
                session, inbound.platform, inbound.workspace, inbound.chat_id
            )
            if principal.party and audience is not None and principal.party not in audience:
                identity.note_party_in_channel(
                    session, inbound.platform, inbound.workspace, inbound.chat_id, principal.party
                )

    @staticmethod
    def _first_delivery(session: Session, inbound: Inbound) -> bool:
        """Record the delivery id in this message's own transaction: if handling fails it is
        rolled back with everything else, and a duplicate waits for, then loses to, the first."""
        key = f"{inbound.platform}:{inbound.workspace}:{inbound.message_key}"[:160]
        try:
            with session.begin_nested():
                session.add(ProcessedInbound(key=key))
                session.flush()
        except IntegrityError:
            log.info("duplicate delivery %s ignored", key)
            return False
        return True

    @staticmethod
    def _place(session: Session, inbound: Inbound) -> Place:
        if inbound.chat_kind is ChatKind.DIRECT:
            return Place.direct()
        return Place.group(
            identity.channel_audience(session, inbound.platform, inbound.workspace, inbound.chat_id)
        )

    def _route(self, ctx: Context, text: str) -> list[Reply]:
        if not text:
            raise InvalidInput("I got an empty message. Send `help` to see what I can do.")
        verb, args, slash = parse(text)
        member = ctx.principal.is_member
        if not member and verb not in OPEN_VERBS:
            return [Reply(account_verbs.JOIN_HELP)]
        # Inside a form, text is an answer unless it is clearly a verb: `/verb ...`, or a known
        # verb alone (nobody answers "What happened?" with the single word "help").
        is_verb = verb in VERBS and (slash or not args)
        # A form lives in the direct chat only: typing in a group never feeds (or echoes) a draft.
        if member and not is_verb and not ctx.in_group:
            if alert_verbs.has_draft(ctx):
                return alert_verbs.answer(ctx, text)
            if report_flow.has_draft(ctx):
                return report_flow.answer(ctx, text)
        handler = VERBS.get(verb)
        if handler is None:
            if ctx.in_group or slash:
                if slash:
                    raise InvalidInput(
                        f"I don't know “/{verb[:30]}”. Send `help` for the list of things I can do."
                    )
                return []  # group chatter that is not a verb is not addressed to the bot
            return ask_verbs.ask(ctx, text)  # free text in a direct message is a question
        return handler(ctx, args)
