"""A learner's own data requests in the chat, read from their words and answered: "what do you know
about me?" and "delete my data", which is confirmed before anything is deleted.

NLU's intents (``ask_my_data``, ``forget_me``) are a hint: the words must ask for it too, so a
course question about data protection ("what data may a shop keep about customers?") is never
taken for a request about the learner's own data. During a quiz, when every message goes to the
quiz first, the words alone decide. Confirming takes a clear yes; anything else keeps the data.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..answers.reply import Button, Reply
from .data import CONFIRM_FORGET, Stores, describe_learner, forget_learner, forgotten_text

# Kinds of the replies made here (the tutors' report does not count them as course questions).
DESCRIBED, CONFIRMING, CANCELLED = "learner_data", "forget_confirm", "forget_cancelled"
FORGOTTEN = "forgotten"  # never logged (actions.logbook.NOT_LOGGED)
KINDS = frozenset({DESCRIBED, CONFIRMING, CANCELLED, FORGOTTEN})
YES, NO = "/affirm", "/deny"  # the confirmation's buttons send these intents
CANCELLED_TEXT = ("OK, I haven't deleted anything: your quiz progress, your logged messages and our "
                  "conversation are all kept. Say 'delete my data' whenever you want them gone.")

_NEGATED = re.compile(r"\b(?:don'?t|do not|never|not|no need to|stop)\b", re.I)
_KEEP_VERB = (r"(?:know|knows|known|kept|keep|keeping|store[sd]?|storing|hold|holds|holding|have|has|had|got|"
              r"record(?:ed|s|ing)?|collect(?:ed|s|ing)?|save[sd]?|saving|log(?:ged|s|ging)?|track(?:ed|s|ing)?|"
              r"retain(?:ed|s)?|gather(?:ed)?|remember(?:ed|s)?)")
_MY_DATA = (r"my\s+(?:own\s+|personal\s+|stored\s+|saved\s+)?(?:data|information|info|details|records?|logs?|"
            r"history|chat\s+history|messages|conversations?|answers|progress\s+data|account)")
_KEPT = re.compile(
    # "what do you know about me", "what data do you keep on me", "what's been recorded about me"
    rf"\b{_KEEP_VERB}\b[^.?!]*?\b(?:about|on|of|from)\s+me\b"
    # "show me my data", "can I see my information", "give me a copy of my details"
    rf"|\b(?:show|see|view|give|send|list|access|export|download|copy|read|check)\b[^.?!]*?\b{_MY_DATA}\b"
    # "what data do you store?", "which information does the tutor hold"
    rf"|\b(?:what|which|how much)\s+(?:of\s+)?(?:my\s+|personal\s+)?(?:data|information|info|details)\s+"
    rf"(?:do|does|did|have|has|are|is)\s+(?:you|the\s+(?:tutor|bot|app|system))\s+(?:\w+\s+)?{_KEEP_VERB}\b"
    r"(?!\s+(?:about|on|of|for|from)\s+(?!me\b))"  # not "... about customers"
    # "do you keep my messages?", "how long do you store my data?"
    rf"|\b(?:do|will|how\s+long\s+(?:do|will))\s+you\s+{_KEEP_VERB}\s+{_MY_DATA}"
    # "what's stored about me", "is my data kept?"
    rf"|\b{_MY_DATA}\s+(?:is\s+|are\s+|being\s+)?(?:kept|stored|held|saved|logged|recorded)\b",
    re.I)
_FORGET = re.compile(
    # "forget me", "erase all about me"
    r"\b(?:forget|erase|delete|wipe)\s+(?:all\s+about\s+|everything\s+about\s+)?me\b"
    # "remove my data", "erase everything you know about me", "clear all the data you hold"
    r"|\b(?:delete|erase|remove|wipe|forget|clear|purge|destroy|scrub|get\s+rid\s+of)\b[^.?!]*?"
    rf"\b(?:{_MY_DATA}|everything\s+(?:you|that\s+you|about\s+me)|all\s+(?:of\s+)?(?:the\s+)?"
    r"(?:data|information|info|details|records?)\s+(?:you|about\s+me|on\s+me))\b"
    # "I'd like all my data erased", "can my details be deleted?"
    rf"|\b{_MY_DATA}\s+(?:\w+\s+){{0,2}}(?:deleted|erased|removed|wiped|cleared|destroyed|purged)\b"
    r"|\b(?:i\s+want\s+to|i'?d\s+like\s+to|can\s+i|let\s+me)\s+be\s+forgotten\b",
    re.I)
_NOT_DATA = re.compile(r"\b(?:reminders?|notifications?)\b", re.I)  # "delete my reminder" is no data request
_CONFIRM = re.compile(
    r"^\s*(?:yes|yeah|yep|yup|y|sure|ok|okay|confirm(?:ed)?|go\s+ahead|do\s+it|please\s+do|absolutely|"
    r"definitely|i'?m\s+sure|i\s+am\s+sure|delete(?:\s+(?:it|them|everything|it\s+all|all(?:\s+of\s+it)?|"
    r"my\s+data))?)\b(?:[\s,.!]+(?:yes|please|delete|it|them|everything|all|of|my|data|do|go|ahead|sure|"
    r"i'?m|am|i|thanks|thank\s+you))*[\s.!]*$",
    re.I)


def _words(text: str) -> str:
    return "" if text.startswith("/") else text.strip()


def asks_what_is_kept(text: str) -> bool:
    """The words ask what the tutor keeps about the learner."""
    words = _words(text)
    return (bool(words) and bool(_KEPT.search(words)) and not _NOT_DATA.search(words)
            and not asks_to_forget(words))


def asks_to_forget(text: str) -> bool:
    """The words ask for the learner's data to be deleted (and do not say not to)."""
    words = _words(text)
    found = _FORGET.search(words) if words and not _NOT_DATA.search(words) else None
    return bool(found) and not _NEGATED.search(words[:found.start() + 1] if found else "")


def confirms(text: str) -> bool:
    """The answer to :data:`CONFIRM_FORGET` is a clear yes (the Yes button, or typed)."""
    if text.strip().startswith(YES):
        return True
    words = _words(text)
    return bool(words) and bool(_CONFIRM.match(words)) and not _NEGATED.search(words)


def described(learner: str, stores: Stores | None = None) -> Reply:
    """What is kept about ``learner``, and how to have it deleted."""
    return Reply(describe_learner(learner, stores, asking=True), kind=DESCRIBED,
                 buttons=[Button("Delete my data", "/forget_me")])


def confirmation() -> Reply:
    """The question asked before anything is deleted."""
    return Reply(CONFIRM_FORGET, kind=CONFIRMING,
                 buttons=[Button("Yes, delete everything", YES), Button("No, keep it", NO)])


def answer_confirmation(learner: str, text: str, stores: Stores | None = None,
                        otherwise: Callable[[str], Reply | None] | None = None) -> Reply:
    """The learner's answer to :func:`confirmation`: a clear yes deletes everything, from the chat
    (so the conversation Rasa stores after this turn is deleted too); anything else deletes nothing.
    ``otherwise``, when given, may answer a message that was neither yes nor no (a question, say)."""
    if confirms(text):
        return Reply(forgotten_text(forget_learner(learner, stores, after_turn=True)), kind=FORGOTTEN)
    if asks_to_forget(text):
        return confirmation()  # asked again: ask again
    words = _words(text)
    if words and asks_what_is_kept(words):
        return Reply(f"{CANCELLED_TEXT}\n\n{described(learner, stores).text}", kind=CANCELLED,
                     buttons=[Button("Delete my data", "/forget_me")])
    aside = otherwise(words) if otherwise is not None and words and not _is_refusal(words) else None
    if aside is not None:
        return Reply(f"{CANCELLED_TEXT}\n\n{aside.text}", kind=CANCELLED, buttons=aside.buttons,
                     sources=aside.sources, context=aside.context)
    return Reply(CANCELLED_TEXT, kind=CANCELLED)


_REFUSAL = re.compile(r"^\s*(?:no|nope|nah|n|cancel|keep(?:\s+it)?|don'?t|never\s*mind|not\s+now|stop|"
                      r"wait|leave\s+it|no\s+thanks?(?:\s+you)?)\b", re.I)


def _is_refusal(words: str) -> bool:
    return bool(_REFUSAL.match(words))
