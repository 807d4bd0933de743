"""Mistakes phrased as advice, for questions about what to avoid or what people get wrong.

A misconception bullet describes the mistake ("Failing to tailor communication style to the
customer, leading to misunderstandings"); a learner who asks what to avoid wants advice ("Make
sure you tailor your communication style to the customer; otherwise it can lead to ...").
"""

from __future__ import annotations

import re
from functools import lru_cache

# A question about what to avoid, what goes wrong or what people get wrong.
MISTAKE_QUESTION = re.compile(
    r"\b(avoid\w*|steer clear|stay away|mistakes?|errors?|pitfalls?|go(?:es)? wrong|going wrong|"
    r"get(?:s|ting)? (?:it )?wrong|wrong|misconceptions?|misunderstand\w*|traps?|watch out|"
    r"careful|don'?t|do not|shouldn'?t|should not|never|problems?|fail\w*|slip(?:s|ped)? up|"
    r"mess(?:es|ed)? up|trip(?:s|ped)? up|blunders?|dangers?|risks?|forget\w*|overlook\w*|"
    r"neglect\w*|mix(?:es|ed|ing)?(?:\s+\w+){0,4}\s+up|confus\w*|"
    r"(?:put|turn)(?:s|ting|ing)?\s+(?:\w+\s+){0,2}off)\b",
    re.I,
)
_BELIEF = re.compile(r"^(?P<verb>assuming|believing|thinking|expecting|presuming)\s+(?:that\s+)?", re.I)
_CONFUSING = re.compile(r"^(?:confusing|mixing up)\s+", re.I)
_FAIL_TO = re.compile(r"^(?:failing|neglecting|forgetting|refusing)\s+to\s+", re.I)
_NOT_GERUND = re.compile(r"^not\s+(?P<verb>\w+ing)\b", re.I)
_OVERLOOK = re.compile(r"^(?P<verb>overlooking|ignoring|neglecting|skipping)\s+", re.I)
# Where the mistake ends and its consequence starts, and how the consequence reads as a warning.
_CONSEQUENCE = re.compile(
    r"[,;]\s+(?:which\s+(?:can|may|will|could)\s+(?P<which>\w+)|(?P<part>leading|resulting|causing)\b)",
    re.I)
# After "make sure you do X", a clause saying what the mistaken learner does instead is dropped.
_INSTEAD = re.compile(r",\s+(?:relying|rather|instead)\b.*$", re.I)
# A second clause that names what the mistaken learner leaves undone: "..., ignoring factors like
# X", "..., without considering X", "...; failing to X", "..., rather than understanding X".
_UNDONE = re.compile(
    r"(?:,|;)\s+(?P<how>ignoring|neglecting|overlooking|without|rather than|failing to|"
    r"neglecting to|forgetting to|relying(?: instead)?)\s+(?P<rest>.+)$", re.I)
# "Gathering feedback but neglecting to close the loop"
_BUT_UNDONE = re.compile(
    r"^(?P<verb>\w+ing)\s+(?P<what>.+?)\s+but\s+(?:neglecting|failing|forgetting)\s+to\s+"
    r"(?P<rest>.+)$", re.I)
_EXAMPLE_NOT = re.compile(r",\s+(?P<lead>for example|for instance|such as),?\s+not\s+(?=\w+ing\b)", re.I)
_AS_WARNING = {"leading": "lead", "resulting": "result", "causing": "cause"}
_BASE = {"assuming": "assume", "believing": "believe", "thinking": "think", "expecting": "expect",
         "presuming": "presume", "overlooking": "overlook", "ignoring": "ignore",
         "neglecting": "neglect", "skipping": "skip"}


def asks_about_mistakes(message: str) -> bool:
    """True for questions such as "what should I avoid ...?" or "what do people get wrong ...?"."""
    return bool(MISTAKE_QUESTION.search(message))


@lru_cache(maxsize=256)
def advice(bullet: str) -> str:
    """``bullet`` (a misconceptions-section item) as a piece of advice."""
    text = bullet.strip().rstrip(".")
    consequence = ""
    if match := _CONSEQUENCE.search(text):
        rest = text[match.end():].strip()
        if match["which"]:
            consequence = f"otherwise it can {match['which']} {rest}"
        else:
            consequence = f"otherwise it can {_AS_WARNING[match['part'].lower()]} {rest}"
        text = text[: match.start()]
    undone = ""
    if (match := _UNDONE.search(text)) and (undone := _do_instead(match["how"], match["rest"])):
        text = text[: match.start()]
    if match := _BUT_UNDONE.match(text):
        rest = _EXAMPLE_NOT.sub(lambda m: f", {m['lead']}, by ", match["rest"])
        main = f"When you {_base_form(match['verb'])} {match['what']}, make sure you {rest}"
    elif match := _FAIL_TO.match(text):
        main = "Make sure you " + _INSTEAD.sub("", text[match.end():])
    elif match := _NOT_GERUND.match(text):
        main = "Make sure you " + _base_form(match["verb"]) + _INSTEAD.sub("", text[match.end():])
    elif match := _BELIEF.match(text):
        main = f"Don't {_BASE[match['verb'].lower()]} that " + text[match.end():]
    elif match := _CONFUSING.match(text):
        main = "Don't confuse " + text[match.end():]
    elif match := _OVERLOOK.match(text):
        main = f"Don't {_BASE[match['verb'].lower()]} " + text[match.end():]
    else:
        main = "Avoid " + text[:1].lower() + text[1:]
    parts = [main, undone, consequence]
    return "; ".join(p for p in parts if p) + "."


def _do_instead(how: str, rest: str) -> str:
    """What to do instead, from the clause that names what the mistake leaves undone; "" when
    the clause does not read as an action ("without proper verification")."""
    how = how.lower()
    rest = re.sub(r"\btheir own\b", "your own", rest)
    if how.startswith("relying"):
        return f"don't rely {rest}"
    if how in ("ignoring", "neglecting", "overlooking"):
        return f"don't {_BASE[how]} {rest}"
    if how.endswith(" to"):
        return f"make sure you {rest}"
    gerund = re.match(r"(?P<verb>\w+ing)\s+(?P<rest>.+)$", rest)
    if gerund is None:
        return ""
    return f"make sure you {_base_form(gerund['verb'])} {gerund['rest']}"


def _base_form(gerund: str) -> str:
    """'documenting' -> 'document', 'considering' -> 'consider', from spaCy's lemmatiser."""
    from .nlp import parse

    tokens = parse(gerund)
    return tokens[0].lemma_ if len(tokens) else re.sub(r"ing$", "", gerund)
