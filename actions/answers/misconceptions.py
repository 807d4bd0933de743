"""Spot a learner stating (or asking about) a belief from a document's misconceptions section."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..knowledge.base import KnowledgeBase
from ..knowledge.model import Misconception
from .stance import Stance, read_stance

# Cosine similarity above which a message is taken to be about a misconception's claim.
DEFAULT_THRESHOLD = 0.45
# How much closer an opposed claim may be before the message is read as the correct view.
DEFAULT_MARGIN = 0.05


@dataclass(frozen=True)
class Match:
    """A misconception the learner holds, with how close the message was to it."""

    misconception: Misconception
    similarity: float
    stance: Stance


@dataclass
class _Table:
    build_id: str
    owners: list[int]  # row -> index of its misconception
    negated: list[bool]  # row -> whether the mistaken learner holds the row's negation
    lemmas: list[frozenset[str]]  # row -> its content words (claims only; empty for whole bullets)
    common: frozenset[str]  # content words found in many misconceptions: they tell none apart
    vectors: np.ndarray
    misconceptions: list[Misconception]


_COMMON_IN = 3  # a content word in this many misconceptions is too common to tell them apart


class MisconceptionDetector:
    """Compares a message with every misconception's claims by embedding, then checks stance."""

    def __init__(
        self, kb: KnowledgeBase, threshold: float = DEFAULT_THRESHOLD, margin: float = DEFAULT_MARGIN
    ) -> None:
        self.kb = kb
        self.threshold = threshold
        self.margin = margin
        self._table: _Table | None = None

    def _rows(self) -> _Table:
        build = self.kb.build_id
        if self._table is not None and self._table.build_id == build:
            return self._table
        items = self.kb.catalogue.misconceptions
        texts, owners, negated, lemmas = [], [], [], []
        for i, m in enumerate(items):
            for claim in m.claims:  # read the same way as a learner's message
                stance = read_stance(claim.text)
                texts.append(stance.core)
                owners.append(i)
                negated.append(claim.negated != stance.negated)
                lemmas.append(stance.lemmas)
            if m.claims:  # the whole bullet, as context for its first (main) claim
                texts.append(m.text)
                owners.append(i)
                negated.append(m.claims[0].negated)
                lemmas.append(frozenset())
        vectors = self.kb.encoder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        spread = Counter(w for i in set(owners) for w in set().union(
            *(lemmas[r] for r, o in enumerate(owners) if o == i)))
        common = frozenset(w for w, n in spread.items() if n >= _COMMON_IN)
        self._table = _Table(build, owners, negated, lemmas, common, vectors, items)
        return self._table

    def check(self, message: str) -> Match | None:
        """The misconception ``message`` states or asks about, or None."""
        if len(message.split()) < 3:
            return None
        stance = read_stance(message)
        if stance.information_request:
            return None
        table = self._rows()
        if not len(table.vectors):
            return None
        scores = table.vectors @ self.kb.embed(message)
        if stance.core != message.strip():  # compare the proposition without its negators too
            scores = np.maximum(scores, table.vectors @ self.kb.embed(stance.core))
        if stance.question:  # asking about a belief, for or against it
            row = int(np.argmax(scores))
        else:
            # The best claim the learner agrees with must clear the threshold and must not be
            # clearly beaten by a claim whose opposite the learner states (the correct view).
            agrees = np.array(table.negated) == stance.negated
            if not agrees.any():
                return None
            row = int(np.argmax(np.where(agrees, scores, -1.0)))
            opposed = float(np.max(np.where(agrees, -1.0, scores)))
            if opposed - scores[row] > self.margin:
                return None
        similarity = float(scores[row])
        if similarity < self.threshold:
            return None
        if not stance.question and self._affirms_what_is_missing(table, row, stance):
            return None
        return Match(table.misconceptions[table.owners[row]], similarity, stance)

    @staticmethod
    def _affirms_what_is_missing(table: _Table, row: int, stance: Stance) -> bool:
        """True when the learner uses a distinctive word of a claim of the same misconception
        that they take the other side of: "I adapt the script" against "... without adapting"."""
        owner = table.owners[row]
        words = stance.lemmas - table.common
        return any(
            table.owners[r] == owner and table.negated[r] != stance.negated
            and words & table.lemmas[r]
            for r in range(len(table.owners))
        )
