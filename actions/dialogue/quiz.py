"""Quiz and progress actions: thin calls into the quiz desk (see :mod:`actions.quiz.desk`)."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from . import provider
from .base import Turn, TutorAction

if TYPE_CHECKING:
    from ..answers.reply import Reply
    from ..answers.tutor import Tutor

_COMMANDS = {
    "start_quiz": "start",
    "quiz_hint": "hint",
    "quiz_skip": "skip",
    "quiz_repeat": "repeat",
    "quiz_stop": "stop",
}
_QUIZ_REQUEST = re.compile(
    r"\b(quiz|test|questions?|practi[cs]e|drill|mock|exam|revis\w*|start|again|another|new)\b", re.I
)
_COMMAND_CUES = re.compile(
    r"\b(hint|clue|tip|help|stuck|skip|next|pass|move on|repeat|again|question|stop|quit|end|"
    r"cancel|enough|done|finish|exit)\b", re.I)
_PROGRESS_CUES = re.compile(
    r"\b(doing|progress|my scores?|results?|revis\w*|weak\w*|improve|study|focus|work on|"
    r"practi[cs]e|next|how am i|how did i|stats|marks?|right|covered|answered|due|review|so far)\b",
    re.I)
_ANSWER_LEAD = re.compile(r"^\s*(?:my answer is|the answer is|answer:|i think it'?s|it'?s)\s+", re.I)


class _DeskAction(TutorAction, ABC):
    """Quiz actions answer from the learner's whole turn (who, which intent), not the text alone."""

    def reply(self, tutor: Tutor, text: str) -> Reply:
        # Never called: respond() is, with the learner's id. Answering from the text alone would
        # file the result under no learner.
        raise NotImplementedError("quiz actions reply through respond(), which knows the learner")

    @abstractmethod
    def respond(self, turn: Turn) -> Reply:
        """The reply for ``turn``."""


class ActionQuizTurn(_DeskAction):
    """Start a quiz on what the learner asked for, or give a hint, skip, repeat or stop."""

    def name(self) -> str:
        return "action_quiz_turn"

    def respond(self, turn: Turn) -> Reply:
        desk = provider.get_desk()
        command = _COMMANDS.get(turn.intent, "start")
        request = "" if turn.text.startswith("/") else turn.text
        if command == "start" and request and not _QUIZ_REQUEST.search(request) \
                and desk.active(turn.learner):
            # "data protection" mid-quiz reads like "quiz me on data protection": it is an answer
            return desk.answer(turn.learner, request)
        if command != "start" and request and not _COMMAND_CUES.search(request) \
                and not desk.active(turn.learner):
            # NLU heard a quiz command, but there is no quiz and the words ask something else
            return provider.get_tutor().reply(request)
        return desk.command(turn.learner, command, request)


class ActionQuizAnswer(_DeskAction):
    """An answer to the current question: a clicked option, or typed text NLU read as an answer."""

    def name(self) -> str:
        return "action_quiz_answer"

    def respond(self, turn: Turn) -> Reply:
        desk = provider.get_desk()
        answer = turn.entity("answer") or _ANSWER_LEAD.sub("", turn.text)
        if not desk.active(turn.learner):
            return provider.get_tutor().reply(answer)
        return desk.answer(turn.learner, answer)


class ActionProgress(_DeskAction):
    """How the learner is doing, or what to revise next, from their quiz history."""

    def name(self) -> str:
        return "action_progress"

    def respond(self, turn: Turn) -> Reply:
        desk = provider.get_desk()
        if turn.text and not turn.text.startswith("/") and not _PROGRESS_CUES.search(turn.text):
            return provider.get_tutor().reply(turn.text)  # NLU's guess; it says something else
        if turn.intent == "ask_revision":
            return desk.revision(turn.learner)
        return desk.report(turn.learner)
