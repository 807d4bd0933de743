"""The learner's own data in the chat: "what do you know about me?" and "delete my data" (thin calls
into :mod:`actions.learners.requests`).

Deleting is confirmed first. Outside a quiz the question hands the next message to Rasa's
``forget_form`` (so "yes" is not taken for small talk, and anything else cancels); during a quiz
the quiz form keeps the turns and the ``forget_asked`` slot says the next message answers the
question (see :class:`~actions.dialogue.quiz.ValidateQuizForm`). Either way a clear yes deletes
the quiz progress, the logged messages and the conversation in Rasa's tracker store (deleted
again once Rasa has stored this very turn), and anything else deletes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from . import provider
from .base import FALLBACK_TEXT, Turn, TutorAction, context_events, log_turn
from .render import message_of

if TYPE_CHECKING:
    from ..answers.reply import Reply
    from ..answers.tutor import Tutor
    from ..learners import Stores

log = logging.getLogger(__name__)

FORGET_FORM = "forget_form"
FORGET_SLOT = "forget_answer"  # the form's one slot: the learner's answer to "delete it all?"
FORGET_ASKED_SLOT = "forget_asked"  # during a quiz: the next message answers "delete it all?"
# Intents whose message, given instead of yes or no, is a course question answered after cancelling.
_QUESTIONS = frozenset({"ask_question", "ask_model", "ask_law", "ask_exam_tips", "ask_marking_points",
                        "state_belief", "follow_up", "compare", "nlu_fallback"})


def build_stores() -> Stores:
    """The stores the action server's turns use: the quiz desk's progress database, the logbook
    turns are recorded in, and Rasa's tracker store (``TUTOR_TRACKER_DB``, or PostgreSQL's
    ``TUTOR_TRACKER_PG_DB`` under ``make cluster``)."""
    from ..learners import Stores, TrackerEvents
    from ..learners.tracker import tracker_store
    from ..logbook import default_logbook
    from ..logbook.settings import LogSettings

    return Stores(provider.get_desk().progress, default_logbook(),
                  TrackerEvents(tracker_store(LogSettings().tracker_path)))


get_stores: provider.Provider[Stores] = provider.Provider(build_stores)


def forget_loop_events() -> list[dict[str, Any]]:
    """Events that hand the next message to ``forget_form``."""
    return [ActiveLoop(FORGET_FORM), SlotSet("requested_slot", FORGET_SLOT)]


def data_request(turn: Turn) -> tuple[Reply, list[dict[str, Any]]] | None:
    """The reply to a request about the learner's own data, whatever NLU made of it (a button's
    ``/forget_me`` or ``/ask_my_data`` counts), with the events it needs; None for anything else."""
    from ..learners import requests

    button = turn.text.startswith("/")
    if requests.asks_to_forget(turn.text) or (button and turn.intent == "forget_me"):
        return requests.confirmation(), forget_loop_events()
    if requests.asks_what_is_kept(turn.text) or (button and turn.intent == "ask_my_data"):
        return requests.described(turn.learner, get_stores()), []
    return None


def in_quiz(turn: Turn, resume) -> Reply | None:
    """A data request while a quiz runs: what is kept, then the quiz question again (``resume``);
    or the question before deleting. None when the message is no data request."""
    from ..learners import requests

    if requests.asks_to_forget(turn.text):
        return requests.confirmation()
    if requests.asks_what_is_kept(turn.text):
        return resume(requests.described(turn.learner, get_stores()))
    return None


def answer_in_quiz(turn: Turn, resume) -> Reply:
    """The answer to "delete it all?" asked during a quiz: yes ends the quiz with everything else;
    anything else deletes nothing and the quiz question comes back (``resume``)."""
    from ..learners import requests

    reply = requests.answer_confirmation(turn.learner, turn.text, get_stores())
    return resume(reply) if reply.kind == requests.CANCELLED else reply


def asked_events(reply: Reply, asked_before: bool) -> list[dict[str, Any]]:
    """The ``forget_asked`` slot after a quiz turn: set when the reply asks to confirm deleting."""
    from ..learners.requests import CONFIRMING

    asking = reply.kind == CONFIRMING
    return [SlotSet(FORGET_ASKED_SLOT, True if asking else None)] if asking or asked_before else []


class LearnerDataAction(TutorAction, ABC):
    """A learner's data request, served by :meth:`TutorAction.respond` (see :func:`data_request`),
    as any action's is; when NLU heard one but the words ask something else, the tutor reads them."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain (abstract here, so rasa-sdk registers subclasses only)."""

    def reply(self, tutor: Tutor, turn: Turn) -> Reply:
        return tutor.respond(turn.text, turn.context, turn.intent)


class ActionMyData(LearnerDataAction):
    """"What do you know about me?": progress per topic, logged messages, the conversation, how long
    logs are kept and how to have it all deleted."""

    def name(self) -> str:
        return "action_my_data"


class ActionForgetMe(LearnerDataAction):
    """"Delete my data": asks to confirm, and hands the answer to ``forget_form``."""

    def name(self) -> str:
        return "action_forget_me"


class ValidateForgetForm(Action):
    """The answer to "delete it all?": a clear yes deletes everything, anything else deletes nothing
    (a course question given instead is answered too); the form then ends."""

    def name(self) -> str:
        return "validate_forget_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        from ..learners import requests

        if tracker.get_slot(FORGET_SLOT) is None:
            return []  # the form starting: the question was asked already
        turn = Turn.of(tracker)

        def otherwise(words: str) -> Reply | None:
            if turn.intent not in _QUESTIONS:
                return None
            return provider.get_tutor().respond(words, turn.context, turn.intent)

        try:
            reply = await asyncio.to_thread(requests.answer_confirmation, turn.learner, turn.text,
                                            get_stores(), otherwise)
        except Exception:
            log.exception("answering the confirmation to delete a learner's data failed")
            dispatcher.utter_message(text=FALLBACK_TEXT)
            return [SlotSet(FORGET_SLOT, None), SlotSet("requested_slot", None)]
        dispatcher.utter_message(**message_of(reply))
        await asyncio.to_thread(log_turn, turn, reply)
        if reply.kind == requests.CONFIRMING:  # asked to delete again: the question stands
            return [SlotSet(FORGET_SLOT, None)]
        return [*context_events(reply), SlotSet(FORGET_SLOT, None), SlotSet("requested_slot", None)]
