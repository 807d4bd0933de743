"""Readable titles for documents that have no Markdown ``# Title``, drawn from their own text.

A title joins two phrases: the synopsis phrase and the key-concept term that best say what the
document's items hold. Phrases are scored by class-based TF-IDF (each document is a class): a
word weighs more the more the document's items use it and the fewer other documents do, so
"customer service" in every document says little and "service plans" in one says a lot. Taking one
phrase from the synopsis and one from the key concepts covers documents whose concepts drift from
their synopsis. Everything is counted, nothing is loaded: deterministic and a few milliseconds.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

from .model import Document, SectionKind

MAX_WORDS = 6
_OVERLAP = 1.0  # how much a second phrase loses for sharing sections with the first
_STOP = frozenset(STOPWORDS_EN_PLUS)
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|[^\w\s]")
_BRACKETS = re.compile(r"\s*\([^)]*\)")
_STEMMER = Stemmer.Stemmer("english")


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]  # as written
    stems: tuple[str, ...]  # content words only

    @property
    def text(self) -> str:
        return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in self.words)


def untitled(doc: Document) -> bool:
    """True when a document has no title of its own (none, or one that only repeats its number)."""
    return not doc.title.strip() or doc.title.strip().casefold() == f"topic {doc.doc_id}".casefold()


def titled(documents: list[Document]) -> list[Document]:
    """``documents`` with a derived title for each untitled one (copies; the inputs are unchanged)."""
    if not any(untitled(doc) for doc in documents):
        return list(documents)
    weights = term_weights(documents)
    taken = {doc.title.casefold() for doc in documents if not untitled(doc)}
    out = []
    for doc, weight in zip(documents, weights, strict=True):
        if untitled(doc):
            title = _choose(doc, weight, taken)
            taken.add(title.casefold())
            doc = replace(doc, title=title)
        out.append(doc)
    return out


def _stem(word: str) -> str:
    return _STEMMER.stemWord(word.lower().replace("’", "'").removesuffix("'s"))


def _runs(text: str) -> Iterator[list[str]]:
    """Runs of content words, split at stop words and punctuation."""
    run: list[str] = []
    for token in _TOKEN.findall(_BRACKETS.sub("", text)):
        if token[0].isalpha() and token.lower() not in _STOP and len(token) > 1:
            run.append(token)
        else:
            if run:
                yield run
            run = []
    if run:
        yield run


def stems(text: str) -> list[str]:
    """The stems of the content words of ``text`` (stop words dropped): what titles and topic
    names are compared by."""
    return list(_stems(text))


@lru_cache(maxsize=8192)
def _stems(text: str) -> tuple[str, ...]:
    # the documents' own items are stemmed again on every turn that names a topic: remember them
    return tuple(_stem(word) for run in _runs(text) for word in run)


def term_weights(documents: list[Document]) -> list[dict[str, float]]:
    """Per document, each word stem's count in its items times its inverse document frequency."""
    counts = [Counter(s for item in doc.items for s in stems(item.text)) for doc in documents]
    seen = Counter(stem for count in counts for stem in count)
    n = len(documents)
    idf = {stem: math.log(1 + (n - df + 0.5) / (df + 0.5)) for stem, df in seen.items()}
    return [{stem: tf * idf[stem] for stem, tf in count.items()} for count in counts]


def _ngrams(text: str, sizes: range) -> Iterator[_Phrase]:
    for run in _runs(text):
        for size in sizes:
            for start in range(len(run) - size + 1):
                words = tuple(run[start:start + size])
                yield _Phrase(words, tuple(_stem(w) for w in words))


def _term(text: str) -> _Phrase | None:
    """A key-concept term as one phrase (stop words such as 'and' kept), when it is short enough."""
    words = tuple(_BRACKETS.sub("", text).split())
    if not words or len(words) > 4:
        return None
    return _Phrase(words, tuple(stems(" ".join(words))))


def _candidates(doc: Document) -> list[tuple[_Phrase, frozenset[SectionKind]]]:
    """Key-concept terms and the phrases the document repeats, each with the sections it is in.

    A phrase that only ever occurs inside one longer phrase ("good customer" in "good customer
    service") is left out for the longer one. Candidates are in the order the text first uses them.
    """
    found: dict[tuple[str, ...], _Phrase] = {}
    counts: Counter[tuple[str, ...]] = Counter()
    for item in doc.items:
        for phrase in _ngrams(item.text, range(2, 4)):
            found.setdefault(phrase.stems, phrase)
            counts[phrase.stems] += 1
    terms: dict[tuple[str, ...], _Phrase] = {}
    for item in doc.section(SectionKind.CONCEPTS):
        whole = _term(item.term) if item.term else None
        for phrase in [whole] if whole else _ngrams(item.term or "", range(2, 4)):
            terms.setdefault(phrase.stems, phrase)
    inside: Counter[tuple[str, ...]] = Counter()  # the count of the commonest longer phrase
    for key, count in counts.items():
        for sub in (key[:-1], key[1:]) if len(key) == 3 else ():
            inside[sub] = max(inside[sub], count)
    item_stems = [(item.kind, set(stems(item.text))) for item in doc.items]
    out = []
    for key, phrase in {**found, **terms}.items():
        if key and (key in terms or (counts[key] >= 2 and inside[key] < counts[key])):
            sections = frozenset(kind for kind, words in item_stems if set(key) <= words)
            out.append((phrase, sections))
    return out


def _score(candidate: tuple[_Phrase, frozenset[SectionKind]], weight: dict[str, float]) -> float:
    """Mean weight of the phrase's words, times how many sections besides the synopsis use it
    (what the items hold counts, not only what the synopsis announces)."""
    phrase, sections = candidate
    mean = sum(weight.get(s, 0.0) for s in phrase.stems) / len(phrase.stems)
    return mean * max(1, len(sections - {SectionKind.SYNOPSIS}))


def _join(first: _Phrase, second: _Phrase) -> str | None:
    """'A and B', or 'A, B and C' when one of them holds an 'and' already (put last)."""
    if len(first.words) + len(second.words) + 1 > MAX_WORDS:
        return None
    a, b = first.text, second.text
    if " and " in a and " and " in b:
        return None
    if " and " in a:
        a, b = b, a
    title = f"{a}, {b}" if " and " in b else f"{a} and {b}"
    return title[:1].upper() + title[1:]


def _choose(doc: Document, weight: dict[str, float], taken: set[str]) -> str:
    """The best phrase, then the best one that shares no word with it, discounted for sharing its
    sections (maximal marginal relevance), joined in the order the document uses them."""
    candidates = _candidates(doc)
    ranked = sorted(candidates, key=lambda c: -_score(c, weight))  # stable: ties in text order
    order = {c[0].stems: i for i, c in enumerate(candidates)}
    titles: list[str] = []
    for first, covered in ranked:
        pairs = sorted(
            (
                (-_score((other, kinds), weight) * (1 - _OVERLAP * len(kinds & covered) / len(kinds)), other)
                for other, kinds in ranked
                if not set(other.stems) & set(first.stems)
            ),
            key=lambda pair: pair[0],
        )
        for _, second in pairs:
            a, b = sorted((first, second), key=lambda p: order[p.stems])
            title = _join(a, b)
            if title:
                titles.append(title)
        titles.append(first.text[:1].upper() + first.text[1:])
    return next((t for t in titles if t.casefold() not in taken), f"Topic {doc.doc_id}")
