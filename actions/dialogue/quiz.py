"""Quiz and progress actions: thin calls into the quiz desk (see :mod:`actions.quiz.desk`).

While a quiz runs, Rasa's ``quiz_form`` is the active loop, so every message goes to the quiz
first, whatever intent NLU gives it ("Thank" is not thanks, "LATER" is not goodbye, "no" does not
end it). The form's one slot, ``quiz_answer``, takes the message's text; ``validate_quiz_form``
hands it to the quiz and empties the slot again, so the form keeps asking until the quiz ends.
The ``quiz_asked`` slot keeps a token for the question each reply shows (``QuizDesk.asked``) and
hands it back with the next message: a turn retried after its first try was recorded (Rasa died
before saving the conversation, say) gets the first verdict instead of answering the next question.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from . import provider
from .base import FALLBACK_TEXT, QUIZ_SLOT, Turn, TutorAction, context_events, log_turn
from .learner_data import FORGET_ASKED_SLOT, answer_in_quiz, asked_events
from .quiz_turn import _then_resume, take
from .render import message_of

if TYPE_CHECKING:
    from ..answers.reply import Reply
    from ..answers.tutor import Tutor

log = logging.getLogger(__name__)
ASKED_SLOT = "quiz_asked"

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
# Progress is the learner's own ("how am I doing?"), asked briefly ("results please"), or named
# ("what's due for review?"); "once the survey results are in, ..." is none of these.
_FIRST_PERSON = re.compile(r"\b(i|i'?m|me|my|mine|myself)\b", re.I)
_NAMED_PROGRESS = re.compile(r"\b(progress|due|revis\w*|review|stats|statistics|scores?)\b", re.I)


def _asks_progress(words: str) -> bool:
    if not _PROGRESS_CUES.search(words):
        return False
    return bool(_FIRST_PERSON.search(words) or _NAMED_PROGRESS.search(words)
                or len(words.split()) <= 4)


_ANSWER_LEAD = re.compile(r"^\s*(?:my answer is|the answer is|answer:|i think it'?s|it'?s)\s+", re.I)


def _words(turn: Turn) -> str:
    """The learner's words ("" for a button's ``/intent`` payload)."""
    return "" if turn.text.startswith("/") else turn.text


class ActionQuizTurn(TutorAction):
    """Start a quiz on what the learner asked for (the quiz form takes over from there), or, with
    no quiz running, say so to a hint, skip, repeat or stop."""

    def name(self) -> str:
        return "action_quiz_turn"

    def reply(self, tutor: Tutor, turn: Turn) -> Reply:
        command = _COMMANDS.get(turn.intent, "start")
        request = _words(turn)
        cues = _QUIZ_REQUEST if command == "start" else _COMMAND_CUES
        if request and not cues.search(request):
            # NLU heard a quiz request or command, but the words ask something else
            return tutor.respond(request, turn.context, turn.intent)
        if command == "start":  # "quiz me on it" after HEAT or topic 2 quizzes on that
            request = tutor.resolve_pronoun(request, turn.context)
        return provider.get_desk().command(turn.learner, command, request)

    def respond(self, turn: Turn) -> tuple[Reply, list[dict[str, Any]]]:
        reply, events = super().respond(turn)
        return reply, [*events, SlotSet(ASKED_SLOT, provider.get_desk().asked(turn.learner))]


class ValidateQuizForm(Action):
    """Each message of a running quiz: the quiz's reply, then the slot is emptied to ask again,
    or the form ends with the quiz."""

    def name(self) -> str:
        return "validate_quiz_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        desk = provider.get_desk()
        turn = Turn.of(tracker)
        try:
            if tracker.get_slot(QUIZ_SLOT) is None:
                # the form starting (or coming back): no message to take; it runs while the quiz does
                running = await asyncio.to_thread(desk.active, turn.learner)
                return [] if running else [SlotSet("requested_slot", None)]
            reply, running, asked = await asyncio.to_thread(
                _take, turn, tracker.get_slot(ASKED_SLOT), bool(tracker.get_slot(FORGET_ASKED_SLOT)))
        except Exception:
            log.exception("the quiz failed on %r", turn.text[:200])
            dispatcher.utter_message(text=FALLBACK_TEXT)
            return [SlotSet(QUIZ_SLOT, None)]
        dispatcher.utter_message(**message_of(reply))
        events = [*context_events(reply), SlotSet(QUIZ_SLOT, None), SlotSet(ASKED_SLOT, asked),
                  *asked_events(reply, bool(tracker.get_slot(FORGET_ASKED_SLOT)))]
        return events if running else [*events, SlotSet("requested_slot", None)]


def _take(turn: Turn, asked: str | None, forgetting: bool) -> tuple[Reply, bool, str | None]:
    """The quiz's reply to ``turn`` (``forgetting``: it answers "delete it all?"), whether the quiz
    still runs and what it asks now; the turn is logged. One worker-thread hand-off per turn."""
    desk = provider.get_desk()
    reply = answer_in_quiz(turn, lambda r: _then_resume(r, turn)) if forgetting else take(turn, asked)
    running, now_asked = desk.active(turn.learner), desk.asked(turn.learner)
    log_turn(turn, reply)
    return reply, running, now_asked


class ActionQuizAnswer(TutorAction):
    """An answer typed or clicked with no quiz running: answered as a question about its words."""

    def name(self) -> str:
        return "action_quiz_answer"

    def reply(self, tutor: Tutor, turn: Turn) -> Reply:
        words = turn.entity("answer") or _ANSWER_LEAD.sub("", turn.text)
        return tutor.respond(words, turn.context, "ask_question")


class ActionQuizContest(TutorAction):
    """"I was right" after a verdict: the last answer is re-marked correct and the override kept."""

    def name(self) -> str:
        return "action_quiz_contest"

    def reply(self, tutor: Tutor, turn: Turn) -> Reply:
        desk = provider.get_desk()
        words = _words(turn)
        if words and not desk.is_contest(words):
            return tutor.respond(words, turn.context, turn.intent)  # NLU's guess; it says else
        return desk.contest(turn.learner)


class ActionProgress(TutorAction):
    """How the learner is doing, or what to revise next, from their quiz history."""

    def name(self) -> str:
        return "action_progress"

    def reply(self, tutor: Tutor, turn: Turn) -> Reply:
        desk = provider.get_desk()
        words = _words(turn)
        if words and not _asks_progress(words):
            # NLU's guess; the words say something else ("once the survey results are in, ...")
            return tutor.respond(words, turn.context, turn.intent)
        if turn.intent == "ask_revision":
            return desk.revision(turn.learner)
        return desk.report(turn.learner)
