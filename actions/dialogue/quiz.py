"""Placeholders for the quiz engine's actions, so the domain trains and validates before it lands."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

COMING_SOON = "Quizzes are coming soon. Until then, ask me about a topic, a model or a law."


class ActionQuizTurn(Action):
    """Start, hint, skip, repeat or stop a quiz (placeholder)."""

    def name(self) -> str:
        return "action_quiz_turn"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=COMING_SOON)
        return []


class ActionProgress(Action):
    """Progress and what to revise next (placeholder)."""

    def name(self) -> str:
        return "action_progress"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=COMING_SOON)
        return []
