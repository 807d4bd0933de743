"""Where actions get their :class:`Tutor`: built once, lazily, from the settings; replaceable in tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from ..answers.tutor import Tutor
    from ..quiz.desk import QuizDesk

TutorFactory = Callable[[], "Tutor"]
DeskFactory = Callable[[], "QuizDesk"]
T = TypeVar("T")


def build_tutor() -> Tutor:
    """The production tutor: the knowledge base named by :func:`actions.config.settings`."""
    # Imported here so that importing the actions (and starting the server) stays fast.
    from ..answers.tutor import Tutor
    from ..config import settings
    from ..knowledge.base import KnowledgeBase

    conf = settings()
    return Tutor(KnowledgeBase(conf.knowledge_dir, conf.index_dir), min_score=conf.min_answer_score)


def build_desk() -> QuizDesk:
    """The production quiz desk: the tutor's knowledge base and the configured progress database."""
    from ..config import settings
    from ..quiz.desk import QuizDesk
    from ..quiz.progress import Progress

    return QuizDesk(get_tutor().kb, Progress(settings().progress_url))


class Provider(Generic[T]):
    """Calls its factory once, on first use, and hands the same object to every action after."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._made: T | None = None
        self._lock = threading.Lock()

    def __call__(self) -> T:
        if self._made is None:
            with self._lock:
                if self._made is None:
                    self._made = self._factory()
        return self._made

    def replace(self, factory: Callable[[], T]) -> Callable[[], T]:
        """Use ``factory`` from now on (the object is rebuilt on next use); returns the old one."""
        with self._lock:
            old, self._factory, self._made = self._factory, factory, None
        return old


get_tutor: Provider[Tutor] = Provider(build_tutor)
get_desk: Provider[QuizDesk] = Provider(build_desk)


@contextmanager
def tutor_from(factory: TutorFactory) -> Iterator[None]:
    """Within the block, actions use the tutor ``factory`` makes (for tests)."""
    old = get_tutor.replace(factory)
    try:
        yield
    finally:
        get_tutor.replace(old)


@contextmanager
def desk_from(factory: DeskFactory) -> Iterator[None]:
    """Within the block, actions use the quiz desk ``factory`` makes (for tests)."""
    old = get_desk.replace(factory)
    try:
        yield
    finally:
        get_desk.replace(old)
