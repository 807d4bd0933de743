"""Daily review reminders in Slack: "remind me to revise at 6pm", "stop reminders" (thin calls
into :mod:`actions.reminders.requests`; the reminders are sent by :mod:`actions.reminders.scheduler`)."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from ..answers.reply import Reply
from . import provider
from .base import FALLBACK_TEXT, Turn

if TYPE_CHECKING:
    from ..reminders.slack import SlackNotifier
    from ..reminders.store import ReminderStore

log = logging.getLogger(__name__)


def _store() -> ReminderStore:
    from ..reminders.store import ReminderStore

    return ReminderStore(provider.get_desk().progress.engine)


def _slack() -> SlackNotifier | None:
    from ..reminders.slack import SlackNotifier

    return SlackNotifier.from_env()


get_store: provider.Provider[ReminderStore] = provider.Provider(_store)


class _ReminderAction(Action, ABC):
    """Runs :meth:`answer` off the event loop and sends its text; a failure becomes an apology."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain (abstract here, so rasa-sdk registers subclasses only)."""

    @abstractmethod
    def answer(self, tracker: Tracker) -> str:
        """The reply's text."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            text = await asyncio.to_thread(self.answer, tracker)
        except Exception:
            log.exception("%s failed", self.name())
            text = FALLBACK_TEXT
        dispatcher.utter_message(text=text)
        return []


def set_for(turn: Turn) -> str:
    """Set (or move) ``turn``'s learner's daily reminder to the time the words name; the reply."""
    from ..reminders import clock
    from ..reminders.requests import set_reminder

    return set_reminder(get_store(), _slack(), turn.learner, turn.text, turn.channel, clock.now())


def stop_for(turn: Turn) -> str:
    """Stop ``turn``'s learner's daily reminders; the reply."""
    from ..reminders.requests import stop_reminders

    return stop_reminders(get_store(), turn.learner)


class ActionSetReminder(_ReminderAction):
    """Set (or move) the learner's daily reminder, at the time they name, in their timezone."""

    def name(self) -> str:
        return "action_set_reminder"

    def answer(self, tracker: Tracker) -> str:
        return set_for(Turn.of(tracker))


class ActionStopReminders(_ReminderAction):
    """Stop the learner's daily reminders."""

    def name(self) -> str:
        return "action_stop_reminders"

    def answer(self, tracker: Tracker) -> str:
        return stop_for(Turn.of(tracker))


def reminder_reply(turn: Turn) -> Reply | None:
    """The reply to a reminder request read from ``turn``'s words (mid-quiz, where the quiz reads
    every message first and "stop reminders" must not stop the quiz); None for anything else."""
    from ..reminders.requests import reminder_request

    request = reminder_request(turn.text)
    if request is None:
        return None
    return Reply(stop_for(turn) if request == "stop" else set_for(turn), kind="reminder")
