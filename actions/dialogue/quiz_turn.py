"""A learner's message while a quiz runs: the quiz takes it first, whatever intent NLU gave it.

Shared by Rasa's quiz form (:mod:`actions.dialogue.quiz`) and by any action that finds a quiz
running without the form. Stop, hint, skip and repeat requests, a contest of the last verdict and
answers (an option clicked, typed, by letter, yes/no, or chat that answers nothing) all go to the
quiz desk. A real question is answered by the tutor and the quiz question comes back; a request
for a new quiz or for progress is served as asked.
"""

from __future__ import annotations

import re

from ..answers.reply import Reply
from . import provider
from .base import Turn
from .render import with_sources

# Buttons send these payloads; each is a quiz command.
_PAYLOAD_COMMANDS = {
    "/quiz_stop": "stop", "/quiz_hint": "hint", "/quiz_skip": "skip", "/quiz_repeat": "repeat",
}
_NEW_QUIZ = re.compile(r"\b(quiz|test me|questions? (?:on|about)|new test)\b", re.I)
_PROGRESS = re.compile(r"\b(how am i doing|my (?:progress|scores?|results?)|what should i revise|"
                       r"what to revise)\b", re.I)


def take(turn: Turn) -> Reply:
    """The reply to ``turn`` during a quiz (the quiz may have ended by the time it returns)."""
    desk = provider.get_desk()
    text = turn.text.strip()
    if command := _PAYLOAD_COMMANDS.get(text.split("{", 1)[0]):
        return desk.command(turn.learner, command)
    if text.startswith("/start_quiz") or (turn.intent == "start_quiz" and _NEW_QUIZ.search(text)):
        return desk.command(turn.learner, "start", "" if text.startswith("/") else text)
    if _PROGRESS.search(text):
        report = desk.revision(turn.learner) if "revise" in text.lower() else desk.report(turn.learner)
        return _then_resume(report, turn)
    clicked = turn.entity("answer") if text.startswith("/quiz_answer") else None
    reply = desk.take(turn.learner, text, turn.intent, clicked)
    if reply is not None:
        return reply
    answer = provider.get_tutor().respond(text, turn.context, turn.intent)
    return _then_resume(answer, turn)


def _then_resume(reply: Reply, turn: Turn) -> Reply:
    """``reply``, then the quiz question again, with its option buttons."""
    resume = provider.get_desk().resume(turn.learner)
    return Reply(f"{with_sources(reply)}\n\n{resume.text}", kind=reply.kind, buttons=resume.buttons,
                 context=reply.context)
