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
from dataclasses import dataclass, replace

from .nlp import normalise, parse

# Words whose presence flips what a clause asserts: verbs of not doing, and judgements that
# the stated thing is wrong or unneeded.
_NEGATING_LEMMAS = frozenset({
    "fail", "neglect", "ignore", "overlook", "skip", "avoid", "forget", "refuse",
    "unnecessary", "pointless", "needless", "optional", "irrelevant", "useless", "waste",
    "overkill", "unimportant", "unneeded",
    "wrong", "mistake", "myth", "false", "untrue", "misconception",
})
_NEGATING_WORDS = frozenset({"no", "none", "nobody", "nothing", "neither", "nor", "never", "noone",
                             "hardly", "barely", "scarcely"})
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
# Words that may follow a wh-word left in place at the end: "... why exactly", "... how then".
_AFTER_IN_PLACE = frozenset({"exactly", "then", "though", "tho", "again", "really", "precisely"})
# Words a learner puts before the question proper: "so, what ...", "ok and how ...".
_FILLERS = frozenset({"so", "and", "but", "then", "ok", "okay", "well", "also", "um", "hmm",
                      "right", "now", "oh", "hi", "hey", "please", "just", "actually", "sorry"})
# Speech-act verbs of asking the tutor for something: "explain ...", "give me advice on ...".
_REQUEST_VERBS = frozenset({
    "explain", "tell", "define", "describe", "list", "give", "show", "help", "quiz", "test",
    "start", "teach", "remind", "summarise", "summarize", "outline", "compare", "recommend",
    "suggest", "share", "walk", "go", "clarify", "elaborate", "revise", "recap", "talk",
    "run", "take", "break",
})
# Nouns a request is made of: "any tips on ...?", "I'd like some advice on ...".
_REQUEST_NOUNS = frozenset({"tip", "advice", "help", "example", "idea", "suggestion", "hint",
                            "guidance", "pointer", "info", "information", "explanation"})
# Markers that open a subordinate clause whose proposition is not done: "X without Y",
# "X before Y" (Y not yet done when X is), "X rather than Y", "X instead of Y".
_NOT_DONE_MARKERS = frozenset({"without", "before", "rather", "instead", "unless"})
# Of those, the ones that a denied ability turns into a requirement: "can't X without Y".
_REQUIRES = frozenset({"without", "unless"})
# Markers of indifference, which say the same of what they open: "X whatever the customer's
# problem is" is X without regard to the problem; the clause before them is exclusive ("one way
# regardless of the situation"). At the start of a message they are not markers ("whatever they
# want, they get").
_INDIFFERENCE = frozenset({"whatever", "whichever", "regardless"})
# Markers of a condition: the clause they open is not asserted ("... if our service is good").
# ("whether" is not one: "nobody cares whether it gets solved" asserts the whole, and "whether
# it's chat or phone, I ..." is indifference, which narrows the clause it governs.)
_CONDITIONS = frozenset({"if", "when", "once", "whenever"})
# Markers that start a new, independent clause.
_CLAUSE_MARKERS = frozenset({"but", "so", "because", "since", "whereas", "while", "though",
                             "although", "as", "if", "when", "once", "whenever"})


@dataclass(frozen=True)
class Stance:
    """A clause's proposition with negators removed, its polarity, and what kind of act it is."""

    core: str
    negated: bool
    question: bool  # a yes/no question: it asks about the proposition, for or against
    information_request: bool  # a wh-question or a request: it asserts nothing
    lemmas: frozenset[str] = frozenset()  # content words, lemmatised
    broadened: bool = False  # denies exclusivity: "more than polite", "not just friendly"
    exclusive: bool = False  # narrows: "just polite", "all about", "the same", "X's job, not mine"
    assigned: bool = False  # gives its subject to someone else: "complaints are for managers"
    advice: bool = False  # warns against doing something: "don't X", "never X", "you shouldn't X"


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


# Auxiliaries that spaCy splits from "n't" ("can't" -> "ca" + "n't").
_CLIPPED = {"ca": "can", "wo": "will", "sha": "shall"}
# Words that narrow what a clause says to one thing or one way: "just polite", "the same for all".
_NARROWING = EXCLUSIVE_WORDS | {"whatever", "whichever", "regardless", "alone", "always",
                                # hedged narrowing: "it's basically sales", "mainly about selling"
                                "basically", "mainly", "mostly", "essentially", "primarily",
                                "main"}
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
# Exclusive words that a negation turns into "not only": "not about politeness alone".
_ONLY = frozenset({"only", "just", "solely", "simply", "purely", "merely", "alone"})


def _contrast(token) -> bool:
    """A "not" that adds a contrasting phrase with no verb of its own: "X's job, not mine"."""
    if token.i == 0 or token.doc[token.i - 1].lower_ not in {",", "and", "but", "-", "–", "—"}:
        return False
    rest = token.doc[token.i + 1:]
    for t in rest:
        if t.is_punct and t.lower_ in {",", ";", ".", "!", "?"}:
            break
        if t.tag_ in _FINITE or t.pos_ == "AUX":
            return False
    return True


# Nouns of whose duty a thing is: "the manager's job", "planning is the managers thing".
_DUTY_NOUNS = frozenset({"job", "thing", "responsibility", "duty", "department", "task"})
# ... and of a duty of one's own that one can disown: "not my role", "not our problem".
_OWN_DUTY_NOUNS = _DUTY_NOUNS | {"role", "problem"}


def _assigns(token) -> bool:
    """True when ``token`` gives the clause's subject to someone else, which leaves it to them
    alone: "complaints are for managers", "the managers job", "up to the supervisor", "that's what
    supervisors get paid for" (a pronoun owner is not someone else: "my job", "for us")."""
    lower = token.lower_
    if lower == "for" and token.head.lemma_ == "be" and token.dep_ == "prep":
        return any(c.dep_ == "pobj" and c.pos_ in {"NOUN", "PROPN"} and not any(
            d.dep_ == "poss" and d.pos_ == "PRON" for d in c.children) for c in token.children)
    if lower == "for" and token.dep_ == "mark" and token.head.head.lemma_ == "be":
        # "complaints are for managers to sort out"
        return any(c.dep_ == "nsubj" and c.pos_ in {"NOUN", "PROPN"} for c in token.head.children)
    if lower == "for" and (token.i == len(token.doc) - 1 or token.nbor(1).is_punct):
        # "... what supervisors get paid for": a stranded "for" after a wh-word
        return any(t.lower_ == "what" for t in token.doc[max(0, token.i - 6):token.i])
    if lower == "up" and token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "to":
        return token.head.lemma_ == "be"
    if token.lemma_.lower() in _DUTY_NOUNS and token.pos_ == "NOUN" and (
            token.head.lemma_ == "be" or token.dep_ == "ROOT"):
        return any(c.dep_ in {"poss", "compound"} and c.pos_ in {"NOUN", "PROPN"}
                   for c in token.children)
    return False


def _disowns(token) -> bool:
    """A duty of the speaker's that a negated clause disowns: "not my job", "isn't part of my
    role", "not our responsibility"."""
    return token.lemma_.lower() in _OWN_DUTY_NOUNS and any(
        c.dep_ == "poss" and c.lower_ in {"my", "our"} for c in token.children)


def _narrows(token) -> bool:
    """True when ``token`` makes its clause exclusive ("only", "all about", "no matter what")."""
    lower = token.lower_
    if _assigns(token):
        return True
    if lower == "all":  # "all about", "all that matters" (not "all staff", "all situations")
        return token.head.tag_ not in {"NNS", "NNPS"} or token.head.i < token.i
    if lower == "no" and token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "matter":
        return True
    if token.dep_ == "neg" and _contrast(token):
        return True
    return lower in _NARROWING


def _embedded(token) -> bool:
    """Whether ``token`` stands in a relative clause or a wh-clause inside the clause it would
    negate ("customers who don't complain", "what the team can't deliver"): that negation belongs
    to the embedded clause, which the clause asserts nothing about. A complement clause is not
    embedded in this sense: "I think customers don't care" asserts that they don't."""
    head = token.head
    while head.dep_ not in {"ROOT", "conj"} and head.head.i != head.i:
        # opened by a relative or wh-word before the token (a parse that hangs "it means you
        # failed" on a noun as a relative clause has no such word, and is not embedded)
        opener = _WH_WORDS | ({"that"} if head.dep_ in {"relcl", "acl"} else set())
        if head.dep_ in {"relcl", "acl", "ccomp", "pcomp", "advcl"} and (
                head.left_edge.lower_ in opener) and head.left_edge.i < token.i:
            return True  # ("I think that customers don't care" is a complement: it asserts)
        head = head.head
    return False


def _flips(token) -> bool:
    """True when ``token`` negates the clause it stands in."""
    lower = token.lower_
    nxt = token.nbor(1).lower_ if token.i + 1 < len(token.doc) else ""
    if lower == "no" and nxt == "matter":  # "no matter what": an intensifier
        return False
    if token.dep_ == "intj" or (lower in {"no", "nah", "nope"} and token.i == 0
                                and token.nbor(1).pos_ in {"PRON", "PUNCT"} if nxt else False):
        return False  # "no, ...", "nah you ...": an answer to the tutor, not this clause's polarity
    if _embedded(token):
        return False  # "never promise what the team can't deliver": the "can't" is the object's
    if token.dep_ == "neg":
        if nxt in {"just", "only", "simply", "solely", "merely"}:  # broadening, not denial
            return False
        if lower == "not" and token.i > 0 and token.doc[token.i - 1].lower_ == "or":
            return False  # "angry or not": whether or not, which denies nothing
        if _contrast(token):  # "the manager's job, not mine": narrows, does not deny
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
    first_flip: int | None = None
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
            first_flip = token.i if first_flip is None else first_flip
            if token.dep_ == "neg" or token.lower_ in _NEGATING_WORDS:
                continue  # the negator goes; a verb of not doing ("skip") keeps its place
        following = token.nbor(1).lower_ if token.i + 1 < len(token.doc) else ""
        dropped = following == "n't" and _flips(token.nbor(1))  # "ca n't" -> "can", "ca n't" kept
        kept.append(_CLIPPED.get(token.lower_, token.text) if dropped else token.text)
    core = re.sub(r"\s+([,.;:!?'’])|(\s+(?=n't|'s|'re|'m|'ll|'ve|'d))", r"\1", " ".join(kept)).strip()
    lemmas = frozenset(
        t.lemma_.lower() for t in tokens
        if t.pos_ in _CONTENT_POS and not t.is_stop and t.lemma_.lower() not in _NEGATING_LEMMAS
    )
    broadened = bool(_BROADENING.search(" ".join(t.text for t in tokens)))
    negated = flips % 2 == 1
    if negated and first_flip is not None and any(
            t.lower_ in _ONLY and t.i > first_flip and not any(
                u.is_punct for u in t.doc[first_flip:t.i]) for t in tokens):
        # "can't judge on feeling alone" (not "I just don't", nor "I don't write it up, just a
        # word or two", where "just" starts a phrase of its own)
        broadened, negated = True, False
    assigned = not broadened and any(_assigns(t) for t in tokens)
    if negated and not broadened and any(_disowns(t) for t in tokens):
        # "complaints aren't my responsibility": someone else's, as "the manager's job" says
        negated, assigned = False, True
    return Stance(core=core or text, negated=negated, question=question,
                  information_request=request, lemmas=lemmas, broadened=broadened,
                  exclusive=assigned or (not broadened and any(_narrows(t) for t in tokens)),
                  assigned=assigned)


def _indifference(token) -> bool:
    """``token`` opens "whatever ...", "regardless of ...", "no matter what ..."."""
    if token.lower_ in _INDIFFERENCE:
        return True
    return (token.lower_ == "no" and token.i + 1 < len(token.doc)
            and token.nbor(1).lower_ == "matter")


# Subject pronouns, which open the main clause after a condition typed without a comma
# ("if they complain I pass them on").
_SUBJECTS = frozenset({"i", "you", "we", "they", "he", "she"})


def _main_after_condition(doc, i: int) -> int | None:
    """Where the main clause starts after the condition opened at ``i`` when no comma marks it:
    after the conditional clause's subtree ("if a customer complains | I just pass them on"), or
    else at the first subject pronoun after its verb ("if they want a refund | you give it")."""
    head = doc[i].head
    if head.dep_ == "advcl" and head.head.i > head.right_edge.i:
        end = head.right_edge.i + 1
        if end < len(doc) and not doc[end].is_punct:
            return end
    seen_verb = False
    for t in doc[i + 1:]:
        if t.is_punct:
            return None
        if seen_verb and t.lower_ in _SUBJECTS:
            return t.i
        seen_verb = seen_verb or t.pos_ in {"VERB", "AUX"}
    return None


def _own_clause(token) -> bool:
    """A verb conjoined to the one before it that has a subject or a negation of its own, and so
    a polarity of its own: "I never deal with complaints, I just pass them on" (not "I don't log
    calls or write notes", where one negation covers both verbs)."""
    if token.dep_ != "conj" or token.pos_ not in {"VERB", "AUX"} or token.head.pos_ not in {
            "VERB", "AUX"} or token.left_edge.i <= token.head.i:
        return False
    if token.head.dep_ not in {"ROOT", "conj"}:
        return False  # within a clause the head governs: "don't say what it costs or how long"
    own = {c.dep_ for c in token.children if c.i < token.i}
    return bool(own & {"nsubj", "nsubjpass", "neg"})


def _clause_starts(doc) -> list[int]:
    """Indices of tokens after which a new clause begins (the first token is always one)."""
    starts = [0]
    for t in doc:
        if t.lower_ in _CONDITIONS and (t.i == 0 or t.dep_ in {"mark", "advmod"}):
            main = _main_after_condition(doc, t.i)
            if main is not None:
                starts.append(main)
    for t in doc:
        if _own_clause(t):  # "I never deal with it, I just pass it on", "... and didn't bother"
            start = t.left_edge.i
            starts.append(start - 1 if start > 0 and doc[start - 1].dep_ == "cc" else start)
    for t in doc[1:]:
        lower = t.lower_
        if t.is_punct and lower in {",", ";", ":", "-", "–", "—"}:
            starts.append(t.i + 1)
        elif (_indifference(t) and t.i > 1) or (
            lower in _NOT_DONE_MARKERS and t.dep_ in {"prep", "mark", "cc", "advmod"}) or (
            lower in _CLAUSE_MARKERS and t.dep_ in {"cc", "mark", "advmod"} and t.i > 1
            and doc[t.i - 1].lower_ not in {"long", "much", "well", "soon", "far"}  # "as long as"
        ):
            starts.append(t.i)
    return sorted(set(s for s in starts if s < len(doc)))


def _subject(verb) -> str | None:
    return next((c.lower_ for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)


def _of_its_own_time(marker) -> bool:
    """A "before" whose clause has a subject of its own, other than the main clause's: "calm
    complaints down before they escalate" says when, not what is left undone (as "I read the
    account out before I check who they are" and "before checking" do)."""
    if marker.lower_ != "before" or marker.head.i < marker.i:
        return False
    verb = marker.head
    own = _subject(verb)
    return own is not None and own != _subject(verb.head)


# Verbs that a warning form leaves as a judgement that something is unneeded, not as advice:
# "don't bother logging it", "you shouldn't have to check", "never mind".
_NOT_ADVICE = frozenset({"bother", "worry", "need", "have", "care", "mind"})


def _warns(words: list) -> bool:
    """Whether a message's first clause warns against doing something: an imperative "don't X" /
    "never X", or "you shouldn't X" / "you should never X" (a learner holding a misconception
    states their practice or belief; one who warns against the mistake holds the right view)."""
    words = [t for t in words if t.lower_ not in _FILLERS or t.lower_ == "just"]
    lower = [t.lower_ for t in words]
    if lower[:1] == ["you"] and len(lower) > 2 and lower[1] in {"should", "must", "ought"}:
        rest = words[2:]
    elif lower[:2] in (["do", "n't"], ["do", "not"]) or lower[:1] == ["never"]:
        rest = words[2:] if lower[0] == "do" else words[1:]
    else:
        return False
    rest = [t for t in rest if t.lower_ not in {"n't", "not", "never", "ever", "just", "really"}]
    if lower[:1] == ["you"] and not any(t.lower_ in {"n't", "not", "never"} for t in words[2:4]):
        return False
    return bool(rest) and rest[0].tag_ == "VB" and rest[0].lemma_.lower() not in _NOT_ADVICE


def _clauses(doc, question: bool, request: bool) -> list[Stance]:
    """Each clause with a verb read on its own; verbless runs join the clause before them."""
    starts = _clause_starts(doc)
    spans = [list(doc[a:b]) for a, b in zip(starts, [*starts[1:], len(doc)], strict=True)]
    merged: list[list] = []
    for span in spans:
        has_verb = any(t.pos_ in {"VERB", "AUX"} for t in span)
        not_done = bool(span) and (span[0].lower_ in _NOT_DONE_MARKERS or _indifference(span[0]))
        denial = any(t.lower_ in _NEGATING_WORDS for t in span)  # ", no need for costs"
        if merged and not has_verb and not not_done and not denial:
            merged[-1].extend(span)
        else:
            merged.append(span)
    if len(merged) > 1 and not any(t.pos_ in {"VERB", "AUX"} for t in merged[0]) and not (
            merged[1][0].lower_ in _NOT_DONE_MARKERS or _indifference(merged[1][0])):
        merged[:2] = [merged[0] + merged[1]]  # a topic put first: "proactive or reactive, it's all one"
    out: list[Stance] = []
    parent_negated, parent, able = False, None, False
    for span in merged:
        words = [t for t in span if not t.is_punct]
        if not words:
            continue
        indifferent = len(out) > 0 and _indifference(words[0])
        not_done = words[0].lower_ in _NOT_DONE_MARKERS or indifferent
        if indifferent:  # "regardless of", "no matter what": the marker and its function words
            words = [t for t in words if t.lower_ not in
                     _INDIFFERENCE | {"no", "matter", "of", "what", "how", "who", "which", "if",
                                      "whether"}]
            out[-1] = replace(out[-1], exclusive=True, broadened=False)
            if not words:
                continue
        elif not_done and len(out) > 0 and _of_its_own_time(words[0]):
            continue  # "calm complaints down before they escalate": a time, asserted by nobody
        elif not_done:
            if words[0].lower_ in _REQUIRES and parent_negated and parent is not None and able:
                # "you can't measure service without numbers": Y is what X needs, and X itself
                # is neither done nor denied ("I never discuss an account without checking"
                # still denies doing it unchecked)
                out.remove(parent)
                parent = None
            words = [t for t in words[1:] if t.lower_ not in {"than", "of"} or t.i != words[0].i + 1]
            if not words:
                continue
        elif words[0].lower_ in _CONDITIONS and len(merged) > 1:
            continue  # "if our service is good": a condition, asserted by nobody
        elif words[0].lower_ in _CLAUSE_MARKERS or (words[0].dep_ == "cc" and len(out) > 0):
            words = words[1:] or words
        text = " ".join(t.text for t in words)
        stance = _read_tokens(words, text, question, request, base=not_done != parent_negated
                              if not_done else False)
        if not out and not not_done and _warns(words):  # the message opens with the warning
            stance = replace(stance, advice=True)
        if not not_done:
            parent_negated, parent = stance.negated, stance
            able = any(t.lower_ in {"ca", "can", "could", "cannot"} for t in words)
        out.append(stance)
    return out


def _words(doc) -> list:
    return [t for t in doc if not t.is_punct]


def _inverted_after(doc, i: int) -> bool:
    """Whether the wh-word at ``i`` is followed, after the rest of its phrase, by an auxiliary
    before its subject ("how do I ...", "which points ... should I ..."), as questions are; an
    embedded clause has its subject first ("who I'm speaking to", "what we changed")."""
    for j in range(i + 1, min(len(doc), i + 8)):
        t = doc[j]
        if t.is_punct:
            return False
        if t.pos_ == "AUX" or t.tag_ == "MD":
            after = [u for u in doc[j + 1:] if u.dep_ != "neg"]
            return bool(after) and after[0].pos_ in {"PRON", "DET", "NOUN", "PROPN", "ADJ", "NUM"}
        if t.pos_ == "PRON" or (t.dep_ in {"nsubj", "nsubjpass"} and j > i + 1):
            return False
    return False


def _subject_wh(doc, i: int) -> bool:
    """A wh-phrase that is the subject of a question: "which metrics show ...", "who handles ..."."""
    for t in doc[i + 1: i + 6]:
        if t.is_punct or t.pos_ == "PRON":
            return False
        if t.tag_ in _FINITE:
            return True
    return False


def _is_wh_question(doc, text: str) -> bool:
    """A wh-word asking, wherever it stands: by inversion ("..., how do I ...?"), leading a
    question, or left in place at the end ("... is what exactly?")."""
    asks = text.rstrip().endswith("?")
    for t in doc:
        lower = t.lower_
        if lower not in _WH_WORDS:
            continue
        nxt = t.nbor(1) if t.i + 1 < len(doc) else None
        if nxt is not None and nxt.lower_ == "to":  # "how to ...", "what to say"
            return True
        if _inverted_after(doc, t.i):
            return True
        if asks and not any(u.pos_ in {"VERB", "AUX"} for u in doc[t.i + 1:]):
            return True  # in place: "the difference is what exactly?"
        if t.i > 0 and doc[t.i - 1].lower_ != "matter" and all(  # not "no matter what"
                u.is_punct or u.lower_ in _AFTER_IN_PLACE for u in doc[t.i + 1:]):
            return True  # in place at the end, typed without "?": "logging matters why exactly"
        before = [p for p in doc[: t.i] if not p.is_punct]
        at_start = t.i == 0 or doc[t.i - 1].is_punct or all(p.lower_ in _FILLERS for p in before)
        if not at_start or (lower in _SUBORDINATING_WH and not (asks and lower == "how")):
            continue  # "when I suggest an idea, ...": a statement's subordinate clause
        if asks or _subject_wh(doc, t.i):
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
    if first.lemma_.lower() in _REQUEST_NOUNS or (  # "tips on ...", "some advice on ..."
            first.pos_ == "DET" and second and words[1].lemma_.lower() in _REQUEST_NOUNS):
        return True
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
    if starts_aux:  # "don't fold your arms" is an imperative: its verb follows with no subject
        after = [t for t in words[1:] if t.dep_ != "neg" and t.lower_ not in _ONLY | {
            "ever", "always", "really", "even"}]  # "don't just use one script": imperative
        starts_aux = not (after and after[0].pos_ == "VERB" and after[0].dep_ != "nsubj")
    return text.rstrip().endswith("?") or starts_aux


def _is_fragment_question(doc, text: str) -> bool:
    """A question with no verb ("and the Equality Act?", "the customer always right?"): it names
    what it asks about and asserts nothing."""
    return text.rstrip().endswith("?") and not any(t.pos_ in ("VERB", "AUX") for t in doc)


# A tag question ("..., isn't it?", "... don't they", "innit") asks the listener to agree with what
# the message asserts: it neither denies it nor asks for information.
_TAG_QUESTION = re.compile(
    r",?\s+(?:(?:is|are|was|were|do|does|did|ca|can|could|will|wo|would|should|has|have|had)n't"
    r"\s+(?:it|they|you|we|I|he|she|there|that)|innit)\s*\??\s*$", re.I)


# "(it) doesn't matter if/how/whether ..." after a clause is indifference, as "regardless of" is:
# "I answer everyone the same way, doesn't matter if they're upset" (not at the message's start,
# where it has no clause to narrow, nor after a subject of its own: "eye contact doesn't matter
# when I'm busy" says eye contact does not matter).
_NO_MATTER = re.compile(
    r"(?<=\S)(?P<lead>,\s*(?:it\s+)?|\s+it\s+)(?:does\s*n[o']?t|do\s*n[o']?t|does not|do not|"
    r"wo\s*n't|won't|will not)\s+(?:really\s+|even\s+)?matter\s+(?:(?:if|whether)\s+|(?=(?:how|what|"
    r"who|when|which)\b))", re.I)


# "=" typed between words for "is": "good service = being friendly".
_EQUALS = re.compile(r"(?<=[A-Za-z'])\s*=\s*(?=[A-Za-z])")


def _no_matter(match: re.Match[str]) -> str:
    if match.string[: match.start()].strip().lower() in {"", "it", "but", "and", "so"}:
        return match.group(0)  # nothing before it to narrow
    return f"{match['lead']}regardless of "


# "its" typed for "it's": before a word that cannot follow the possessive ("its just manners", "its
# not my job", "its ok to ..."); "its own", "its customers" are left alone.
_ITS = re.compile(
    r"\bits(?=\s+(?:not|just|only|all|ok|okay|fine|alright|the|a|an|really|basically|pretty|so|"
    r"too|very|always|never|what|how|about|kinda|kind|sort|like|literally|actually|mostly|more|"
    r"up|for|to|in|on|my|your|their|our|his|her|because|pointless|no|easier|better|enough)\b)",
    re.I)


def read_message(text: str) -> Reading:
    """Parse ``text`` once: its speech act, and the proposition and polarity of each clause.

    The inverted auxiliary of a yes/no question loses its negation ("isn't the customer always
    right?" asks, rhetorically, whether they are), and so does a tag question ("it's just sales,
    isn't it"). Typed shorthand is spelt out first ("dont").
    """
    text = _ITS.sub("it's", _TAG_QUESTION.sub("?", normalise(text)))
    text = _NO_MATTER.sub(_no_matter, _EQUALS.sub(" is ", text))
    doc = parse(text)
    request = _is_wh_question(doc, text) or _is_request(doc, text) or _is_fragment_question(doc, text)
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
