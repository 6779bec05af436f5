"""Which role may do which action: one table, one `require`.

Visibility (which submission a principal may *see*) is scope.py's job; this table only says
which *kinds* of action a role may take at all. Finer rules that depend on the thing acted on
(a report's owner, a room's audience) stay with that thing, after `require` has passed.
"""

from __future__ import annotations

from enum import StrEnum

from secbot.access.principal import Principal
from secbot.domain.enums import Role
from secbot.domain.errors import NotPermitted


class Action(StrEnum):
    READ = "read"
    """Ask, read registers, contacts and the reports the scope allows; list own alerts."""
    READ_OWN_STATE = "read_own_state"
    """List one's own state's reports (`mine`): members who belong to a state."""
    FILE_REPORT = "file_report"
    CHANGE_REPORT = "change_report"
    """Correct, share and unshare one's own state's submissions."""
    ADD_STATE_THREAT = "add_state_threat"
    SEND_ALERT = "send_alert"
    SEE_ALERT_STATUS = "see_alert_status"
    ACKNOWLEDGE = "acknowledge"
    REGISTER_CHANNEL = "register_channel"
    READ_BRIEF = "read_brief"
    """Trend briefs over what the reader may see: state members and the secretariat, not the
    secretariat admin (who administers identities, not data: decision 0004)."""
    COORDINATE = "coordinate"
    """Write to the co-ordination log of a report the principal may see: focal points, state
    admins, the secretariat and partners (delegates read it)."""
    SUBSCRIBE_BRIEF = "subscribe_brief"
    """Start or stop a room's scheduled brief: room admins (state admins for their own
    state's rooms, secretariat admins) and the secretariat."""
    EXPORT_STATE = "export_state"
    """Take out everything one's own party submitted (`export`): a state's focal points and
    state admins, a partner's members (decision 0027)."""
    MANAGE_MEMBERS = "manage_members"
    """Invite and revoke members: a state admin for its own state, the secretariat admin all."""
    READ_AUDIT = "read_audit"
    """The audit log: a state admin its own state's rows, the secretariat admin all of it."""
    MANAGE_KNOWLEDGE = "manage_knowledge"
    """Upload and remove regional knowledge documents (the console's Knowledge page): the
    secretariat admin, as `secbot ingest` is the operator's."""


_MEMBER = frozenset({Action.READ, Action.ACKNOWLEDGE})
_STATE_MEMBER = _MEMBER | {Action.READ_OWN_STATE, Action.READ_BRIEF}
_SUBMITTER = _STATE_MEMBER | {
    Action.FILE_REPORT,
    Action.CHANGE_REPORT,
    Action.ADD_STATE_THREAT,
    Action.EXPORT_STATE,
    Action.COORDINATE,
}
_SECRETARIAT = _MEMBER | {Action.SEND_ALERT, Action.SEE_ALERT_STATUS}
_PARTNER = _MEMBER | {
    Action.READ_OWN_STATE,
    Action.FILE_REPORT,
    Action.CHANGE_REPORT,
    Action.COORDINATE,
    Action.EXPORT_STATE,
}
"""A partner files observations it owns (own TLP, own sharing), takes part in logs and exports
its own observations."""

TABLE: dict[Role, frozenset[Action]] = {
    Role.DELEGATE: _STATE_MEMBER,
    Role.FOCAL_POINT: _SUBMITTER,
    Role.STATE_ADMIN: _SUBMITTER
    | {Action.REGISTER_CHANNEL, Action.SUBSCRIBE_BRIEF, Action.MANAGE_MEMBERS, Action.READ_AUDIT},
    Role.SECRETARIAT: _SECRETARIAT | {Action.READ_BRIEF, Action.SUBSCRIBE_BRIEF, Action.COORDINATE},
    Role.SECRETARIAT_ADMIN: _SECRETARIAT
    | {
        Action.REGISTER_CHANNEL,
        Action.SUBSCRIBE_BRIEF,
        Action.MANAGE_MEMBERS,
        Action.READ_AUDIT,
        Action.MANAGE_KNOWLEDGE,
    },
    Role.PARTNER: _PARTNER,
    Role.PARTNER_ADMIN: _PARTNER,
}

REFUSAL: dict[Action, str] = {
    Action.READ: "Only members can do that. Send `help` to see how to join.",
    Action.READ_OWN_STATE: "`mine` lists your own party's reports; the secretariat files none.",
    Action.FILE_REPORT: "Only focal points, state admins or partners can file reports.",
    Action.CHANGE_REPORT: "Only focal points or state admins can share or correct reports.",
    Action.ADD_STATE_THREAT: "Only focal points or state admins can add register entries.",
    Action.SEND_ALERT: "Only the secretariat can send alerts.",
    Action.SEE_ALERT_STATUS: "Only the secretariat can see delivery status.",
    Action.ACKNOWLEDGE: "Only members can acknowledge alerts.",
    Action.REGISTER_CHANNEL: "Only secretariat admins or state admins can register channels.",
    Action.READ_BRIEF: "Trend briefs are for members of a state and the secretariat.",
    Action.SUBSCRIBE_BRIEF: "Only room admins and the secretariat can schedule briefs.",
    Action.EXPORT_STATE: "Only a state's focal points and state admins, or a partner's members, "
    "can export its data.",
    Action.MANAGE_MEMBERS: "Only state admins and secretariat admins manage members.",
    Action.READ_AUDIT: "Only state admins and secretariat admins read the audit log.",
    Action.COORDINATE: "Only focal points, state admins, the secretariat or partners can add to "
    "a co-ordination log.",
    Action.MANAGE_KNOWLEDGE: "Only secretariat admins manage the knowledge documents.",
}


def allowed(principal: Principal, action: Action) -> bool:
    """Deny by default: strangers and unknown roles may do nothing."""
    return principal.role is not None and action in TABLE.get(principal.role, frozenset())


def role_may(role: Role | None, action: Action) -> bool:
    return role is not None and action in TABLE.get(role, frozenset())


def require(principal: Principal, action: Action) -> None:
    if not allowed(principal, action):
        raise NotPermitted(REFUSAL[action])
