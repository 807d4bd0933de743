"""Everything kept about a learner, exported and deleted, on real SQLite and PostgreSQL: quiz progress,
the message log and the Rasa conversation (a tracker store in Rasa's own table layout)."""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import time as dt_time
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, insert, text
from typer.testing import CliRunner

from actions.answers.reply import Reply
from actions.answers.tutor import Tutor
from actions.config import settings
from actions.dialogue import learner_data as chat
from actions.dialogue import quiz as quiz_actions
from actions.dialogue import reminders as reminder_actions
from actions.dialogue.provider import desk_from, tutor_from
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.cli import app
from actions.learners import Stores, TrackerEvents, describe_learner, export_learner, forget_learner, requests
from actions.learners.tracker import tracker_store
from actions.logbook import Logbook, turn_info, use_logbook
from actions.quiz.desk import QuizDesk
from actions.quiz.progress import Progress
from actions.quiz.tables import dispose_engines
from actions.reminders.requests import NOT_HERE
from actions.reminders.store import ReminderStore

from .helpers import ROOT, HashingEncoder, copy_seeds, postgres_schema, postgres_url

KEY = b"learner-data-key"
# Rasa 3.6's SQLTrackerStore.SQLEvent, column for column
EVENTS = Table("events", MetaData(), Column("id", Integer, primary_key=True),
               Column("sender_id", String(255)), Column("type_name", String(255)), Column("timestamp", Float),
               Column("intent_name", String(255)), Column("action_name", String(255)), Column("data", Text))


def save_turn(db: Path, sender: str, said: str, answered: str, now: float) -> None:
    """What Rasa's tracker store writes for one turn: user, action, bot, action_listen."""
    engine = create_engine(f"sqlite:///{db}")
    EVENTS.create(engine, checkfirst=True)
    events = [("user", None, {"event": "user", "text": said, "timestamp": now}),
              ("action", "action_answer", {"event": "action", "name": "action_answer", "timestamp": now}),
              ("bot", None, {"event": "bot", "text": answered, "timestamp": now}),
              ("action", "action_listen", {"event": "action", "name": "action_listen", "timestamp": now})]
    with engine.begin() as conn:
        for type_name, action, data in events:
            conn.execute(insert(EVENTS).values(sender_id=sender, type_name=type_name, timestamp=now,
                                               action_name=action, data=json.dumps(data)))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[QuizDesk, Stores]]:
    """A quiz desk over the seed documents, its progress and log databases, and a tracker store."""
    kb = KnowledgeBase(copy_seeds(tmp_path / "k", examples=False), tmp_path / "i",
                       encoder=HashingEncoder())
    kb.rebuild()
    tracker = TrackerEvents(tmp_path / "tracker.db")
    if request.param == "sqlite":
        progress = Progress(f"sqlite:///{tmp_path / 'p.db'}")
        yield QuizDesk(kb, progress, random.Random(2)), Stores(
            progress, Logbook(f"sqlite:///{tmp_path / 'l.db'}", KEY), tracker)
        dispose_engines()
        return
    with postgres_schema("learner_test") as (url, schema):
        progress = Progress(url, schema=schema)
        logbook = Logbook(url, KEY, schema=schema)
        yield QuizDesk(kb, progress, random.Random(2)), Stores(progress, logbook, tracker)


def take_a_quiz(desk: QuizDesk, stores: Stores, learner: str, tracker_db: Path) -> None:
    assert stores.logbook is not None
    stores.logbook.record(turn_info(learner, "quiz me on STAR", "start_quiz",
                                    desk.command(learner, "start", "quiz me on STAR"), desk.progress))
    question = desk.session(learner).current()
    assert question is not None
    stores.logbook.record(turn_info(learner, "Listen", "", desk.answer(learner, "Listen"), desk.progress))
    stores.logbook.record(turn_info(learner, "what is the capital of Peru?", "",
                                    Reply("I couldn't find that", kind="not_found")))
    save_turn(tracker_db, learner, "what is the capital of Peru?", "I couldn't find that", time.time())


def test_export_holds_everything_and_forget_leaves_nothing(world, tmp_path: Path) -> None:
    desk, stores = world
    take_a_quiz(desk, stores, "web:ana", tmp_path / "tracker.db")
    take_a_quiz(desk, stores, "web:ben", tmp_path / "tracker.db")
    assert stores.progress is not None
    reminders = ReminderStore(stores.progress.engine)
    for learner in ("web:ana", "web:ben"):
        reminders.set(learner, dt_time(18, 30), "Europe/London")

    data = export_learner("web:ana", stores)
    assert data["reminder"]["at"] == "18:30" and data["reminder"]["timezone"] == "Europe/London"
    assert [a["learner"] for a in data["progress"]["quiz_attempts"]] == ["web:ana"]
    assert data["progress"]["quiz_cards"] and data["progress"]["quiz_sessions"]
    assert [e["text"] for e in data["log"]["entries"]] == ["quiz me on STAR", "Listen",
                                                           "what is the capital of Peru?"]
    assert data["log"]["entries"][1]["answer"] == "Listen" and data["log"]["entries"][1]["correct"] is False
    assert [m["text"] for m in data["conversation"]["messages"]] == ["what is the capital of Peru?",
                                                                     "I couldn't find that"]
    assert "web:ana" not in json.dumps(data["log"])  # the log knows a pseudonym only
    described = describe_learner("web:ana", stores)
    assert "quiz answers: 1, 0 of them right" in described and "3 of your messages" in described
    assert "daily reminder to revise at 18:30" in described

    counts = forget_learner("web:ana", stores)
    assert counts["progress.quiz_attempts"] == 1 and counts["log"] == 3 and counts["conversation"] == 4
    gone = export_learner("web:ana", stores)
    assert counts["reminder"] == 1 and gone["reminder"] is None and reminders.get("web:ana") is None
    assert not any(gone["progress"].values()) and gone["log"]["entries"] == []
    assert gone["conversation"] == {"events": 0, "messages": []}
    assert "haven't answered any quiz questions" in desk.report("web:ana").text  # "how am I doing?"
    assert "no quiz answers" in describe_learner("web:ana", stores)
    kept = export_learner("web:ben", stores)  # another learner keeps everything
    assert kept["reminder"]["at"] == "18:30"
    assert kept["progress"]["quiz_attempts"] and len(kept["log"]["entries"]) == 3
    assert kept["conversation"]["events"] == 4


def test_forgetting_from_the_chat_deletes_the_turn_rasa_stores_afterwards(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    save_turn(db, "web:ana", "hello", "hi", time.time())
    tracker = TrackerEvents(db)
    assert tracker.delete("web:ana") == 4
    sweep = tracker.delete_after_turn("web:ana", timeout=20, poll=0.05)
    time.sleep(0.3)
    # Rasa stores the turn after the action returned: the whole session again, it found none stored
    save_turn(db, "web:ana", "delete my data", "Done: I've deleted everything", time.time())
    sweep.join(10)
    assert not sweep.is_alive() and tracker.events("web:ana") == []


def test_no_tracker_store_yet_means_no_conversation(tmp_path: Path) -> None:
    tracker = TrackerEvents(tmp_path / "none.db")
    assert tracker.conversation("x") == {"events": 0, "messages": []} and tracker.delete("x") == 0
    assert not (tmp_path / "none.db").exists()


def test_export_and_forget_commands(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TUTOR_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("TUTOR_TRACKER_DB", str(tmp_path / "rasa.db"))
    for name in ("TUTOR_LOG_URL", "TUTOR_DATABASE_URL", "TUTOR_LOG_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings.cache_clear()
    try:
        kb = KnowledgeBase(copy_seeds(tmp_path / "k", examples=False), tmp_path / "i",
                       encoder=HashingEncoder())
        kb.rebuild()
        desk = QuizDesk(kb, Progress(settings().progress_url), random.Random(2))
        take_a_quiz(desk, Stores(desk.progress, Logbook.from_settings()), "cli:ana", tmp_path / "rasa.db")
        runner = CliRunner()
        exported = json.loads(runner.invoke(app, ["export", "cli:ana"]).output)
        assert exported["progress"]["quiz_attempts"] and exported["conversation"]["events"] == 4
        refused = runner.invoke(app, ["forget", "cli:ana"], input="n\n")
        assert refused.exit_code == 1 and export_learner("cli:ana")["log"]["entries"]
        done = runner.invoke(app, ["forget", "cli:ana"], input="y\n")
        assert done.exit_code == 0 and "conversation: 4" in done.output
        after = json.loads(runner.invoke(app, ["export", "cli:ana"]).output)
        assert not any(after["progress"].values()) and not after["log"]["entries"]
        assert after["conversation"]["events"] == 0
    finally:
        settings.cache_clear()
        dispose_engines()


def test_a_sweep_gives_up_quietly_when_no_turn_is_stored(tmp_path: Path) -> None:
    tracker = TrackerEvents(tmp_path / "tracker.db")
    sweep = tracker.delete_after_turn("web:nobody", timeout=0.3, poll=0.05)
    sweep.join(5)
    assert not sweep.is_alive() and isinstance(sweep, threading.Thread)


RASA_TURN = '''
import asyncio, sys, time
from pathlib import Path
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


async def main(db, sender, phase, folder):
    store = SQLTrackerStore(domain=Domain.from_dict({"intents": ["greet"]}), dialect="sqlite", db=db)
    if phase == "first":  # an earlier turn, stored
        await store.save(DialogueStateTracker.from_events(sender, [
            ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
            UserUttered("hello"), ActionExecuted("utter_greet"), BotUttered("hi"),
            ActionExecuted("action_listen")]))
    elif phase == "turn":  # "delete my data": Rasa holds the tracker while the action runs, then saves it
        tracker = await store.retrieve(sender)
        tracker.update(UserUttered("delete my data"))
        Path(folder, "action running").touch()
        while not Path(folder, "action returned").exists():
            time.sleep(0.05)
        for event in (ActionExecuted("action_forget_me"), BotUttered("Done"),
                      ActionExecuted("action_listen")):
            tracker.update(event)
        await store.save(tracker)
    else:
        tracker = await store.retrieve(sender)
        print("EVENTS", 0 if tracker is None else len(tracker.events))


asyncio.run(main(*sys.argv[1:]))
'''


@pytest.mark.slow
def test_forgetting_from_the_chat_against_rasas_own_tracker_store(tmp_path: Path) -> None:
    """Rasa 3.6's SQLTrackerStore (in .venv-rasa) writes the deleted conversation back when it saves
    the turn; the sweep deletes it again, and Rasa then finds no conversation."""
    import subprocess

    rasa_python = ROOT / ".venv-rasa" / "bin" / "python"
    script, db = tmp_path / "rasa_turn.py", tmp_path / "tracker.db"
    script.write_text(RASA_TURN)

    def rasa(phase: str) -> subprocess.Popen:
        return subprocess.Popen([str(rasa_python), str(script), str(db), "web:ana", phase, str(tmp_path)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    assert rasa("first").wait(120) == 0
    turn = rasa("turn")
    deadline = time.monotonic() + 120
    while not (tmp_path / "action running").exists():
        assert time.monotonic() < deadline and turn.poll() is None, "Rasa's turn did not start"
        time.sleep(0.05)
    progress = Progress(f"sqlite:///{tmp_path / 'p.db'}")
    stores = Stores(progress, Logbook(f"sqlite:///{tmp_path / 'l.db'}", KEY), TrackerEvents(db))
    counts = forget_learner("web:ana", stores, after_turn=True)  # what the chat's action calls
    assert counts["conversation"] == 7
    (tmp_path / "action returned").touch()
    assert turn.wait(120) == 0
    deadline = time.monotonic() + 30
    while TrackerEvents(db).events("web:ana") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert TrackerEvents(db).events("web:ana") == []
    check = rasa("check")
    output = check.stdout.read() if check.stdout else ""
    assert check.wait(120) == 0 and "EVENTS 0" in output, output
    dispose_engines()


# --- In the chat: the words read, and the actions, with no Rasa server (see test_e2e_learner_data) ---

@pytest.mark.parametrize("words", ["tell me everything you have on me", "which of my details are stored?",
                                   "could I view my personal information please", "what data do you store?",
                                   "what's been recorded about me so far?"])
def test_asking_what_is_kept_is_read_from_the_words(words: str) -> None:
    assert requests.asks_what_is_kept(words) and not requests.asks_to_forget(words)


@pytest.mark.parametrize("words", ["please erase my information", "delete everything you hold on me",
                                   "I'd like my chat history wiped", "wipe me from your system",
                                   "can I be forgotten? I want to be forgotten"])
def test_asking_to_be_forgotten_is_read_from_the_words(words: str) -> None:
    assert requests.asks_to_forget(words) and not requests.asks_what_is_kept(words)


@pytest.mark.parametrize("words", ["what data can a shop keep about customers?",
                                   "how do I delete a customer's record?",
                                   "which information must you keep about complaints?", "delete my reminder",
                                   "don't delete my data", "forget it", "tell me about data protection",
                                   "what does GDPR say about storing data?"])
def test_course_questions_and_other_requests_are_no_data_requests(words: str) -> None:
    assert not requests.asks_what_is_kept(words) and not requests.asks_to_forget(words)


@pytest.mark.parametrize(("answer", "deletes"), [("/affirm", True), ("Yes, delete it all", True),
                                                 ("yep", True), ("sure, go ahead", True), ("/deny", False),
                                                 ("no", False),
                                                 ("yes but keep my quiz", False), ("hmm, not sure", False),
                                                 ("what is the HEAT model?", False), ("", False)])
def test_only_a_clear_yes_confirms(answer: str, deletes: bool) -> None:
    assert requests.confirms(answer) is deletes


LEARNER = "web:chat"


@pytest.fixture
def in_chat(tmp_path: Path) -> Iterator[tuple[QuizDesk, Stores, Path]]:
    """The actions' tutor, quiz desk, logbook and stores, on SQLite in ``tmp_path``."""
    kb = KnowledgeBase(copy_seeds(tmp_path / "k", examples=False), tmp_path / "i",
                       encoder=HashingEncoder())
    kb.rebuild()
    desk = QuizDesk(kb, Progress(f"sqlite:///{tmp_path / 'p.db'}"), random.Random(3))
    stores = Stores(desk.progress, Logbook(f"sqlite:///{tmp_path / 'l.db'}", KEY),
                    TrackerEvents(tmp_path / "tracker.db"))
    use_logbook(stores.logbook)
    old = chat.get_stores.replace(lambda: stores)
    with tutor_from(lambda: Tutor(kb)), desk_from(lambda: desk):
        yield desk, stores, tmp_path / "tracker.db"
    chat.get_stores.replace(old)
    use_logbook(None)
    dispose_engines()


def _tracker(text: str, intent: str, slots: dict | None = None, loop: str | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    events = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker(LEARNER, dict(slots or {}), latest, events, False, None, {"name": loop} if loop else {},
                   "action_listen")


async def _run(action, text: str, intent: str, slots: dict | None = None,
               loop: str | None = None) -> tuple[dict, list[dict]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, _tracker(text, intent, slots, loop), {})
    assert len(dispatcher.messages) == 1, dispatcher.messages
    return dispatcher.messages[0], events


def _slots(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_the_chat_says_what_is_kept_and_deletes_it_only_once_confirmed(in_chat) -> None:
    desk, stores, tracker_db = in_chat
    take_a_quiz(desk, stores, LEARNER, tracker_db)
    desk.command(LEARNER, "stop")
    attempts = len(export_learner(LEARNER, stores)["progress"]["quiz_attempts"])
    logged = len(stores.logbook.entries(LEARNER))

    told, _ = await _run(chat.ActionMyData(), "tell me everything you have on me", "ask_my_data")
    assert f"quiz answers: {attempts}, 0 of them right" in told["text"]
    assert f"{logged} of your messages" in told["text"] and "90 days" in told["text"]
    assert "2 message(s) from you" in told["text"]  # one stored, and the one being answered
    assert [b["payload"] for b in told["buttons"]] == ["/forget_me"]

    # NLU heard a deletion request, but the words ask a course question: answered, no form
    aside, events = await _run(chat.ActionForgetMe(), "what does STAR stand for?", "forget_me")
    assert "Situation" in aside["text"] and not any(e.get("event") == "active_loop" for e in events)

    asked, events = await _run(chat.ActionForgetMe(), "please erase my information", "forget_me")
    assert asked["text"] == requests.CONFIRM_FORGET
    assert [b["payload"] for b in asked["buttons"]] == ["/affirm", "/deny"]
    assert {"event": "active_loop", "name": "forget_form", "timestamp": None} in events

    form = chat.ValidateForgetForm()
    kept, events = await _run(form, "no", "deny", {"forget_answer": "no"}, "forget_form")
    assert kept["text"] == requests.CANCELLED_TEXT and _slots(events)["requested_slot"] is None
    assert len(export_learner(LEARNER, stores)["progress"]["quiz_attempts"]) == attempts
    # a course question instead of yes or no cancels too, and is answered
    await _run(chat.ActionForgetMe(), "/forget_me", "forget_me")
    answered, _ = await _run(form, "what does STAR stand for?", "ask_model",
                             {"forget_answer": "what does STAR stand for?"}, "forget_form")
    assert answered["text"].startswith(requests.CANCELLED_TEXT) and "Situation" in answered["text"]

    done, events = await _run(form, "/affirm", "affirm", {"forget_answer": "/affirm"}, "forget_form")
    assert done["text"].startswith("Done: I've deleted everything")
    assert _slots(events)["requested_slot"] is None
    gone = export_learner(LEARNER, stores)
    assert not any(gone["progress"].values()) and gone["log"]["entries"] == []
    assert gone["conversation"]["events"] == 0
    assert "haven't answered any quiz questions" in desk.report(LEARNER).text


async def test_mid_quiz_a_data_request_is_answered_and_the_quiz_goes_on_unless_deleted(in_chat) -> None:
    desk, stores, _ = in_chat
    form = quiz_actions.ValidateQuizForm()
    in_form = {"requested_slot": "quiz_answer"}
    desk.command(LEARNER, "start", "quiz me on the models")
    question = desk.session(LEARNER).current()
    assert question is not None

    told, _ = await _run(form, "which of my details are stored?", "ask_my_data",
                         {**in_form, "quiz_answer": "which of my details are stored?"}, "quiz_form")
    assert told["text"].startswith("Here is what I keep about you") and question.prompt in told["text"]
    assert desk.session(LEARNER).current() == question  # not graded as an answer

    asked, events = await _run(form, "erase all about me", "forget_me",
                               {**in_form, "quiz_answer": "erase all about me"}, "quiz_form")
    assert asked["text"] == requests.CONFIRM_FORGET and _slots(events)["forget_asked"] is True
    assert "requested_slot" not in _slots(events)  # the quiz form goes on

    kept, events = await _run(form, "no", "deny", {**in_form, "quiz_answer": "no", "forget_asked": True},
                              "quiz_form")
    assert kept["text"].startswith(requests.CANCELLED_TEXT) and question.prompt in kept["text"]
    assert _slots(events)["forget_asked"] is None and desk.session(LEARNER).current() == question

    await _run(form, "wipe me from your system", "forget_me",
               {**in_form, "quiz_answer": "wipe me from your system"}, "quiz_form")
    done, events = await _run(form, "yes", "affirm", {**in_form, "quiz_answer": "yes", "forget_asked": True},
                              "quiz_form")
    assert done["text"].startswith("Done: I've deleted everything")
    assert _slots(events)["requested_slot"] is None and not desk.active(LEARNER)  # the quiz ends with it
    assert not any(export_learner(LEARNER, stores)["progress"].values())


def test_the_cluster_s_postgresql_tracker_store_is_read_and_deleted(monkeypatch) -> None:
    """Under ``make cluster`` Rasa keeps conversations in PostgreSQL (bot/endpoints.cluster.yml):
    the same environment variables lead export and forget there."""
    url = postgres_url()
    database = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        user = url.split("://", 1)[1].split("@", 1)[0]
        for name, value in {"TUTOR_TRACKER_PG_DB": database, "TUTOR_PG_USER": user, "TUTOR_PG_PASSWORD": "",
                            "TUTOR_PG_HOST": "127.0.0.1", "TUTOR_PG_PORT": "5432"}.items():
            monkeypatch.setenv(name, value)
        where = tracker_store(Path("unused.db"))
        assert isinstance(where, str) and where.endswith(f"/{database}")
        engine = create_engine(where)
        EVENTS.create(engine)
        with engine.begin() as conn:
            for sender, said in (("slack:ana", "hello"), ("slack:ben", "hi")):
                conn.execute(insert(EVENTS).values(sender_id=sender, type_name="user", timestamp=time.time(),
                                                   data=json.dumps({"event": "user", "text": said})))
        engine.dispose()
        tracker = TrackerEvents(where)
        assert tracker.conversation("slack:ana")["messages"][0]["text"] == "hello"
        assert tracker.delete("slack:ana") == 1 and tracker.events("slack:ana") == []
        assert tracker.events("slack:ben")  # another learner's conversation stays
        assert tracker._engine is not None
        tracker._engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{database}" WITH (FORCE)'))
        admin.dispose()


async def test_mid_quiz_reminder_requests_are_served_and_stop_reminders_does_not_stop_the_quiz(
        in_chat) -> None:
    desk, _, _ = in_chat
    store = ReminderStore(desk.progress.engine)
    store.set(LEARNER, dt_time(18, 0), "Europe/London")
    old = reminder_actions.get_store.replace(lambda: store)
    try:
        form = quiz_actions.ValidateQuizForm()
        in_form = {"requested_slot": "quiz_answer"}
        desk.command(LEARNER, "start", "quiz me on the models")
        question = desk.session(LEARNER).current()
        assert question is not None
        for said in ("please stop the reminders", "could you remind me every evening at 7pm"):
            told, events = await _run(form, said, "quiz_stop", {**in_form, "quiz_answer": said}, "quiz_form")
            assert question.prompt in told["text"] and desk.session(LEARNER).current() == question
            assert "requested_slot" not in _slots(events)  # the quiz form goes on
        assert store.get(LEARNER) is None  # the first stopped them
        assert told["text"].startswith(NOT_HERE)  # the second was asked on the page, not in Slack
    finally:
        reminder_actions.get_store.replace(old)
