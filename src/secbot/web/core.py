"""What every console page shares: the app's settings, one transaction per request resolved to a
signed-in member, the CSRF check, security headers, and errors turned into polite pages."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.orm import Session

from secbot.access.permissions import Action, allowed
from secbot.access.principal import SECRETARIAT
from secbot.db.session import Database
from secbot.domain.clock import Clock, utcnow
from secbot.domain.errors import InvalidInput, NotFound, NotPermitted, SecbotError
from secbot.identity.web_access import Visitor, visitor

COOKIE = "secbot_web"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
T = TypeVar("T")


@dataclass(frozen=True)
class Console:
    db: Database
    base_url: str
    clock: Clock = utcnow
    cap_sender: str = "secbot@secretariat.invalid"
    cap_sender_name: str = "Regional security secretariat"
    uploads: Path | None = None
    """Where uploaded knowledge documents are kept (the data dir's `uploads/`)."""
    reindex: Callable[[], object] | None = None
    """Brings this process's retrieval index (Chroma and BM25) in step with SQL after an
    upload or removal; None: the index catches up at the next start."""

    @property
    def secure(self) -> bool:
        """Secure cookies when the public address is https (a plain-http test server has none)."""
        return self.base_url.lower().startswith("https://")


CONSOLE = web.AppKey("console", Console)


class SignInFirst(Exception):
    """No session, or one that ended: the page explains how to get a link."""


class BadCsrf(Exception):
    """A POST without this session's CSRF token: refused before anything runs."""


def me(v: Visitor) -> dict[str, Any]:
    """The signed-in member as templates see it, with the navigation they may use."""
    p = v.principal
    return {
        "name": v.name,
        "role": p.role.value.replace("_", " ") if p.role else "",
        "party": "Secretariat" if p.party == SECRETARIAT else p.party,
        "csrf": v.csrf,
        "may": {a.value for a in Action if allowed(p, a)},
    }


async def work(
    request: web.Request,
    fn: Callable[[Session, Visitor], T],
    *,
    write: bool = False,
    csrf: str | None = None,
) -> tuple[T, dict[str, Any]]:
    """Run `fn` for the signed-in member in one transaction, off the event loop. A POST must
    carry the session's CSRF token (form field `csrf` or header X-CSRF-Token; `csrf`: the
    token a handler already read from a multipart body)."""
    console = request.app[CONSOLE]
    token = request.cookies.get(COOKIE)
    given = csrf if csrf is not None else request.headers.get("X-CSRF-Token", "")
    if request.method == "POST" and not given and csrf is None:
        given = str((await request.post()).get("csrf", ""))

    def run() -> tuple[T, dict[str, Any]]:
        with console.db.transaction() as session:
            found = visitor(session, token, console.clock())
            if found is None:
                raise SignInFirst
            posted = request.method == "POST" or write
            if posted and not hmac.compare_digest(given.encode(), found.csrf.encode()):
                raise BadCsrf
            return fn(session, found), me(found)

    return await asyncio.to_thread(run)


def page(
    request: web.Request,
    template: str,
    who: dict[str, Any] | None,
    status: int = 200,
    **values: Any,
) -> web.Response:
    return aiohttp_jinja2.render_template(template, request, {"me": who, **values}, status=status)


def refusal(request: web.Request, status: int, title: str, message: str) -> web.Response:
    return page(request, "message.html", None, status=status, title=title, message=message)


@web.middleware
async def guard(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Security headers on every answer, errors included; refusals as pages, never tracebacks."""
    try:
        response = await handler(request)
    except SignInFirst:
        response = refusal(
            request,
            401,
            "Sign in",
            "Please sign in. Send `web` to the bot in a direct message for a one-time link.",
        )
    except BadCsrf:
        response = refusal(
            request,
            403,
            "Form refused",
            "This form had no valid security token (it may be old). Reload the page and try again.",
        )
    except NotFound as error:
        response = refusal(request, 404, "Not found", error.message)
    except NotPermitted as error:
        response = refusal(request, 403, "Not allowed", error.message)
    except InvalidInput as error:
        response = refusal(request, 400, "Please check", error.message)
    except SecbotError as error:
        response = refusal(request, 400, "Please check", error.message)
    except web.HTTPException as error:
        response = error
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"  # the sign-in URL's token never leaves the site
    headers.setdefault("Cache-Control", "no-store")
    return response


def see_other(location: str) -> web.Response:
    """303 after a POST, so a reload never repeats it."""
    return web.Response(status=303, headers={"Location": location})
