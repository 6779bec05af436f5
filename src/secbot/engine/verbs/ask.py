"""ask, and free text in a direct message: a grounded answer with citations."""

from __future__ import annotations

from secbot.domain.errors import InvalidInput
from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.engine.verbs import registers
from secbot.knowledge.ask import listing
from secbot.knowledge.loading import UNAVAILABLE


def ask(ctx: Context, args: str) -> list[Reply]:
    question = args.strip()
    if question.isdigit() and len(question) <= 2:
        # A button number typed when no buttons are open (an old session, a stray key).
        raise InvalidInput(
            f"“{question}” answers nothing: no question or buttons are open right now. "
            "Send `help` to see what you can do."
        )
    if len(question) < 3:
        raise InvalidInput("Ask a question after the verb, e.g. ask who are the non-state actors?")
    listed = listing(question)
    if listed is not None:
        return _as_listing(ctx, *listed)
    if ctx.asker is None:
        return [Reply(UNAVAILABLE)]
    answer = ctx.asker.ask(ctx.session, ctx.principal, question)
    text = answer.text
    if ctx.in_group and not answer.found:
        # Said whether or not private material exists, so the room learns nothing from it.
        text = (
            "I found nothing here that everyone in this chat may see. Ask me in a direct "
            "message: there I can also use what your state holds or was shared with it."
        )
    return [Reply(text)]


LISTS = {
    "threats": registers.threats,
    "objectives": registers.objectives,
    "contacts": registers.contacts,
}


def _as_listing(ctx: Context, verb: str, topic: str) -> list[Reply]:
    """A question that asks for a list is answered by the verb that lists, and says so."""
    command = f"{verb} {topic}".strip()
    intro = Reply(f"That's a list, so here it is from `{command}` (you can send that directly):")
    return [intro, *LISTS[verb](ctx, topic)]
