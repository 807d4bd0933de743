"""The behaviour every tutor action shares: read the turn, call the engine, send its reply, never fail."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from ..answers.context import Context
from ..answers.reply import Reply
from . import provider
from .render import message_of

if TYPE_CHECKING:
    from ..answers.tutor import Tutor

log = logging.getLogger(__name__)

FALLBACK_TEXT = (
    "Sorry, something went wrong on my side while I was looking that up. "
    "Please try again in a moment, or ask in a different way."
)
QUIZ_FORM = "quiz_form"
QUIZ_SLOT = "quiz_answer"  # the form's one required slot: the learner's latest message


@dataclass(frozen=True)
class Turn:
    """What an action knows of the learner's turn."""

    text: str
    learner: str  # Rasa's sender id: one learner per web session or Slack user
    intent: str
    entities: tuple[dict[str, Any], ...] = ()
    context: Context = field(default_factory=Context)  # what the conversation is about
    in_quiz_form: bool = False  # Rasa's quiz form is the active loop
    channel: str = ""  # Rasa's input channel: "rest", "socketio", "slack"

    def entity(self, name: str) -> str | None:
        return next((str(e["value"]) for e in self.entities if e.get("entity") == name), None)

    @classmethod
    def of(cls, tracker: Tracker) -> Turn:
        latest = tracker.latest_message or {}
        return cls(
            text=latest.get("text") or "",
            learner=tracker.sender_id,
            intent=(latest.get("intent") or {}).get("name") or "",
            entities=tuple(latest.get("entities") or ()),
            context=Context.from_slots(tracker.slots or {}),
            in_quiz_form=(tracker.active_loop or {}).get("name") == QUIZ_FORM,
            channel=tracker.get_latest_input_channel() or "",
        )


def context_events(reply: Reply) -> list[dict[str, Any]]:
    """``SlotSet`` events that keep what the reply was about, for the next turn's follow-ups."""
    if reply.context is None:
        return []
    return [SlotSet(slot, value) for slot, value in reply.context.to_slots().items()]


def log_turn(turn: Turn, reply: Reply) -> None:
    """Keep the turn in the tutors' message log (pseudonymised; see :mod:`actions.logbook`).
    Logging never costs the learner a reply: a failure here is only logged."""
    from ..logbook import record, turn_info

    try:
        record(turn_info(turn.learner, turn.text, turn.intent, reply, provider.get_desk().progress,
                         embed=provider.get_tutor().kb.embed))
    except Exception:
        log.exception("could not log the turn")


def quiz_loop_events() -> list[dict[str, Any]]:
    """Events that hand the following turns to the quiz form (a quiz running without it)."""
    return [ActiveLoop(QUIZ_FORM), SlotSet("requested_slot", QUIZ_SLOT)]


class TutorAction(Action, ABC):
    """Sends the tutor's :class:`Reply` to the latest user message and keeps its context in slots.

    Subclasses name themselves and say which tutor method answers, in :meth:`reply`. Any exception
    from the engine is logged and turned into a polite message, so Rasa never sees an error.
    """

    @abstractmethod
    def reply(self, tutor: Tutor, turn: Turn) -> Reply:
        """The tutor's reply to ``turn``."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = Turn.of(tracker)
        try:
            # The engine blocks (embedding, search, database): keep the event loop free. One hand-off
            # to a worker thread per turn: it is a sizeable part of a quick turn's cost.
            reply, events = await asyncio.to_thread(self._respond_and_log, turn)
        except Exception:
            log.exception("%s failed on %r", self.name(), turn.text[:200])
            dispatcher.utter_message(text=FALLBACK_TEXT)
            return []
        dispatcher.utter_message(**message_of(reply))
        return context_events(reply) + events

    def _respond_and_log(self, turn: Turn) -> tuple[Reply, list[dict[str, Any]]]:
        reply, events = self.respond(turn)
        log_turn(turn, reply)
        return reply, events

    def respond(self, turn: Turn) -> tuple[Reply, list[dict[str, Any]]]:
        """The reply for ``turn`` and any events beyond its context. A quiz that is running
        without Rasa's quiz form (a conversation from before a restart, say) takes the message as
        the form would, and hands the next turns back to the form."""
        from ..quiz.messages import asks_for_quiz  # the quiz package loads the engine: not at import
        from .quiz_turn import take  # the quiz side imports this module

        desk = provider.get_desk()
        if not turn.in_quiz_form and desk.active(turn.learner):
            reply = take(turn)
            return reply, quiz_loop_events() if desk.active(turn.learner) else []
        from .learner_data import data_request  # "what do you know about me?", whatever NLU heard

        data = data_request(turn)
        if data is not None:
            return data
        if not turn.in_quiz_form and turn.intent != "start_quiz" and asks_for_quiz(turn.text):
            # NLU missed a quiz request (its rule starts the form): start it and hand over the form
            reply = desk.command(turn.learner, "start", turn.text)
            return reply, quiz_loop_events() if desk.active(turn.learner) else []
        return self.reply(provider.get_tutor(), turn), []


class FreeTextAction(TutorAction, ABC):
    """A free-text message, read by the tutor against the conversation so far: a comparison, a
    follow-up, a misconception to correct, else an answer; the NLU intent is only a hint."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain (abstract here, so rasa-sdk registers subclasses only)."""

    def reply(self, tutor: Tutor, turn: Turn) -> Reply:
        return tutor.respond(turn.text, turn.context, turn.intent)
