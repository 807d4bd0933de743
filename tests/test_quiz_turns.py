"""Quiz turns are atomic and recorded exactly once, on SQLite and on the real PostgreSQL server.

Twins of one turn (a retry, two servers handling one message) answering the same question, in
threads and in separate processes, record one attempt and all get its verdict; a turn retried after
its reply was lost gets the same verdict and records nothing; a process killed between recording
and saving leaves nothing behind; a contest is recorded once; a database made by the version
before this one is upgraded in place.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from actions.quiz import session as session_module
from actions.quiz import turns
from actions.quiz.progress import Progress, dispose_engines
from actions.quiz.questions import Kind, Question
from actions.quiz.selection import QuestionBank
from actions.quiz.session import QuizSession
from actions.quiz.tables import Attempt, Override

from .helpers import is_right_option, postgres_schema

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
BANK = QuestionBank.from_folders([KNOWLEDGE])
Store = tuple[str, str | None]  # (url, schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty progress database: SQLite in a file, or a fresh schema on the PostgreSQL server
    (which must be up: a database the project runs on being down fails the test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'progress.db'}", None
        dispose_engines()
        return
    with postgres_schema("quiz_turns") as (url, schema):
        yield url, schema


def quiz(store: Store, learner: str = "ana", bank: QuestionBank = BANK) -> QuizSession:
    url, schema = store
    return QuizSession(learner, bank, Progress(url, schema=schema), random.Random(3))


def started(store: Store, request: str = "3 abbreviations") -> tuple[QuizSession, Question]:
    session = quiz(store)
    assert session.start(request).kind == "quiz_question"
    question = session.current()
    assert question is not None and question.options
    return session, question


def wrong(question: Question) -> str:
    return next(option for option in question.options if not is_right_option(question, option))


def attempts(store: Store, learner: str = "ana") -> list[Attempt]:
    url, schema = store
    with Progress(url, schema=schema)._sessions() as db:
        return list(db.scalars(select(Attempt).where(Attempt.learner == learner).order_by(Attempt.id)))


def together(calls: list[Callable[[], object]]) -> list[object]:
    """Run ``calls`` in threads released at once; their results, or the first error raised."""
    gate = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            gate.wait()
            results[i] = calls[i]()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    if errors:
        raise errors[0]
    return results


def test_twins_of_one_answer_record_one_attempt(store: Store) -> None:
    first, question = started(store)
    token = first.asked()  # what the learner was shown, as every twin's tracker holds it
    replies = together([lambda: quiz(store).answer(wrong(question), asked=token) for _ in range(8)])

    [attempt] = attempts(store)
    assert (attempt.question_id, attempt.position, attempt.score) == (question.id, 0, 0.0)
    assert all(reply.text.startswith(f"Not quite. '{wrong(question)}' is not it.") for reply in replies)
    assert {reply.text for reply in replies} == {replies[0].text}  # the same verdict and next question
    assert "Question 2 of 3" in replies[0].text
    state = first.progress.load_quiz("ana")
    assert state is not None and state["index"] == 1 and state["scores"] == [0.0]


def test_twins_that_read_before_either_saved_record_once(store: Store, monkeypatch) -> None:
    """No token: both twins read position 0 and grade before either commits (a barrier inside
    grading holds them); the loser finds the state moved on and gives the winner's verdict."""
    _, question = started(store)
    graded = threading.Barrier(2)
    real_grade = session_module.grade

    def slow_grade(*args: object, **kwargs: object):
        verdict = real_grade(*args, **kwargs)
        graded.wait(30)
        return verdict

    monkeypatch.setattr(session_module, "grade", slow_grade)
    replies = together([lambda: quiz(store).answer(question.answers[0]) for _ in range(2)])
    assert len(attempts(store)) == 1
    assert all(reply.text.startswith("Correct!") and "Question 2 of 3" in reply.text for reply in replies)


def test_a_retry_after_the_reply_was_lost_gets_the_first_verdict(store: Store) -> None:
    session, question = started(store)
    token = session.asked()
    first = session.answer(wrong(question), asked=token)
    # the reply never reached the learner: the message comes again with the tracker's old token
    again = quiz(store).answer(wrong(question), asked=token)
    other = quiz(store).answer(question.answers[0], asked=token)  # even if retyped differently
    assert again.text == first.text and other.text == first.text
    assert len(attempts(store)) == 1
    nxt = session.current()
    assert nxt is not None and nxt != question
    assert quiz(store).answer(nxt.answers[0], asked=session.asked()).text.startswith("Correct!")
    assert [a.position for a in attempts(store)] == [0, 1]


def test_a_repeated_skip_stop_or_start_is_done_once(store: Store) -> None:
    session, _ = started(store)
    token = session.asked()
    skipped = [quiz(store).skip(token) for _ in range(2)]
    assert skipped[0].text == skipped[1].text and skipped[0].text.startswith("Skipped.")
    assert len(attempts(store)) == 1
    token = session.asked()
    stopped = [quiz(store).stop(token) for _ in range(2)]
    assert stopped[0].kind == stopped[1].kind == "quiz_summary" and stopped[0].text == stopped[1].text
    assert quiz(store).stop(session.asked()).kind == "quiz_none"  # a stop after the stop's reply

    token = session.asked()
    starts = together([lambda: quiz(store).start("3 questions on HEAT", token) for _ in range(4)])
    assert {reply.text for reply in starts} == {starts[0].text}  # one quiz, shown to every twin
    new = session.progress.load_quiz("ana")
    assert new is not None and new["index"] == 0 and new["id"] != token.split(":")[0]


def test_a_contest_is_recorded_once(store: Store) -> None:
    session, _ = started(store)
    session.answer("Net Profit Score")
    replies = together([lambda: quiz(store).contest() for _ in range(6)])
    fair = [r for r in replies if r.text.startswith("Fair enough")]
    assert len(fair) == 1
    assert all("already contested" in r.text for r in replies if r not in fair)
    assert len(session.progress.overrides("ana")) == 1
    [attempt] = attempts(store)
    assert (attempt.score, attempt.correct) == (1.0, True)
    assert session.progress.load_quiz("ana")["scores"] == [1.0]


class Killed(Exception):
    """Stands for the process dying mid-turn."""


@pytest.mark.parametrize("where", ["after recording", "after saving"])
def test_a_failure_mid_turn_leaves_no_half_state(store: Store, monkeypatch, where: str) -> None:
    session, question = started(store)
    before = session.progress.load("ana")
    real_save = turns.QuizTurn.save

    def failing_save(self: turns.QuizTurn, state: dict) -> None:
        if where == "after saving":
            real_save(self, state)
        raise Killed

    monkeypatch.setattr(turns.QuizTurn, "save", failing_save)
    with pytest.raises(Killed):
        session.answer(question.answers[0])
    assert attempts(store) == [] and session.progress.schedule("ana") == {}
    assert session.progress.load("ana") == before

    monkeypatch.undo()
    assert session.answer(question.answers[0]).text.startswith("Correct!")
    assert len(attempts(store)) == 1 and list(session.progress.schedule("ana")) == [question.id]


CHILD = """
import os, sys, time
from pathlib import Path
from actions.quiz import turns
from actions.quiz.progress import Progress
from actions.quiz.selection import QuestionBank
from actions.quiz.session import QuizSession

url, schema, answer, token, mode, go = sys.argv[1:7]
real_save = turns.QuizTurn.save

def save(self, state):
    if mode == "die-after-saving":
        real_save(self, state)
    os._exit(9)  # the process dies with the transaction open: no rollback, no cleanup

if mode.startswith("die"):
    turns.QuizTurn.save = save
session = QuizSession("ana", QuestionBank.from_folders([Path("knowledge")]),
                      Progress(url, schema=schema or None))
while not os.path.exists(go):
    time.sleep(0.005)
print(session.answer(answer, asked=token).text.splitlines()[0])
"""


def child(store: Store, answer: str, token: str, mode: str, go: Path) -> subprocess.Popen[str]:
    url, schema = store
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen([sys.executable, "-c", CHILD, url, schema or "", answer, token, mode, str(go)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("mode", ["die-after-recording", "die-after-saving"])
def test_a_process_killed_mid_turn_leaves_nothing(store: Store, tmp_path: Path, mode: str) -> None:
    session, question = started(store)
    before = session.progress.load("ana")
    go = tmp_path / "go"
    go.touch()
    proc = child(store, question.answers[0], session.asked() or "", mode, go)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 9, err
    dispose_engines()
    assert attempts(store) == [] and session.progress.schedule("ana") == {}
    assert session.progress.load("ana") == before
    assert quiz(store).answer(question.answers[0]).text.startswith("Correct!")
    assert len(attempts(store)) == 1


def test_twin_processes_record_one_attempt(store: Store, tmp_path: Path) -> None:
    """Four action-server processes handed the same message at once."""
    session, question = started(store)
    go = tmp_path / "go"
    procs = [child(store, question.answers[0], session.asked() or "", "live", go) for _ in range(4)]
    time.sleep(1.0)  # let them import; each waits for the go file, then answers
    go.touch()
    outputs = [proc.communicate(timeout=180) for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 4, [err for _, err in outputs]
    assert {out.strip() for out, _ in outputs} == {outputs[0][0].strip()}
    assert outputs[0][0].startswith("Correct!")
    assert len(attempts(store)) == 1


def test_a_re_index_mid_quiz_keeps_the_question_being_answered(store: Store, tmp_path: Path) -> None:
    """The quiz keeps its questions: with the question's document gone from the bank, and every
    other question renumbered, the question asked is still the one answered and graded."""
    _, question = started(store, "3 questions on HEAT")
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    for doc in folder.iterdir():
        if doc.is_file() and "HEAT" in doc.read_text(encoding="utf-8"):
            doc.unlink()
    rebuilt = QuestionBank.from_folders([folder])
    assert question.id not in rebuilt.by_id
    after = quiz(store, bank=rebuilt)
    assert after.current() == question and question.prompt in after.resume().text
    assert after.answer(question.answers[0]).text.startswith("Correct!")
    assert attempts(store)[0].question_id == question.id


OLD_TABLES = """  -- as SQLAlchemy made them before quiz ids, versions and unique keys
CREATE TABLE {s}quiz_attempts (id {key}, learner VARCHAR(200), question_id VARCHAR(40),
  kind VARCHAR(30), topic VARCHAR(200), subject VARCHAR(300), score FLOAT, correct BOOLEAN,
  answered_at TIMESTAMP);
CREATE TABLE {s}quiz_sessions (learner VARCHAR(200) PRIMARY KEY, state TEXT, updated_at TIMESTAMP);
CREATE TABLE {s}quiz_overrides (id {key}, learner VARCHAR(200), question_id VARCHAR(40),
  kind VARCHAR(30), topic VARCHAR(200), subject VARCHAR(300), prompt TEXT, answer TEXT,
  original_score FLOAT, created_at TIMESTAMP)
"""


def test_a_database_made_before_quiz_ids_is_upgraded(store: Store) -> None:
    url, schema = store
    engine = create_engine(url)
    with engine.begin() as conn:
        key = "SERIAL PRIMARY KEY" if schema else "INTEGER PRIMARY KEY"
        for statement in OLD_TABLES.format(s=f'"{schema}".' if schema else "", key=key).split(";"):
            conn.execute(text(statement))
        question = next(q for q in BANK.questions if q.kind is Kind.ABBREVIATION)
        old = {"questions": [question.to_dict()], "index": 0, "scores": [], "hinted": False,
               "label": "old", "missed": [], "last": None}
        prefix = f'"{schema}".' if schema else ""
        conn.execute(text(f"INSERT INTO {prefix}quiz_sessions VALUES ('ana', :state, '2026-01-01 00:00:00')"),
                     {"state": json.dumps(old)})
    engine.dispose()

    upgraded = quiz(store)
    token = upgraded.asked()
    assert token is not None and token.endswith(":0:0")
    replies = [quiz(store).answer(question.answers[0], asked=token) for _ in range(2)]
    assert replies[0].text == replies[1].text and replies[0].kind == "quiz_summary"
    assert len(attempts(store)) == 1
    with upgraded.progress._sessions() as db:
        assert db.scalar(select(func.count()).select_from(Override)) == 0


def test_a_request_reads_the_quiz_state_once_and_keeps_what_it_writes(store: Store) -> None:
    """Within one action-server request the quiz state is read once; a turn's own write replaces
    it; another server's write is found by the version check, not hidden by what was kept."""
    from contextvars import copy_context

    from sqlalchemy import event

    from actions.quiz.tables import WRITE, engine_for

    session, question = started(store)
    other = quiz(store)  # another server's view of the same learner
    statements: list[str] = []

    def reads() -> int:  # quiz-state reads outside a turn's write transaction
        return sum(s.lstrip().startswith("SELECT") and "quiz_sessions" in s for s in statements)

    def request() -> None:
        turns.read_once_per_request()
        assert session.active and session.current() == question and session.asked()
        assert reads() == 1
        assert session.answer(question.answers[0]).text.startswith("Correct!")
        second = session.current()  # what the turn wrote: no read
        assert second is not None and second != question and reads() == 1
        assert other.answer(wrong(second)).text.startswith("Not quite.")  # moves the quiz on
        # this request still keeps position 1, version 2: its turn is refused by the version
        # check, reads again, and gives the other server's verdict instead of grading twice
        assert session.answer(wrong(second)).text.startswith("Not quite.")
        assert reads() > 1

    engine = engine_for(store[0])
    def listener(conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not conn.get_execution_options().get(WRITE):  # type: ignore[attr-defined]
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        copy_context().run(request)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert [a.position for a in attempts(store)] == [0, 1]
    assert session.progress.load_quiz("ana")["index"] == 2  # outside a request: read afresh


def test_a_pooled_connection_that_died_while_resting_is_replaced(monkeypatch) -> None:
    """PostgreSQL's pooled connections are checked before use once they have rested (as
    pool_pre_ping did on every use): one that died meanwhile is replaced, not handed to a turn."""
    from sqlalchemy.exc import OperationalError

    from actions.quiz import tables

    with postgres_schema("idle_ping") as (url, schema):
        progress = Progress(url, schema=schema)

        def kill_pooled() -> None:
            with progress.engine.connect() as conn:  # the pool's one connection, handed back after
                pid = conn.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
            admin = create_engine(url)
            with admin.connect() as conn:
                assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
            admin.dispose()

        assert progress.load("ana").state is None
        monkeypatch.setattr(tables, "IDLE_PING_AFTER", 1e9)  # never rested long enough: no check
        kill_pooled()
        with pytest.raises(OperationalError):
            progress.load("ana")  # the dead connection reached the query
        monkeypatch.setattr(tables, "IDLE_PING_AFTER", 0.0)
        kill_pooled()
        assert progress.load("ana").state is None
