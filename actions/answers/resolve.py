"""Find the catalogue entries a learner's message names: models, laws, abbreviations, letters.

Names come from the catalogue at run time, so a model or act in a new document is recognised
on the next message, with no NLU retraining.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from ..knowledge.model import Abbreviation, Catalogue, Document, Law, NamedModel, SectionKind
from ..knowledge.titles import stems, term_weights

# Words that show an English word such as "heat" or "last" is meant as a model's name.
_MODEL_CUES = re.compile(
    r"\b(model|method|framework|technique|approach|acronym|stand|stands|letter|steps?|targets?|"
    r"goals?|mean|means|explain|use|apply)\b",
    re.I,
)
_LETTER = re.compile(
    r"\b(?:the\s+)?(?:letter\s+)?['\"‘“]?(?P<letter>[A-Za-z])['\"’”]?\s+(?:in|of|for)\s+(?:the\s+)?"
    r"['\"‘“]?(?P<name>[A-Za-z][\w-]+)",
)
_LETTER_AFTER = re.compile(
    r"\bin\s+(?:the\s+)?['\"‘“]?(?P<name>[A-Za-z][\w-]+)['\"’”]?(?:\s+\w+)?,?\s+what\s+(?:does|is)\s+"
    r"(?:the\s+)?(?:letter\s+)?['\"‘“]?(?P<letter>[A-Za-z])\b",
    re.I,
)


def _words(text: str) -> str:
    return re.sub(r"[^\w\s-]", " ", text.lower())


def find_models(message: str, catalogue: Catalogue) -> list[NamedModel]:
    """Models named in ``message``: exact capitals always; lower case when a cue word says so."""
    found = []
    cued = bool(_MODEL_CUES.search(message)) or len(message.split()) <= 3
    lowered = f" {_words(message)} "
    for model in catalogue.models:
        name = model.name
        if model.acronym:
            if re.search(rf"\b{re.escape(name)}\b", message) or (
                cued and f" {name.lower()} " in lowered
            ):
                found.append(model)
        elif fuzz.partial_ratio(_words(name), _words(message)) >= 90:
            found.append(model)
    return found


def asked_letter(message: str, model: NamedModel) -> str | None:
    """The letter asked about in "what is the R in LATER?" when it is one of the model's letters."""
    for pattern in (_LETTER, _LETTER_AFTER):
        for match in pattern.finditer(message):
            letter = match["letter"].upper()
            if match["name"].lower() == model.name.lower() and letter in model.name:
                return letter
    return None


def name_stem(name: str) -> str:
    """A name without the year it ends with: 'Equality Act 2010' -> 'Equality Act'."""
    return re.sub(r"\s+(?:of\s+)?\d{4}$", "", name)


def _law_stem(law: Law) -> str:
    """An act's name without its year: 'Equality Act'."""
    return name_stem(law.name)


def find_laws(message: str, catalogue: Catalogue) -> list[Law]:
    """Acts and regulations named in ``message`` (year optional, small typos forgiven)."""
    words = _words(message)
    found = []
    for law in catalogue.laws:
        if law.year is None:
            if re.search(rf"\b{re.escape(law.name)}\b", message, re.I):
                found.append(law)
            continue
        stem = _words(_law_stem(law))
        if fuzz.partial_ratio(stem, words) >= 90 and len(words) >= len(stem) - 2:
            found.append(law)
        elif fuzz.partial_ratio(area := stem.removesuffix(" act").strip(), words) >= 95 and not (
                _in_concept(area, message, catalogue)):
            found.append(law)  # "consumer rights", "data protection"
        elif (initials := law_initials(law)) and initials.lower() in words.split() and not any(
                initials.lower() == m.name.lower() for m in catalogue.models):
            found.append(law)  # "CRA", "the DPA": learners' short names the documents may not use
    return found


def law_initials(law: Law) -> str | None:
    """The initials of an act's name ('Consumer Rights Act 2015' -> 'CRA'), when there are at least
    three (two letters, 'EA', name too many things)."""
    letters = "".join(w[0] for w in _law_stem(law).split() if w.lower() not in ("of", "the", "and"))
    return letters.upper() if len(letters) >= 3 and letters.isalpha() else None


def _in_concept(area: str, message: str, catalogue: Catalogue) -> bool:
    """True when ``area`` ("equality") is said as part of a longer key concept the message names
    ("equality and diversity"): then the message asks about the concept, not the act."""
    said, own = set(stems(message)), set(stems(area))
    terms = catalogue.cached("concept-terms", lambda: [
        set(stems(i.term)) for d in catalogue.documents for i in d.section(SectionKind.CONCEPTS)
        if i.term])
    return any(own < term <= said for term in terms)


def find_abbreviations(message: str, catalogue: Catalogue) -> list[Abbreviation]:
    """Abbreviations named in ``message`` by their letters or their expansion."""
    words = _words(message)
    return [
        a for a in catalogue.abbreviations
        if re.search(rf"\b{re.escape(a.short)}\b", message, re.I)
        or fuzz.partial_ratio(_words(a.long), words) >= 92
    ]


# -- topics ---------------------------------------------------------------------------------------
_NUMBER_WORDS = {"zero": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_CUE = r"(?:topics?|units?|modules?)"
_TOPIC_NUMBER = re.compile(
    rf"\b{_CUE}\s*(?:number\s*|no\.?\s*|#\s*)?(?P<n>\d{{1,3}}|{'|'.join(_NUMBER_WORDS)})\b", re.I)
# "the complaints topic", "quiz me on the goal setting unit": the content words just before the cue
_NAME_BEFORE = re.compile(rf"(?P<name>(?:[\w'’-]+\s+){{1,6}}){_CUE}\b", re.I)
# "the topic on customer loyalty", "the unit about complaints", "topic called service plans"
_NAME_AFTER = re.compile(
    rf"\b{_CUE}\s+(?:on|about|of|covering|called|named|that covers|which covers|for|with)\s+"
    r"(?P<name>[\w'’ -]{2,60})", re.I)
# Words that say what is wanted of a topic rather than which topic it is.
_REQUEST = frozenset(stems(
    "exam tips tip revision marking points marks examiners quiz questions test tell explain "
    "overview summary give show list cover covers covering whole entire notes please"))


def topic_numbers(message: str) -> list[int]:
    """Topic numbers a message names: "topic 2", "unit three", "topic 002"."""
    out = []
    for match in _TOPIC_NUMBER.finditer(message):
        n = match["n"].lower()
        out.append(int(n) if n.isdigit() else _NUMBER_WORDS[n])
    return out


def find_topics(message: str, catalogue: Catalogue) -> list[Document]:
    """Documents a message names as topics, best first: by number ("topic 2"), by its title, or,
    with a word such as "topic", by words of its title or of one of its key concepts ("the
    complaints topic" -> every topic with a complaints concept, the one that says most first)."""
    docs = catalogue.documents
    numbers = topic_numbers(message)
    if numbers:
        return [d for n in numbers for d in docs if d.number is not None and int(d.number) == n]
    said = set(stems(message))
    named = [d for d in docs if (title := set(stems(d.title))) and title <= said]
    if named:
        return named
    found: dict[str, float] = {}
    for pattern in (_NAME_BEFORE, _NAME_AFTER):
        for match in pattern.finditer(message):
            name = _last_run(match["name"]) if pattern is _NAME_BEFORE else match["name"]
            words = [s for s in stems(name) if s not in _REQUEST]
            for doc in docs if words else ():
                if any(set(words) <= name for name in topic_names(doc)):
                    found[doc.name] = max(found.get(doc.name, 0.0), topic_weight(catalogue, doc, words))
    return sorted((d for d in docs if d.name in found), key=lambda d: -found[d.name])


def _last_run(text: str) -> str:
    """The words at the end of ``text`` back to the first stop word: "quiz me on the complaints"
    -> "complaints"."""
    words = text.split()
    run: list[str] = []
    for word in reversed(words):
        if not stems(word):
            break
        run.insert(0, word)
    return " ".join(run)


def topic_names(doc: Document) -> list[set[str]]:
    """The stems of every name a topic goes by: its title, each half of it, its key concepts
    and their abbreviations in brackets."""
    names = [doc.title, *re.split(r",\s*|\s+and\s+", doc.title)]
    terms = [item.term for item in doc.section(SectionKind.CONCEPTS) if item.term]
    names += terms + [inner for term in terms for inner in re.findall(r"\(([^)]*)\)", term)]
    return [s for s in (set(stems(n)) for n in names) if s]


def topic_weight(catalogue: Catalogue, doc: Document, words: list[str]) -> float:
    """How much a topic says about ``words`` (stems): their TF-IDF weight in its items."""
    weights = catalogue.cached("topic-weights", lambda: dict(zip(
        (d.name for d in catalogue.documents), term_weights(catalogue.documents), strict=True)))
    return sum(weights[doc.name].get(w, 0.0) for w in words)
