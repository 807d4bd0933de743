"""What a message sent during a quiz is, read from its words (NLU's intent is only a hint): a quiz
command, a contested verdict, a request for a new quiz, a question for the tutor, or an answer.

Answers win ties: a bare word that could be a command ("End", "Stop") is an answer when it is the
right answer (the desk checks), and only a clear question or request leaves the quiz. Statements
that open with a question word ("what I'd do is listen first") and tentative answers ("is it
LATER?", "Resolve?") are answers.
"""

from __future__ import annotations

import re
from enum import StrEnum

from .text import fold


class Move(StrEnum):
    """What the learner's message does to the quiz."""

    STOP = "stop"
    HINT = "hint"
    SKIP = "skip"
    REPEAT = "repeat"
    CONTEST = "contest"
    START = "start"
    ASK = "ask"
    ANSWER = "answer"


_POLITE = r"(?:(?:ok|okay|right|sorry|um+|erm|hmm+|actually|please|can|could|may|i|we|you)[, ]+)*"
_STOP = re.compile(
    rf"^{_POLITE}(?:(?:want|would like|wanna|need|like|have) to |lets |let us |just )?"
    r"(?:stop|quit|exit|cancel|end|finish|abandon)"
    r"(?: (?:the|this|my|a|here|now|it|quiz|test|questions?|please|for now|for today|there))*$"
    r"|^(?:im|i am|we are|were) (?:done|finished)(?: now| for now| for today| with (?:the|this) quiz)?$"
    r"|^(?:thats|that is) enough(?: for now| for today)?$|^enough$|^no more(?: questions)?$"
    r"|^(?:stop|end|quit|exit|cancel) (?:the |this )?quiz(?: please| now)?$"
)
_HINT = re.compile(
    rf"^{_POLITE}(?:(?:have|get|give me|need|want|use) )?(?:a |another |one more |some )?"
    r"(?:hint|clue|tip|help)s?(?: please| me)?$|^(?:im |i am )?stuck$|^help me$"
)
_SKIP = re.compile(
    rf"^{_POLITE}(?:(?:ll|will|want to|wanna) )?"
    r"(?:skip|pass|next|move on|give up)(?: (?:it|this|that|this one|that one|the question|this question|"
    r"please|on|question))*$"
)
_REPEAT = re.compile(
    rf"^{_POLITE}(?:(?:you )?(?:repeat|say|ask|read)(?: (?:it|that|the question|this|again|please|"
    r"one more time))+|again|pardon|come again|what|huh|eh|what was the question|whats the question|"
    r"what was it again|what was that again|repeat)$"
    # back after a break ("ok thanks, see you tomorrow" left the quiz open): the question again
    r"|^(?:(?:ok|okay|right|so|hi|hello|hey|hiya|morning|evening)\s+)*(?:(?:hi|hello|hey|hiya) again|"
    r"(?:im|i am) back|back again|(?:lets|let us) (?:carry on|continue|go on|keep going)|"
    r"(?:carry|go) on|continue|keep going|where were we)(?: (?:then|now|again|please|with (?:it|the quiz)))*$"
)
_CONTEST = re.compile(
    r"\b(?:i|im|i am) (?:was |am )?(?:right|correct)\b(?! (?:to|about))"
    r"|\b(?:that|it|mine|my answer|this)(?: one)? (?:should|ought to|must|does|should have)"
    r"(?: (?:still|also|really|definitely))? (?:count|be (?:correct|right|accepted|marked (?:as )?"
    r"(?:correct|right))|counted|been (?:correct|right|accepted|marked (?:as )?(?:correct|right)))"
    r"|\b(?:should(?:nt)?|does(?:nt)?) (?:that|it|mine|my answer) (?:count|be (?:correct|right|accepted))"
    r"|\bmy answer (?:was|is) (?:right|correct|fine|ok|acceptable|valid)"
    r"|\b(?:mark|count) (?:it|that|mine|my answer)(?: as)? (?:correct|right)"
    r"|\b(?:that|it)(?:s| is| was) (?:actually |also )?(?:correct|right) (?:though|too|as well)\b"
    r"|\b(?:wrongly|unfairly) marked|\bmarked (?:me |it |that )?(?:wrong|incorrect) (?:but|though)"
    r"|\b(?:thats|that is|it is|its|that means|it means) the same(?: thing)?$"
)
_START = re.compile(
    r"^(?:(?:can you |could you |please |now |ok |okay )*(?:quiz|test) (?:me|us)\b"
    r"|(?:start|begin|give me|lets do|let us do|i want|new|another|do) (?:a |another |one more |new )*"
    r"(?:quiz|test)\b"
    r"|(?:give me |ask me )?(?:\d+|a few|some|five|ten) (?:more )?(?:quiz )?questions (?:on|about)\b)"
)
_WH = r"what|which|who|whom|whose|why|how|when|where"
_AUX = (r"is|am|are|was|were|does|do|did|can|could|should|would|will|has|have|had|must|may|might|s|re|"
        r"d|ll|means?|stands?")
_REQUEST = re.compile(
    r"^(?:please )?(?:explain|describe|define|tell me|tell us|remind me|show me|give me an example|"
    r"give me examples|help me understand|i dont understand|i do not understand|"
    r"(?:can|could|would|will) you (?:explain|tell|describe|define|remind|show|give|help)|"
    r"what about|how about|whats|what is|what are|whos|whats the difference)\b"
)
# "which model's steps are": a word may come between; not a subject pronoun ("what I'd do is ...")
_PRONOUN = r"i|id|im|ive|ill|you|youd|youre|we|wed|they|theyd|he|she|it|its|one"
_QUESTION = re.compile(rf"^(?:{_WH})(?:\s+(?!(?:{_PRONOUN})\b)\w+)?\s+(?:{_AUX})\b|^(?:{_WH})$")
_TENTATIVE = re.compile(
    r"^(?:is it|isnt it|could it be|would it be|might it be|maybe|perhaps|possibly|is that|was it|"
    r"it might be|it could be|i think|i guess)\b"
    # "is it ok to give details to anyone who asks?" asks the tutor; "is it LATER?" is a guess
    r"(?! (?:ok|okay|alright|fine|true|right|wrong|legal|illegal|allowed|bad|good|important|"
    r"necessary|possible|really|always|ever|normal|acceptable) (?:to|that|if|for|when)\b)"
)
_AUX_START = re.compile(r"^(?:is|are|does|do|did|can|could|should|would|will|has|have|was|were)\b")
# Asking for the answer itself: it is shown as a skip (counted as not known), not left to the tutor.
_ANSWER_WANTED = re.compile(
    r"^(?:please |can you |could you |just )*(?:tell me|show me|give me|what(?:s| is))"
    r"(?: (?:the|your) (?:right |correct )?answer)?(?: then| please| already)*$|^just tell me\b"
)


# Words that open a message without being part of it: "wait, can we share data with anyone?"
_LEAD = re.compile(
    r"^(?:(?:wait|hang on|hold on|sorry|oh|ah|so|but|and|also|actually|btw|by the way|um+|erm|hmm+|"
    r"quick question|random question|one question|question|off topic|ok|okay|right)\s+)+"
)


def _plain(text: str) -> str:
    """Folded words with single spaces, no punctuation: "Stop the quiz!" -> "stop the quiz"."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def asks_for_quiz(text: str) -> bool:
    """True when a message asks for a quiz in so many words ("quiz me on ...", "5 questions on
    ..."), whatever NLU made of the rest."""
    return bool(_START.match(_plain(text)))


def is_contest(text: str) -> bool:
    """True when a message contests the last verdict ("I was right", "that should count")."""
    return bool(_CONTEST.search(_plain(text)))


def asks_for_answer(text: str) -> bool:
    """True when a message asks for the quiz's own answer ("what's the answer?", "just tell me")."""
    plain = _plain(text)
    return bool(_ANSWER_WANTED.search(plain)) and ("answer" in plain or plain.startswith("just tell me"))


def is_guess(text: str) -> bool:
    """True for a question that may be a guess at the answer: "how about LATER?", "what about GDPR?"."""
    return bool(re.match(r"^(?:how|what) about \S+(?: \S+){0,3}$", _plain(text)))


def is_question(text: str) -> bool:
    """True when a message asks the tutor something rather than answering the quiz."""
    stripped = text.strip()
    plain = _LEAD.sub("", _plain(stripped))
    if not plain or _TENTATIVE.match(plain):
        return False
    tail = stripped.rsplit("?", 1)[-1].strip() if "?" in stripped else ""
    if tail and re.search(r"\w", tail):  # "who is responsible? the team": the answer follows
        return False
    if _REQUEST.match(plain):
        return True
    if _QUESTION.match(plain):
        return True
    if stripped.endswith("?") and re.match(rf"^(?:{_WH})\s+(?!(?:{_PRONOUN})\b)", plain):
        return True  # "which law covers refunds?"
    # "is the customer always right?" asks; "Resolve?" is a tentative answer
    return stripped.endswith("?") and bool(_AUX_START.match(plain)) and len(plain.split()) >= 4


def read(text: str) -> Move:
    """What a message sent during a quiz does (before checking it against the right answer)."""
    plain = _plain(text)
    if not plain:
        return Move.ANSWER
    for move, pattern in ((Move.STOP, _STOP), (Move.HINT, _HINT), (Move.SKIP, _SKIP),
                          (Move.REPEAT, _REPEAT)):
        if pattern.match(plain):
            return move
    if asks_for_answer(text):
        return Move.SKIP
    if is_contest(text):
        return Move.CONTEST
    if _START.match(plain):
        return Move.START
    if is_question(text):
        return Move.ASK
    return Move.ANSWER
