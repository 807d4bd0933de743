"""The quiz state machine: start, right, wrong, hint, skip, repeat, interruption and resume, stop."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from actions.quiz.progress import Progress, dispose_engines
from actions.quiz.questions import Kind, Question
from actions.quiz.selection import QuestionBank
from actions.quiz.session import QuizSession

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
BANK = QuestionBank.from_folders([KNOWLEDGE])


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'progress.db'}"
    dispose_engines()


def session(url: str, learner: str = "ana") -> QuizSession:
    return QuizSession(learner, BANK, Progress(url), random.Random(7))


def right(q: Question) -> str:
    return "\n".join(q.answers) if q.steps else q.answers[0]


def test_full_quiz_flow(url: str) -> None:
    quiz = session(url)
    first = quiz.start("4 questions on HEAT")
    assert first.kind == "quiz_question" and "Question 1 of 4" in first.text
    q1 = quiz.current()
    assert q1 is not None and q1.subject == "HEAT" and q1.prompt in first.text
    assert [b.payload for b in first.buttons] == list(q1.options)

    reply = quiz.answer(right(q1))  # right
    assert (
        reply.kind == "quiz_verdict" and reply.text.startswith("Correct!") and "Question 2 of 4" in reply.text
    )
    assert q1.source in reply.text

    q2 = quiz.current()
    assert q2 is not None and q2.id != q1.id
    hint = quiz.hint()
    assert hint.kind == "quiz_hint" and q2.hint in hint.text
    again = quiz.repeat()
    assert again.kind == "quiz_question" and q2.prompt in again.text and "Question 2 of 4" in again.text
    reply = quiz.answer("no idea at all")  # wrong
    assert reply.text.startswith("Not quite.") and q2.answer_text.split(",")[0] in reply.text

    q3 = quiz.current()
    reply = quiz.skip()
    assert reply.text.startswith("Skipped.") and q3 is not None and q3.answer_text in reply.text
    q4 = quiz.current()
    assert q4 is not None

    # interruption: the caller answers something else, then resumes the quiz
    resumed = quiz.resume()
    assert resumed.text.startswith("Back to your quiz.") and q4.prompt in resumed.text

    summary = quiz.stop()
    assert summary.kind == "quiz_summary" and "1 out of 3" in summary.text
    assert "What to revise next" in summary.text and "HEAT" in summary.text
    assert not quiz.active
    assert quiz.answer("anything").kind == "quiz_none"


def test_finishing_the_last_question_ends_with_a_summary(url: str) -> None:
    quiz = session(url)
    quiz.start("2 abbreviations")
    for _ in range(2):
        q = quiz.current()
        assert q is not None
        reply = quiz.answer(right(q))
    assert reply.kind == "quiz_summary" and "2 out of 2 (100%)" in reply.text
    assert not quiz.active


def test_a_quiz_survives_a_restart_of_every_process(url: str) -> None:
    quiz = session(url)
    quiz.start("3 questions on the legislation")
    q1 = quiz.current()
    assert q1 is not None
    quiz.answer(right(q1))
    q2 = quiz.current()
    dispose_engines()  # action server and database connections restart

    restarted = session(url)
    assert restarted.active and restarted.current() == q2
    assert "Question 2 of 3" in restarted.resume().text


def test_learners_have_separate_quizzes(url: str) -> None:
    a, b = session(url, "ana"), session(url, "ben")
    a.start("STAR")
    assert not b.active and b.resume().kind == "quiz_none"


def test_clicking_an_option_button_answers_with_it(url: str) -> None:
    quiz = session(url)
    first = quiz.start("2 questions on FCR and NPS")
    q = quiz.current()
    assert q is not None and first.buttons
    button = next(b for b in first.buttons if b.payload == q.answers[0])
    assert quiz.answer(button.payload).text.startswith("Correct!")


def test_a_letter_for_a_question_without_lettered_options_is_not_graded(url: str) -> None:
    target = next(q for q in BANK.questions if q.kind is Kind.TRUE_FALSE)  # no A, B shown
    number = int(BANK.catalogue.document(target.doc).number or 0)
    quiz = session(url)
    quiz.start(f"20 questions on topic {number}")
    q = quiz.current()
    while q is not None and q.kind is not Kind.TRUE_FALSE:
        quiz.skip()
        q = quiz.current()
    assert q is not None, "a quiz on that topic asks a true/false question"
    reply = quiz.answer("a")
    assert "picks an option, but this question has none" in reply.text and q.prompt in reply.text
    assert quiz.current() == q  # still the same question, nothing recorded
    assert quiz.answer(right(q)).text.startswith("Correct!")
