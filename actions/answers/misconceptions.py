"""Spot a learner stating (or asking about) a belief from a document's misconceptions section.

Every misconception is a set of claims drawn from its bullet (catalogue.extract_misconception),
each with the side the mistaken learner takes: "the customer is always right" (held),
"company policies" (left undone). A message is read clause by clause (stance.read_message): each
clause's proposition is compared with every claim by embedding, and its polarity, read from the
parse, says whether it takes the mistaken side of that claim or the correct one.

Two questions are answered apart. What the message is about: the whole message is compared with
each bullet as the document words it and with the nearest of the bullet's claims, belief and
correct views (either side), and the closest bullet is the topic. Which side it takes:
only that bullet's claims are read, clause by clause, so a message about complaints is never
corrected for a belief about data because one of its clauses came close to it.

Embeddings are compared after removing what the compared texts share (their mean: "customers",
"service"), so what is compared is what tells one misconception from another. A claim that is
exclusive ("solely about being friendly", "the same style for all") is held only by a clause that
is exclusive too ("just polite", "one way whatever the situation"); an unmarked clause ("everyone
has a part in complaints") holds it at ``penalty`` less. The learner is corrected when the
message is about a misconception (closeness to its bullet clears ``threshold``) and its mistaken
side beats its correct side by ``margin``, clause by clause (Scores.gap); a clear lead of the
mistaken side also adds a little to the closeness (``evidence``). Wh-questions and requests assert
nothing and are never corrected.

With labelled learner messages (knowledge/examples/misconceptions.yml, plus each bullet's belief
and correct views in its own words: :func:`document_examples`), a learned judge
(:mod:`misconception_judge`) makes the last decision from these readings and from the message's
closeness to each misconception's examples: the threshold above generalised poorly to wording its
rules were not written from. Without an examples file the rules decide alone.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ..knowledge.base import KnowledgeBase
from ..knowledge.model import Misconception, SectionKind
from . import misconception_judge as judging
from .misconception_judge import Judge
from .nlp import normalise
from .stance import EXCLUSIVE_WORDS, Reading, Stance, read_message


@dataclass(frozen=True)
class Params:
    """What turns closeness into a decision (fitted by scripts/eval_misconceptions.py)."""

    threshold: float
    margin: float
    penalty: float


# Fitted on the labelled cases (less the unseen block) by scripts/eval_misconceptions.py, whose
# k-fold figures (fitted on training folds only) show how well such fitting generalises.
DEFAULT = Params(threshold=0.23, margin=-0.04, penalty=2.0)
# The weight of the nearest claim in what a message is about (the bullet's weight is the rest).
ROW_WEIGHT = 0.3
# Hubness: a bullet that is close to much of what the documents say ("customer data", "the
# customer") draws every message about customers. What a message is about is lowered by this
# weight times the bullet's mean closeness to its HUB_K nearest other bullets of the documents
# (key concepts, tips, marking points), less the mean of that over all misconceptions.
HUB_WEIGHT = 0.5
HUB_K = 5
# How much a clear lead of the mistaken side (Scores.gap, counted up to GAP_CAP) adds to the
# closeness that ``threshold`` is applied to: "I don't bother writing notes up after a call" is
# about documenting only loosely as worded, but clearly takes its mistaken side.
GAP_WEIGHT = 0.1
GAP_CAP = 0.2


log = logging.getLogger(__name__)

# With a judge, the first test (near_a_misconception) lets a message through when it is this close
# to a bullet or to a held example; below both, no labelled held message was judged held.
GATE_ABOUT = 0.0
GATE_EXAMPLE = 0.45
# topic_of: how close a message must come to a held example ("I log every call I take": 0.79,
# "I always check who I'm talking to before I look at their account": 0.66) to be about its
# misconception; chatter stays under it ("my manager is nice": 0.55, "I work on the tills": 0.52).
# Without a judge, the closeness to the bullet (``about``) must reach TOPIC_ABOUT.
TOPIC_EXAMPLE = 0.6
TOPIC_ABOUT = 0.35


def evidence(about: np.ndarray | float, gap: np.ndarray | float) -> np.ndarray | float:
    """What ``threshold`` is applied to: closeness to the topic plus a capped share of the gap."""
    return about + GAP_WEIGHT * np.minimum(gap, GAP_CAP)


@dataclass(frozen=True)
class Match:
    """A misconception the learner holds, with how close the message was to it."""

    misconception: Misconception
    similarity: float
    stance: Stance


@dataclass(frozen=True)
class Scores:
    """For each clause and misconception, how close the clause comes to its mistaken side
    (``held``: by an exclusive clause or on a non-exclusive claim; ``unmarked``: an unmarked clause
    on an exclusive claim) and to its correct side (``denied``); -1 where it takes no such side.
    Rows are clauses, columns misconceptions."""

    reading: Reading
    about: np.ndarray  # closeness of the whole message to each bullet: what it is about
    held_by_clause: np.ndarray
    unmarked_by_clause: np.ndarray
    denied_by_clause: np.ndarray

    def _holding_by_clause(self, penalty: float) -> np.ndarray:
        return np.maximum(self.held_by_clause, self.unmarked_by_clause - penalty)

    def holding(self, penalty: float) -> tuple[np.ndarray, np.ndarray]:
        """Closeness to each mistaken side after the penalty, and the clause it comes from."""
        by_clause = self._holding_by_clause(penalty)
        return by_clause.max(axis=0), by_clause.argmax(axis=0)

    def gap(self, penalty: float) -> np.ndarray:
        """How far the message takes each misconception's mistaken side over its correct side:
        each clause's closeness to the mistaken side less its closeness to the correct side (each
        at least 0), summed over the clauses. A clause that only names the subject ("service
        quality", "the feedback") comes about as close to both sides and adds little; a clause
        that takes a side adds its lead, so one clause that mentions the correct view's words does
        not outweigh another that states the mistake."""
        held = np.maximum(self._holding_by_clause(penalty), 0.0)
        return (held - np.maximum(self.denied_by_clause, 0.0)).sum(axis=0)


@dataclass
class _Table:
    build_id: str
    owners: np.ndarray  # row -> index of its misconception
    negated: np.ndarray  # row -> whether the mistaken learner holds the row's negation
    exclusive: np.ndarray  # row -> whether the row is exclusive ("solely", "the same as")
    centroid: np.ndarray  # mean of the rows' embeddings, removed before comparing
    vectors: np.ndarray  # rows' embeddings, centred and of unit length
    misconceptions: list[Misconception]
    topic_centroid: np.ndarray  # mean of the bullets' embeddings
    topics: np.ndarray  # each bullet's embedding, centred and of unit length
    hub: np.ndarray | None = None  # each one's usual closeness to the documents' other bullets

    @cached_property
    def starts(self) -> np.ndarray:
        """Each misconception's first row (a misconception's rows are contiguous)."""
        return np.searchsorted(self.owners, np.arange(len(self.misconceptions)))


def _centred(vectors: np.ndarray, centroid: np.ndarray) -> np.ndarray:
    shifted = vectors - centroid
    norms = np.linalg.norm(shifted, axis=-1, keepdims=True)
    return shifted / np.maximum(norms, 1e-9)


def _mean(vectors: np.ndarray) -> np.ndarray:
    """The mean to remove before comparing (none for a single vector: it would remove it all)."""
    return vectors.mean(axis=0) if len(vectors) > 1 else np.zeros(vectors.shape[1], vectors.dtype)


# One clause that opens with a question word and ends with a question mark ("what does HEAT stand
# for?"): read_message would find it asks for information, after a parse that costs a question turn
# more than its answer's retrieval. "what, the customer is always right?" has two clauses: parsed.
_PLAIN_WH_QUESTION = re.compile(
    r"^\s*(?:what|what's|whats|how|why|when|where|which|who|whom|whose)\b[^,;:.!?]*\?\s*$", re.I)

# A claim of sameness across cases: "(using) the same communication style for all situations".
_SAME_FOR_ALL = re.compile(r"\bthe same (?P<what>[\w' -]+?) for (?:all|every|each|any) (?P<whom>[\w' -]+)",
                           re.I)


def _correct_views(m: Misconception) -> list[str]:
    """The correct view in the bullet's own words: what the mistaken learner does, together with
    what they leave undone ("proposing changes ... while considering cost"), so that a learner
    stating both is closer to it than to the mistaken part alone. Exclusive words are dropped
    ("solely about being friendly" -> "about being friendly while recognizing ...")."""
    if not m.claims or m.claims[0].negated or read_message(m.claims[0].text).whole.negated:
        return []  # the bullet opens with what is left undone: no done part to join it to
    if "same" in m.claims[0].text.lower().split():
        return []  # "A is the same as B" less "same" says nothing: its truth is a difference
    done = " ".join(w for w in m.claims[0].text.split() if w.lower() not in EXCLUSIVE_WORDS)
    return [f"{done} {'while' if c.text.split()[0].endswith('ing') else 'and'} {c.text}"
            for c in m.claims if c.negated]


def document_examples(items: list[Misconception]) -> list[judging.Example]:
    """Examples in the documents' own words, for every misconception (a new document's too):
    its belief as held, its correct views as not held. Own blocks left out in turn, judged with
    and without them: F1 0.87 either way, false corrections 20 -> 18/285, own:9 0.73 -> 0.79."""
    out = []
    for i, m in enumerate(items):
        out.append(judging.Example(m.belief, i, "documents"))
        out += [judging.Example(text, -1, "documents")
                for text in (*_correct_views(m), *([m.correction] if m.correction else []))]
    return out


class MisconceptionDetector:
    """Compares each clause of a message with every misconception's claims, side by side."""

    def __init__(self, kb: KnowledgeBase, params: Params = DEFAULT,
                 examples: Path | None = None) -> None:
        """``examples``: labelled learner messages for the judge (by default the knowledge
        folder's examples/misconceptions.yml); without any, the rules alone decide."""
        self.kb = kb
        self.params = params
        self.examples = examples or kb.knowledge_dir / "examples" / "misconceptions.yml"
        self._table: _Table | None = None
        self._judge: tuple[tuple[str, int], Judge | None] | None = None
        self._judge_lock = threading.Lock()
        # misconceptions that some learner example holds (a new document's have none yet)
        self._learned: frozenset[int] = frozenset()

    def judge(self) -> Judge | None:
        """The judge fitted on the examples for the current documents: loaded when this or
        another process has fitted it already (saved by content, in ``$TUTOR_JUDGE_CACHE`` or
        the index folder's ``judges``), else fitted now (seconds; ``tutor index`` does it
        ahead). None without examples: the rules decide alone."""
        try:
            key = (self.kb.build_id, self.examples.stat().st_mtime_ns)
        except OSError:
            key = (self.kb.build_id, -1)
        if self._judge is not None and self._judge[0] == key:
            return self._judge[1]
        with self._judge_lock:
            if self._judge is None or self._judge[0] != key:
                self._judge = (key, self._load_or_fit() if key[1] != -1 else None)
            return self._judge[1]

    def _load_or_fit(self) -> Judge | None:
        items = self._rows().misconceptions
        examples = judging.load_examples(self.examples, items)
        self._learned = frozenset(e.target for e in examples if e.target >= 0)
        if not self._learned:
            return None
        examples += document_examples(items)
        documents = [item.text for doc in self.kb.catalogue.documents for item in doc.items]
        key = judging.cache_key([type(self.kb.encoder).__name__, *documents],
                                self.examples.read_bytes())
        folder = Path(os.environ.get("TUTOR_JUDGE_CACHE") or self.kb.store.root / "judges")
        saved = folder / f"{key}.pkl"
        judge = judging.load_saved(saved)
        if judge is None or judge.n != len(items):
            started = time.perf_counter()
            judge = self.fit_judge(examples)
            log.info("misconception judge fitted on %d examples in %.1f s", len(examples),
                     time.perf_counter() - started)
            try:
                judging.save(judge, saved)
            except OSError as exc:
                log.warning("misconception judge not saved to %s: %s", saved, exc)
        return judge

    def fit_judge(self, examples: list[judging.Example],
                  use: np.ndarray | None = None) -> Judge:
        """A judge fitted on ``examples`` (those in ``use``)."""
        readings = [self.reading(e.say) for e in examples]
        vectors = self.kb.encoder.encode([e.say for e in examples])  # unit length, in one batch
        return Judge.fit(readings, vectors, examples, len(self._rows().misconceptions), use)

    def reading(self, message: str, scores: Scores | None = None) -> judging.Reading | None:
        """What the judge reads of ``message`` (None when it asserts nothing)."""
        scores = scores if scores is not None else self.scores(message)
        if scores is None:
            return None
        return judging.Reading(scores.about, scores.gap(self.params.penalty),
                               scores.holding(self.params.penalty)[0],
                               scores.denied_by_clause.max(axis=0), self.kb.embed(message.strip()),
                               message.strip())

    def _rows(self) -> _Table:
        """The claims' rows, embedded once per knowledge build."""
        build = self.kb.build_id
        if self._table is not None and self._table.build_id == build:
            return self._table
        items = self.kb.catalogue.misconceptions
        texts: list[str] = []
        owners: list[int] = []
        negated: list[bool] = []
        exclusive: list[bool] = []

        def add(text: str, owner: int, holds_negation: bool, by_clause: bool = False,
                read_polarity: bool = True) -> None:
            reading = read_message(text)  # read the same way as a learner's message
            for stance in reading.clauses if by_clause else (reading.whole,):
                texts.append(stance.core)
                owners.append(owner)
                negated.append(holds_negation != (stance.negated and read_polarity))
                exclusive.append(bool(EXCLUSIVE_WORDS & set(stance.core.lower().split())))

        for i, m in enumerate(items):
            for claim in m.claims:
                # a claim the bullet marks as left undone names what is overlooked, negative
                # words and all ("overlooking cues such as avoiding eye contact"): not read again
                add(claim.text, i, claim.negated, read_polarity=not claim.negated)
                if same := _SAME_FOR_ALL.search(claim.text):
                    # "the same style for all situations" is "not adapting the style to each one"
                    add(f"adapting {same['what']} to each {same['whom']}", i, not claim.negated)
            # the belief in plain words, as the learner would hold it, clause by clause: "scripted
            # responses without adapting ... is fine" holds one and leaves the other undone
            add(m.belief, i, False, by_clause=True)
            for text in _correct_views(m):
                add(text, i, True)
        raw = self.kb.encoder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        bullets = (self.kb.encoder.encode([m.text for m in items]) if items
                   else np.zeros((0, raw.shape[1]), dtype=np.float32))
        table = _Table(build, np.array(owners, dtype=int), np.array(negated, dtype=bool),
                       np.array(exclusive, dtype=bool), _mean(raw), _centred(raw, _mean(raw)),
                       items, _mean(bullets), _centred(bullets, _mean(bullets)))
        table.hub = np.zeros(len(items))
        others = [item.text for doc in self.kb.catalogue.documents for item in doc.items
                  if item.kind != SectionKind.MISCONCEPTIONS]
        if items and others and HUB_WEIGHT:
            near = np.stack([self._about(table, v) for v in self.kb.encoder.encode(others)])
            k = min(HUB_K, len(others))
            hub = np.sort(near, axis=0)[-k:].mean(axis=0)
            table.hub = hub - hub.mean()
        self._table = table
        return self._table

    def scores(self, message: str) -> Scores | None:
        """Side-by-side closeness to every misconception, or None when ``message`` asserts nothing."""
        typed = message.strip()
        message = normalise(typed)
        if len(message.split()) < 3 or _PLAIN_WH_QUESTION.match(message):
            return None  # a plain wh-question asserts nothing: no need to parse it to know
        reading = read_message(message)
        if reading.information_request:
            return None
        table = self._rows()
        if not len(table.vectors):
            return None
        n = len(table.misconceptions)
        whole = self.kb.embed(typed)  # as typed: the answer step embeds the same (cached) text
        sims_per_clause = self._clause_sims(table, whole, typed, reading)
        held = np.full((len(reading.clauses), n), -1.0)
        unmarked, denied = held.copy(), held.copy()
        for c, (clause, sims) in enumerate(zip(reading.clauses, sims_per_clause, strict=True)):
            agrees = (table.negated == clause.negated) != (table.exclusive & clause.broadened)
            if clause.assigned and not clause.negated:
                # "the legal side is for the lawyers": not done by the learner (what a negated row
                # says the mistaken learner leaves undone), left to others alone (an exclusive row)
                agrees = table.negated != table.exclusive
            opposing = np.where(agrees, -1.0, sims)
            if clause.broadened:  # "not just X": says nothing on X unless a claim says "only X"
                agrees &= table.exclusive
            plain = agrees & (clause.exclusive | ~table.exclusive | clause.broadened)
            if clause.advice:  # "don't X", "never X": the learner warns, and holds nothing
                agrees = np.zeros_like(agrees)
                plain = agrees
            held[c] = np.maximum.reduceat(np.where(plain, sims, -1.0), table.starts)
            unmarked[c] = np.maximum.reduceat(np.where(agrees & ~plain, sims, -1.0), table.starts)
            denied[c] = np.maximum.reduceat(opposing, table.starts)
        return Scores(reading, self._about(table, whole), held, unmarked, denied)

    def _clause_sims(self, table: _Table, whole: np.ndarray, typed: str,
                     reading: Reading) -> list[np.ndarray]:
        """Each clause's centred cosine with every row (the whole message too for one clause).
        The clauses are encoded in one batch: a turn costs at most that and the whole message."""
        cores = [c.core for c in reading.clauses]
        if cores == [typed]:
            return [table.vectors @ _centred(whole, table.centroid)]
        vectors = _centred(self.kb.encoder.encode(cores), table.centroid)
        if len(cores) == 1:
            both = np.stack([vectors[0], _centred(whole, table.centroid)])
            return [(table.vectors @ both.T).max(axis=1)]
        return [table.vectors @ v for v in vectors]

    @staticmethod
    def _about(table: _Table, whole: np.ndarray) -> np.ndarray:
        """How close the whole message is to each misconception: to its bullet as worded, and (at
        ``ROW_WEIGHT``) to the nearest of its claims, belief and correct views, either side, so
        that a paraphrase of one part of a long bullet ("I plan for every customer the same way")
        is not drowned by the rest of its words."""
        bullet = table.topics @ _centred(whole, table.topic_centroid)
        nearest = np.maximum.reduceat(table.vectors @ _centred(whole, table.centroid), table.starts)
        about = (1 - ROW_WEIGHT) * bullet + ROW_WEIGHT * nearest
        return about if table.hub is None else about - HUB_WEIGHT * table.hub

    def topic_of(self, message: str) -> Misconception | None:
        """The misconception ``message`` is about, whichever side it takes, when it is clearly
        about one: the misconception of its nearest held example, else (no examples) the bullet
        it is closest to."""
        table = self._rows()
        if not len(table.misconceptions):
            return None
        whole = self.kb.embed(message.strip())
        judge = self.judge()
        if judge is not None:
            index, closeness = judge.nearest_held(whole)
            return table.misconceptions[index] if closeness >= TOPIC_EXAMPLE else None
        about = self._about(table, whole)
        return table.misconceptions[int(about.argmax())] if about.max() >= TOPIC_ABOUT else None

    def near_a_misconception(self, message: str) -> bool:
        """Whether the whole message is close enough to its nearest misconception's bullet for
        :meth:`decide` to hold it at all (its first test): most questions are not, and skip the
        parse and the clauses' encoding."""
        table = self._rows()
        if not len(table.misconceptions):
            return False
        whole = self.kb.embed(message.strip())
        about = float(self._about(table, whole).max())
        if (judge := self.judge()) is not None:
            return about >= GATE_ABOUT or judge.nearest_held(whole)[1] >= GATE_EXAMPLE
        return about >= self.params.threshold - GAP_WEIGHT * GAP_CAP

    @staticmethod
    def decide(scores: Scores | None, params: Params) -> int | None:
        """The misconception held, given the scores: the one the message is about, if it is
        close enough to it (helped by how clearly it takes the mistaken side: :func:`evidence`)
        and its mistaken side beats its correct side by the margin."""
        if scores is None or not len(scores.about):
            return None
        best = int(np.argmax(scores.about))
        gap = float(scores.gap(params.penalty)[best])
        if evidence(scores.about[best], gap) >= params.threshold and gap >= params.margin:
            return best
        return None

    def check(self, message: str) -> Match | None:
        """The misconception ``message`` states or asks about, or None."""
        if not self.near_a_misconception(message):
            return None  # what decide() would say, without parsing or encoding the clauses
        scores = self.scores(message)
        if scores is None:
            return None
        best = self.decide(scores, self.params)
        if (judge := self.judge()) is not None:
            # every misconception has examples (its belief at least: document_examples)
            reading = self.reading(message, scores)
            if reading is None:
                return None
            chances = judge.probabilities(reading)
            top = int(np.argmax(chances))
            # the rules hold a new document's misconception, which only its own words speak for:
            # the judge has no learner's message to weigh it by, so the rules decide unless the
            # judge is sure of another
            rules_decide = best is not None and best not in self._learned \
                and chances[top] < judging.THRESHOLD
            if not rules_decide:
                bar = judging.THRESHOLD if best is None else judging.AGREED  # the rules hold it too
                best = top
                if chances[best] < bar:
                    return None
        if best is None:
            return None
        held, clauses = scores.holding(self.params.penalty)
        clause = scores.reading.clauses[int(clauses[best])]
        return Match(self._rows().misconceptions[best], float(held[best]), clause)
