"""How a :class:`Reply` becomes one Rasa bot message."""

from __future__ import annotations

from typing import Any

from ..answers.reply import Reply


def message_of(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for ``dispatcher.utter_message``: text (citing its sources) and buttons."""
    text = reply.text.strip()
    missing = [s for s in reply.sources if s and s not in text]
    if missing:
        text = f"{text}\nSource: {'; '.join(missing)}"
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    return {"text": text, "buttons": buttons}
