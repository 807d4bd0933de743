"""The one action for free-text knowledge requests, whatever NLU made of them (see FreeTextAction)."""

from __future__ import annotations

from .base import FreeTextAction


class ActionAnswer(FreeTextAction):
    """A question, a belief, a follow-up or a comparison: the tutor reads what the message asks,
    against the conversation's context, with NLU's intent as a hint."""

    def name(self) -> str:
        return "action_answer"
