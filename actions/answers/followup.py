"""Read a follow-up's form from its words: "what's step 3?", "the first one", "why not?",
"when was it passed?", "where is it in my notes?", "and SMART?".

Only the shape of the message is read here; what "it" or "the first one" refers to is resolved
by the tutor against the conversation's :class:`~actions.answers.context.Context`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
    "6th": 6, "7th": 7, "8th": 8, "9th": 9, "10th": 10,
}
_CARDINALS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10,
}
LAST = -1  # "the last step", "the final one"
_ORDINAL = r"(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|" \
           r"\d{1,2}(?:st|nd|rd|th)|last|final)"
_NUMBER = r"(?P<num>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)"
_STEP = re.compile(
    rf"\b(?:{_ORDINAL}\s+(?:step|stage|letter|part)|(?:step|stage|letter)\s+(?:number\s+)?{_NUMBER})\b",
    re.I)
_ONE = (
    re.compile(rf"\b{_ORDINAL}\s+(?:one|topic|item|of them)\b", re.I),
    re.compile(rf"\bnumber\s+{_NUMBER}\b", re.I),
    re.compile(rf"^\s*(?:and\s+)?(?:the\s+)?{_ORDINAL}\s*(?:please)?[?.!]*\s*$", re.I),
)
_WHY = re.compile(
    r"^\s*(?:(?:but|ok|okay|so|and|really)[,\s]+)?(?:why\b|how come\b|what'?s wrong with (?:that|it|this)\b|"
    r"(?:explain|tell me) why\b|in what way\b|"
    r"what'?s (?:the )?(?:problem|issue|harm) with (?:that|it|this)\b|"
    # "is that ok?", "isn't that fine?", "is it really so bad?" (only a mistake in focus is read so)
    r"(?:is|isn'?t|is not) (?:that|it|this) (?:(?:really|actually|so|that|such) )*(?:ok|okay|fine|wrong|bad|"
    r"a problem|an issue|a mistake|allowed|right)\b\W*$)", re.I)
# "what's the R?", "what does the T stand for?", "and the A?", "what's the E again?": a letter of
# the model in focus.
_LETTER = re.compile(
    r"\bthe\s+(?P<letter>[a-z])\b(?:\s+(?:stand|stands|mean|means|for|in (?:it|that|this)|again|one|"
    r"bit|part|step|letter)\b|\s*[?.!]*\s*$)", re.I)
# "what should I do instead?", "so what's the right way?": the advice for the mistake in focus.
_INSTEAD = re.compile(
    r"\binstead\b|^\s*(?:(?:ok|okay|so|and|right|then)[,\s]+)*(?:what|how)(?:'s| is| do| should)?\b"
    r".{0,25}\b(?:right|correct|proper|better|best) (?:way|thing|approach)"
    r"(?: to do(?: it)?)?(?: then| here| now)?\s*[?.!]*\s*$", re.I)
# Which of two came first: "which one came first?", "which is older?", "which was passed first?"
_FIRST = re.compile(
    r"\bwhich(?: one| of them| of the two| act| law)?\s+(?:came|comes|was|is|were|got)\s+"
    r"(?:(?:passed|made|introduced|brought in)\s+)?(?:the\s+)?(?:first|earlier|earliest|older|oldest|"
    r"newer|newest|later|latest|more recent|most recent)\b", re.I)
# Which of two to use: "which one should I use for a phone complaint?", "which is better?"
_WHICH = re.compile(
    r"\bwhich(?: one| of (?:them|the two|those|these))?\b.{0,30}?\b(?:use|using|better|best|pick|"
    r"choose|go (?:with|for)|recommend|prefer|more useful)\b", re.I)
# "give me an example", "any examples?", "what's an example of that?"
_EXAMPLE = re.compile(
    r"^\s*(?:(?:ok|okay|so|and|but|can|could|please)\b[,\s]*)*(?:(?:you |u )?(?:give|show|tell)"
    r"(?: me| us)?|is there|have you got|got|any|what(?:'s| is| would be))?\s*(?:an? |some )?"
    r"(?:examples?|instance)\b(?: of (?:it|that|this|one|them|how))?(?: please| pls)?\s*[?.!]*\s*$",
    re.I)
_WHEN = re.compile(r"\b(?:when\b|what year\b|which year\b|how old\b|how long ago\b|since when\b)", re.I)
_WHERE = re.compile(
    r"\b(?:where\b|which (?:topics?|documents?|units?|sections?|parts?|notes?|modules?)\b|"
    r"what (?:topics?|documents?|units?|sections?)\b.*\b(?:covers?|in|mentions?)\b|source\b)", re.I)
_MORE = re.compile(
    r"^\s*(?:and|also|then|so|ok|okay)?[,\s]*(?:what|how)\s+about\b|^\s*and\b|^\s*(?:same|now)\s+for\b",
    re.I)
# A message that asks: a question mark, a question's or a request's first word, or a few words. Only
# such a message is read as a "when", "where" or "instead" follow-up: in a longer statement those
# words are part of what it states ("we sort problems when they come up").
_ASKS = re.compile(
    r"\?\s*$|^\s*(?:(?:and|so|but|ok|okay|right|then|hmm+|wait)\b[,\s]*)*(?:what|which|who|why|how|when|"
    r"where|is|are|was|were|do|does|did|can|could|should|would|tell|give|show|explain|any)\b", re.I)
# Words that point back at what was just said.
PRONOUN = re.compile(r"\b(?:it|that|this|them|they|these|those|its)\b", re.I)
_TELL_MORE = re.compile(
    r"^\s*(?:(?:ok|okay|and|so)[,\s]+)?(?:(?:can you |could you |please )?tell me more|more|go on|"
    r"carry on|keep going|more details?|(?:explain|say) (?:it |that )?(?:a bit )?more|anything else|"
    r"what else)\b", re.I)


class Form(StrEnum):
    """The shape of a follow-up."""

    STEP = "step"  # "what's step 3?", "the first step?", "what's the R?"
    ORDINAL = "ordinal"  # "tell me about the third one"
    WHY = "why"  # "why is that a mistake?", "why not?"
    WHEN = "when"  # "when was it passed?"
    WHERE = "where"  # "where is it in my notes?", "which topic covers it?"
    MORE = "more"  # "and SMART?", "what about topic 3?", "and the marking points?"
    DETAIL = "detail"  # "tell me more", "go on"
    INSTEAD = "instead"  # "what should I do instead?", "so what's the right way?"
    EXAMPLE = "example"  # "give me an example", "any examples?"
    FIRST = "first"  # "which one came first?", "which is older?" (of two laws)
    WHICH = "which"  # "which one should I use?", "which is better?" (of two models)


@dataclass(frozen=True)
class FollowUp:
    """A follow-up's form and, for steps and ordinals, the position asked (``LAST`` for the last)
    or the step's letter in the model's name."""

    form: Form
    position: int | None = None
    letter: str | None = None


def _position(match: re.Match[str]) -> int | None:
    if word := match.groupdict().get("ord"):
        word = word.lower()
        return LAST if word in ("last", "final") else _ORDINALS.get(word)
    if word := match.groupdict().get("num"):
        word = word.lower()
        return int(word) if word.isdigit() else _CARDINALS.get(word)
    return None


def _named(match: re.Match[str]) -> bool:
    """An ordinal written in capitals is a name ("and LAST?" asks about a model called LAST)."""
    word = match.groupdict().get("ord") or ""
    return len(word) > 1 and word.isupper()


def read(message: str) -> FollowUp | None:
    """The follow-up form of ``message``, or None when it does not read as one."""
    text = message.strip()
    if not text:
        return None
    if (match := _STEP.search(text)) and not _named(match):
        return FollowUp(Form.STEP, _position(match))
    for pattern in _ONE:
        if (match := pattern.search(text)) and not _named(match):
            return FollowUp(Form.ORDINAL, _position(match))
    if match := _LETTER.search(text):
        return FollowUp(Form.STEP, letter=match["letter"].upper())
    if _FIRST.search(text):
        return FollowUp(Form.FIRST)
    if _WHY.search(text):
        return FollowUp(Form.WHY)
    asks = bool(_ASKS.search(text)) or len(text.split()) <= 6
    if asks and _WHICH.search(text):
        return FollowUp(Form.WHICH)
    if asks and _INSTEAD.search(text):
        return FollowUp(Form.INSTEAD)
    if _EXAMPLE.search(text):
        return FollowUp(Form.EXAMPLE)
    if asks and _WHEN.search(text) and PRONOUN.search(text):
        return FollowUp(Form.WHEN)
    if asks and _WHERE.search(text) and (PRONOUN.search(text) or "note" in text.lower()):
        return FollowUp(Form.WHERE)
    if _TELL_MORE.search(text):
        return FollowUp(Form.DETAIL)
    if _MORE.search(text):
        return FollowUp(Form.MORE)
    return None


def asks_when(message: str) -> bool:
    """True for "when was ... passed?", "what year ...?" and the like."""
    return bool(_WHEN.search(message))


def without_position(message: str) -> str:
    """``message`` without the words that give a position ("the last step" names no model)."""
    text = _STEP.sub(lambda m: m.group() if _named(m) else " ", message)
    for pattern in _ONE:
        text = pattern.sub(lambda m: m.group() if _named(m) else " ", text)
    return text


def ordinal(n: int | None, items: list | tuple) -> int | None:
    """The 0-based index of position ``n`` in ``items`` (``LAST`` for the last), if it exists."""
    if n is None or not items:
        return None
    if n == LAST:
        return len(items) - 1
    return n - 1 if 1 <= n <= len(items) else None
