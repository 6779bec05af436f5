"""The retrieval side (index, model, asker) loaded once: in the background, or on first need.

Starting the bot must not wait for the embedding model (seconds of imports) when the first
message is `help`. Verbs that do not retrieve never touch this; a question waits until the
load is done, then is answered with the full hybrid retrieval (docs/decisions/0013). Commits
made while loading are remembered and applied once the index is in, so nothing is missed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from secbot.access.principal import Principal
from secbot.domain.errors import SecbotError
from secbot.knowledge.ask import Asker
from secbot.knowledge.following import IndexFollower
from secbot.knowledge.index import KnowledgeIndex, RepairReport
from secbot.knowledge.passages import Answer, Passage

log = logging.getLogger(__name__)

UNAVAILABLE = (
    "The answer index is not available right now. Meanwhile `objectives`, `threats` and "
    "`contacts` work as usual."
)


class KnowledgeUnavailable(SecbotError):
    """Loading failed (e.g. the Chroma server is down): said in the chat, tried again later."""


@dataclass(frozen=True)
class Loaded:
    index: KnowledgeIndex
    asker: Asker
    follower: IndexFollower
    checked: RepairReport | None = None
    """What the start-up check found: `unchanged`, `repaired` or `rebuilt`, and counts."""


class KnowledgeLoader:
    def __init__(self, load: Callable[[], Loaded]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._loaded: Loaded | None = None
        self._running: threading.Event | None = None
        self._pending: set[int] = set()
        self.error: BaseException | None = None

    @property
    def ready(self) -> bool:
        return self._loaded is not None

    @property
    def started(self) -> bool:
        """Loaded or loading: False means nothing has touched the index or the model yet."""
        return self._loaded is not None or self._running is not None

    def start(self) -> None:
        """Load in a background thread; does nothing when loaded or already loading."""
        running = self._claim()
        if running is not None:
            threading.Thread(
                target=self._run, args=(running,), name="secbot-knowledge", daemon=True
            ).start()

    def wait(self, timeout: float | None = None) -> Loaded:
        """The loaded parts: loads here when nobody started, else waits for the loader."""
        running = self._claim()
        if running is not None:
            self._run(running)
        elif self._running is not None:
            self._running.wait(timeout)
        if self._loaded is None:
            raise KnowledgeUnavailable(UNAVAILABLE) from self.error
        return self._loaded

    def settle(self, timeout: float) -> None:
        """Let a background load finish before the process exits: a daemon thread stopped in
        the middle of importing an extension module can crash the interpreter's shutdown."""
        running = self._running
        if running is not None:
            running.wait(timeout)

    def load_now(self) -> Loaded:
        """Load in this thread and let a failure surface as itself (start-up errors)."""
        try:
            return self.wait()
        except KnowledgeUnavailable:
            if self.error is not None:
                raise self.error from None
            raise

    def _claim(self) -> threading.Event | None:
        with self._lock:
            if self._loaded is not None or self._running is not None:
                return None
            self._running = threading.Event()
            return self._running

    def _run(self, running: threading.Event) -> None:
        try:
            loaded = self._load()
            while True:  # commits made while loading: the start-up check may predate them
                with self._lock:
                    pending, self._pending = self._pending, set()
                    if not pending:
                        self._loaded, self.error = loaded, None
                        break
                loaded.index.on_commit(pending)
        except Exception as error:
            log.exception("the retrieval index could not be loaded; will try again")
            self.error = error
            with self._lock:
                self._running = None  # the next question tries again
        finally:
            running.set()

    def on_commit(self, submission_ids: set[int]) -> None:
        with self._lock:
            if self._loaded is None:
                self._pending |= submission_ids
                return
            loaded = self._loaded
        loaded.index.on_commit(submission_ids)

    def follow(self) -> int:
        """Other processes' changes; nothing to do before the index is in (it starts current)."""
        return self._loaded.follower.follow() if self._loaded is not None else 0


class LazyAsker:
    """What the engine is given before the real Asker exists (it is `Answering`, so the engine
    and its verbs need not know about loading): each call waits for the load."""

    def __init__(self, loader: KnowledgeLoader) -> None:  # the real parts arrive later
        self.loader = loader

    def passages(
        self,
        session: Session,
        principal: Principal,
        question: str,
        kinds: list[str] | None = None,
        k: int | None = None,
    ) -> list[Passage]:
        return self.loader.wait().asker.passages(session, principal, question, kinds, k)

    def ask(self, session: Session, principal: Principal, question: str) -> Answer:
        return self.loader.wait().asker.ask(session, principal, question)

    def closest(self, query: str, candidates: Mapping[str, str], k: int) -> list[str]:
        """Never waits for (or starts) the load: filing must stay instant at start-up, so until
        the model is ready, link suggestions rank by words alone."""
        if not self.loader.ready:
            return []
        return self.loader.wait().asker.closest(query, candidates, k)
