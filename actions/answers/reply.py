"""What the tutor says back: text plus optional quick-reply buttons and the source it cites."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import Context


@dataclass(frozen=True)
class Button:
    """A quick reply: ``title`` is shown, ``payload`` is sent back when clicked."""

    title: str
    payload: str


@dataclass
class Reply:
    """One tutor reply. ``kind`` says what produced it (answer, model, law, correction, ...);
    ``context`` is what the conversation is about after it (None: unchanged)."""

    text: str
    kind: str
    buttons: list[Button] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    context: Context | None = None
