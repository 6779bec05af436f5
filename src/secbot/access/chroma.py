"""Compiles a Scope into a Chroma `where` filter over chunk metadata.

Chunks of a submission carry `owner`, `tlp` and `readers` (the active share grantees, or the
placeholder NO_READERS, since Chroma refuses empty lists). Regional chunks carry `owner` REGIONAL.
"""

from __future__ import annotations

from typing import Any

from secbot.access.principal import grant_tokens
from secbot.access.scope import Scope, sorted_parties
from secbot.domain.enums import TLP

REGIONAL = "*regional"
NO_READERS = "*none"

Where = dict[str, Any]


def _any(clauses: list[Where]) -> Where:
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def _all(clauses: list[Where]) -> Where:
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def submission_where(scope: Scope) -> Where | None:
    """The filter for submission chunks; None means the principal may see none of them."""
    if scope.sees_nothing:
        return None
    clauses: list[Where] = [{"tlp": {"$in": sorted(t.value for t in scope.tlps)}}]
    for party in sorted_parties(scope.required):
        shared = _any([{"readers": {"$contains": token}} for token in sorted(grant_tokens(party))])
        clauses.append(_any([{"owner": party}, _all([{"tlp": {"$ne": TLP.RED.value}}, shared])]))
    return _all(clauses)


def retrieval_where(scope: Scope) -> Where:
    """Regional knowledge for everyone, plus the submissions the scope permits."""
    regional: Where = {"owner": REGIONAL}
    submissions = submission_where(scope)
    return regional if submissions is None else _any([regional, submissions])


def readers_metadata(grantees: frozenset[str]) -> list[str]:
    return sorted(grantees) or [NO_READERS]


def evaluate(where: Where, metadata: dict[str, Any]) -> bool:
    """Evaluate a filter built above against one chunk's metadata, exactly as Chroma would.

    The lexical (BM25) side has no query language of its own, so it applies the very same filter
    object through this function: one rule, one filter, two engines.
    """
    if "$and" in where:
        return all(evaluate(w, metadata) for w in where["$and"])
    if "$or" in where:
        return any(evaluate(w, metadata) for w in where["$or"])
    ((key, condition),) = where.items()
    value = metadata.get(key)
    if not isinstance(condition, dict):
        return bool(value == condition)
    ((op, operand),) = condition.items()
    if op == "$eq":
        return bool(value == operand)
    if op == "$ne":
        return bool(value != operand)
    if op == "$in":
        return value in operand
    if op == "$nin":
        return value not in operand
    if op == "$contains":
        return isinstance(value, list) and operand in value
    if op == "$not_contains":
        return isinstance(value, list) and operand not in value
    raise ValueError(f"unsupported filter operator {op}")
