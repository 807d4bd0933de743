"""What the tutor says when a learner asks for daily reminders, or to stop them.

Reminders come as Slack direct messages, so they are set from Slack, where the learner's id is
their Slack user id and their timezone is Slack's (``users.info``), else Europe/London.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal, Protocol

from .store import DEFAULT_TIMEZONE, ReminderStore
from .times import describe, parse_time

SLACK = "slack"  # the Rasa input channel's name
ASK_TIME = ("What time should I remind you? For example: 'remind me to revise at 6pm' or "
            "'remind me every day at 18:30'.")
NOT_HERE = ("Daily reminders come as a Slack direct message, so ask me in Slack to set one up. "
            "Here on the page, I tell you what's due for review whenever you come back.")
SLACK_OFF = "Reminders are not switched on for this tutor: it has no connection to Slack."


_REMINDER = re.compile(r"\bremind(?:er|ers|ing)?\b|\bnudge me\b", re.I)
_OFF = re.compile(r"\b(?:stop|cancel|turn(?:ing)? off|switch(?:ing)? off|no more|unsubscribe|"
                  r"don'?t want|do not want|remove|delete|end)\b", re.I)
_ON = re.compile(r"\b(?:remind|nudge) me (?:to (?:revise|study|review|practi[sc]e|do)|every|each|daily|"
                 r"at|around|in the (?:morning|evening)|tonight|tomorrow)\b"
                 r"|\b(?:set|send|want|like|give me|get|turn on|switch on)\b.*\breminders?\b"
                 r"|^reminders? (?:at|for|every)\b", re.I)


def reminder_request(text: str) -> Literal["set", "stop"] | None:
    """Whether ``text`` asks to set or to stop daily reminders, read from its words (the quiz
    reads every message first, so NLU's intent does not decide mid-quiz)."""
    if not _REMINDER.search(text):
        return None
    if _OFF.search(text):
        return "stop"
    return "set" if _ON.search(text.strip()) else None


class Timezones(Protocol):
    def timezone(self, user: str) -> str: ...


def set_reminder(store: ReminderStore, slack: Timezones | None, learner: str, text: str,
                 channel: str | None, now: datetime) -> str:
    """Set (or move) ``learner``'s daily reminder to the time ``text`` names; the reply."""
    if channel != SLACK:
        return NOT_HERE
    if slack is None:
        return SLACK_OFF
    moment = parse_time(text)
    if moment is None:
        return ASK_TIME
    zone = slack.timezone(learner)
    store.set(learner, moment, zone, now)
    where = "" if zone == DEFAULT_TIMEZONE else f" ({zone} time)"
    return (f"I'll remind you every day at {describe(moment)}{where} when questions are due. "
            "Say 'stop reminders' to turn it off.")


def stop_reminders(store: ReminderStore, learner: str) -> str:
    """Stop ``learner``'s reminders; the reply."""
    if store.remove(learner):
        return ("Reminders are off: I won't message you about reviews any more. "
                "Say 'remind me to revise at 6pm' to turn them on again.")
    return "You have no reminders to stop. Say 'remind me to revise at 6pm' to get one every day."
