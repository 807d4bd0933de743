"""A quiz as a small state machine, independent of Rasa: start, answer, hint, skip, repeat, stop,
resume, and contest the last verdict.

The state lives in the progress database, so a quiz survives a restart of every process. It holds
the questions themselves, not positions in the bank, so a re-index mid-quiz cannot change the
question being answered. A finished quiz is kept (marked done) until the next one starts, so its
last verdict can still be contested.

Each turn reads the state, decides (grading needs no transaction), then changes it in one
transaction that also records the attempt or the override (:mod:`actions.quiz.turns`): a process
that dies mid-turn changes nothing. What the learner was answering is fixed by the turn's first
read, or by the ``asked`` token (:meth:`QuizSession.asked`) the caller kept from the reply the
learner saw; an answer to a position that already has one, from a retried or duplicated turn,
records nothing and gets the verdict recorded the first time.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..answers.reply import Reply
from .forms import from_the_material, non_answer, option_letter, truth
from .grading import Verdict, grade
from .meaning import Meaning
from .progress import Marked, Progress
from .questions import Kind, Question
from .replies import CONTEST_TIP, ask, intro, no_quiz, option_buttons, summary, tally
from .selection import QuestionBank
from .turns import AlreadyRecorded, StaleQuiz

_TRIES = 8  # turns of one learner that raced this one and won, before giving up
State = dict[str, Any]
Asked = tuple[str, int, int] | None  # (quiz id, position, version) the learner saw; None: no quiz


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

    def _read(self) -> tuple[State | None, int]:
        """The learner's latest quiz (in progress or done) and its version."""
        snap = self.progress.load(self.learner)
        state = snap.state
        if state is not None:
            if "questions" not in state:  # saved before questions were kept
                state["questions"] = [self.bank.by_id[q].to_dict() for q in state.get("ids", ())
                                      if q in self.bank.by_id]
            if "id" not in state:  # saved before quizzes had ids: one made from what it asks
                asked = json.dumps([q.get("id") for q in state["questions"]])
                state["id"] = "q-" + hashlib.sha1(asked.encode()).hexdigest()[:16]
        return state, snap.version

    def _stored(self) -> State | None:
        """The learner's latest quiz, in progress or done."""
        return self._read()[0]

    def _state(self) -> State | None:
        """The quiz in progress, if any."""
        return _running(self._stored())

    @staticmethod
    def _question(state: State, position: int | None = None) -> Question:
        return Question.from_dict(state["questions"][state["index"] if position is None else position])

    @property
    def active(self) -> bool:
        """True while a quiz is in progress for this learner."""
        return self._state() is not None

    def current(self) -> Question | None:
        """The question waiting for an answer, if any."""
        state = self._state()
        return self._question(state) if state else None

    def asked(self) -> str | None:
        """A token for what the learner is being asked now (the quiz, the question's position and
        the state's version), to hand back with the next message so that a retry of it is known
        as one; None: no quiz yet."""
        state, version = self._read()
        return f"{state['id']}:{state['index']}:{version}" if state else None

    def _target(self, asked: str | None) -> Asked:
        """What the turn answers: the quiz, position and version in ``asked``, else as read now."""
        parts = (asked or "").split(":")
        if len(parts) == 3 and parts[0] and parts[1].isdigit() and parts[2].lstrip("-").isdigit():
            return parts[0], int(parts[1]), int(parts[2])
        state, version = self._read()
        return (state["id"], state["index"], version) if state else None

    def _retrying(self, step: Callable[[], Reply]) -> Reply:
        """``step`` again, from a fresh read, while another turn of this learner's wins the race
        (a unique key another turn took first counts as one: the next read shows its record)."""
        for tries in range(1, _TRIES + 1):
            try:
                return step()
            except StaleQuiz:
                continue
            except IntegrityError:
                if tries >= 3:
                    raise
        raise RuntimeError(f"the quiz state of {self.learner!r} kept changing under this turn")

    def _save(self, state: State, version: int | None) -> None:
        """Save ``state`` if it is still at ``version`` (None: whatever it is now)."""
        with self.progress.turn(self.learner, version) as turn:
            turn.save(state)

    # ---- actions -----------------------------------------------------------------------------

    def start(self, request: str = "", asked: str | None = None) -> Reply:
        """Start a quiz on what the learner asked for; questions due for review come first. A
        duplicate of a start that another turn has just made gets that quiz, not a second one."""
        seen = self._target(asked)
        return self._retrying(lambda: self._start(request, seen))

    def _start(self, request: str, seen: Asked) -> Reply:
        state, version = self._read()
        if (state is not None and (seen is None or seen[0] != state["id"]) and not state.get("done")
                and state["index"] == 0 and state.get("request") == request):
            return ask(state, intro(state))  # started by this turn's twin since it began
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
        fresh: State = {
            "id": uuid.uuid4().hex[:16],
            "request": request,
            "questions": [q.to_dict() for q in questions],
            "index": 0,
            "scores": [],
            "hinted": False,
            "label": selection.label,
            "missed": [],
            "last": None,
        }
        self._save(fresh, version)
        return ask(fresh, intro(fresh))

    def answer(self, text: str, clicked: bool = False, asked: str | None = None) -> Reply:
        """Grade ``text`` (typed, or an option ``clicked``) against the current question.

        Someone stuck ("no idea") or chatting ("ok", "thanks") gets a hint first, once; after
        that it counts as a wrong answer. A right answer always counts, even "Thank".
        """
        target = self._target(asked)
        return self._retrying(lambda: self._answer(text, clicked, target))

    def _pending(self, target: Asked) -> tuple[State, int] | Reply:
        """The running quiz and its version; or the reply to give instead: the answer again to a
        retried turn whose question was answered since, or "no quiz"."""
        state, version = self._read()
        if _answered(state, target):
            assert state is not None and target is not None
            return self._replay(state, target[1])
        state = _running(state)
        if state is None:
            return no_quiz()
        return state, version

    def _answer(self, text: str, clicked: bool, target: Asked) -> Reply:
        pending = self._pending(target)
        if isinstance(pending, Reply):
            return pending
        state, version = pending
        question = self._question(state)
        said = None if clicked else non_answer(text)
        # "no" answers a true/false question; "Thank" for LAST's A is a wrong step, not thanks
        answered = ((question.kind is Kind.TRUE_FALSE and truth(text) is not None)
                    or from_the_material(text, question.context, question.options))
        if not clicked and not question.lettered and not answered and (letter := option_letter(text)):
            how = "true or false" if question.kind is Kind.TRUE_FALSE else "your answer in words"
            return ask(state, f"'{letter}' picks an option, but this question has none: type {how}.")
        if said == "leaving" and not answered:  # "later" may name LATER; the end takes "stop"
            return self._hint(state, version, question, "See you soon! Your quiz stays open, with "
                              "that hint for when you're back (or say 'stop' to end it now).")
        if said == "unsure" and not state["hinted"]:
            return self._hint(state, version, question, "No problem: have a go with that, or say 'skip'.")
        verdict = grade(question, text, self.meaning)
        if said == "chat" and not verdict.correct and not state["hinted"] and not answered:
            return self._hint(state, version, question, f"'{text.strip()}' doesn't look like an answer "
                                                        "to the question: have a go, or say 'skip'.")
        return self._advance(state, version, question, verdict, text)

    def hint(self) -> Reply:
        """A hint for the current question (a right answer after a hint counts as 'hard')."""
        def step() -> Reply:
            state, version = self._read()
            state = _running(state)
            return self._hint(state, version, self._question(state)) if state else no_quiz()
        return self._retrying(step)

    def skip(self, asked: str | None = None) -> Reply:
        """Skip the current question: it counts as not known, so it comes back soon."""
        target = self._target(asked)

        def step() -> Reply:
            pending = self._pending(target)
            if isinstance(pending, Reply):
                return pending
            state, version = pending
            question = self._question(state)
            verdict = Verdict(0.0, False, f"Skipped. The answer: {question.answer_text}.\n"
                              f"Source: {question.source}.", list(question.answers), [],
                              question.answer_text, question.source, question.id)
            return self._advance(state, version, question, verdict, None)
        return self._retrying(step)

    def repeat(self) -> Reply:
        """Ask the current question again."""
        state = self._state()
        return ask(state, "") if state else no_quiz()

    def resume(self, intro: str = "Back to your quiz.") -> Reply:
        """Re-ask the current question after the learner asked something else."""
        state = self._state()
        return ask(state, intro) if state else no_quiz()

    def stop(self, asked: str | None = None) -> Reply:
        """End the quiz: the score so far and what to revise next (again, to a repeated stop)."""
        target = self._target(asked)

        def step() -> Reply:
            state, version = self._read()
            if (state is not None and state.get("done") and target is not None
                    and target[:2] == (state["id"], state["index"]) and target[2] != version):
                return self._summary(state)  # this turn's twin ended it
            state = _running(state)
            if state is None:
                return no_quiz()
            state["done"] = True
            self._save(state, version)
            return self._summary(state)
        return self._retrying(step)

    def contest(self) -> Reply:
        """Re-mark the last verdict correct ("I was right"): the score, the review schedule, and
        a record of the override for tutors, once. Works during a quiz and after it ended."""
        return self._retrying(self._contest)

    def _contest(self) -> Reply:
        state, version = self._read()
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
            state["scores"][last["position"]] = 1.0
            state["missed"] = [qid for qid in state["missed"] if qid != question.id]
            last.update(contested=True, correct=True)
            with self.progress.turn(self.learner, version) as turn:
                turn.override(question, last["answer"], Marked.from_dict(last["marked"]),
                              hinted=last.get("hinted", False))
                turn.save(state)
            text = (f"Fair enough: I've counted your answer '{last['answer']}' as correct and noted it "
                    f"for your tutor to review. {tally(state)}")
        current = _running(state)
        if current is not None:
            following = ask(current, "")
            return Reply(f"{text}\n\n{following.text}", kind="quiz_contest", buttons=following.buttons)
        return Reply(text, kind="quiz_contest")

    # ---- internals ---------------------------------------------------------------------------

    def _hint(self, state: State, version: int, question: Question, note: str = "") -> Reply:
        if not state["hinted"]:
            state["hinted"] = True
            self._save(state, version)
        text = "\n".join(line for line in (f"Hint: {question.hint}", note) if line)
        return Reply(f"{text}\n\n{question.prompt}", kind="quiz_hint", buttons=option_buttons(question))

    def _advance(self, state: State, version: int, question: Question, verdict: Verdict,
                 answer: str | None) -> Reply:
        """Record the answer at the current position and move on, in one transaction."""
        position = state["index"]
        feedback = verdict.feedback
        if answer is not None and not verdict.correct:
            feedback += f"\n{CONTEST_TIP}"
        try:
            with self.progress.turn(self.learner, version) as turn:
                marked = turn.mark(question, verdict, quiz_id=state["id"], position=position,
                                   answer=answer or "", feedback=feedback, hinted=state["hinted"])
                state["last"] = {
                    "question": position,
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
                if state["index"] >= len(state["questions"]):
                    state["done"] = True
                turn.save(state)
        except AlreadyRecorded as told:
            return self._replay(state, position, told.recorded.feedback)
        return self._after(state, feedback, question)

    def _replay(self, state: State, position: int, feedback: str | None = None) -> Reply:
        """The reply to an answer at ``position`` that is already recorded: the verdict given then,
        and what comes now."""
        if feedback is None:
            recorded = self.progress.recorded(self.learner, state["id"], position)
            feedback = recorded.feedback if recorded else "I've already marked your answer to that one."
        fresh = self._stored()
        return self._after(fresh if fresh is not None else state, feedback, self._question(state, position))

    def _summary(self, state: State) -> Reply:
        return summary(state, self.progress.recommend(self.learner))

    def _after(self, state: State, feedback: str, question: Question) -> Reply:
        """A verdict's ``feedback``, then the next question, or the summary if the quiz is over."""
        if _running(state) is None:
            ended = self._summary(state)
            return Reply(f"{feedback}\n\n{ended.text}", kind="quiz_summary", buttons=ended.buttons,
                         sources=[question.source])
        following = ask(state, "")
        return Reply(f"{feedback}\n\n{following.text}", kind="quiz_verdict", buttons=following.buttons,
                     sources=[question.source])


def _running(state: State | None) -> State | None:
    """``state`` if its quiz is still in progress."""
    if state is None or state.get("done") or state["index"] >= len(state["questions"]):
        return None
    return state


def _answered(state: State | None, target: Asked) -> bool:
    """True when the position this turn answers has been answered since (a retried turn)."""
    return state is not None and target is not None and target[0] == state["id"] \
        and target[1] < state["index"]
