"""The question bank, and choosing questions for a learner's request ("5 questions on the models").

Requests are resolved against the catalogue at run time, by the tutor's own resolver
(:mod:`actions.answers.resolve`): model, law and abbreviation names, and topics by number, title or
key concept ("topic 4", "the complaints topic"); then the families (models, legislation,
abbreviations, misconceptions) and any words from the documents ("complaint handling").
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..answers.resolve import find_abbreviations, find_laws, find_models, find_topics
from ..knowledge.catalogue import build_catalogue
from ..knowledge.model import Catalogue
from ..knowledge.validate import load_corpus
from .questions import Question, generate
from .text import FUNCTION_WORDS, contains_word, content_words, words

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
_TOPIC_NUMBER = re.compile(r"\b(?:topics?|units?|modules?)\s*(?:number\s*|no\.?\s*|#\s*)?\w+", re.I)
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
        topics = find_topics(request, self.catalogue)  # "the data protection topic" is a topic
        names = [] if topics else self._names_in(request)
        groups = [g for g, keys in _GROUPS.items() if any(t in keys for t in tokens)]
        if "true" in tokens and "false" in tokens:
            groups.append("misconception")
        if names or topics:
            groups = []  # "the HEAT model" asks about HEAT, not every model
        docs = {doc.name for doc in topics}
        chosen: dict[str, Question] = {}
        for q in self.questions:
            if (
                q.subject in names
                or (not q.steps and set(q.answers) & set(names) and q.kind.group == "legislation")
                or q.group in groups
                or q.doc in docs
            ):
                chosen[q.id] = q
        labels = list(names) + groups + [doc.topic for doc in topics]
        if chosen:
            return list(chosen.values()), " and ".join(dict.fromkeys(labels)), labels
        wanted = [w for w in content_words(request) if w not in _FILLER and not w.isdigit()]
        if wanted and not any(t in _ALL for t in tokens):
            related = self._about(wanted)
            if related:
                return related, " ".join(wanted), []
        return list(self.questions), "all topics", []

    def _names_in(self, request: str) -> list[str]:
        """Model, law and abbreviation names the request's subject names, by the shared resolver.

        The request words go first ("quiz me on heat" names "heat"), so that a lower-case model
        name is read as a name just as when it is asked about on its own.
        """
        subject = " ".join(w for w in re.findall(r"[\w'’-]+", request)
                           if w.lower() not in _FILLER | FUNCTION_WORDS and not w.isdigit())
        if not subject:
            return []
        found = [m.name for m in find_models(subject, self.catalogue)]
        found += [law.name for law in find_laws(subject, self.catalogue)]
        found += [a.short for a in find_abbreviations(subject, self.catalogue)]
        return list(dict.fromkeys(found))

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
    request = _TOPIC_NUMBER.sub(" ", request)  # "topic 4", "unit four" name a topic, not a count
    match = re.search(r"\b(\d{1,2})\b(?!\s*(?:%|th\b))", request)
    if match:
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
