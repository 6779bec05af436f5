"""Everything a verb handler needs for one inbound message, inside one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cached_property

from sqlalchemy.orm import Session

from secbot.access.principal import Principal
from secbot.access.scope import Scope, scope_for
from secbot.domain.enums import ChatKind, Role
from secbot.domain.errors import NotPermitted
from secbot.engine.messages import Inbound
from secbot.identity import zones
from secbot.identity.accounts import Account
from secbot.knowledge.ask import Answering


@dataclass
class Context:
    session: Session
    inbound: Inbound
    principal: Principal
    now: datetime
    max_chars: int
    asker: Answering | None = None
    web_url: str | None = None
    """The web console's public base URL (SECBOT_WEB_URL), for `web` sign-in links."""

    @property
    def account(self) -> Account:
        i = self.inbound
        return Account(i.platform, i.workspace, i.user_id, i.display_name)

    @property
    def scope(self) -> Scope:
        return scope_for(self.principal)

    @cached_property
    def zone(self) -> tzinfo:
        """The zone the person writing reads times in (the one-line report reads theirs)."""
        return zones.zone_for(self.session, self.principal)

    def forget_zone(self) -> None:
        """After `timezone` changes it, within the same message."""
        self.__dict__.pop("zone", None)

    @property
    def in_group(self) -> bool:
        return self.inbound.chat_kind is ChatKind.GROUP

    @property
    def role(self) -> Role | None:
        return self.principal.role

    def require_direct(self, doing: str) -> None:
        if self.in_group:
            raise NotPermitted(f"To {doing}, send it to me in a direct message, not in a group.")
