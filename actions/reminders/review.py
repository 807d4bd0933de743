"""Questions due for review, what the greeting says of them, and the review quiz of exactly those.

"Due" is the FSRS schedule in the progress database (:meth:`Progress.due`), read at the
:mod:`clock`'s time. A review quiz asks every due question the current question bank still holds
(most overdue first), nothing else, and then runs as any quiz does (:class:`QuizSession`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from ..answers.reply import Button, Reply
from ..quiz.desk import QuizDesk
from ..quiz.questions import Question
from ..quiz.replies import ask, intro
from ..quiz.session import Asked, QuizSession

REVIEW_PAYLOAD = "/start_review"  # the "Start review" button, on the page and in Slack
REVIEW_REQUEST = "review what is due"  # kept in the quiz state as the request
REVIEW_LABEL = "what is due for review"
MAX_REVIEW = 50  # at most this many questions in one review (most overdue first)
NOTHING_DUE = "Nothing is due for review yet. Say 'quiz me' to practise something new."


def due_questions(desk: QuizDesk, learner: str, now: datetime) -> list[Question]:
    """The questions due for ``learner`` at ``now`` that the current bank holds, most overdue first."""
    due = desk.progress.due(learner, now, limit=MAX_REVIEW)
    if not due:
        return []  # the common case, without building the question bank
    bank = desk.bank()
    found: dict[str, Question] = {}
    for item in due:
        for qid in item.question_ids:
            question = bank.get(qid)
            if question is not None:
                found.setdefault(qid, question)
    return list(found.values())


def due_phrase(count: int) -> str:
    """"1 question is due for review", "4 questions are due for review"."""
    return "1 question is due for review" if count == 1 else f"{count} questions are due for review"


def review_greeting(count: int) -> Reply:
    """The greeting for a returning learner with ``count`` (> 0) questions due."""
    them = "it" if count == 1 else "them"
    return Reply(
        f"Welcome back! {due_phrase(count)}. Press 'Start review' to go through {them} now, "
        "or ask me anything about your course.",
        kind="review_due",
        buttons=[Button("Start review", REVIEW_PAYLOAD), Button("What topics are there?", "/list_topics")],
    )


class ReviewSession(QuizSession):
    """A quiz of the given questions, in the given order; it then runs as any other quiz."""

    def __init__(self, learner: str, desk: QuizDesk, questions: list[Question]) -> None:
        super().__init__(learner, desk.bank(), desk.progress, desk.rng, desk.meaning)
        self.questions = questions

    def _start(self, request: str, seen: Asked) -> Reply:
        state, version = self._read()
        ids = [q.id for q in self.questions]
        if (state is not None and (seen is None or seen[0] != state["id"]) and not state.get("done")
                and state["index"] == 0 and [q["id"] for q in state["questions"]] == ids):
            return ask(state, intro(state))  # started by this turn's twin since it began
        fresh = {
            "id": uuid.uuid4().hex[:16],
            "request": request,
            "questions": [q.to_dict() for q in self.questions],
            "index": 0,
            "scores": [],
            "hinted": False,
            "label": REVIEW_LABEL,
            "missed": [],
            "last": None,
        }
        self._save(fresh, version)
        return ask(fresh, intro(fresh))


def start_review(desk: QuizDesk, learner: str, now: datetime, asked: str | None = None) -> Reply:
    """Start a review quiz of exactly the questions due at ``now``; says so when none is."""
    questions = due_questions(desk, learner, now)
    if not questions:
        return Reply(NOTHING_DUE, kind="revision", buttons=[Button("Quiz me", "/start_quiz")])
    return ReviewSession(learner, desk, questions).start(REVIEW_REQUEST, asked)
