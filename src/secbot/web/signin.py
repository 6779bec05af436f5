"""Sign-in through a one-time link, and sign-out.

Opening the link only shows a button: link previews in chat apps fetch URLs, and a GET that spent
the link would sign the preview bot in instead of the member. The POST spends it and sets a brand
new session cookie (HttpOnly, SameSite=Strict, Secure on https), whatever cookie came with it.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy.orm import Session

from secbot.domain.errors import InvalidInput
from secbot.identity import web_access
from secbot.web.core import CONSOLE, COOKIE, page, refusal, see_other, work

routes = web.RouteTableDef()


@routes.get("/signin")
async def signin_form(request: web.Request) -> web.Response:
    token = request.query.get("token", "")
    return page(request, "signin.html", None, title="Sign in", token=token[:100])


def _same_origin(request: web.Request, base_url: str) -> bool:
    """Refuse a sign-in posted from another site (login CSRF); browsers send Origin on POST."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    wanted = urlsplit(base_url)
    ours = {f"{wanted.scheme}://{wanted.netloc}", f"{request.scheme}://{request.host}"}
    return origin in ours


@routes.post("/signin")
async def signin(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    if not _same_origin(request, console.base_url):
        return refusal(request, 403, "Sign-in refused", "Sign in from the console's own page.")
    token = str((await request.post()).get("token", ""))[:100]
    old = request.cookies.get(COOKIE)

    def run() -> web_access.Opened:
        with console.db.transaction() as session:
            now = console.clock()
            web_access.end_session(session, old, now)  # never carry a planted session over
            return web_access.redeem_link(session, token, now)

    try:
        opened = await asyncio.to_thread(run)
    except InvalidInput as error:
        return refusal(request, 400, "Sign-in link refused", error.message)
    response = see_other("/web/")
    response.set_cookie(
        COOKIE,
        opened.token,
        path="/web",
        httponly=True,
        samesite="Strict",
        secure=console.secure,
    )
    return response


@routes.post("/signout")
async def signout(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    token = request.cookies.get(COOKIE)

    def end(session: Session, _visitor: web_access.Visitor) -> None:
        web_access.end_session(session, token, console.clock())

    await work(request, end)
    response = page(
        request, "message.html", None, title="Signed out", message="You are signed out."
    )
    response.del_cookie(COOKIE, path="/web")
    return response
