"""Goodbye, thanks, yes and no: the domain's canned reply, unless the words say more.

NLU can hear a long statement as small talk ("I don't really need to watch my posture or eye
contact with customers" as goodbye, 0.56). Short messages, and messages with the small talk's own
words and no misconception in them, get the domain's response; anything else is read by the tutor.
(The misconception check is not asked of short chat: "see you tomorrow" is not about eye contact.)
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from . import provider
from .base import Turn, context_events, log_turn
from .render import message_of

if TYPE_CHECKING:
    from ..answers.reply import Reply

log = logging.getLogger(__name__)

RESPONSES = {"goodbye": "utter_goodbye", "thanks": "utter_thanks", "affirm": "utter_affirm",
             "deny": "utter_deny"}
_CUES = re.compile(
    r"\b(?:bye|goodbye|good night|night|see (?:you|ya)|later|cya|ttyl|gotta go|i'?m off|that'?s all|"
    r"thank\w*|thx|ta|cheers|appreciated?|helpful|great|brilliant|perfect|nice|"
    r"yes|yeah|yep|yup|sure|ok|okay|alright|please|go on|of course|definitely|sounds good|"
    r"no|nope|nah|not now|not really|maybe later|i'?m good|never mind)\b", re.I)
SHORT = 4  # words: always small talk
CHATTY = 8  # words: small talk when it has the small talk's own words ("ok bye, see you tomorrow")


def small_talk(text: str) -> bool | None:
    """True when ``text`` is small talk on its words alone, None when it has small-talk words but
    goes on long enough to hold a belief ("no, the customer is always right whatever they say"),
    False when it says something else."""
    words = len(text.split())
    if words <= SHORT:
        return True
    if _CUES.search(text):
        return True if words <= CHATTY else None
    return False


class ActionSmallTalk(Action):
    """The canned reply for goodbye, thanks, affirm and deny, or the tutor's reply to what the
    message really says."""

    def name(self) -> str:
        return "action_small_talk"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = Turn.of(tracker)
        response = RESPONSES.get(turn.intent, "utter_default")
        text = turn.text.strip()
        reads = small_talk(text)
        if not text or text.startswith("/") or reads is True:
            dispatcher.utter_message(response=response)
            return []
        try:
            reply = await asyncio.to_thread(self._reply_and_log, turn, reads)
        except Exception:
            log.exception("could not read %r", text[:200])
            reply = None
        if reply is None:
            dispatcher.utter_message(response=response)
            return []
        dispatcher.utter_message(**message_of(reply))
        return context_events(reply)

    @classmethod
    def _reply_and_log(cls, turn: Turn, reads: bool | None) -> Reply | None:
        reply = cls._reply(turn, reads)
        if reply is not None:
            log_turn(turn, reply)
        return reply

    @staticmethod
    def _reply(turn: Turn, reads: bool | None) -> Reply | None:
        tutor = provider.get_tutor()
        if reads is None:  # small-talk words at length: only a misconception counts
            return tutor.correction(turn.text, turn.context)
        return tutor.respond(turn.text, turn.context)
