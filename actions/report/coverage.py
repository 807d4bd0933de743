"""Coverage of the course: for each key concept, exam tip and marking point of each document, how
many quiz questions test it and how often learners ask about it.

A question tests the item it was drawn from (its ``context`` is that item's text, or a sentence
of it). A learner's question asks about an item when the item is its nearest by MiniLM similarity
(at least :data:`ASKED`), or when the reply was about a model, law or abbreviation the item names.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ..knowledge.model import Catalogue, SectionKind

ASKED = 0.5  # cosine similarity from which a question is taken to be about an item
SECTIONS = {SectionKind.CONCEPTS: "key concept", SectionKind.TIPS: "exam tip",
            SectionKind.MARKING: "marking point"}


def _squash(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def coverage_section(catalogue: Catalogue, questions: list[Any], asked: list[tuple[str, tuple[str, ...]]],
                     encoder) -> list[dict[str, Any]]:
    """One row per item. ``asked``: (text, subjects) of each answered learner question."""
    items = covered_items(catalogue)
    if not items:
        return []
    flat = [_squash(item.text) for _, item in items]
    tested: Counter[int] = Counter()
    for q in questions:
        context = _squash(q.context)
        for i, (doc, _item) in enumerate(items):
            if doc.name == q.doc and context and (context in flat[i] or flat[i] in context):
                tested[i] += 1
    counts: Counter[int] = Counter()
    if asked:
        distinct = Counter(text for text, _ in asked)
        texts = list(distinct)
        vectors = encoder.encode(texts)
        item_vectors = encoder.encode([item.text for _, item in items])
        sims = vectors @ item_vectors.T
        best, top = sims.argmax(1), sims.max(1)
        nearest = {t: (int(best[r]) if top[r] >= ASKED else None) for r, t in enumerate(texts)}
        named = {i: {name for name in _names(catalogue) if _names_in(name, items[i][1].text)}
                 for i in range(len(items))}
        for text, subjects in asked:
            hits = {nearest[text]} - {None}
            if subjects:
                hits |= {i for i, names in named.items() if names & set(subjects)}
            for i in hits:
                counts[i] += 1
    return [
        {"doc": doc.name, "topic": doc.topic, "section": SECTIONS[item.kind], "line": item.source.line,
         "text": item.text, "term": item.term, "questions": tested[i], "asked": counts[i]}
        for i, (doc, item) in enumerate(items)
    ]


def covered_items(catalogue: Catalogue) -> list[tuple[Any, Any]]:
    """(document, item) of every key concept, exam tip and marking point: the items whose text
    learners' questions are compared with."""
    return [(doc, item) for doc in catalogue.documents for item in doc.items if item.kind in SECTIONS]


def _names(catalogue: Catalogue) -> list[str]:
    return ([m.name for m in catalogue.models] + [law.name for law in catalogue.laws]
            + [a.short for a in catalogue.abbreviations])


def _names_in(name: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None
