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
from secbot.db.models import Notice, ProcessedInbound
from secbot.db.session import Database
from secbot.domain.clock import Clock, utcnow
from secbot.domain.enums import ChatKind
from secbot.domain.errors import FormErrors, InvalidInput, SecbotError
from secbot.domain.text import clean_text
from secbot.engine import forgiving
from secbot.engine.context import Context
from secbot.engine.forms import runner as forms
from secbot.engine.messages import Inbound, Reply
from secbot.engine.registry import BY_NAME, FORMS
from secbot.engine.verbs import account, ask
from secbot.identity import accounts, channels
from secbot.knowledge.ask import Answering

log = logging.getLogger(__name__)

Settle = Callable[[Session, list[Reply]], None]


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
    def __init__(
        self,
        db: Database,
        *,
        max_chars: int = 4000,
        asker: Answering | None = None,
        clock: Clock = utcnow,
        follow: Callable[[], object] | None = None,
        web_url: str | None = None,
    ) -> None:
        self.db = db
        self.max_chars = max_chars
        self.asker = asker
        self.clock = clock
        self.follow = follow
        self.web_url = web_url
        """Brings the index up to date with other processes' changes before each message."""

    def handle(self, inbound: Inbound, settle: Settle | None = None) -> list[Reply]:
        """Replies for one inbound message; [] for a delivery already handled.

        `settle(session, replies)` runs inside the message's own transaction, after its effects
        and before the commit (the inbox marks its entry handled there). When the message is
        refused, nothing it did is kept, and `settle` runs in a transaction of its own."""
        raw = inbound.payload if inbound.payload is not None else inbound.text
        if self.follow is not None and self.asker is not None:
            self.follow()
        try:
            text = clean_text(raw, max_chars=self.max_chars)
            if inbound.chat_kind is ChatKind.GROUP:
                self._note_presence(inbound)
            with self.db.transaction() as session:
                replies: list[Reply] = []
                if not inbound.message_key or self._first_delivery(session, inbound):
                    replies = self._route(self._context(session, inbound), text)
                if settle is not None:
                    settle(session, replies)
                return replies
        except FormErrors as error:
            refused = [Reply(error.message, field_errors=error.fields)]
            aftermath = error.aftermath
        except SecbotError as error:
            refused = [Reply(error.message)]
            aftermath = error.aftermath
        if settle is not None or aftermath is not None:
            with self.db.transaction() as session:
                if aftermath is not None:
                    aftermath(session)
                if settle is not None:
                    settle(session, refused)
        return refused

    def _context(self, session: Session, inbound: Inbound) -> Context:
        place = self._place(session, inbound)
        who = accounts.Account(
            inbound.platform, inbound.workspace, inbound.user_id, inbound.display_name
        )
        principal = accounts.principal_for(session, who, place)
        return Context(
            session,
            inbound,
            principal,
            self.clock(),
            self.max_chars,
            self.asker,
            self.web_url,
        )

    def bot_removed(self, platform: str, workspace: str, chat_id: str, reason: str) -> bool:
        """The bot was kicked from, or lost, a registered chat: alerts stop going there."""
        with self.db.transaction() as session:
            return channels.mark_removed(session, platform, workspace, chat_id, reason)

    def _note_presence(self, inbound: Inbound) -> None:
        """In its own transaction, so it holds even when the message itself fails. Read first
        and write only when the room learns something new: nearly every group message changes
        nothing, and a write transaction per message would queue them all on the write lock."""
        who = accounts.Account(inbound.platform, inbound.workspace, inbound.user_id)
        where = (inbound.platform, inbound.workspace, inbound.chat_id)
        with self.db.reading() as session:
            if not self._presence_is_news(session, who, where):
                return
        with self.db.transaction() as session:
            principal = accounts.principal_for(session, who, Place.direct())
            if principal.party is None:
                channels.note_stranger_in_channel(session, *where, self.clock())
                return
            audience = channels.channel_audience(session, *where)
            if audience is not None and principal.party not in audience:
                channels.note_party_in_channel(session, *where, principal.party)

    @staticmethod
    def _presence_is_news(
        session: Session, who: accounts.Account, where: tuple[str, str, str]
    ) -> bool:
        principal = accounts.principal_for(session, who, Place.direct())
        if principal.party is None:
            channel = channels.find_channel(session, *where, active_only=True)
            return channel is not None and channel.stranger_seen_at is None
        audience = channels.channel_audience(session, *where)
        return audience is not None and principal.party not in audience

    @staticmethod
    def _join_hint(ctx: Context) -> list[Reply]:
        """In a group, a stranger who spoke to the bot hears how to join, once a day in that
        room; anything else from a stranger there gets no answer (nobody can make it spam)."""
        i = ctx.inbound
        if not i.addressed:
            return []
        key = f"join-hint:{i.platform}:{i.workspace}:{i.chat_id}:{i.user_id}:{ctx.now:%Y-%m-%d}"
        try:
            with ctx.session.begin_nested():
                ctx.session.add(Notice(key=key[:200], at=ctx.now))
                ctx.session.flush()
        except IntegrityError:
            return []
        return [Reply(account.JOIN_HELP)]

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
            channels.channel_audience(session, inbound.platform, inbound.workspace, inbound.chat_id)
        )

    def _route(self, ctx: Context, text: str) -> list[Reply]:
        if not text:
            raise InvalidInput("I got an empty message. Send `help` to see what I can do.")
        name, args, slash = parse(text)
        verb = BY_NAME.get(name)
        member = ctx.principal.is_member
        if not member and ctx.in_group and name != "join":
            return self._join_hint(ctx)
        if not member and (verb is None or not verb.open):
            return [Reply(account.JOIN_HELP)]
        # Inside a form, text is an answer unless it is clearly a verb: `/verb ...`, or a known
        # verb alone (nobody answers "What happened?" with the single word "help").
        is_verb = verb is not None and (slash or not args)
        # A form lives in the direct chat only: typing in a group never feeds (or echoes) a draft.
        if member and not is_verb and not ctx.in_group:
            draft = forms.open_draft(ctx)
            if draft is not None and draft.flow in FORMS:
                return forms.answer(ctx, FORMS[draft.flow], draft, text)
        if verb is None:
            return self._unknown(ctx, text, name, args, slash)
        return verb.handler(ctx, args)

    @staticmethod
    def _unknown(ctx: Context, text: str, name: str, args: str, slash: bool) -> list[Reply]:
        """No verb by that name: a bare report id opens it (the same path as `incident ID`),
        a near-miss verb gets a suggestion, other direct free text is a question."""
        if ctx.in_group and not slash:
            return []  # group chatter that is not a verb is not addressed to the bot
        public_id = forgiving.bare_id(ctx, text)
        if public_id is not None:
            return forgiving.open_bare_id(ctx, public_id)
        suggestion = forgiving.did_you_mean(ctx, name, args, slash)
        if suggestion is not None:
            return suggestion
        if slash:
            raise InvalidInput(
                f"I don't know “/{name[:30]}”. Send `help` for the list of things I can do."
            )
        return ask.ask(ctx, text)  # free text in a direct message is a question
