"""A quiz as a small state machine, independent of Rasa: start, answer, hint, skip, repeat, stop, resume.

The state lives in the progress database (question ids, position, scores), so a quiz survives a
restart of every process; each call loads it, acts and saves it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from ..answers.reply import Button, Reply
from .grading import Verdict, grade
from .progress import Progress
from .questions import Kind, Question
from .selection import QuestionBank

_LETTERS = "ABCDEFGH"


class QuizSession:
    """One learner's quiz. Every method returns the :class:`Reply` to show."""

    def __init__(
        self,
        learner: str,
        bank: QuestionBank,
        progress: Progress,
        rng: random.Random | None = None,
    ) -> None:
        self.learner = learner
        self.bank = bank
        self.progress = progress
        self.rng = rng or random.Random()

    # ---- state -------------------------------------------------------------------------------

    def _state(self) -> dict[str, Any] | None:
        state = self.progress.load_quiz(self.learner)
        if state is None:
            return None
        state["ids"] = [qid for qid in state["ids"] if qid in self.bank.by_id]  # documents may change
        return state if state["index"] < len(state["ids"]) else None

    def _save(self, state: dict[str, Any]) -> None:
        self.progress.save_quiz(self.learner, state)

    @property
    def active(self) -> bool:
        """True while a quiz is in progress for this learner."""
        return self._state() is not None

    def current(self) -> Question | None:
        """The question waiting for an answer, if any."""
        state = self._state()
        return self.bank.by_id[state["ids"][state["index"]]] if state else None

    # ---- actions -----------------------------------------------------------------------------

    def start(self, request: str = "") -> Reply:
        """Start a quiz on what the learner asked for; questions due for review come first."""
        schedule = self.progress.schedule(self.learner)
        now = datetime.now(UTC)

        def priority(q: Question) -> float:
            due = schedule.get(q.id)
            if due is None:
                return 1.0  # never asked
            return 0.0 if due <= now else 2.0  # due first, not yet due last

        selection = self.bank.select(request, self.rng, priority)
        if not selection.questions:
            return Reply("I have no questions on that yet. Try 'quiz me on the models'.", kind="quiz_none")
        ids = [q.id for q in selection.questions[: selection.count]]
        state = {
            "ids": ids,
            "index": 0,
            "scores": [],
            "hinted": False,
            "label": selection.label,
            "missed": [],
        }
        self._save(state)
        intro = f"Quiz: {len(ids)} question{'s' if len(ids) != 1 else ''} on {selection.label}."
        return self._ask(state, intro)

    def answer(self, text: str) -> Reply:
        """Grade ``text`` against the current question, record it, and ask the next one."""
        state = self._state()
        if state is None:
            return _no_quiz()
        question = self.bank.by_id[state["ids"][state["index"]]]
        verdict = grade(question, text)
        return self._advance(state, question, verdict)

    def hint(self) -> Reply:
        """A hint for the current question (a right answer after a hint counts as 'hard')."""
        state = self._state()
        if state is None:
            return _no_quiz()
        state["hinted"] = True
        self._save(state)
        question = self.bank.by_id[state["ids"][state["index"]]]
        return Reply(
            f"Hint: {question.hint}\n\n{question.prompt}",
            kind="quiz_hint",
            buttons=_buttons(question),
        )

    def skip(self) -> Reply:
        """Skip the current question: it counts as not known, so it comes back soon."""
        state = self._state()
        if state is None:
            return _no_quiz()
        question = self.bank.by_id[state["ids"][state["index"]]]
        verdict = Verdict(
            0.0,
            False,
            f"Skipped. The answer: {question.answer_text}.\nSource: {question.source}.",
            list(question.answers),
            [],
            question.answer_text,
            question.source,
            question.id,
        )
        return self._advance(state, question, verdict)

    def repeat(self) -> Reply:
        """Ask the current question again."""
        state = self._state()
        return self._ask(state, "") if state else _no_quiz()

    def resume(self) -> Reply:
        """Re-ask the current question after the learner asked something else."""
        state = self._state()
        return self._ask(state, "Back to your quiz.") if state else _no_quiz()

    def stop(self) -> Reply:
        """End the quiz: the score so far and what to revise next."""
        state = self.progress.load_quiz(self.learner)
        if state is None:
            return _no_quiz()
        self.progress.clear_quiz(self.learner)
        return self._summary(state)

    # ---- internals ---------------------------------------------------------------------------

    def _advance(self, state: dict[str, Any], question: Question, verdict: Verdict) -> Reply:
        self.progress.record(self.learner, question, verdict, hinted=state["hinted"])
        state["scores"].append(verdict.score)
        if not verdict.correct:
            state["missed"].append(question.id)
        state["index"] += 1
        state["hinted"] = False
        if state["index"] >= len(state["ids"]):
            self.progress.clear_quiz(self.learner)
            summary = self._summary(state)
            return Reply(
                f"{verdict.feedback}\n\n{summary.text}",
                kind="quiz_summary",
                buttons=summary.buttons,
                sources=[question.source],
            )
        self._save(state)
        following = self._ask(state, "")
        return Reply(
            f"{verdict.feedback}\n\n{following.text}",
            kind="quiz_verdict",
            buttons=following.buttons,
            sources=[question.source],
        )

    def _ask(self, state: dict[str, Any], intro: str) -> Reply:
        question = self.bank.by_id[state["ids"][state["index"]]]
        header = f"Question {state['index'] + 1} of {len(state['ids'])} ({question.topic})"
        lines = [line for line in (intro, header, question.prompt) if line]
        if question.options and question.kind is not Kind.TRUE_FALSE:
            lines.append("\n".join(f"{_LETTERS[i]}. {opt}" for i, opt in enumerate(question.options)))
        if question.steps:
            lines.append("Write the steps in order, one per line or separated by commas.")
        lines.append("(Say 'hint', 'skip' or 'stop' at any time.)")
        # No source yet: naming the section ("... Misconceptions ...") would give the answer away;
        # the verdict names it.
        return Reply("\n\n".join(lines), kind="quiz_question", buttons=_buttons(question))

    def _summary(self, state: dict[str, Any]) -> Reply:
        scores = state["scores"]
        total = sum(scores)
        asked = len(scores)
        if asked:
            lines = [f"Quiz finished: {_points(total)} out of {asked} ({round(100 * total / asked)}%)."]
        else:
            lines = ["Quiz stopped before any answers."]
        missed = [self.bank.by_id[qid] for qid in state.get("missed", []) if qid in self.bank.by_id]
        advice: dict[str, str] = {}
        for q in missed:
            advice.setdefault(q.subject, f"- {q.subject}: you missed this today ({q.source})")
        for rec in self.progress.recommend(self.learner):
            advice.setdefault(rec.subject, f"- {rec.subject}: {rec.reason} ({rec.topic})")
        if advice:
            lines.append("What to revise next:\n" + "\n".join(list(advice.values())[:4]))
        else:
            lines.append("Nothing to revise urgently. Well done!")
        buttons = [Button("Another quiz", "quiz me")]
        if missed:
            buttons.insert(0, Button(f"Quiz me on {missed[0].subject}", f"quiz me on {missed[0].subject}"))
        return Reply("\n\n".join(lines), kind="quiz_summary", buttons=buttons)


def _points(total: float) -> str:
    return str(int(total)) if float(total).is_integer() else f"{total:.1f}"


def _buttons(question: Question) -> list[Button]:
    """One quick reply per option; clicking sends the option text, which grades as that answer."""
    return [Button(option, option) for option in question.options]


def _no_quiz() -> Reply:
    return Reply(
        "There is no quiz in progress. Say 'quiz me' to start one.",
        kind="quiz_none",
        buttons=[Button("Quiz me", "quiz me")],
    )
