"""The behaviour every tutor action shares: get the tutor, call it, send its reply, never fail."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from ..answers.reply import Reply
from . import provider
from .render import message_of, with_sources

if TYPE_CHECKING:
    from ..answers.tutor import Tutor

log = logging.getLogger(__name__)

FALLBACK_TEXT = (
    "Sorry, something went wrong on my side while I was looking that up. "
    "Please try again in a moment, or ask in a different way."
)


@dataclass(frozen=True)
class Turn:
    """What an action knows of the learner's turn."""

    text: str
    learner: str  # Rasa's sender id: one learner per web session or Slack user
    intent: str
    entities: tuple[dict[str, Any], ...] = ()

    def entity(self, name: str) -> str | None:
        return next((str(e["value"]) for e in self.entities if e.get("entity") == name), None)


class TutorAction(Action, ABC):
    """Sends the tutor's :class:`Reply` to the latest user message.

    Subclasses name themselves and say which tutor method answers, in :meth:`reply`. Any exception
    from the engine is logged and turned into a polite message, so Rasa never sees an error.
    """

    @abstractmethod
    def reply(self, tutor: Tutor, text: str) -> Reply:
        """The tutor's reply to ``text``, the learner's latest message."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        latest = tracker.latest_message or {}
        turn = Turn(
            text=latest.get("text") or "",
            learner=tracker.sender_id,
            intent=(latest.get("intent") or {}).get("name") or "",
            entities=tuple(latest.get("entities") or ()),
        )
        try:
            # The engine blocks (embedding, search): keep the action server's event loop free.
            reply = await asyncio.to_thread(self.respond, turn)
        except Exception:
            log.exception("%s failed on %r", self.name(), turn.text[:200])
            dispatcher.utter_message(text=FALLBACK_TEXT)
            return []
        dispatcher.utter_message(**message_of(reply))
        return []

    def respond(self, turn: Turn) -> Reply:
        """The reply for ``turn``. During a quiz the message is the learner's answer, whatever
        intent NLU gave it ("2015" may look like anything), unless it asks something else: then
        it is answered and the quiz question is asked again."""
        desk = provider.get_desk()
        if not desk.active(turn.learner):
            return self.reply(provider.get_tutor(), turn.text)
        if not desk.is_interruption(turn.text):
            return desk.answer(turn.learner, turn.text)
        reply = self.reply(provider.get_tutor(), turn.text)
        resume = desk.resume(turn.learner)
        return Reply(f"{with_sources(reply)}\n\n{resume.text}", kind=reply.kind,
                     buttons=resume.buttons)


class FreeTextAction(TutorAction, ABC):
    """A free-text message: a misconception it states is corrected before anything else."""

    @abstractmethod
    def answer(self, tutor: Tutor, text: str) -> Reply:
        """The reply when ``text`` states no misconception."""

    def reply(self, tutor: Tutor, text: str) -> Reply:
        correction = tutor.correction(text)
        if correction is not None:
            return correction
        return self.answer(tutor, text)

