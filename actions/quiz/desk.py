"""Quizzes for every learner over the knowledge base's current build, and progress reports.

The question bank follows the index: when ``tutor index`` swaps in a new build, the next call
builds the bank again, so a tutor's new document brings new questions with no restart.
"""

from __future__ import annotations

import random
import re
import threading

from ..answers.reply import Reply
from ..knowledge.base import KnowledgeBase
from .progress import Progress, Score
from .selection import QuestionBank
from .session import QuizSession

# A message that opens like a question or a request is the learner asking something else
# mid-quiz (it is answered, then the quiz resumes); anything else is an answer.
_ASKS = re.compile(
    r"^\s*(what|which|who|whom|whose|why|how|when|where|explain|tell|describe|define|can you|"
    r"could you|please explain)\b",
    re.I,
)
QUIZ_COMMANDS = ("start", "hint", "skip", "repeat", "stop")


class QuizDesk:
    """Starts, continues and reports on quizzes; one per action server."""

    def __init__(self, kb: KnowledgeBase, progress: Progress, rng: random.Random | None = None):
        self.kb = kb
        self.progress = progress
        self.rng = rng or random.Random()
        self._bank: tuple[str, QuestionBank] | None = None
        self._lock = threading.Lock()

    def bank(self) -> QuestionBank:
        build = self.kb.build_id
        with self._lock:
            if self._bank is None or self._bank[0] != build:
                self._bank = (build, QuestionBank(self.kb.catalogue))
            return self._bank[1]

    def session(self, learner: str) -> QuizSession:
        return QuizSession(learner, self.bank(), self.progress, self.rng)

    def active(self, learner: str) -> bool:
        return self.session(learner).active

    @staticmethod
    def is_interruption(text: str) -> bool:
        """True when a message sent during a quiz asks something rather than answers."""
        return bool(_ASKS.match(text))

    def command(self, learner: str, command: str, text: str = "") -> Reply:
        """Run a quiz command: start (with the learner's request), hint, skip, repeat or stop."""
        session = self.session(learner)
        if command == "start":
            return session.start(text)
        if command not in QUIZ_COMMANDS:
            raise ValueError(f"unknown quiz command {command!r}")
        return getattr(session, command)()

    def answer(self, learner: str, text: str) -> Reply:
        return self.session(learner).answer(text)

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


def _score(score: Score) -> str:
    return (f"{score.correct}/{score.attempts} right, average {score.mean:.0%}"
            if score.attempts else "not tried yet")
