"""One real engine over a copy of knowledge/, built once per test session and shared by the
answer-engine test modules (building the index embeds every passage: seconds, not milliseconds)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from actions.answers.context import Context
from actions.answers.reply import Reply
from actions.answers.tutor import Tutor
from actions.knowledge.base import KnowledgeBase

from .helpers import copy_seeds


@lru_cache(maxsize=1)
def shared_tutor() -> Tutor:
    """A :class:`Tutor` on the real seed documents (do not add documents to it)."""
    base = Path(tempfile.mkdtemp(prefix="tutor-engine-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    kb = KnowledgeBase(copy_seeds(base / "knowledge"), base / "index")
    kb.rebuild()
    return Tutor(kb)


def converse(tutor: Tutor, *messages: str, context: Context | None = None) -> list[Reply]:
    """Say ``messages`` in turn, carrying the context as the Rasa layer does (through slots)."""
    context = context or Context()
    replies = []
    for message in messages:
        reply = tutor.respond(message, context)
        replies.append(reply)
        context = Context.from_slots((reply.context or context).to_slots())
    return replies
