"""One screening of learner messages for every channel (REST, socket.io, Slack), before NLU.

Each channel hands the learner's text to :func:`screen` before Rasa sees it. A message that cannot
be answered (too long, empty, only control characters or only markup, not text at all) gets a
helpful notice instead, which the channel sends back without touching the conversation or the
model: a 200,000-character message costs a length check, not a pass through DIET. Otherwise
control characters and markup tags are stripped and whitespace is collapsed.

Standard library only, so the tests import it without Rasa.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

MAX_MESSAGE_CHARS = 2000

TOO_LONG = (
    "That message is {length} characters long, which is more than I can read at once "
    "({limit} at most). Please ask one question at a time, in a sentence or two."
)
EMPTY = (
    "I didn't receive any text. Ask me a question, for example 'What does HEAT stand for?', "
    "or type 'help' to see what I can do."
)
ONLY_MARKUP = (
    "I can only read plain text, not HTML or code. Please type your question as a normal "
    "sentence, for example 'Which law covers customer data?'."
)

_BLOCKS = re.compile(r"<\s*(script|style)\b.*?(<\s*/\s*\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?][^<>]*>|<\s*[a-zA-Z][^<>]*$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Screened:
    """A message after screening: the text to pass on, or else the notice to reply with."""

    text: str | None = None
    notice: str | None = None


def screen(message: object, limit: int = MAX_MESSAGE_CHARS) -> Screened:
    """Clean ``message`` for the model, or say why it cannot be answered."""
    if not isinstance(message, str):
        return Screened(notice=EMPTY)
    if len(message) > limit:
        return Screened(notice=TOO_LONG.format(length=len(message), limit=limit))
    text = "".join(
        " " if ch in "\t\n\r" else ch
        for ch in message
        if ch in "\t\n\r" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")
    )
    had_markup = bool(_BLOCKS.search(text) or _TAG.search(text))
    if had_markup:
        text = html.unescape(_TAG.sub(" ", _BLOCKS.sub(" ", text)))
        text = text.replace("<", " ").replace(">", " ")
    text = _SPACE.sub(" ", text).strip()
    if not text:
        return Screened(notice=ONLY_MARKUP if had_markup else EMPTY)
    return Screened(text=text)
