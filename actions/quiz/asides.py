"""A question asked in the middle of a quiz: what it is about, and what of the tutor's answer may
be shown before the learner has answered the question on screen."""

from __future__ import annotations

from ..answers.context import Context
from ..answers.reply import Reply
from ..answers.resolve import name_stem
from .questions import Kind, Question
from .text import fold, words

# What a question about each kind of quiz question is about, as the tutor's context keeps it (the
# kinds whose subject is their answer, "which model ...?", "which law ...?", are left out).
_FOCUS = {Kind.MODEL_LETTER: "model", Kind.MODEL_STEP: "model", Kind.MODEL_STEPS: "model",
          Kind.LAW_COVERS: "law", Kind.LAW_YEAR: "law", Kind.ABBREVIATION: "abbreviation"}


def in_focus(question: Question | None, context: Context) -> Context:
    """``context`` with the question's model, law or abbreviation in focus: mid-quiz, "what does
    the L stand for again?" asks about the quiz's model, whatever came before."""
    focus = _FOCUS.get(question.kind) if question else None
    if focus is None:
        return context
    return context.but(**{focus: question.subject, "focus": focus})


def gives_away(question: Question | None, reply: Reply) -> bool:
    """True when ``reply``, the tutor's answer to a question asked mid-quiz, would show the answer
    to ``question``: it speaks of the question's subject and holds its answer ("what's the first
    step again?" on "What does the L in LATER stand for?")."""
    if question is None or question.kind not in _FOCUS:
        return False
    about = reply.context is not None and question.subject in (
        reply.context.model, reply.context.law, reply.context.abbreviation)
    if not about and fold(name_stem(question.subject)) not in fold(reply.text):
        return False
    text = f" {' '.join(words(reply.text))} "
    found = [a for a in question.answers if f" {' '.join(words(a))} " in text]
    return len(found) >= (2 if question.steps else 1)


def spare(question: Question | None, reply: Reply) -> Reply | None:
    """``reply`` as it may be shown while ``question`` waits: whole, or its first paragraph alone
    when the rest would give the question away ("The L in LATER is Listen" without all five
    steps); None when even that would (the quiz keeps it back)."""
    if not gives_away(question, reply):
        return reply
    whole = reply.text.strip()
    lead = whole.split("\n\n", 1)[0]
    if lead == whole:
        return None
    shorter = Reply(lead, kind=reply.kind, sources=reply.sources, context=reply.context)
    return None if gives_away(question, shorter) else shorter
