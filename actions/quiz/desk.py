"""Quizzes for every learner over the knowledge base's current build, and progress reports.

The question bank follows the index: when ``tutor index`` swaps in a new build, the next call
builds the bank again, so a tutor's new document brings new questions with no restart.
"""

from __future__ import annotations

import json
import random
import threading

from ..answers.reply import Reply
from ..answers.resolve import find_abbreviations, find_laws, find_models
from ..knowledge.base import KnowledgeBase
from .grading import grade
from .meaning import Meaning
from .messages import Move, is_contest, is_guess, is_question, read
from .progress import Progress, Score
from .questions import Question
from .selection import QuestionBank
from .session import QuizSession
from .text import words

QUIZ_COMMANDS = ("start", "hint", "skip", "repeat", "stop")
# Button payloads and NLU intents that name a quiz command outright.
_PAYLOADS = {"quiz_stop": "stop", "quiz_hint": "hint", "quiz_skip": "skip", "quiz_repeat": "repeat",
             "start_quiz": "start"}
# Words that make NLU's command intent believable for a message the desk reads as an answer.
_CUES = frozenset(("stop", "quit", "end", "finish", "done", "enough", "hint", "clue", "skip", "next",
                   "pass", "repeat", "again"))
KEPT_BACK = ("That's what this question is testing, so I'll keep it until you've answered. Say 'hint' "
             "for a clue, or 'skip' to see the answer.")


class QuizDesk:
    """Starts, continues and reports on quizzes; one per action server."""

    def __init__(self, kb: KnowledgeBase, progress: Progress, rng: random.Random | None = None):
        self.kb = kb
        self.progress = progress
        self.rng = rng or random.Random()
        self._bank: tuple[str, QuestionBank] | None = None
        self._lock = threading.Lock()
        self.meaning = Meaning(lambda: self.kb.encoder)  # synonyms by the tutor's own encoder

    def bank(self) -> QuestionBank:
        build = self.kb.build_id
        with self._lock:
            if self._bank is None or self._bank[0] != build:
                self._bank = (build, QuestionBank(self.kb.catalogue))
            return self._bank[1]

    def session(self, learner: str) -> QuizSession:
        return QuizSession(learner, self.bank(), self.progress, self.rng, self.meaning)

    def active(self, learner: str) -> bool:
        return self.session(learner).active

    @staticmethod
    def is_interruption(text: str) -> bool:
        """True when a message sent during a quiz asks something rather than answers."""
        return is_question(text)

    @staticmethod
    def is_contest(text: str) -> bool:
        """True when a message contests the last verdict ("I was right", "that should count")."""
        return is_contest(text)

    def asked(self, learner: str) -> str | None:
        """A token for the question the learner is being asked now: keep it with the reply (a
        slot) and hand it back to :meth:`take` with the next message, so that a retry of that
        message, after the first try was recorded but its reply lost, is known as one."""
        return self.session(learner).asked()

    def take(self, learner: str, text: str, intent: str = "", clicked: str | None = None,
             asked: str | None = None) -> Reply | None:
        """The quiz's reply to any message sent while a quiz is active; None when the message asks
        the tutor something (answer it, then call :meth:`resume`) or no quiz is active.

        ``clicked`` is an option chosen by button, graded as it is. Otherwise the message is read:
        stop, hint, skip, repeat, a contest, a new quiz, a question, or an answer; a command word
        that is the right answer ("End") is an answer. ``intent`` only settles a message that holds
        a command word but reads as an answer ("ok I'm so done" with quiz_stop).

        ``asked`` is :meth:`asked` as it was when the learner was shown the question; without it,
        what the turn answers is fixed by its first read, so a twin of this turn running at the
        same time (a retry, a second server) records nothing and gets the same verdict.
        """
        session = self.session(learner)
        asked = asked or session.asked()
        message = text.strip()
        if clicked is None and message.startswith("/"):
            name, _, payload = message[1:].partition("{")
            if name == "quiz_answer":
                clicked = _payload_answer("{" + payload)
            elif name in _PAYLOADS and (session.active or name == "start_quiz"):
                return self.command(learner, _PAYLOADS[name], asked=asked)
            else:
                return None
        if not session.active:
            return None
        if clicked is not None:
            return session.answer(clicked, clicked=True, asked=asked)
        question = session.current()
        assert question is not None
        move = read(message)
        maybe_answer = move in (Move.STOP, Move.HINT, Move.SKIP, Move.REPEAT) or (
            move is Move.ASK and is_guess(message))
        if maybe_answer and grade(question, message, self.meaning).correct:
            move = Move.ANSWER  # "End" is CARE's last step before a way to leave; "how about LATER?"
        elif move is Move.ANSWER and _PAYLOADS.get(intent, "start") != "start" \
                and set(words(message)) & _CUES and not grade(question, message, self.meaning).score:
            return self.command(learner, _PAYLOADS[intent], asked=asked)
        if move is Move.CONTEST:
            return session.contest()
        if move is Move.START:
            return session.start(message, asked)
        if move is Move.ASK:
            if self._names_subject(message, question):
                return session.resume(KEPT_BACK)
            return None
        if move is Move.ANSWER:
            return session.answer(message, asked=asked)
        return self.command(learner, move.value, asked=asked)

    def _names_subject(self, message: str, question: Question) -> bool:
        """True when a question mid-quiz asks about the very thing the quiz question tests."""
        catalogue = self.bank().catalogue
        named = [m.name for m in find_models(message, catalogue)]
        named += [law.name for law in find_laws(message, catalogue)]
        named += [a.short for a in find_abbreviations(message, catalogue)]
        return question.subject in named or any(name in question.answers for name in named)

    def current(self, learner: str) -> Question | None:
        """The question waiting for the learner's answer, if a quiz is running."""
        return self.session(learner).current()

    def keep_back(self, learner: str) -> Reply:
        """The current question again, with why the tutor will not answer what was asked yet."""
        return self.session(learner).resume(KEPT_BACK)

    def contest(self, learner: str) -> Reply:
        """Re-mark the learner's last verdict correct (during a quiz or after it ended)."""
        return self.session(learner).contest()

    def command(self, learner: str, command: str, text: str = "", asked: str | None = None) -> Reply:
        """Run a quiz command: start (with the learner's request), hint, skip, repeat or stop
        (``asked`` as for :meth:`take`: a repeated skip, stop or start is done once)."""
        session = self.session(learner)
        if command == "start":
            return session.start(text, asked)
        if command in ("skip", "stop"):
            return getattr(session, command)(asked)
        if command not in QUIZ_COMMANDS:
            raise ValueError(f"unknown quiz command {command!r}")
        return getattr(session, command)()

    def answer(self, learner: str, text: str, asked: str | None = None) -> Reply:
        return self.session(learner).answer(text, asked=asked)

    def resume(self, learner: str) -> Reply:
        return self.session(learner).resume()

    def report(self, learner: str) -> Reply:
        """Scores by topic and by model or law, then what to revise next."""
        summary = self.progress.summary(learner)
        if not summary.overall.attempts:
            return Reply(
                "You haven't answered any quiz questions yet. Say 'quiz me' to start, or "
                "'quiz me on HEAT' for one model.",
                kind="progress",
            )
        lines = [f"Overall: {_score(summary.overall)}"]
        if summary.by_topic:
            lines.append("\nBy topic:")
            lines += [f"- {name}: {_score(s)}" for name, s in sorted(summary.by_topic.items())]
        if summary.by_subject:
            lines.append("\nBy model, law and term:")
            lines += [f"- {name}: {_score(s)}" for name, s in sorted(summary.by_subject.items())]
        lines.append("")
        lines.append(self.revision(learner).text)
        return Reply("\n".join(lines), kind="progress")

    def revision(self, learner: str) -> Reply:
        """What the spaced-repetition schedule says to revise next."""
        picks = self.progress.recommend(learner)
        if not picks:
            return Reply(
                "Nothing is due for review yet. Say 'quiz me' to practise something new.",
                kind="revision",
            )
        lines = ["What to revise next:"]
        lines += [f"- {p.subject} ({p.topic}): {p.reason}" for p in picks]
        lines.append("\nSay 'quiz me on " + picks[0].subject + "' to practise it now.")
        return Reply("\n".join(lines), kind="revision")


def _payload_answer(payload: str) -> str:
    """The option a button sent: ``{"answer": "..."}``."""
    try:
        return str(json.loads(payload).get("answer", ""))
    except (ValueError, AttributeError):
        return ""


def _score(score: Score) -> str:
    return (f"{score.correct}/{score.attempts} right, average {score.mean:.0%}"
            if score.attempts else "not tried yet")
