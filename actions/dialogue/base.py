"""The behaviour every tutor action shares: get the tutor, call it, send its reply, never fail."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from . import provider
from .render import message_of

if TYPE_CHECKING:
    from ..answers.reply import Reply
    from ..answers.tutor import Tutor

log = logging.getLogger(__name__)

FALLBACK_TEXT = (
    "Sorry, something went wrong on my side while I was looking that up. "
    "Please try again in a moment, or ask in a different way."
)


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
        text = (tracker.latest_message or {}).get("text") or ""
        try:
            # The engine blocks (embedding, search): keep the action server's event loop free.
            reply = await asyncio.to_thread(self._reply_now, text)
        except Exception:
            log.exception("%s failed on %r", self.name(), text[:200])
            dispatcher.utter_message(text=FALLBACK_TEXT)
            return []
        dispatcher.utter_message(**message_of(reply))
        return []

    def _reply_now(self, text: str) -> Reply:
        return self.reply(provider.get_tutor(), text)


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
