"""Progress in SQLite and PostgreSQL: attempts, FSRS schedule, summaries, quiz state across restarts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from actions.quiz.grading import grade
from actions.quiz.progress import Progress, dispose_engines
from actions.quiz.questions import Kind, Question
from actions.quiz.selection import QuestionBank

from .helpers import postgres_schema

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
BANK = QuestionBank.from_folders([KNOWLEDGE])
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def question(kind: Kind, subject: str) -> Question:
    return next(q for q in BANK.questions if q.kind is kind and q.subject == subject)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """(url, schema) of an empty progress database; PostgreSQL gets a unique schema, dropped after."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'progress.db'}", None
        dispose_engines()
        return
    with postgres_schema("quiz_test") as (url, schema):  # PostgreSQL down fails, never skips
        yield url, schema


def test_attempts_and_quiz_state_survive_a_restart(store: tuple[str, str | None]) -> None:
    url, schema = store
    progress = Progress(url, schema=schema)
    heat = question(Kind.MODEL_STEPS, "HEAT")
    law = question(Kind.LAW_SITUATION, "Equality Act 2010")
    progress.record("ana", heat, grade(heat, "hear, empathise, apologise, take action"), now=NOW)
    progress.record("ana", law, grade(law, "Equality Act 2012"), now=NOW)
    progress.record("ben", heat, grade(heat, "hear"), now=NOW)
    progress.save_quiz("ana", {"ids": [heat.id, law.id], "index": 1, "scores": [1.0]})

    dispose_engines()  # every process restarts
    reopened = Progress(url, schema=schema)
    summary = reopened.summary("ana")
    assert summary.overall.attempts == 2 and summary.overall.correct == 1
    assert summary.by_subject["HEAT"].mean == 1.0 and summary.by_subject["Equality Act 2010"].mean == 0.0
    assert set(summary.by_topic) == {heat.topic, law.topic}
    assert reopened.summary("ben").by_subject["HEAT"].mean == pytest.approx(0.25)
    assert reopened.load_quiz("ana") == {"ids": [heat.id, law.id], "index": 1, "scores": [1.0]}
    reopened.clear_quiz("ana")
    assert reopened.load_quiz("ana") is None


def test_a_wrong_answer_is_due_sooner_than_a_right_one(store: tuple[str, str | None]) -> None:
    url, schema = store
    progress = Progress(url, schema=schema)
    right = question(Kind.ABBREVIATION, "FCR")
    wrong = question(Kind.ABBREVIATION, "NPS")
    for days in (0, 1, 4):  # a right answer reviewed three times moves well into the future
        due_right = progress.record(
            "cat", right, grade(right, right.answers[0]), now=NOW + timedelta(days=days)
        )
    due_wrong = progress.record(
        "cat", wrong, grade(wrong, "no promotion scheme"), now=NOW + timedelta(days=4)
    )
    assert due_wrong < due_right
    assert due_wrong - (NOW + timedelta(days=4)) <= timedelta(hours=1)

    later = NOW + timedelta(days=4, hours=2)
    due = progress.due("cat", now=later)
    assert [item.question_ids for item in due] == [(wrong.id,)]
    assert "wrong" in due[0].reason
    recommended = progress.recommend("cat", now=later)
    assert recommended[0].subject == "NPS"


def test_a_lapse_after_successes_brings_the_question_back_soon(store: tuple[str, str | None]) -> None:
    url, schema = store
    progress = Progress(url, schema=schema)
    q = question(Kind.MODEL_WHICH, "STAR")
    for days in (0, 1, 5):
        good_due = progress.record("dan", q, grade(q, "STAR"), now=NOW + timedelta(days=days))
    lapse_due = progress.record("dan", q, grade(q, "SMART"), now=NOW + timedelta(days=6))
    assert lapse_due < good_due
    assert progress.schedule("dan")[q.id] == lapse_due


def test_concurrent_records_for_one_learner_keep_every_attempt(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    q = question(Kind.ABBREVIATION, "CRM")
    verdict = grade(q, q.answers[0])
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            progress = Progress(url)
            for _ in range(5):
                progress.record("eve", q, verdict, now=NOW)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    progress = Progress(url)
    assert progress.summary("eve").overall.attempts == 30
    assert list(progress.schedule("eve")) == [q.id]
    dispose_engines()


def test_default_url_comes_from_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from actions import config

    monkeypatch.setenv("TUTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    config.settings.cache_clear()
    try:
        assert Progress().url == f"sqlite:///{tmp_path / 'env.db'}"
    finally:
        config.settings.cache_clear()
        dispose_engines()


def test_a_contested_verdict_is_re_marked_and_kept_for_tutors(store: tuple[str, str | None]) -> None:
    url, schema = store
    progress = Progress(url, schema=schema)
    q = question(Kind.ABBREVIATION, "NPS")
    progress.record("fay", q, grade(q, q.answers[0]), now=NOW)  # right once: a card with history
    right_due = progress.record("gus", q, grade(q, q.answers[0]), now=NOW + timedelta(days=1))
    marked = progress.mark("fay", q, grade(q, "Net Profit Score"), now=NOW + timedelta(days=1))
    assert marked.due < right_due and marked.card_before is not None
    progress.override("fay", q, "Net Profit Score", marked, now=NOW + timedelta(days=1, minutes=1))

    dispose_engines()
    reopened = Progress(url, schema=schema)
    summary = reopened.summary("fay")
    assert (summary.overall.attempts, summary.overall.correct) == (2, 2)
    assert reopened.schedule("fay")[q.id] > marked.due  # reviewed again from before, as right
    assert reopened.due("fay", now=NOW + timedelta(days=1, hours=2)) == []
    [record] = reopened.overrides()
    assert (record.learner, record.question_id, record.answer) == ("fay", q.id, "Net Profit Score")
    assert record.subject == "NPS" and record.prompt == q.prompt and record.original_score == 0.0
    assert record.at == NOW + timedelta(days=1, minutes=1)
    assert reopened.overrides("gus") == []
