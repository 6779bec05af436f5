"""Who may erase what. `erase ID` is for the owner state's focal points and admins; an unknown
id, another state's id and an id shared with the asker all get the same "no such report" and
change nothing. `secbot admin state erase CODE` erases a whole state's submissions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from secbot.access.permissions import Action, require
from secbot.access.principal import Principal
from secbot.access.reads import get_visible
from secbot.access.scope import scope_for
from secbot.db.models import State, Submission
from secbot.domain.errors import InvalidInput, NotFound, no_such_report
from secbot.rights.erasure import Actor, Erased, erase


def erasable(session: Session, principal: Principal, public_id: str) -> Submission:
    """The principal's own party's submission, or the same NotFound as for a missing one."""
    require(principal, Action.CHANGE_REPORT)
    try:
        submission = get_visible(session, scope_for(principal), public_id)
    except NotFound:
        raise no_such_report(public_id) from None
    owner = principal.owner_party  # a state, or a partner for the observations it filed
    if owner is None or submission.owner_state != owner:
        raise no_such_report(public_id)
    return submission


def erase_one(session: Session, principal: Principal, public_id: str) -> Erased:
    submission = erasable(session, principal, public_id)
    actor = Actor(principal.label, principal.party, principal)
    return erase(session, [submission], actor, "owner")[0]


def state_submissions(session: Session, code: str) -> list[Submission]:
    """Every submission of a registered state; an unknown code is refused."""
    state = session.get(State, code.strip().upper())
    if state is None:
        raise InvalidInput(
            f"No state {code.strip().upper()[:8]!r} is registered. `secbot admin state list` "
            "shows the codes."
        )
    return list(
        session.scalars(
            select(Submission)
            .where(Submission.owner_state == state.code)
            .options(selectinload(Submission.incident), selectinload(Submission.threat))
            .order_by(Submission.id)
        )
    )


def erase_state(session: Session, code: str, by: str) -> list[Erased]:
    return erase(session, state_submissions(session, code), Actor(by, None), "state")
