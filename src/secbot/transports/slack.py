"""Slack through slack-bolt (AsyncApp): one slash command `/secbot VERB ...`, direct messages,
app mentions, buttons and a modal for the report form. It only translates."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import time
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from secbot.config import Settings
from secbot.domain.enums import ChatKind
from secbot.engine.messages import Button, Inbound, Reply
from secbot.engine.registry import FORMS
from secbot.inbox.intake import Intake
from secbot.inbox.store import Arrival, Entry
from secbot.transports.files_out import slack_upload
from secbot.transports.slack_blocks import MODAL_CALLBACK, blocks, escape, form_values, modal

log = logging.getLogger(__name__)
PLATFORM = "slack"
_MENTION = re.compile(r"^\s*<@[A-Z0-9]+>\s*")

# Bolt logs the body of a request that fails verification at INFO: keep it out of the logs.
logging.getLogger("slack_bolt").setLevel(logging.WARNING)


def chat_kind(channel: str) -> ChatKind:
    return ChatKind.DIRECT if channel.startswith("D") else ChatKind.GROUP


class SlackTransport:
    """Every listener stores its request in the inbox before Bolt answers Slack (the HTTP 200,
    or the Socket Mode envelope ack): `process_before_response` makes Bolt wait for the
    listener. Slash commands, buttons and modal submissions carry a trigger id that Slack never
    reuses, so a captured request posted again is recognised as the same one and ignored."""

    def __init__(self, settings: Settings, intake: Intake) -> None:
        assert settings.slack_bot_token is not None
        self.settings = settings
        self.intake = intake
        self._team: str | None = None  # this token's workspace, asked once (auth.test)
        client = AsyncWebClient(
            token=settings.slack_bot_token.get_secret_value(),
            base_url=settings.slack_api_url or AsyncWebClient.BASE_URL,
        )
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=5))
        secret = settings.slack_signing_secret
        self.app = AsyncApp(
            client=client,
            signing_secret=secret.get_secret_value() if secret else None,
            process_before_response=True,
            request_verification_enabled=settings.slack_app_token is None,
        )
        self.client = client
        self._socket: Any = None
        self._register()
        intake.worker.add_transport(PLATFORM, self.deliver, self.send_direct)

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.client.auth_test()  # fail fast on a bad token or an unreachable API
        if self.settings.slack_app_token is not None:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(
                self.app, self.settings.slack_app_token.get_secret_value()
            )
            await self._socket.connect_async()

    async def pause(self) -> None:
        """Take no more events (Socket Mode); replies can still be sent."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None

    async def stop(self) -> None:
        await self.pause()

    async def handle_http(self, request: web.Request) -> web.Response:
        """The events endpoint: Bolt verifies the signature (401 if bad, stale or missing)."""
        response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    # -- listeners ------------------------------------------------------------------------------
    def _register(self) -> None:
        self.app.command("/secbot")(self._on_command)
        self.app.event("message")(self._on_message)
        self.app.event("app_mention")(self._on_mention)
        for gone in ("channel_left", "group_left", "channel_archive", "group_archive"):
            self.app.event(gone)(self._on_gone)
        self.app.action(re.compile(r"^secbot:"))(self._on_action)
        self.app.view(re.compile(f"^{MODAL_CALLBACK}:"))(self._on_view)

    async def _on_command(self, ack: Any, body: dict[str, Any]) -> None:
        team, user = body["team_id"], body["user_id"]
        inbound = self._inbound(team, user, body["channel_id"], body.get("text", ""))
        trigger = body.get("trigger_id") or f"{time.time_ns()}"
        await self._store(f"slack:{team}:cmd:{trigger}", inbound, user, trigger_id=trigger)
        await ack()

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        team = body.get("team_id", "")
        key = f"slack:{team}:event:{body.get('event_id') or event.get('ts')}"
        inbound = self._inbound(team, event["user"], event["channel"], event.get("text", ""))
        await self._store(key, inbound, event["user"])

    async def _on_gone(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """The bot was removed from a channel, or the channel was archived: stop alerting it."""
        channel = event.get("channel")
        if isinstance(channel, dict):
            channel = channel.get("id")
        if channel:
            team = body.get("team_id", "")
            await self.intake.bot_removed(PLATFORM, team, str(channel), f"slack: {event['type']}")

    async def _on_mention(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        text = _MENTION.sub("", event.get("text", ""))
        team = body.get("team_id", "")
        key = f"slack:{team}:event:{body.get('event_id') or event.get('ts')}"
        inbound = self._inbound(team, event["user"], event["channel"], text)
        thread = event.get("thread_ts") or event.get("ts")
        await self._store(key, inbound, event["user"], thread_ts=thread)

    async def _on_action(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get(
            "channel_id", ""
        )
        user = body["user"]["id"]
        team = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
        inbound = self._inbound(team, user, channel, "", payload=str(action.get("value", "")))
        message_ts = (body.get("message") or {}).get("ts") or body.get("container", {}).get(
            "message_ts"
        )
        trigger = body.get("trigger_id") or f"{action.get('action_ts')}"
        key = f"slack:{team}:action:{trigger}:{action.get('action_id', '')}"
        await self._store(key, inbound, user, trigger_id=trigger, edit_ts=message_ts)
        await ack()

    async def _on_view(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Field errors must ride on the acknowledgement, so a submitted form is handled at
        once; its confirmation goes out through the inbox like any reply."""
        name = view["callback_id"].split(":", 1)[1]
        channel = view.get("private_metadata") or body["user"]["id"]
        user = body["user"]["id"]
        team = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
        values = form_values(view)
        digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]
        key = f"slack:{team}:view:{view.get('id')}:{view.get('hash')}:{digest}"
        inbound = Inbound(
            platform=PLATFORM,
            workspace=team,
            user_id=user,
            chat_id=channel,
            chat_kind=chat_kind(channel),
            text=f"/{name}",
            form_values=values,
            supports_forms=True,
            message_key=key,
        )
        target = channel if chat_kind(channel) is ChatKind.DIRECT else user
        replies = await self.intake.handle_now(
            Arrival(key, inbound, {"user": user, "post_to": target})
        )
        errors = {k: v for r in replies or [] for k, v in r.field_errors.items()}
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()

    # -- translation ----------------------------------------------------------------------------
    async def _store(
        self,
        key: str,
        inbound: Inbound,
        user: str,
        *,
        trigger_id: str | None = None,
        edit_ts: str | None = None,
        thread_ts: str | None = None,
    ) -> None:
        context = {
            "user": user,
            "trigger_id": trigger_id,
            "edit_ts": edit_ts,
            "thread_ts": thread_ts,
        }
        keyed = dataclasses.replace(inbound, message_key=key)
        await self.intake.accept([Arrival(key, keyed, context)])

    def _inbound(
        self,
        team: str,
        user: str,
        channel: str,
        text: str,
        *,
        payload: str | None = None,
    ) -> Inbound:
        return Inbound(
            platform=PLATFORM,
            workspace=team,
            user_id=user,
            chat_id=channel,
            chat_kind=chat_kind(channel),
            text=text,
            payload=payload,
            supports_forms=True,
        )

    async def deliver(self, entry: Entry, replies: list[Reply]) -> None:
        """Send one entry's replies; a form to open becomes a modal while the trigger is fresh,
        or a button that opens it."""
        context = entry.context
        user = str(context.get("user") or entry.inbound.user_id)
        if "post_to" in context:  # a submitted modal: the confirmation goes to the DM or user
            await self._post(replies, str(context["post_to"]), user)
            return
        trigger_id = context.get("trigger_id")
        rest = []
        for reply in replies:
            form = reply.extras.get("open_form")
            if (
                form in FORMS
                and trigger_id
                and await self._open_modal(str(trigger_id), form, entry.inbound.chat_id)
            ):
                continue
            if form in FORMS:
                # No (fresh) trigger_id, so a modal cannot open: offer a button, whose press does.
                button = Button(f"Open the {form} form", f"/{form}")
                rest.append(Reply(f"Tap to open the {form} form.", buttons=((button,),)))
            else:
                rest.append(reply)
        await self._post(
            rest,
            entry.inbound.chat_id,
            user,
            edit_ts=context.get("edit_ts"),
            thread_ts=context.get("thread_ts"),
        )

    async def send_direct(self, workspace: str, user_id: str, text: str) -> None:
        """A direct notice: posting to a user id lands in the app's DM with them. Raises
        SlackApiError if Slack refused, so the worker tries again. A member of another
        workspace is refused: this token's user ids are not theirs (an id may even collide)."""
        if workspace:
            if self._team is None:
                self._team = str((await self.client.auth_test()).get("team_id") or "")
            if self._team and workspace != self._team:
                raise LookupError(f"member of Slack workspace {workspace}, not {self._team}")
        await self.client.chat_postMessage(channel=user_id, text=escape(text))

    async def _open_modal(self, trigger_id: str, form: str, channel: str) -> bool:
        try:
            await self.client.views_open(trigger_id=trigger_id, view=modal(FORMS[form], channel))
            return True
        except SlackApiError as error:  # the trigger expired (3 s), e.g. after a restart
            log.info("modal not opened: %s", error.response.get("error"))
            return False

    async def _post(
        self,
        replies: list[Reply],
        channel: str,
        user: str,
        *,
        edit_ts: str | None = None,
        thread_ts: str | None = None,
    ) -> None:
        """DMs get messages; in channels, replies go to the asker alone (ephemeral), except
        answers to an @-mention, which the group rule already limited to what the room may see.
        Files follow their text; Slack has no ephemeral files, so in a channel they are shared
        into it (in the thread, if any): the group rule computed them for the whole room."""
        direct = chat_kind(channel) is ChatKind.DIRECT
        for reply in replies:
            text, kit = escape(reply.text), blocks(reply)
            try:
                if edit_ts and reply.form is not None and direct:
                    await self.client.chat_update(
                        channel=channel, ts=edit_ts, text=text, blocks=kit
                    )
                elif direct or thread_ts:
                    await self.client.chat_postMessage(
                        channel=channel, text=text, blocks=kit, thread_ts=thread_ts
                    )
                else:
                    await self.client.chat_postEphemeral(
                        channel=channel, user=user, text=text, blocks=kit
                    )
            except SlackApiError as error:
                log.warning("slack reply failed: %s", error.response.get("error"))
            if reply.attachments:
                try:
                    await slack_upload(self.client, channel, reply.attachments, thread_ts=thread_ts)
                except (SlackApiError, SlackRequestError) as error:
                    log.warning("slack file upload failed: %s", error)
            edit_ts = None
