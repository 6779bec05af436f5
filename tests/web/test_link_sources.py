"""Where sign-in links come from: the `web` verb in a direct message, and `secbot web link`."""

from __future__ import annotations

import re

import pytest

from secbot.engine.verbs.web_link import NO_CONSOLE
from tests.support.cli import cli, cli_fails
from tests.support.web import LiveConsole
from tests.support.world import World

LINK = re.compile(r"https://console\.example\.org/web/signin\?token=(\S+)")


def test_the_web_verb_sends_a_link_in_a_dm_only(people: World, console: LiveConsole) -> None:
    assert people.engine is not None
    focal = people.chat("focal")
    assert NO_CONSOLE in focal.say("web")
    people.engine.web_url = "https://console.example.org/"
    found = LINK.search(focal.say("web"))
    assert found is not None
    signed = console.client().post("/web/signin", data={"token": found.group(1)})
    assert signed.status_code == 303
    people.register_group("room", "BRB")
    in_group = focal.in_group("room").say("/web")
    assert "direct message" in in_group and "token=" not in in_group
    assert "token=" not in people.chat("nobody").say("web")


def test_cli_prints_the_link_alone_on_the_last_line(
    env: dict[str, str], people: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "SECBOT_WEB_URL" in cli_fails("web", "link", "--as", "focal")
    monkeypatch.setenv("SECBOT_WEB_URL", "https://console.example.org")
    last = cli("web", "link", "--as", "focal").splitlines()[-1]
    assert LINK.fullmatch(last), last
    assert "not a member" in cli_fails("web", "link", "--as", "nobody")
