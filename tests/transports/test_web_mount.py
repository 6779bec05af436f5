"""`secbot serve` with SECBOT_WEB_URL serves the console on its one HTTP server, next to
/healthz, and the `web` verb's link signs in there."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from secbot.domain.enums import Role
from tests.transports.conftest import Running


def test_serve_mounts_the_console_and_the_verbs_link_signs_in(
    start_bot: Callable[..., Running],
) -> None:
    running = start_bot(web_url="https://console.example.org")
    base = f"http://127.0.0.1:{running.port}"
    running.world.member("focal", Role.FOCAL_POINT, "BRB")
    said = running.world.chat("focal").say("web")
    found = re.search(r"https://console\.example\.org/web/signin\?token=(\S+)", said)
    assert found is not None, said
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.get("/healthz").status_code == 200
        signed = client.post("/web/signin", data={"token": found.group(1)})
        assert signed.status_code == 303
        assert "Secure" in signed.headers["set-cookie"]  # the public URL is https
        token = signed.cookies["secbot_web"]
        page = client.get("/web/reports", headers={"Cookie": f"secbot_web={token}"})
        assert page.status_code == 200 and "reports you may see" in page.text
