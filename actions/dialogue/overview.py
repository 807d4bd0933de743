"""Actions that describe the tutor and its course rather than answer a question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import TutorAction

if TYPE_CHECKING:
    from ..answers.reply import Reply
    from ..answers.tutor import Tutor


class ActionListTopics(TutorAction):
    """The topics of the documents currently indexed."""

    def name(self) -> str:
        return "action_list_topics"

    def reply(self, tutor: Tutor, text: str) -> Reply:
        return tutor.list_topics()


class ActionCapabilities(TutorAction):
    """What the learner can ask the tutor."""

    def name(self) -> str:
        return "action_capabilities"

    def reply(self, tutor: Tutor, text: str) -> Reply:
        return tutor.capabilities()
