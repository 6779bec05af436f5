"""ask, and free text in a direct message: a grounded answer with citations."""

from __future__ import annotations

from secbot.domain.errors import InvalidInput
from secbot.engine.context import Context
from secbot.engine.messages import Reply

UNAVAILABLE = (
    "The answer index is not available right now. Meanwhile `objectives`, `threats` and "
    "`contacts` work as usual."
)


def ask(ctx: Context, args: str) -> list[Reply]:
    question = args.strip()
    if len(question) < 3:
        raise InvalidInput("Ask a question after the verb, e.g. ask who are the non-state actors?")
    if ctx.asker is None:
        return [Reply(UNAVAILABLE)]
    answer = ctx.asker.ask(ctx.session, ctx.principal, question)
    private = any(c.source == "report" for c in answer.citations)
    return [Reply(answer.text, private=private and not ctx.in_group)]
