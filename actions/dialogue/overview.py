"""Actions that describe the tutor and its course rather than answer a question."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import Turn, TutorAction

if TYPE_CHECKING:
    from ..answers.reply import Reply
    from ..answers.tutor import Tutor


_TOPIC_CUES = re.compile(
    r"\b(topics?|subjects?|units?|cover\w*|syllabus|course|learn\w*|study|revise|list|areas?)\b",
    re.I)
_CAPABILITY_CUES = re.compile(
    r"\b(you|help|able|features?|use|ask|do|for|commands?|options?|menu)\b", re.I)


def _says_something_else(text: str, cues: re.Pattern[str]) -> bool:
    """NLU's guess of an overview request, for a message with none of its words (a button's
    ``/intent`` payload always counts as the request)."""
    return bool(text) and not text.startswith("/") and not cues.search(text)


class ActionListTopics(TutorAction):
    """The topics of the documents currently indexed, numbered so that "the third one" can follow."""

    def name(self) -> str:
        return "action_list_topics"

    def reply(self, tutor: Tutor, turn: Turn) -> Reply:
        if _says_something_else(turn.text, _TOPIC_CUES):  # the words decide, not the guess
            return tutor.respond(turn.text, turn.context)
        return tutor.list_topics(turn.context)


class ActionCapabilities(TutorAction):
    """What the learner can ask the tutor."""

    def name(self) -> str:
        return "action_capabilities"

    def reply(self, tutor: Tutor, turn: Turn) -> Reply:
        if _says_something_else(turn.text, _CAPABILITY_CUES):  # the words decide, not the guess
            return tutor.respond(turn.text, turn.context)
        return tutor.capabilities()
