"""What each law in the catalogue is about, read from the documents rather than written by hand.

A law's *area* is named by its own words (``Equality Act 2010`` -> equality) or, for an acronym, by
the phrase the documents gloss it with (``data protection (e.g., GDPR)``). Laws naming the same area
form one group (Data Protection Act 2018 and GDPR). A *situation* is a document sentence about that
area alone, with the law names and the area's words masked, so it can be asked as "which law?".
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ..knowledge.catalogue import sentences
from ..knowledge.model import Catalogue, Law, Source
from .text import STOPWORDS, contains_word, content_words, fold, initials, same_stem, words

BLANK = "____"
_GENERIC = frozenset(
    [
        "act",
        "acts",
        "regulation",
        "regulations",
        "directive",
        "law",
        "laws",
        "of",
        "the",
        "and",
        "for",
        "general",
    ]
)
# Words too common in customer-service documents to tell one area of law from another.
_COMMON = frozenset(["customer", "customers", "service", "services", "information", "interactions"])


@dataclass(frozen=True)
class Situation:
    """A document sentence about one area of law, with that area's names and words masked."""

    text: str
    original: str
    source: Source
    term: str | None = None


@dataclass(frozen=True)
class LawGroup:
    """Laws about one area (``data protection``), the area's words, its situations and cue words."""

    laws: tuple[Law, ...]
    keywords: tuple[str, ...]
    phrase: str
    situations: tuple[Situation, ...]
    cues: tuple[str, ...]

    @property
    def primary(self) -> Law:
        """The law to name first: one with a year (a full act name) when there is one."""
        return next((law for law in self.laws if law.year), self.laws[0])

    @property
    def names(self) -> tuple[str, ...]:
        return (self.primary.name, *(law.name for law in self.laws if law is not self.primary))


def base_name(law: Law) -> str:
    """The law's name without its year: ``Equality Act``."""
    if law.year is None:
        return law.name
    return re.sub(rf"\s*(?:of\s+)?{law.year}$", "", law.name).strip()


def area_words(law: Law, laws: list[Law]) -> tuple[str, ...]:
    """Folded words naming the area a law covers."""
    own = tuple(w for w in words(base_name(law)) if w not in _GENERIC)
    if law.year is not None or len(own) > 1 or not re.fullmatch(r"[A-Z]{2,8}", law.name):
        return own or tuple(words(law.name))
    gloss = re.compile(
        rf"(?P<phrase>[A-Za-z][A-Za-z\s-]{{0,60}}?)\s*\((?:e\.g\.|i\.e\.|eg|ie)?,?\s*{re.escape(law.name)}\s*\)"
    )
    for mention in law.mentions:
        if match := gloss.search(mention.text):
            tail: list[str] = []
            for word in reversed(words(match["phrase"])):
                if word in STOPWORDS or len(tail) == 3:
                    break
                tail.insert(0, word)
            if tail:
                return tuple(tail)
    for other in laws:
        if other is not law and initials(base_name(other)) == law.name:
            return area_words(other, laws)
    return (law.name.lower(),)


def _phrase(keywords: tuple[str, ...]) -> str:
    return " ".join(keywords)


def _mask_names(sentence: str, laws: list[Law]) -> str:
    for law in sorted(laws, key=lambda item: -len(item.name)):
        for name in dict.fromkeys((law.name, base_name(law))):
            sentence = re.sub(rf"\b{re.escape(name)}\b", BLANK, sentence, flags=re.I)
    return sentence


def _mask_words(sentence: str, keywords: tuple[str, ...]) -> str:
    def blank(match: re.Match[str]) -> str:
        word = fold(match.group())
        return BLANK if any(same_stem(word, key) for key in keywords) else match.group()

    masked = re.sub(r"[A-Za-z]+", blank, sentence)
    return re.sub(rf"{BLANK}(?:[\s-]+{BLANK})+", BLANK, masked)


def _names_in(sentence: str, law: Law) -> bool:
    return any(re.search(rf"\b{re.escape(name)}\b", sentence, re.I) for name in (law.name, base_name(law)))


def law_groups(catalogue: Catalogue) -> list[LawGroup]:
    """Group the catalogue's laws by area and find each area's situations and cue words."""
    laws = catalogue.laws
    by_area: dict[tuple[str, ...], list[Law]] = {}
    for law in laws:
        key = tuple(sorted(area_words(law, laws)))
        by_area.setdefault(key, []).append(law)
    areas = [(tuple(area_words(group[0], laws)), tuple(group)) for group in by_area.values()]

    found: dict[int, list[Situation]] = defaultdict(list)
    for doc in catalogue.documents:
        for item in doc.items:
            for sentence in sentences(item.text):
                plain = _mask_names(sentence, laws)
                plain_words = words(plain)
                concerned = [
                    index
                    for index, (keys, group) in enumerate(areas)
                    if all(contains_word(plain_words, key, strict=True) for key in keys)
                    or any(_names_in(sentence, law) for law in group)
                ]
                if len(concerned) != 1:
                    continue
                index = concerned[0]
                keys = areas[index][0]
                if not all(contains_word(plain_words, key, strict=True) for key in keys):
                    continue  # names the law but says nothing about its area
                masked = _mask_words(plain, keys)
                if len(content_words(masked.replace(BLANK, " "))) >= 4:
                    found[index].append(Situation(masked, sentence, item.source, item.term))

    doc_freq: dict[str, set[str]] = defaultdict(set)
    for doc in catalogue.documents:
        for item in doc.items:
            for word in words(item.text):
                doc_freq[word].add(doc.name)
    raw_cues: list[set[str]] = []
    for index, (keys, _group) in enumerate(areas):
        cue = set(keys)
        for situation in found[index]:
            if situation.term and all(contains_word(words(situation.term), k, strict=True) for k in keys):
                # a concept defined by the area's own words: its definition says what the area is
                cue |= {
                    w
                    for w in content_words(situation.original)
                    if w not in _COMMON and len(w) > 3 and len(doc_freq[w]) < 3
                }
        raw_cues.append(cue)
    groups = []
    for index, (keys, group) in enumerate(areas):
        others = set().union(*(c for i, c in enumerate(raw_cues) if i != index))
        cues = tuple(sorted(w for w in raw_cues[index] if w in keys or w not in others))
        unique = tuple({s.text: s for s in found[index]}.values())
        groups.append(LawGroup(group, keys, _phrase(keys), unique, cues))
    return groups
