"""Text helpers for replies: step lists, bullets, lists in words, first sentences."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..knowledge.catalogue import sentences


def numbered(steps: Sequence[str]) -> str:
    """``1. first`` on a line each."""
    return "\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1))


def bulleted(lines: Sequence[str]) -> str:
    """``- line`` on a line each."""
    return "\n".join(f"- {line}" for line in lines)


def and_list(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def first_sentence(text: str) -> str:
    """The first sentence of a passage, ending in a full stop ('Term: definition.')."""
    text = text.strip()
    text = text if re.search(r"[.!?]$", text) else f"{text}."
    return sentences(text)[0]
