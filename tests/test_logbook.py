"""The message log on real SQLite and PostgreSQL: pseudonyms, retention, quiz answers logged once."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, text

from actions.answers.context import Context
from actions.answers.reply import Reply
from actions.logbook import Logbook, TurnInfo, record, turn_info, use_logbook
from actions.logbook.keys import load_key, pseudonym
from actions.logbook.settings import LogSettings
from actions.logbook.store import LogEntry
from actions.logbook.turns import unpack
from actions.quiz.tables import dispose_engines

from .helpers import postgres_schema

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
KEY = b"k" * 32


@pytest.fixture(params=["sqlite", "postgresql"])
def logbook(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Logbook]:
    if request.param == "sqlite":
        yield Logbook(f"sqlite:///{tmp_path / 'log.db'}", KEY)
        dispose_engines()
        return
    with postgres_schema("log_test") as (url, schema):
        yield Logbook(url, KEY, schema=schema)


def test_sender_ids_are_stored_only_as_keyed_pseudonyms(logbook: Logbook) -> None:
    logbook.record(TurnInfo("slack:U123ANA", "what is the customer always right?", "not_found", at=NOW))
    with logbook.engine.connect() as conn:
        stored = conn.execute(select(LogEntry.learner)).scalar_one()
    assert "U123ANA" not in stored and len(stored) == 32
    assert stored == pseudonym(KEY, "slack:U123ANA") != pseudonym(b"another key", "slack:U123ANA")
    assert [e.text for e in logbook.entries("slack:U123ANA")] == ["what is the customer always right?"]
    assert logbook.entries("slack:U999BEN") == []


def test_entries_older_than_the_retention_period_are_pruned(logbook: Logbook) -> None:
    logbook.days = 90
    logbook.add_many([TurnInfo("ana", f"{days_ago} days ago", "answer", at=NOW - timedelta(days=days_ago))
                      for days_ago in (200, 91, 89, 0)])
    assert logbook.prune(now=NOW) == 2
    assert [e.text for e in logbook.entries("ana")] == ["89 days ago", "0 days ago"]
    assert [e.text for e in logbook.entries(since=NOW - timedelta(days=1))] == ["0 days ago"]
    fresh = Logbook(logbook.url, KEY, days=90, schema=logbook.schema)  # a new process: it prunes on its
    fresh.record(TurnInfo("ben", "old", "answer", at=datetime.now(UTC) - timedelta(days=100)))  # first record
    assert fresh.entries("ben") == []


def test_a_quiz_answer_is_logged_once_with_its_question_and_verdict(logbook: Logbook) -> None:
    state = {"questions": [{"id": "mod-1", "options": ["Hear", "Help", "Hold", "Halt"]}], "index": 1,
             "last": {"question": 0, "answer": "it's B", "correct": False, "skipped": False,
                      "marked": {"attempt": 41}}}

    class Quiz:
        def load_quiz(self, learner: str) -> dict:
            return state

    verdict = turn_info("ana", "it's B", "quiz_answer", Reply("Not quite.", kind="quiz_verdict"), Quiz())
    assert (verdict.question_id, verdict.answer, verdict.correct) == ("mod-1", "Help", False)
    logbook.record(verdict)
    # "stop" right after: the summary carries the same last answer, which must not count twice
    logbook.record(turn_info("ana", "stop", "quiz_stop", Reply("Quiz finished", kind="quiz_summary"), Quiz()))
    answered = [(e.kind, e.question_id, e.answer) for e in logbook.entries("ana")]
    assert answered == [("quiz_verdict", "mod-1", "Help"), ("quiz_summary", None, None)]


def test_a_correction_keeps_its_misconception_and_what_it_was_about() -> None:
    reply = Reply("That's a common misconception", kind="correction", sources=["Topic 003 — Misconceptions"],
                  context=Context(misconception="003_x.txt:14", model="LATER"))
    info = turn_info("ana", "the customer is always right", "state_belief", reply)
    assert (info.kind, info.misconception, info.subjects, info.sources) == (
        "correction", "003_x.txt:14", ("LATER",), ("Topic 003 — Misconceptions",))
    assert turn_info("ana", "hi", "greet", Reply("Hello", kind="answer", context=Context(
        misconception="003_x.txt:14"))).misconception is None


def test_record_uses_the_configured_log_and_never_raises(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TUTOR_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TUTOR_LOG_URL", f"sqlite:///{tmp_path / 'configured.db'}")
    monkeypatch.delenv("TUTOR_LOG_KEY", raising=False)
    use_logbook(None)
    try:
        assert record(TurnInfo("ana", "hello", "answer"))
        assert record(TurnInfo("ana", "yes, delete it", "forgotten")) is False  # a forget leaves no row
        key_file = tmp_path / "state" / "log.key"
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600 and len(key_file.read_text()) == 64
        assert Logbook.from_settings(LogSettings()).entries("ana")[0].text == "hello"
        assert load_key(None, tmp_path / "state") == key_file.read_text().encode()  # the same key kept
        broken = Logbook(f"sqlite:///{tmp_path / 'broken.db'}", KEY)
        with broken.engine.begin() as conn:
            conn.execute(text("drop table tutor_log"))  # the database lost its table: writes fail
        use_logbook(broken)
        assert record(TurnInfo("ana", "hello", "answer")) is False
    finally:
        use_logbook(None)
        dispose_engines()


def test_a_question_is_logged_with_its_vector_and_quiz_turns_without() -> None:
    calls: list[str] = []

    def embed(message: str) -> np.ndarray:
        calls.append(message)
        vector = np.arange(1, 385, dtype=np.float32)
        return vector / np.linalg.norm(vector)

    reply = Reply("First Contact Resolution", kind="abbreviation")
    asked = turn_info("ana", "what is FCR?", "", reply, embed=embed)
    assert asked.vector is not None and len(asked.vector) == 768
    assert np.allclose(unpack(asked.vector), embed("x"), atol=1e-3)
    quiz = turn_info("ana", "B", "", Reply("Correct!", kind="quiz_verdict"), embed=embed)
    assert quiz.vector is None and calls == ["what is FCR?", "x"]
