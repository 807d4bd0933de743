"""The answer step for free questions: rank the passages, choose what the question asks about,
and combine it into one to three sentences with their sources.

A bullet often packs several ideas ("Overlooking non-verbal cues, such as crossing arms or avoiding
eye contact, which can convey disinterest"), and a whole-bullet embedding blurs them. Each passage
is therefore scored by the mean of its whole-text similarity and its best clause's similarity
(clauses and pairs of adjacent clauses, split at commas, "such as", "which", ...). Clause vectors
are cached by content, so a rebuild encodes only new text.

Questions about what to avoid, what goes wrong or what people get wrong lead with the closest
mistakes, phrased as advice, and add the closest point from the other sections.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from ..knowledge.base import KnowledgeBase
from ..knowledge.model import SectionKind
from ..knowledge.passages import Passage, passages_of
from ..knowledge.titles import stems
from .advice import advice, asks_about_mistakes
from .compose import bulleted, first_sentence

ANSWERING = frozenset({SectionKind.SYNOPSIS, SectionKind.CONCEPTS, SectionKind.TIPS,
                       SectionKind.MARKING})
CONTENT = frozenset({SectionKind.CONCEPTS, SectionKind.TIPS, SectionKind.MARKING})
MISTAKES = frozenset({SectionKind.MISCONCEPTIONS})
_CANDIDATES = 30
_WARM_ALL = 2000  # up to this many passages, the first question of a build encodes them all
_SPREAD = 0.06  # a passage this close to the best one is quoted too when it adds something
_NEAR = 0.02  # this close, it is quoted even when it adds no new word of the question
_MISTAKE_BONUS = 0.08  # what a mistake gains when the question asks about mistakes (and half
# of what it loses when it does not: a mistake answers what not to do)
_SUBJECT = 0.1  # what a mistake gains for holding all the subject words of a mistakes question
_RELATED_SPREAD = 0.12  # how far below the mistakes a related point may be and still be added
_MAX_PARTS = 3
_CLAUSE = re.compile(r"[,;:()]|\bsuch as\b|\be\.g\.|\bi\.e\.|\bwhich\b|\bleading to\b|"
                     r"\bresulting in\b|\bincluding\b|\bwithout\b|\brather than\b", re.I)
_QUESTION = re.compile(r"\?\s*$|^\s*(what|which|who|why|how|when|where|is|are|do|does|can|should|"
                       r"could|would|any|am|must)\b", re.I)
# Words a question is phrased with; they say nothing about what it asks.
_ASKING = frozenset(stems(
    "what which who why how when where tell explain describe mean means meaning know learn need "
    "should could would can must please give show make makes good common often usually people "
    "learners trainees staff students customer customers service mistake mistakes error errors "
    "avoid avoiding wrong pitfall pitfalls trap traps put puts putting turn turns off mix mixes "
    "mixed up"))


@dataclass(frozen=True)
class Scored:
    """A passage and how well it answers the question (mean of whole-text and best-clause cosine)."""

    passage: Passage
    score: float
    bonus: float = 0.0  # what the kind of question adds or takes away (see compose)

    @property
    def total(self) -> float:
        return self.score + self.bonus

    @property
    def mistake(self) -> bool:
        return self.passage.section is SectionKind.MISCONCEPTIONS


@dataclass(frozen=True)
class Answer:
    """The text of an answer and the passages it quotes, best first."""

    text: str
    used: list[Passage]
    advice: bool


def is_question(message: str) -> bool:
    return bool(_QUESTION.search(message))


def clauses(text: str) -> list[str]:
    """A passage's whole text, its clauses and each pair of adjacent ones (two words or more)."""
    parts = [p.strip() for p in _CLAUSE.split(text) if p and len(p.split()) >= 2]
    return [text, *parts, *(f"{a} {b}" for a, b in pairwise(parts))]


class Ranker:
    """Scores passages against a question by their whole text and their best clause."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._vectors: dict[str, np.ndarray] = {}  # passage content key -> its clauses' vectors
        self._lock = threading.Lock()
        self._warm_build: str | None = None

    def _clause_vectors(self, passages: list[Passage]) -> list[np.ndarray]:
        """Each passage's clause vectors, encoding the missing ones in one batch (every passage on
        a build's first call when there are few: a course's documents)."""
        build = self.kb.build_id
        with self._lock:
            if self._warm_build != build:
                self._warm_build = build
                every = [p for doc in self.kb.catalogue.documents for p in passages_of(doc)]
                if len(every) <= _WARM_ALL:
                    self._encode(every)
            self._encode(passages)
            return [self._vectors[p.key] for p in passages]

    def _encode(self, passages: list[Passage]) -> None:
        """Encode the clauses of the passages not cached yet, in one batch."""
        missing = {p.key: clauses(p.text) for p in passages if p.key not in self._vectors}
        texts = [c for parts in missing.values() for c in parts]
        vectors = self.kb.encoder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        start = 0
        for key, parts in missing.items():
            self._vectors[key] = vectors[start:start + len(parts)]
            start += len(parts)

    def rank(self, message: str, sections: frozenset[SectionKind],
             docs: frozenset[str] | None = None) -> list[Scored]:
        """Passages of ``sections`` (and ``docs``) for ``message``, best first. A passage scores
        the mean of its score for the whole question and for the question's focus words alone
        (so "customer service" in every question and every passage weighs less)."""
        # hybrid candidates: the union of the dense and the BM25 rankings' heads; a question about
        # mistakes weighs every mistake (they are few, and "body signals" shares no word with
        # "non-verbal cues", nor much meaning once the bullet's heading is embedded with it)
        passages = [h.passage for h in self.kb.search(message, k=_CANDIDATES, sections=sections,
                                                       docs=docs)]
        if SectionKind.MISCONCEPTIONS in sections and asks_about_mistakes(message):
            passages = list(dict.fromkeys(passages + self.kb.passages(
                frozenset({SectionKind.MISCONCEPTIONS}), docs)))
        if not passages:
            return []
        queries = [self.kb.embed(message)]
        if (words := focus_words(message)) and words != message:
            queries.append(self.kb.embed(words))
        scored = []
        for passage, vectors in zip(passages, self._clause_vectors(passages), strict=True):
            per_query = []
            for query in queries:
                sims = vectors @ query
                whole = float(sims[0])
                best = whole if passage.section is SectionKind.SYNOPSIS else float(sims.max())
                per_query.append((whole + best) / 2)
            scored.append(Scored(passage, sum(per_query) / len(per_query)))
        return sorted(scored, key=lambda s: -s.score)


def focus_words(message: str) -> str:
    """The words of ``message`` that say what it asks about."""
    return " ".join(w for w in re.findall(r"[\w'’-]+", message) if (s := stems(w))
                    and s[0] not in _ASKING)


def focus(message: str) -> set[str]:
    """The stems of what a question asks about (the words it is phrased with left out)."""
    return {s for s in stems(message) if s not in _ASKING}


def relevant(message: str, scored: Scored, min_score: float) -> bool:
    """Close enough to quote: by meaning, or a little less close but sharing a word."""
    if scored.score >= min_score:
        return True
    shared = focus(message) & set(stems(scored.passage.text))
    return scored.score >= min_score - 0.1 and bool(shared)


def compose(message: str, ranked: list[Scored], min_score: float) -> Answer | None:
    """Choose the passages that answer ``message`` and combine them; None when none is relevant.

    A question about mistakes leads with the closest mistakes, as advice, and adds the closest
    other point; any other question leads with the best passage and adds those close to it that
    cover words of the question the answer has not covered yet."""
    mistakes_asked = asks_about_mistakes(message)
    wanted = focus(message)

    def shift(s: Scored) -> float:
        """A mistake gains when mistakes are asked about, the more so the more of the question's
        subject words it holds (the mistakes are few: their words tell them apart); else it loses."""
        if not s.mistake:
            return 0.0
        if not mistakes_asked:
            return -_MISTAKE_BONUS / 2
        shared = len(wanted & set(stems(s.passage.text))) / len(wanted) if wanted else 0.0
        return _MISTAKE_BONUS + _SUBJECT * shared

    ranked = sorted((Scored(s.passage, s.score, shift(s)) for s in ranked), key=lambda s: -s.total)
    ranked = [s for s in ranked if relevant(message, s, min_score)]
    if not ranked:
        return None
    if mistakes_asked and ranked[0].mistake:
        return _advice_answer(ranked)
    return _plain_answer(message, ranked)


def _advice_answer(ranked: list[Scored]) -> Answer:
    mistakes = [s for s in ranked if s.mistake]
    best = mistakes[0]
    chosen = [s for s in mistakes[:2] if s.total >= best.total - _SPREAD / 2]
    lines = ["Mistakes to avoid, from your course:", bulleted([advice(s.passage.text) for s in chosen])]
    used = [s.passage for s in chosen]
    related = next((s for s in ranked if not s.mistake and s.passage.section is not
                    SectionKind.SYNOPSIS), None)
    if related is not None and related.score >= best.score - _RELATED_SPREAD:
        lines.append(f"\nRelated point: {first_sentence(related.passage.text)}")
        used.append(related.passage)
    return Answer("\n".join(lines), used, advice=True)


def _plain_answer(message: str, ranked: list[Scored]) -> Answer:
    wanted = focus(message)
    top = ranked[0]
    chosen = [top]
    covered = set(stems(top.passage.text))
    for s in ranked[1:]:
        if len(chosen) == _MAX_PARTS or s.total < top.total - _SPREAD:
            break
        if s.passage.section is SectionKind.SYNOPSIS or any(s.passage.text == c.passage.text
                                                             for c in chosen):
            continue
        words = set(stems(s.passage.text))
        elsewhere = all((s.passage.doc, s.passage.section) != (c.passage.doc, c.passage.section)
                        for c in chosen)
        if (wanted & words) - covered or elsewhere or s.total >= top.total - _NEAR:
            chosen.append(s)
            covered |= words
    parts = list(dict.fromkeys(_render(s) for s in chosen))
    return Answer(" ".join(parts), [s.passage for s in chosen], advice=False)


def _render(scored: Scored) -> str:
    """A passage as it reads in an answer: its first sentence; a mistake reads as advice."""
    text = advice(scored.passage.text) if scored.mistake else scored.passage.text
    return first_sentence(text)
