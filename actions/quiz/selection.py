"""The question bank, and choosing questions for a learner's request ("5 questions on the models").

Requests are resolved against the catalogue at run time: model, law and abbreviation names, the
families (models, legislation, abbreviations, misconceptions), topics ("topic 2") and any concept
term or words from the documents ("complaint handling"), with typos forgiven.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from ..knowledge.catalogue import build_catalogue
from ..knowledge.model import Catalogue
from ..knowledge.validate import load_corpus
from .grading import law_named
from .questions import Question, generate
from .text import contains_word, content_words, fold, same_word, words

DEFAULT_COUNT = 5
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "a couple": 2,
    "a few": 3,
}
_GROUPS: dict[str, tuple[str, ...]] = {
    "model": ("model", "models", "framework", "frameworks", "method", "methods", "acronym", "acronyms"),
    "legislation": ("legislation", "law", "laws", "act", "acts", "legal", "regulation", "regulations"),
    "abbreviation": ("abbreviation", "abbreviations", "initialism", "initialisms"),
    "misconception": ("misconception", "misconceptions", "myth", "myths", "mistake", "mistakes"),
}
_ALL = ("everything", "anything", "all", "random", "mixed", "mix", "general")
_FILLER = frozenset(
    [
        "quiz",
        "quizzes",
        "question",
        "questions",
        "test",
        "me",
        "us",
        "on",
        "about",
        "some",
        "please",
        "give",
        "ask",
        "want",
        "would",
        "like",
        "lets",
        "let",
        "start",
        "another",
        "new",
        "more",
        "revise",
        "revision",
        "practise",
        "practice",
        "try",
        "go",
        "do",
        "could",
        "can",
        "round",
        "few",
        "couple",
        "bit",
        "with",
        "from",
        "topics",
        "topic",
        "stuff",
        "things",
        "true",
        "false",
    ]
)


@dataclass(frozen=True)
class Selection:
    """The questions matching a request, how many to ask and what the request was read as."""

    questions: list[Question]
    count: int
    label: str
    matched: list[str] = field(default_factory=list)


class QuestionBank:
    """Every question the catalogue supports, by id, with request-based selection."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.questions = generate(catalogue)
        self.by_id = {q.id: q for q in self.questions}

    @classmethod
    def from_folders(cls, paths: Iterable[Path]) -> QuestionBank:
        """Build the bank from topic documents on disk."""
        return cls(build_catalogue(load_corpus(list(paths)).documents))

    def get(self, question_id: str) -> Question | None:
        return self.by_id.get(question_id)

    def select(
        self,
        request: str,
        rng: random.Random | None = None,
        priority: Callable[[Question], float] | None = None,
    ) -> Selection:
        """Questions for ``request``, varied; ``priority`` (lower first) can put due ones first."""
        count = request_count(request) or DEFAULT_COUNT
        found, label, matched = self.resolve(request)
        ordered = _interleave(found, rng or random.Random(), priority)
        return Selection(ordered, min(count, len(ordered)), label, matched)

    def resolve(self, request: str) -> tuple[list[Question], str, list[str]]:
        """The questions a request asks about, a label for it and the names it matched."""
        tokens = words(request.replace(".", ""))
        names = self._names_in(request, tokens)
        groups = [g for g, keys in _GROUPS.items() if any(t in keys for t in tokens)]
        if "true" in tokens and "false" in tokens:
            groups.append("misconception")
        if names:
            groups = []  # "the HEAT model" asks about HEAT, not every model
        topics = self._topics_in(request)
        chosen: dict[str, Question] = {}
        for q in self.questions:
            if (
                q.subject in names
                or (not q.steps and set(q.answers) & set(names) and q.kind.group == "legislation")
                or q.group in groups
                or q.doc in topics
            ):
                chosen[q.id] = q
        labels = list(names) + groups + [self.catalogue.topic_of(doc) for doc in topics]
        if chosen:
            return list(chosen.values()), " and ".join(dict.fromkeys(labels)), labels
        wanted = [w for w in content_words(request) if w not in _FILLER and not w.isdigit()]
        if wanted and not any(t in _ALL for t in tokens):
            related = self._about(wanted)
            if related:
                return related, " ".join(wanted), []
        return list(self.questions), "all topics", []

    def _names_in(self, request: str, tokens: list[str]) -> list[str]:
        """Model, law and abbreviation names in the request (short names exactly, long ones fuzzily)."""
        names: list[str] = []
        for model in self.catalogue.models:
            key = fold(model.name)
            if " " in key or "," in key:
                if fuzz.token_set_ratio(key, fold(request)) >= 90:
                    names.append(model.name)
            elif any(t == key or (len(key) > 5 and same_word(t, key)) for t in tokens):
                names.append(model.name)
        for law in self.catalogue.laws:
            if law_named(request, law.name):
                names.append(law.name)
        for abbr in self.catalogue.abbreviations:
            if fold(abbr.short) in tokens or fuzz.token_set_ratio(fold(abbr.long), fold(request)) >= 95:
                names.append(abbr.short)
        return names

    def _topics_in(self, request: str) -> list[str]:
        found = []
        for match in re.finditer(r"\btopic\s*(\d{1,3})\b", request, re.I):
            for doc in self.catalogue.documents:
                if doc.doc_id.isdigit() and int(doc.doc_id) == int(match.group(1)):
                    found.append(doc.name)
        return found

    def _about(self, wanted: list[str]) -> list[Question]:
        """Questions whose source text has every requested word, else at least half of them."""
        scored: dict[float, list[Question]] = defaultdict(list)
        for q in self.questions:
            text = words(" ".join((q.context, q.subject, q.prompt)))
            share = sum(contains_word(text, w) for w in wanted) / len(wanted)
            if share >= 0.5:
                scored[share].append(q)
        return scored[max(scored)] if scored else []


def request_count(request: str) -> int | None:
    """How many questions a request asks for: '5 questions', 'five questions', 'a few'."""
    match = re.search(r"\b(\d{1,2})\b(?!\s*(?:%|th\b))", request)
    if match and not re.search(r"topic\s*" + match.group(1), request, re.I):
        return max(1, int(match.group(1)))
    lowered = request.lower()
    for word, number in _NUMBERS.items():
        if re.search(rf"\b{word}\b", lowered):
            return number
    return None


def _interleave(
    questions: list[Question], rng: random.Random, priority: Callable[[Question], float] | None
) -> list[Question]:
    """Shuffle, then take one question per subject in turn (rotating through each subject's kinds)
    so a quiz is varied; subjects holding the highest-priority questions come first."""
    pool = list(questions)
    rng.shuffle(pool)
    if priority is not None:
        pool.sort(key=priority)
    by_subject: dict[str, dict[str, list[Question]]] = defaultdict(lambda: defaultdict(list))
    for q in pool:
        by_subject[q.subject][q.kind.value].append(q)
    queues = [_round_robin(list(kinds.values())) for kinds in by_subject.values()]
    return _round_robin(queues)


def _round_robin(lists: list[list[Question]]) -> list[Question]:
    """One from each list in turn until all are empty."""
    out: list[Question] = []
    for round_ in range(max((len(x) for x in lists), default=0)):
        out.extend(x[round_] for x in lists if round_ < len(x))
    return out
