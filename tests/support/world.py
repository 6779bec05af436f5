"""A small world to talk to: members join with real invites, and every exchange is transcribed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from secbot.db.session import Database
from secbot.db.types import utcnow
from secbot.domain.enums import ChatKind, Role
from secbot.domain.places import GazetteerPlace
from secbot.engine.engine import Engine
from secbot.engine.messages import Button, Inbound, Reply
from secbot.identity.channels import add_channel
from secbot.identity.invites import create_invite
from secbot.knowledge.files import KnowledgeBundle, load_knowledge
from secbot.knowledge.places import load_places
from secbot.registers.places import apply_places
from secbot.registers.sync import apply_bundle
from tests.support.paths import KNOWLEDGE


@lru_cache(maxsize=1)
def bundle() -> KnowledgeBundle:
    return load_knowledge(KNOWLEDGE)


@lru_cache(maxsize=1)
def places() -> tuple[GazetteerPlace, ...]:
    return load_places(KNOWLEDGE, {s.code for s in bundle().states})


@dataclass
class World:
    db: Database
    transcript: list[str] = field(default_factory=list)
    counter: int = 0
    engine: Engine | None = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.engine is None:
            self.engine = Engine(self.db)
            with self.db.transaction() as session:
                apply_bundle(session, bundle())
                apply_places(session, places())

    def invite(self, role: Role, state: str | None = None, hours: int = 24) -> str:
        with self.db.transaction() as session:
            return create_invite(
                session,
                role=role,
                state_code=state,
                created_by="test",
                ttl=timedelta(hours=hours),
                now=utcnow(),
            )

    def chat(self, name: str, platform: str = "console", group: str | None = None) -> Chat:
        return Chat(self, name, platform, group)

    def member(self, name: str, role: Role, state: str | None = None) -> Chat:
        chat = self.chat(name)
        reply = chat.say(f"join {self.invite(role, state)}")
        assert "Welcome" in reply, reply
        return chat

    def register_group(self, chat_id: str, audience: str, platform: str = "console") -> None:
        with self.db.transaction() as session:
            add_channel(session, platform=platform, chat_id=chat_id, audience=audience, by="test")

    def dump(self) -> str:
        return "\n".join(self.transcript)


@dataclass
class Chat:
    world: World
    name: str
    platform: str
    group: str | None
    last: list[Reply] = field(default_factory=list)

    def in_group(self, chat_id: str) -> Chat:
        return Chat(self.world, self.name, self.platform, chat_id)

    def send(self, text: str, payload: str | None = None, key: str | None = None) -> list[Reply]:
        self.world.counter += 1
        inbound = Inbound(
            platform=self.platform,
            workspace="",
            user_id=self.name,
            chat_id=self.group or self.name,
            chat_kind=ChatKind.GROUP if self.group else ChatKind.DIRECT,
            text=text,
            payload=payload,
            display_name=self.name,
            message_key=key,
            addressed=not self.group or text.startswith(("/", "@")) or payload is not None,
        )
        assert self.world.engine is not None
        self.last = self.world.engine.handle(inbound)
        where = f"@{self.group}" if self.group else ""
        shown = text if payload is None else f"[{payload}]"
        self.world.transcript.append(f"{self.name}{where}> {shown}")
        for reply in self.last:
            self.world.transcript.append("  " + reply.text.replace("\n", "\n  "))
        return self.last

    def say(self, text: str, key: str | None = None) -> str:
        return "\n".join(r.text for r in self.send(text, key=key))

    def buttons(self) -> list[Button]:
        return [b for r in self.last for row in r.buttons for b in row]

    def press(self, label: str) -> str:
        for button in self.buttons():
            if button.label == label:
                return "\n".join(r.text for r in self.send("", payload=button.payload))
        raise AssertionError(f"no button {label!r} in {[b.label for b in self.buttons()]}")
