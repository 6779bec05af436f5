"""`web`: a one-time sign-in link to the web console, sent only in a direct message."""

from __future__ import annotations

from secbot.access.permissions import Action, require
from secbot.domain.errors import InvalidInput
from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.identity import web_access

NO_CONSOLE = "The web console is not set up here (the operator sets SECBOT_WEB_URL)."


def web(ctx: Context, args: str) -> list[Reply]:
    """The link is a key to the member's account for ten minutes: never shown in a group."""
    require(ctx.principal, Action.READ)
    ctx.require_direct("get a web sign-in link")
    if args.strip():
        raise InvalidInput("`web` takes no arguments.")
    if not ctx.web_url:
        raise InvalidInput(NO_CONSOLE)
    assert ctx.principal.member_id is not None
    token = web_access.create_link(ctx.session, ctx.principal.member_id, ctx.now)
    url = web_access.signin_url(ctx.web_url, token)
    return [
        Reply(
            "Your sign-in link to the web console (works once, for 10 minutes; do not forward "
            f"it):\n{url}"
        )
    ]
