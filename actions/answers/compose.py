"""Text helpers for replies: citations, step lists and short answers built from passages."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..knowledge.catalogue import sentences
from ..knowledge.index import Hit
from ..knowledge.model import SectionKind

MAX_SENTENCES = 3


def numbered(steps: list[str] | tuple[str, ...]) -> str:
    return "\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1))


def bulleted(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def answer_text(
    hits: list[Hit], spread: float = 0.1, render: Callable[[Hit], str] = lambda h: h.passage.text
) -> tuple[str, list[Hit]]:
    """One to three sentences from the best passages (the top one, then those close to it),
    with the hits actually quoted, so the reply cites exactly what it used. ``render`` says
    how a passage reads in the answer."""
    chosen: list[str] = []
    used: list[Hit] = []
    top = hits[0]
    for hit in hits[:MAX_SENTENCES]:
        if hit is not top and (
            hit.similarity < top.similarity - spread or hit.passage.section is SectionKind.SYNOPSIS
        ):
            continue
        first = sentences(_as_sentence(render(hit)))[0]
        if first not in chosen:
            chosen.append(first)
            used.append(hit)
    return " ".join(chosen), used


def _as_sentence(text: str) -> str:
    """'Term: definition' reads as 'Term: definition.'; bullets get a full stop."""
    text = text.strip()
    return text if re.search(r"[.!?]$", text) else f"{text}."
