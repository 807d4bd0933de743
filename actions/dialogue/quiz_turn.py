"""A learner's message while a quiz runs: the quiz takes it first, whatever intent NLU gave it.

Shared by Rasa's quiz form (:mod:`actions.dialogue.quiz`) and by any action that finds a quiz
running without the form. Stop, hint, skip and repeat requests, a contest of the last verdict and
answers (an option clicked, typed, by letter, yes/no, or chat that answers nothing) all go to the
quiz desk (:meth:`~actions.quiz.desk.QuizDesk.take`), which also starts a new quiz when asked. A
real question is answered by the tutor, and a request for progress, for the learner's data or
for daily reminders is served, then the quiz question comes back. ``asked`` is the token of the
question the learner was shown (the ``quiz_asked`` slot), so a retried turn gets the verdict its
first try recorded.
"""

from __future__ import annotations

import re

from ..answers.reply import Reply
from . import provider
from .base import Turn
from .learner_data import in_quiz
from .reminders import reminder_reply
from .render import with_sources

_PROGRESS = re.compile(r"\b(how am i doing|my (?:progress|scores?|results?)|what should i revise|"
                       r"what to revise)\b", re.I)


def take(turn: Turn, asked: str | None = None) -> Reply:
    """The reply to ``turn`` during a quiz (the quiz may have ended by the time it returns);
    ``asked``: :meth:`~actions.quiz.desk.QuizDesk.asked` when the learner was shown the question."""
    desk = provider.get_desk()
    text = turn.text.strip()
    data = in_quiz(turn, lambda reply: _then_resume(reply, turn))  # "what do you know about me?"
    if data is not None:
        return data
    reminder = reminder_reply(turn)  # "stop reminders" is not "stop"
    if reminder is not None:
        return _then_resume(reminder, turn)
    if _PROGRESS.search(text):
        report = desk.revision(turn.learner) if "revise" in text.lower() else desk.report(turn.learner)
        return _then_resume(report, turn)
    clicked = turn.entity("answer") if text.startswith("/quiz_answer") else None
    reply = desk.take(turn.learner, text, turn.intent, clicked, asked=asked)
    if reply is not None:
        return reply
    # a question mid-quiz is about the quiz's model or law unless it names another; an answer that
    # would give the question on screen away waits until the learner has answered it
    from ..quiz.asides import in_focus, spare  # the quiz package loads the engine: not at import

    question = desk.current(turn.learner)
    answer = provider.get_tutor().respond(text, in_focus(question, turn.context), turn.intent)
    shown = spare(question, answer)
    return desk.keep_back(turn.learner) if shown is None else _then_resume(shown, turn)


def _then_resume(reply: Reply, turn: Turn) -> Reply:
    """``reply``, then the quiz question again, with its option buttons."""
    resume = provider.get_desk().resume(turn.learner)
    return Reply(f"{with_sources(reply)}\n\n{resume.text}", kind=reply.kind, buttons=resume.buttons,
                 context=reply.context)
