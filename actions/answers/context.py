"""What the conversation is about, kept between turns so that follow-ups resolve against it.

The tutor returns an updated :class:`Context` with each reply; the Rasa actions keep it in slots
(one per field, see :data:`SLOTS`) and hand it back on the next turn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..knowledge.model import Misconception

# Context field -> Rasa slot name (bot/domain.yml declares the same slots).
SLOTS: dict[str, str] = {
    "model": "last_model",
    "law": "last_law",
    "abbreviation": "last_abbreviation",
    "topic": "last_topic",
    "misconception": "last_misconception",
    "topics": "listed_topics",
    "focus": "focus",
    "previous": "previous_subject",
}


@dataclass(frozen=True)
class Context:
    """The last thing of each kind the tutor spoke about, and what its last reply was about."""

    model: str | None = None  # a model's name, e.g. "HEAT"
    law: str | None = None  # a law's name, e.g. "Equality Act 2010"
    abbreviation: str | None = None  # e.g. "FCR"
    topic: str | None = None  # a document's short id, e.g. "002"
    misconception: str | None = None  # "file:line" of a misconception bullet
    topics: tuple[str, ...] = ()  # the short ids of the topics last listed, in the order shown
    # What the last reply was about: model, law, abbreviation, misconception, topic, topics,
    # tips, marking, comparison or answer. A follow-up such as "and topic 3?" repeats that kind.
    focus: str | None = None
    # The model or law spoken of before the current one (its name): "how do they differ?"
    # compares the two.
    previous: str | None = None

    @property
    def subject(self) -> str | None:
        """The model or law the last reply was about (its name), if it was about one."""
        return {"model": self.model, "law": self.law}.get(self.focus or "")

    def after(self, reply_context: Context | None) -> Context | None:
        """``reply_context`` with :attr:`previous` moved on when the reply turned from one model
        or law to another."""
        if reply_context is None:
            return None
        now, before = reply_context.subject, self.subject
        if now and before and now != before:
            return reply_context.but(previous=before)
        return reply_context

    def but(self, **changes: Any) -> Context:
        """A copy with ``changes``."""
        return replace(self, **changes)

    def to_slots(self) -> dict[str, Any]:
        """Slot name -> value, for Rasa ``SlotSet`` events."""
        values = {name: getattr(self, name) for name in SLOTS}  # shallow: asdict deep-copies
        values["topics"] = list(self.topics) or None
        return {SLOTS[name]: value for name, value in values.items()}

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any]) -> Context:
        """Read a context back from a tracker's slots; anything malformed is ignored."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = slots.get(SLOTS[f.name])
            if f.name == "topics":
                values["topics"] = tuple(str(v) for v in value) if isinstance(value, list) else ()
            elif isinstance(value, str) and value:
                values[f.name] = value
        return cls(**values)


def misconception_key(m: Misconception) -> str:
    """How a misconception is named in the conversation's context: its file and line."""
    return f"{m.source.doc}:{m.source.line}"
