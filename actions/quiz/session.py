"""A quiz as a small state machine, independent of Rasa: start, answer, hint, skip, repeat, stop,
resume, and contest the last verdict.

The state lives in the progress database, so a quiz survives a restart of every process; each call
loads it, acts and saves it. It holds the questions themselves, not positions in the bank, so a
re-index mid-quiz cannot change the question being answered. A finished quiz is kept (marked done)
until the next one starts, so its last verdict can still be contested.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from ..answers.reply import Button, Reply
from .forms import non_answer, truth
from .grading import Verdict, grade
from .meaning import Meaning
from .progress import Marked, Progress
from .questions import Kind, Question
from .selection import QuestionBank

_LETTERS = "ABCDEFGH"
CONTEST_TIP = "Think your answer should count? Say 'I was right'."


class QuizSession:
    """One learner's quiz. Every method returns the :class:`Reply` to show."""

    def __init__(
        self,
        learner: str,
        bank: QuestionBank,
        progress: Progress,
        rng: random.Random | None = None,
        meaning: Meaning | None = None,
    ) -> None:
        self.learner = learner
        self.bank = bank
        self.progress = progress
        self.rng = rng or random.Random()
        self.meaning = meaning

    # ---- state -------------------------------------------------------------------------------

    def _stored(self) -> dict[str, Any] | None:
        """The learner's latest quiz, in progress or done."""
        state = self.progress.load_quiz(self.learner)
        if state is not None and "questions" not in state:  # saved before questions were kept
            state["questions"] = [self.bank.by_id[q].to_dict() for q in state.get("ids", ())
                                  if q in self.bank.by_id]
        return state

    def _state(self) -> dict[str, Any] | None:
        """The quiz in progress, if any."""
        state = self._stored()
        if state is None or state.get("done") or state["index"] >= len(state["questions"]):
            return None
        return state

    def _save(self, state: dict[str, Any]) -> None:
        self.progress.save_quiz(self.learner, state)

    @staticmethod
    def _question(state: dict[str, Any], position: int | None = None) -> Question:
        return Question.from_dict(state["questions"][state["index"] if position is None else position])

    @property
    def active(self) -> bool:
        """True while a quiz is in progress for this learner."""
        return self._state() is not None

    def current(self) -> Question | None:
        """The question waiting for an answer, if any."""
        state = self._state()
        return self._question(state) if state else None

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
        questions = selection.questions[: selection.count]
        state: dict[str, Any] = {
            "questions": [q.to_dict() for q in questions],
            "index": 0,
            "scores": [],
            "hinted": False,
            "label": selection.label,
            "missed": [],
            "last": None,
        }
        self._save(state)
        n = len(questions)
        intro = f"Quiz: {n} question{'s' if n != 1 else ''} on {selection.label}."
        return self._ask(state, intro)

    def answer(self, text: str, clicked: bool = False) -> Reply:
        """Grade ``text`` (typed, or an option ``clicked``) against the current question.

        Someone stuck ("no idea") or chatting ("ok", "thanks") gets a hint first, once; after
        that it counts as a wrong answer. A right answer always counts, even "Thank".
        """
        state = self._state()
        if state is None:
            return _no_quiz()
        question = self._question(state)
        said = None if clicked else non_answer(text)
        if said == "unsure" and not state["hinted"]:
            return self._hint(state, question, "No problem: have a go with that, or say 'skip'.")
        verdict = grade(question, text, self.meaning)
        answered = question.kind is Kind.TRUE_FALSE and truth(text) is not None  # "no" answers one
        if said == "chat" and not verdict.correct and not state["hinted"] and not answered:
            return self._hint(state, question, f"'{text.strip()}' doesn't look like an answer to the "
                                               "question: have a go, or say 'skip'.")
        return self._advance(state, question, verdict, text)

    def hint(self) -> Reply:
        """A hint for the current question (a right answer after a hint counts as 'hard')."""
        state = self._state()
        if state is None:
            return _no_quiz()
        return self._hint(state, self._question(state))

    def skip(self) -> Reply:
        """Skip the current question: it counts as not known, so it comes back soon."""
        state = self._state()
        if state is None:
            return _no_quiz()
        question = self._question(state)
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
        return self._advance(state, question, verdict, None)

    def repeat(self) -> Reply:
        """Ask the current question again."""
        state = self._state()
        return self._ask(state, "") if state else _no_quiz()

    def resume(self, intro: str = "Back to your quiz.") -> Reply:
        """Re-ask the current question after the learner asked something else."""
        state = self._state()
        return self._ask(state, intro) if state else _no_quiz()

    def stop(self) -> Reply:
        """End the quiz: the score so far and what to revise next."""
        state = self._state()
        if state is None:
            return _no_quiz()
        state["done"] = True
        self._save(state)
        return self._summary(state)

    def contest(self) -> Reply:
        """Re-mark the last verdict correct ("I was right"): the score, the review schedule, and
        a record of the override for tutors. Works during a quiz and after it ended."""
        state = self._stored()
        last = state.get("last") if state else None
        if state is None or not last:
            text = "There's no marked answer for me to look at again yet."
        elif last.get("skipped"):
            text = "You skipped that question, so there's no answer of yours to re-mark."
        elif last.get("contested"):
            text = "You've already contested that answer: it is counted as correct."
        elif last["correct"]:
            text = "That answer was already marked correct, so there's nothing to change."
        elif non_answer(last["answer"]):
            text = f"You said '{last['answer']}', which isn't an answer I can re-mark."
        else:
            question = self._question(state, last["question"])
            self.progress.override(self.learner, question, last["answer"], Marked.from_dict(last["marked"]),
                                   hinted=last.get("hinted", False))
            state["scores"][last["position"]] = 1.0
            state["missed"] = [qid for qid in state["missed"] if qid != question.id]
            last.update(contested=True, correct=True)
            self._save(state)
            text = (f"Fair enough: I've counted your answer '{last['answer']}' as correct and noted it "
                    f"for your tutor to review. {_tally(state)}")
        current = self._state()
        if current is not None:
            following = self._ask(current, "")
            return Reply(f"{text}\n\n{following.text}", kind="quiz_contest", buttons=following.buttons)
        return Reply(text, kind="quiz_contest")

    # ---- internals ---------------------------------------------------------------------------

    def _hint(self, state: dict[str, Any], question: Question, note: str = "") -> Reply:
        state["hinted"] = True
        self._save(state)
        text = "\n".join(line for line in (f"Hint: {question.hint}", note) if line)
        return Reply(f"{text}\n\n{question.prompt}", kind="quiz_hint", buttons=_buttons(question))

    def _advance(self, state: dict[str, Any], question: Question, verdict: Verdict,
                 answer: str | None) -> Reply:
        marked = self.progress.mark(self.learner, question, verdict, hinted=state["hinted"])
        state["last"] = {
            "question": state["index"],
            "position": len(state["scores"]),
            "answer": answer or "",
            "correct": verdict.correct,
            "skipped": answer is None,
            "hinted": state["hinted"],
            "marked": marked.to_dict(),
        }
        state["scores"].append(verdict.score)
        if not verdict.correct:
            state["missed"].append(question.id)
        state["index"] += 1
        state["hinted"] = False
        feedback = verdict.feedback
        if answer is not None and not verdict.correct:
            feedback += f"\n{CONTEST_TIP}"
        if state["index"] >= len(state["questions"]):
            state["done"] = True
            self._save(state)
            summary = self._summary(state)
            return Reply(f"{feedback}\n\n{summary.text}", kind="quiz_summary", buttons=summary.buttons,
                         sources=[question.source])
        self._save(state)
        following = self._ask(state, "")
        return Reply(f"{feedback}\n\n{following.text}", kind="quiz_verdict", buttons=following.buttons,
                     sources=[question.source])

    def _ask(self, state: dict[str, Any], intro: str) -> Reply:
        question = self._question(state)
        header = f"Question {state['index'] + 1} of {len(state['questions'])} ({question.topic})"
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
        if scores:
            lines = [f"Quiz finished: {_tally(state, finished=True)}"]
        else:
            lines = ["Quiz stopped before any answers."]
        asked = {q["id"]: Question.from_dict(q) for q in state["questions"]}
        missed = [asked[qid] for qid in state.get("missed", []) if qid in asked]
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


def _tally(state: dict[str, Any], finished: bool = False) -> str:
    scores = state["scores"]
    total, asked = sum(scores), len(scores)
    points = str(int(total)) if float(total).is_integer() else f"{total:.1f}"
    figure = f"{points} out of {asked} ({round(100 * total / asked)}%)"
    if finished:
        return f"{figure}."
    return f"Your quiz score is now {figure}." if state.get("done") else f"Score so far: {figure}."


def _buttons(question: Question) -> list[Button]:
    """One quick reply per option; clicking sends the option text, which grades as that answer."""
    return [Button(option, option) for option in question.options]


def _no_quiz() -> Reply:
    return Reply(
        "There is no quiz in progress. Say 'quiz me' to start one.",
        kind="quiz_none",
        buttons=[Button("Quiz me", "quiz me")],
    )

