"""How learners type answers that are not the answer's own words: an option's letter, yes/no for
true/false, and chat that is not an answer at all ("ok", "thanks", "no idea")."""

from __future__ import annotations

import re
from typing import Literal

from .text import STOPWORDS, fold, same_word, words

_LEAD = r"(?:(?:i think|i guess|i reckon|i'?d say|i'?ll go (?:for|with)|maybe|probably|definitely)\s*,?\s*)?"
_SAYS = (
    r"(?:(?:it'?s|it is|that'?s|the answer is|my answer is|answer is|answer|option|choice|letter)"
    r"\s*[:=-]?\s*)*"
)
_TAIL = r"(?:\s*,?\s*(?:please|i think|i guess|i reckon|maybe|probably|final answer|surely)\s*[.!]?)?"
_LETTER = re.compile(rf"^\s*{_LEAD}{_SAYS}\(?([a-h]|[1-8])\)?\s*[.):!]?{_TAIL}\s*$", re.I)

TRUE_WORDS = frozenset((
    "true", "yes", "yeah", "yep", "yup", "ya", "yea", "aye", "correct", "right", "t", "y", "agree", "agreed",
))
FALSE_WORDS = frozenset(
    ("false", "no", "nope", "nah", "wrong", "incorrect", "untrue", "myth", "f", "n", "disagree")
)
NEGATORS = frozenset(("not", "isnt", "aint", "never", "hardly"))
# Words a learner puts before a yes/no without changing it: "that's wrong", "I'd say true".
_HEDGES = STOPWORDS | {
    "thats", "its", "id", "im", "say", "think", "guess", "reckon", "definitely", "absolutely",
    "probably", "totally", "certainly", "surely", "well", "oh", "um", "umm", "hmm", "actually",
    "obviously", "of", "course", "answer", "really", "always", "quite", "exactly", "indeed",
}
# Hedges that, said alone, say yes: "absolutely", "of course", "definitely".
_AFFIRM = frozenset(
    ("absolutely", "definitely", "certainly", "course", "totally", "surely", "exactly", "indeed")
)

# "no idea", "I don't know": a learner who is stuck (offered a hint before the answer).
_UNSURE = re.compile(
    r"^(?:(?:um+|hmm+|erm|uh+|oh|well|ok|okay|lol|haha|sorry|honestly|to be honest|tbh)\s+)*"
    r"(?:i\s+)?(?:have\s+)?(?:"
    r"no idea|no clue|not a clue|idk|dunno|unsure|not sure|im not sure|(?:do not|dont|really dont) know|"
    r"(?:i\s+)?(?:cant|can not|cannot|dont) remember|(?:i\s+)?forg[eo]t|no clue at all|no idea at all|"
    r"(?:this|that|it)(?: one)? is (?:too )?(?:hard|difficult|tricky|tough)|(?:thats|its) (?:too )?"
    r"(?:hard|difficult|tricky|tough)|(?:i\s+)?(?:have|ve) no (?:idea|clue)"
    r")(?:\s+(?:sorry|tbh|really|mate|at all|to be honest|the answer|this one|that one|lol|haha))*$"
)
# Someone still thinking: not an answer yet ("let me think", "hang on").
_STALL = re.compile(
    r"^(?:(?:um+|hmm+|erm|uh+|ok|okay|oh|well)\s+)*(?:let me think|give me a (?:sec|second|minute|moment)|"
    r"hold on|hang on|wait|one sec|one second|thinking|just a (?:sec|second|minute|moment))(?: please)?$"
)
# Someone leaving for now, after any thanks or "ok": "ok thanks, see you tomorrow", "gotta go".
# The quiz stays open for them ("stop" ends it); "thanks" is not graded as the T of LAST.
_BYE = (r"(?:(?:(?:see|catch) (?:you|ya|u)|(?:talk|speak)(?: to (?:you|u))?(?= (?:later|soon|tomorrow|"
        r"tonight|next|in a bit)))(?: (?:later|soon|tomorrow|tmrw|tonight|next time|in a bit|around))*"
        r"|bye(?: bye)?|goodbye|good ?night|night|cya|laters?"
        r"|(?:i )?(?:gotta|got to|have to|need to|must) (?:go|run|leave|dash)"
        r"|(?:im|i am) (?:off|going|leaving|done for (?:today|tonight|now|the day)))")
_FAREWELL = re.compile(
    r"^(?:(?:ok|okay|alright|right|well|thanks|thank you|ty|thx|cheers|great|cool|brilliant)\s+)*"
    rf"{_BYE}(?:\s+(?:{_BYE}|now|then|mate|all|everyone|for now|thanks|thank you|x+))*$"
)
# Chat that answers nothing: acknowledgements, thanks, greetings, a pass, bare punctuation; yes or
# no too, except on a true/false question, where they are answers (see :func:`truth`).
_CHAT = frozenset((
    "ok", "okay", "k", "kk", "okey", "alright", "right", "thanks", "thank", "you", "ty", "thx",
    "cheers", "hi", "hello", "hey", "hiya", "lol", "hmm", "um", "umm", "erm", "pass", "sure",
    "cool", "nice", "great", "fine", "oh", "ah", "so", "well", "yo", "yes", "yeah", "yep", "no", "nope",
    "nah", "bye", "goodbye",
))

NonAnswer = Literal["unsure", "chat", "leaving"]


# Words around an answer that are not part of it: "I think it's Apologise", "the answer is 2018".
_ANSWER_LEAD = re.compile(
    r"^\s*(?:(?:i think|i guess|i reckon|i believe|i'?d say|i'?ll go (?:for|with)|maybe|probably|"
    r"definitely|surely|hmm+|um+|er+m?|ok(?:ay)?|so)\b\s*,?\s*)*"
    r"(?:(?:it'?s|it is|that'?s|that is|the answer is|my answer is|answer(?: is)?\s*:?|is it)\b\s*)?",
    re.I)
_ANSWER_TAIL = re.compile(r"\s*,?\s*(?:i think|i guess|i reckon|maybe|probably|right|final answer)?"
                          r"\s*[?.!]*\s*$", re.I)


def without_lead(text: str) -> str:
    """``text`` without the words a learner puts around an answer ("I think it's X?" -> "X");
    the text itself when nothing would be left."""
    core = _ANSWER_TAIL.sub("", _ANSWER_LEAD.sub("", text, count=1), count=1).strip()
    return core or text.strip()


def option_letter(text: str) -> str | None:
    """The option letter a message picks ("a", "it's B"), whatever the question offers."""
    match = _LETTER.match(fold(text))
    return match.group(1).upper() if match and match.group(1).isalpha() else None


def chosen_letter(text: str, count: int) -> int | None:
    """The 0-based option a learner picked by letter or number ("b", "(B)", "it's B", "answer: c")."""
    match = _LETTER.match(fold(text))
    if not match or not count:
        return None
    key = match.group(1).lower()
    index = int(key) - 1 if key.isdigit() else ord(key) - ord("a")
    return index if 0 <= index < count else None


def truth(text: str) -> bool | None:
    """True, False or None (no clear answer) from a true/false reply in the learner's words."""
    tokens = words(text)
    start = 0
    while start < len(tokens) - 1 and tokens[start] in _HEDGES and truthy(tokens[start], True) is None:
        start += 1
    tokens = tokens[start:]
    if not tokens:
        return None
    for i, token in enumerate(tokens):
        if token in NEGATORS:
            following = truthy(tokens[i + 1], True) if i + 1 < len(tokens) else None
            if following is not None:
                return not following
            if all(t in _HEDGES for t in tokens[i + 1 :]):
                return False  # "definitely not", "not really", "not always"
    first = truthy(tokens[0], anywhere=False)
    if first is not None:
        return first
    for token in tokens[1:]:
        value = truthy(token, anywhere=True)
        if value is not None:
            return value
    if all(t in _HEDGES for t in tokens) and tokens[-1] in _AFFIRM:
        return True  # "absolutely", "of course"
    return None


def truthy(token: str, anywhere: bool) -> bool | None:
    """Whether a word says true or false; away from the start only 'true'/'false' themselves count."""
    if token in ("true", "false") or (
        len(token) >= 4 and (same_word(token, "true") or same_word(token, "false"))
    ):
        return token == "true" or (token != "false" and same_word(token, "true"))
    if anywhere:
        return None
    if token in TRUE_WORDS:
        return True
    if token in FALSE_WORDS:
        return False
    return None


def non_answer(text: str) -> NonAnswer | None:
    """'unsure' for "no idea", 'leaving' for "ok thanks, see you tomorrow", 'chat' for
    "ok"/"thanks"/"hi"/"pass"/"?", else None."""
    tokens = words(text)
    if not tokens:
        return "unsure" if "?" in text else "chat"  # "?" is someone lost; "..." or ":)" says nothing
    plain = " ".join(tokens)
    if _UNSURE.match(plain):
        return "unsure"
    if _FAREWELL.match(plain):
        return "leaving"
    return "chat" if _STALL.match(plain) or all(token in _CHAT for token in tokens) else None


def from_the_material(text: str, context: str, options: tuple[str, ...] = ()) -> bool:
    """True when ``text`` is one of the ``options`` or words of the passage (``context``) the
    question comes from: a wrong answer to grade ("Thank" for the A of LAST), not chat."""
    said = " ".join(words(text))
    return bool(said) and f" {said} " in f" {' '.join(words(' '.join((context, *options))))} "
