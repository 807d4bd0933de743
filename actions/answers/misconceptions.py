"""Spot a learner stating (or asking about) a belief from a document's misconceptions section.

Every misconception is a set of claims drawn from its bullet (catalogue.extract_misconception),
each with the side the mistaken learner takes: "the customer is always right" (held),
"company policies" (left undone). A message is read clause by clause (stance.read_message): each
clause's proposition is compared with every claim by embedding, and its polarity, read from the
parse, says whether it takes the mistaken side of that claim or the correct one. The learner is
corrected when the closest claim they take the mistaken side of is close enough (``threshold``)
and not beaten by a claim of the same misconception they take the correct side of (``margin``).
Wh-questions and requests assert nothing and are never corrected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..knowledge.base import KnowledgeBase
from ..knowledge.model import Misconception
from .stance import EXCLUSIVE_WORDS, Reading, Stance, read_message

# Fitted by scripts/eval_misconceptions.py (its k-fold figures show how well they generalise).
DEFAULT_THRESHOLD = 0.50
DEFAULT_MARGIN = 0.0


@dataclass(frozen=True)
class Match:
    """A misconception the learner holds, with how close the message was to it."""

    misconception: Misconception
    similarity: float
    stance: Stance


@dataclass(frozen=True)
class Scores:
    """For each misconception, how close the message comes to its mistaken side (``held``) and
    to its correct side (``denied``); -1 where no clause takes that side."""

    reading: Reading
    held: np.ndarray
    denied: np.ndarray
    clause: np.ndarray  # misconception -> index of the clause that comes closest to holding it


@dataclass
class _Table:
    build_id: str
    owners: np.ndarray  # row -> index of its misconception
    negated: np.ndarray  # row -> whether the mistaken learner holds the row's negation
    exclusive: np.ndarray  # row -> whether the row is exclusive ("solely", "the same as")
    vectors: np.ndarray
    misconceptions: list[Misconception]


class MisconceptionDetector:
    """Compares each clause of a message with every misconception's claims, side by side."""

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
        texts: list[str] = []
        owners: list[int] = []
        negated: list[bool] = []
        exclusive: list[bool] = []

        def add(text: str, owner: int, holds_negation: bool) -> None:
            stance = read_message(text).whole  # read the same way as a learner's message
            texts.append(stance.core)
            owners.append(owner)
            negated.append(holds_negation != stance.negated)
            exclusive.append(bool(EXCLUSIVE_WORDS & set(stance.core.lower().split())))

        for i, m in enumerate(items):
            for claim in m.claims:
                add(claim.text, i, claim.negated)
            add(m.belief, i, False)  # the belief in plain words, as the learner would hold it
        vectors = self.kb.encoder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        self._table = _Table(build, np.array(owners, dtype=int), np.array(negated, dtype=bool),
                             np.array(exclusive, dtype=bool), vectors, items)
        return self._table

    def scores(self, message: str) -> Scores | None:
        """Side-by-side closeness to every misconception, or None when ``message`` asserts nothing."""
        if len(message.split()) < 3:
            return None
        reading = read_message(message)
        if reading.information_request:
            return None
        table = self._rows()
        if not len(table.vectors):
            return None
        n = len(table.misconceptions)
        held = np.full(n, -1.0)
        denied = np.full(n, -1.0)
        best_clause = np.zeros(n, dtype=int)
        for c, (clause, sims) in enumerate(zip(reading.clauses, self._clause_sims(table, message, reading),
                                               strict=True)):
            agrees = (table.negated == clause.negated) != (table.exclusive & clause.broadened)
            if clause.broadened:  # "not just X": says nothing on X unless a claim says "only X"
                holding = np.where(agrees & table.exclusive, sims, -1.0)
            else:
                holding = np.where(agrees, sims, -1.0)
            opposing = np.where(agrees, -1.0, sims)
            for i in range(n):
                rows = table.owners == i
                h = float(holding[rows].max())
                if h > held[i]:
                    held[i], best_clause[i] = h, c
                denied[i] = max(denied[i], float(opposing[rows].max()))
        return Scores(reading, held, denied, best_clause)

    def _clause_sims(self, table: _Table, message: str, reading: Reading) -> list[np.ndarray]:
        """Each clause's cosine similarity with every row (the message itself for one clause)."""
        cores = [c.core for c in reading.clauses]
        whole = self.kb.embed(message)
        if len(cores) == 1:
            sims = table.vectors @ whole
            if cores[0] != message.strip():  # the proposition without its negators too
                sims = np.maximum(sims, table.vectors @ self.kb.embed(cores[0]))
            return [sims]
        vectors = self.kb.encoder.encode(cores)
        return [table.vectors @ v for v in vectors]

    def decide(self, scores: Scores | None, threshold: float, margin: float) -> int | None:
        """The misconception held, given the scores: the one the message comes closest to, on
        either side, if its mistaken side clears ``threshold`` and beats its correct side by
        ``margin``."""
        if scores is None:
            return None
        best = int(np.argmax(np.maximum(scores.held, scores.denied)))  # what the message is about
        held, denied = scores.held[best], scores.denied[best]
        return best if held >= threshold and held - denied >= margin else None

    def check(self, message: str) -> Match | None:
        """The misconception ``message`` states or asks about, or None."""
        scores = self.scores(message)
        best = self.decide(scores, self.threshold, self.margin)
        if scores is None or best is None:
            return None
        clause = scores.reading.clauses[int(scores.clause[best])]
        return Match(self._table.misconceptions[best], float(scores.held[best]), clause)
