"""Find the catalogue entries a learner's message names: models, laws, abbreviations, letters.

Names come from the catalogue at run time, so a model or act in a new document is recognised
on the next message, with no NLU retraining.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from ..knowledge.model import Abbreviation, Catalogue, Law, NamedModel

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


def _law_stem(law: Law) -> str:
    """An act's name without its year: 'Equality Act'."""
    return re.sub(r"\s+(?:of\s+)?\d{4}$", "", law.name)


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
        elif fuzz.partial_ratio(stem.removesuffix(" act").strip(), words) >= 95:
            found.append(law)  # "consumer rights", "data protection"
    return found


def find_abbreviations(message: str, catalogue: Catalogue) -> list[Abbreviation]:
    """Abbreviations named in ``message`` by their letters or their expansion."""
    words = _words(message)
    return [
        a for a in catalogue.abbreviations
        if re.search(rf"\b{re.escape(a.short)}\b", message, re.I)
        or fuzz.partial_ratio(_words(a.long), words) >= 92
    ]
