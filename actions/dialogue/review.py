"""The greeting, which tells a returning learner what is due for review, and the review quiz it
offers (thin calls into :mod:`actions.reminders.review`)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from . import provider
from .base import Turn, TutorAction, quiz_loop_events
from .render import message_of

if TYPE_CHECKING:
    from ..answers.reply import Reply
    from ..answers.tutor import Tutor

log = logging.getLogger(__name__)


def _greeting(learner: str) -> tuple[Reply | None, list[dict[str, Any]]]:
    """The quiz still open (and the events that hand it the next turns), or what is due; None:
    the usual greeting."""
    from ..reminders import clock
    from ..reminders.review import due_questions, review_greeting

    desk = provider.get_desk()
    if desk.active(learner):
        return desk.session(learner).resume("Welcome back! Your quiz is still open."), quiz_loop_events()
    count = len(due_questions(desk, learner, clock.now()))
    return (review_greeting(count) if count else None), []


class ActionGreet(Action):
    """Hello: with the count of questions due for review and a "Start review" button when there
    are any (or the quiz still open), else the usual greeting (``utter_greet``)."""

    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            reply, events = await asyncio.to_thread(_greeting, tracker.sender_id)
        except Exception:
            log.exception("could not look up the reviews due")
            reply, events = None, []
        if reply is None:
            dispatcher.utter_message(response="utter_greet")
        else:
            dispatcher.utter_message(**message_of(reply))
        return events


class ActionStartReview(TutorAction):
    """"Start review": a quiz of exactly the questions due now (the quiz form takes over); a quiz
    already running goes on instead."""

    def name(self) -> str:
        return "action_start_review"

    def reply(self, tutor: Tutor, turn: Turn) -> Reply:
        return self.respond(turn)[0]

    def respond(self, turn: Turn) -> tuple[Reply, list[dict[str, Any]]]:
        from ..reminders import clock
        from ..reminders.review import start_review

        desk = provider.get_desk()
        if desk.active(turn.learner):
            return desk.resume(turn.learner), []
        return start_review(desk, turn.learner, clock.now()), []
