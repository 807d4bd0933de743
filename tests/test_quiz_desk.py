"""The quiz desk: quizzes over the live knowledge build, interruptions, progress reports."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from actions.knowledge.base import KnowledgeBase
from actions.quiz.desk import QuizDesk
from actions.quiz.progress import Progress

from .helpers import NEW_DOC, HashingEncoder, copy_seeds


@pytest.fixture
def desk(tmp_path: Path) -> QuizDesk:
    kb = KnowledgeBase(copy_seeds(tmp_path / "k"), tmp_path / "i", encoder=HashingEncoder())
    kb.rebuild()
    return QuizDesk(kb, Progress(f"sqlite:///{tmp_path / 'progress.db'}"), random.Random(5))


@pytest.mark.parametrize(("text", "asks"), [
    ("what does HEAT stand for?", True),
    ("Explain the STAR method", True),
    ("can you tell me about GDPR", True),
    ("Hear, Empathise, Apologise, Take action", False),
    ("Resolve?", False),
    ("true", False),
    ("B", False),
    ("the Equality Act 2010", False),
])
def test_answers_and_interruptions_are_told_apart(text: str, asks: bool) -> None:
    assert QuizDesk.is_interruption(text) is asks


def test_a_quiz_runs_and_is_reported(desk: QuizDesk) -> None:
    first = desk.command("amy", "start", "quiz me on the models")
    assert first.kind == "quiz_question" and desk.active("amy")
    question = desk.session("amy").current()
    assert question is not None
    verdict = desk.answer("amy", question.answer_text)
    assert verdict.text.startswith("Correct")
    desk.command("amy", "skip")
    summary = desk.command("amy", "stop")
    assert summary.kind == "quiz_summary" and not desk.active("amy")
    report = desk.report("amy").text
    assert "Overall: 1/2 right" in report and question.subject in report
    assert "What to revise next" in report


def test_nothing_answered_yet(desk: QuizDesk) -> None:
    assert "haven't answered any quiz questions" in desk.report("new-learner").text
    assert "Nothing is due" in desk.revision("new-learner").text


def test_a_new_document_brings_questions_without_a_restart(desk: QuizDesk, tmp_path: Path) -> None:
    before = {q.subject for q in desk.bank().questions}
    assert "CARE" not in before
    (tmp_path / "k" / "005_escalation.txt").write_text(NEW_DOC, encoding="utf-8")
    KnowledgeBase(tmp_path / "k", tmp_path / "i", encoder=HashingEncoder()).rebuild()
    reply = desk.command("bo", "start", "quiz me on CARE")
    assert "CARE" in reply.text
    assert "CARE" in {q.subject for q in desk.bank().questions}


def test_unknown_commands_are_refused(desk: QuizDesk) -> None:
    with pytest.raises(ValueError):
        desk.command("amy", "explode")
