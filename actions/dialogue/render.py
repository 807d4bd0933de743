"""How a :class:`Reply` becomes one Rasa bot message."""

from __future__ import annotations

import json
from typing import Any

from ..answers.reply import Reply

# Kinds of reply whose buttons are answers to a quiz question.
_QUIZ_KINDS = frozenset({"quiz_question", "quiz_verdict", "quiz_hint"})


def with_sources(reply: Reply) -> str:
    """The reply's text, ending with the sources it cites that the text does not name already."""
    text = reply.text.strip()
    missing = [s for s in reply.sources if s and s not in text]
    if missing:
        text = f"{text}\nSource: {'; '.join(missing)}"
    return text


def answer_payload(option: str) -> str:
    """A quiz option's button payload: the ``quiz_answer`` intent carrying the option, so a click
    is graded as an answer whatever NLU would make of the option's words."""
    return "/quiz_answer" + json.dumps({"answer": option}, ensure_ascii=False)


def message_of(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for ``dispatcher.utter_message``: text (citing its sources) and buttons."""
    buttons = [
        {"title": b.title,
         "payload": answer_payload(b.payload) if reply.kind in _QUIZ_KINDS else b.payload}
        for b in reply.buttons
    ]
    return {"text": with_sources(reply), "buttons": buttons}
