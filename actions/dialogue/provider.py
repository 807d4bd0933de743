"""Where actions get their :class:`Tutor`: built once, lazily, from the settings; replaceable in tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..answers.tutor import Tutor

TutorFactory = Callable[[], "Tutor"]


def build_tutor() -> Tutor:
    """The production tutor: the knowledge base named by :func:`actions.config.settings`."""
    # Imported here so that importing the actions (and starting the server) stays fast.
    from ..answers.tutor import Tutor
    from ..config import settings
    from ..knowledge.base import KnowledgeBase

    conf = settings()
    return Tutor(KnowledgeBase(conf.knowledge_dir, conf.index_dir), min_score=conf.min_answer_score)


class TutorProvider:
    """Calls its factory once, on first use, and hands the same tutor to every action after that."""

    def __init__(self, factory: TutorFactory = build_tutor) -> None:
        self._factory = factory
        self._tutor: Tutor | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Tutor:
        if self._tutor is None:
            with self._lock:
                if self._tutor is None:
                    self._tutor = self._factory()
        return self._tutor

    def replace(self, factory: TutorFactory) -> TutorFactory:
        """Use ``factory`` from now on (the tutor is rebuilt on next use); returns the old one."""
        with self._lock:
            old, self._factory, self._tutor = self._factory, factory, None
        return old


get_tutor = TutorProvider()


@contextmanager
def tutor_from(factory: TutorFactory) -> Iterator[None]:
    """Within the block, actions use the tutor ``factory`` makes (for tests)."""
    old = get_tutor.replace(factory)
    try:
        yield
    finally:
        get_tutor.replace(old)
