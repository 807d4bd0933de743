"""Daily review reminders in Slack: the time read from the request, the reminders table (SQLite and
PostgreSQL), who is reminded when, and end to end with the real servers and a fake Slack whose
clock the test moves (opt in, nothing when nothing is due, one DM a day with "Start review",
the review quiz it starts, a restart that keeps the reminder, "stop reminders").
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
import pytest

from actions.quiz.desk import QuizDesk
from actions.quiz.progress import Progress
from actions.quiz.tables import dispose_engines
from actions.reminders.requests import ASK_TIME, NOT_HERE, reminder_request, set_reminder, stop_reminders
from actions.reminders.review import due_questions
from actions.reminders.service import ReminderService, reminder_day
from actions.reminders.slack import SlackNotifier
from actions.reminders.store import ReminderRecord, ReminderStore
from actions.reminders.times import parse_time

from .fake_slack import FakeSlack
from .helpers import postgres_schema, seed_desk
from .servers import TutorServers

LONDON = ZoneInfo("Europe/London")
TOKEN = "xoxb-test-0000-not-a-real-token"
SECRET = "test-signing-secret"
BOT_USER = "UTUTORBOT"
_ids = itertools.count(1)


# ---- the time in a request ---------------------------------------------------------------------

@pytest.mark.parametrize(("said", "wanted"), [
    ("remind me to revise at 6pm", clock_time(18, 0)),
    ("remind me every day at 18:30", clock_time(18, 30)),
    ("can you remind me to revise at 5.30pm?", clock_time(17, 30)),
    ("remind me at 7 p.m. please", clock_time(19, 0)),
    ("set a daily reminder at 9am", clock_time(9, 0)),
    ("daily reminder at noon", clock_time(12, 0)),
    ("reminder at 6 please", clock_time(18, 0)),  # a bare early hour is the evening
    ("remind me at 21h15", clock_time(21, 15)),
    ("remind me to revise", None),
    ("remind me at 25:00", None),
    ("give me 5 questions", None),
])
def test_the_time_is_read_from_the_request(said: str, wanted: clock_time | None) -> None:
    assert parse_time(said) == wanted


# ---- when a reminder is due --------------------------------------------------------------------

def _at(day: date, hour: int, minute: int, zone: ZoneInfo = LONDON) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def test_a_reminder_is_due_from_its_time_for_two_hours_once_a_day() -> None:
    day = date(2026, 12, 2)
    made = _at(day - timedelta(days=1), 12, 0)
    reminder = ReminderRecord("U1", clock_time(18, 0), "Europe/London", made)
    assert reminder_day(reminder, _at(day, 17, 59)) is None
    assert reminder_day(reminder, _at(day, 18, 0)) == day
    assert reminder_day(reminder, _at(day, 19, 59)) == day  # the tutor was down at 18:00
    assert reminder_day(reminder, _at(day, 20, 0)) is None
    sent = ReminderRecord("U1", clock_time(18, 0), "Europe/London", made, last_sent_on=day)
    assert reminder_day(sent, _at(day, 18, 30)) is None
    late = ReminderRecord("U1", clock_time(18, 0), "Europe/London", _at(day, 18, 20))
    assert reminder_day(late, _at(day, 18, 30)) is None  # set after today's time: from tomorrow


def test_the_time_is_the_learners_own() -> None:
    paris = ZoneInfo("Europe/Paris")
    day = date(2026, 12, 2)
    reminder = ReminderRecord("U1", clock_time(18, 0), "Europe/Paris", _at(day, 9, 0))
    assert reminder_day(reminder, _at(day, 16, 59)) is None  # 17:59 in Paris
    assert reminder_day(reminder, _at(day, 17, 0)) == day  # 18:00 in Paris
    assert _at(day, 18, 0, paris) == _at(day, 17, 0)


# ---- the reminders table -----------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Progress]:
    """An empty progress database; PostgreSQL gets a unique schema, dropped after."""
    if request.param == "sqlite":
        yield Progress(f"sqlite:///{tmp_path / 'progress.db'}")
        dispose_engines()
        return
    with postgres_schema("reminder_test") as (url, schema):  # fails, never skips, when it is down
        yield Progress(url, schema=schema)


def test_reminders_are_kept_claimed_once_a_day_and_removed(database: Progress) -> None:
    store = ReminderStore(database.engine)
    made = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    store.set("U1", clock_time(18, 0), "Europe/London", made)
    store.set("U2", clock_time(7, 30), "America/New_York", made)
    store.set("U1", clock_time(18, 30), "Europe/London", made)  # moved, not added
    assert store.all() == [
        ReminderRecord("U1", clock_time(18, 30), "Europe/London", made),
        ReminderRecord("U2", clock_time(7, 30), "America/New_York", made),
    ]
    day = date(2026, 12, 2)
    assert store.claim("U1", day) is True
    assert store.claim("U1", day) is False  # at most one a day, whoever asks
    store.release("U1", day, None)
    assert store.claim("U1", day) is True
    assert store.claim("U1", day + timedelta(days=1)) is True

    again = ReminderStore(Progress(database.url, schema=database.schema).engine)  # another process
    assert again.get("U1") == ReminderRecord("U1", clock_time(18, 30), "Europe/London", made,
                                             day + timedelta(days=1))
    assert again.remove("U1") is True and again.remove("U1") is False
    assert [r.learner for r in store.all()] == ["U2"]


# ---- who is reminded ---------------------------------------------------------------------------

class Recorder:
    """A notifier that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []

    def remind(self, user: str, count: int) -> str:
        self.sent.append((user, count))
        return "D" + user


@pytest.fixture
def desk(tmp_path: Path) -> QuizDesk:
    return seed_desk(tmp_path, 3)


def test_a_learner_is_reminded_at_their_time_once_a_day_only_when_something_is_due(desk: QuizDesk) -> None:
    store = ReminderStore(desk.progress.engine)
    now = [datetime.now(UTC)]
    recorder = Recorder()
    service = ReminderService(store, lambda who, at: len(due_questions(desk, who, at)), recorder,
                              lambda: now[0])
    store.set("UAMY", clock_time(18, 0), "Europe/London", now[0])
    store.set("UBEN", clock_time(18, 0), "Europe/London", now[0])  # answers nothing: nothing due
    desk.command("UAMY", "start", "2 questions on the models")
    desk.command("UAMY", "skip")
    desk.command("UAMY", "skip")  # both not known: due again soon

    tomorrow = (now[0].astimezone(LONDON) + timedelta(days=1)).date()
    now[0] = _at(tomorrow, 17, 59)
    assert service.run_once() == []
    now[0] = _at(tomorrow, 18, 1)
    assert service.run_once() == ["UAMY"]
    assert recorder.sent == [("UAMY", 2)]
    now[0] = _at(tomorrow, 18, 40)
    assert service.run_once() == []  # once a day
    now[0] = _at(tomorrow + timedelta(days=1), 18, 5)
    assert service.run_once() == ["UAMY"]


def test_a_reminder_that_could_not_be_sent_is_tried_again(desk: QuizDesk) -> None:
    class Down:
        def remind(self, user: str, count: int) -> str:
            raise ConnectionError("Slack is down")

    store = ReminderStore(desk.progress.engine)
    start = datetime.now(UTC)
    store.set("UAMY", clock_time(18, 0), "Europe/London", start)
    desk.command("UAMY", "start", "1 question on the models")
    desk.command("UAMY", "skip")
    at = _at((start.astimezone(LONDON) + timedelta(days=1)).date(), 18, 1)
    count = lambda who, when: len(due_questions(desk, who, when))  # noqa: E731
    assert ReminderService(store, count, Down(), lambda: at).run_once() == []
    recorder = Recorder()
    assert ReminderService(store, count, recorder, lambda: at).run_once() == ["UAMY"]


def test_what_the_learner_is_told(desk: QuizDesk) -> None:
    store = ReminderStore(desk.progress.engine)
    now = datetime.now(UTC)
    with FakeSlack(timezones={"UPARIS": "Europe/Paris"}) as fake:
        slack = SlackNotifier(TOKEN, fake.url)
        assert set_reminder(store, slack, "UAMY", "remind me at 6pm", "socketio", now) == NOT_HERE
        assert set_reminder(store, slack, "UAMY", "remind me to revise", "slack", now) == ASK_TIME
        assert store.all() == []
        said = set_reminder(store, slack, "UAMY", "remind me to revise at 6pm", "slack", now)
        assert said == ("I'll remind you every day at 18:00 when questions are due. "
                        "Say 'stop reminders' to turn it off.")
        said = set_reminder(store, slack, "UPARIS", "remind me every day at 18:30", "slack", now)
        assert "18:30 (Europe/Paris time)" in said
    assert [(r.learner, r.timezone) for r in store.all()] == [("UAMY", "Europe/London"),
                                                              ("UPARIS", "Europe/Paris")]
    assert stop_reminders(store, "UAMY").startswith("Reminders are off")
    assert stop_reminders(store, "UAMY").startswith("You have no reminders")


# ---- end to end --------------------------------------------------------------------------------

LEARNER = "UREVISER1"


@pytest.fixture(scope="module")
def slack_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TutorServers, FakeSlack]]:
    """Both servers with Slack on, talking to a fake Slack whose clock the action server reads."""
    with FakeSlack() as fake:
        servers = TutorServers(tmp_path_factory.mktemp("reminders"))
        servers.env.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.url,
                           TUTOR_CLOCK_URL=fake.clock_url, TUTOR_REMINDER_TICK_SECONDS="1")
        with servers:
            yield servers, fake


def _signed(body: bytes, content_type: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={digest}"}


def say(servers: TutorServers, fake: FakeSlack, message: str, user: str = LEARNER) -> str:
    """A direct message to the tutor, as Slack's Events API sends it; the reply's text."""
    channel = fake.dm_channel(user)
    before = len(fake.posts_to(channel))
    n = next(_ids)
    ts = f"{int(time.time())}.{n:06d}"
    payload = {
        "token": "unused", "team_id": "TTEST", "api_app_id": "ATEST", "type": "event_callback",
        "event_id": f"EvR{n:08d}", "event_time": int(time.time()),
        "authorizations": [{"team_id": "TTEST", "user_id": BOT_USER, "is_bot": True}],
        "event": {"type": "message", "channel_type": "im", "text": message, "user": user,
                  "channel": channel, "ts": ts, "event_ts": ts, "team": "TTEST"},
    }  # fmt: skip
    body = json.dumps(payload).encode()
    resp = httpx.post(f"{servers.rasa_url}/webhooks/slack/webhook", content=body,
                      headers=_signed(body, "application/json"), timeout=30)
    assert resp.status_code == 200, resp.text
    return texts(fake.wait_for_posts(channel, before + 1)[before:])


def press(servers: TutorServers, fake: FakeSlack, button: dict[str, Any], user: str = LEARNER) -> str:
    """A click on ``button`` in the learner's direct messages (a block_actions interaction)."""
    channel = fake.dm_channel(user)
    before = len(fake.posts_to(channel))
    click = {
        "type": "block_actions", "user": {"id": user, "team_id": "TTEST"}, "team": {"id": "TTEST"},
        "channel": {"id": channel, "name": "directmessage"},
        "container": {"type": "message", "channel_id": channel, "message_ts": "1.000001"},
        "message": {"type": "message", "user": BOT_USER, "ts": "1.000001", "text": "reminder"},
        "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "b",
                     "value": button["value"], "text": button["text"], "action_ts": str(time.time())}],
    }  # fmt: skip
    body = urlencode({"payload": json.dumps(click)}).encode()
    resp = httpx.post(f"{servers.rasa_url}/webhooks/slack/webhook", content=body,
                      headers=_signed(body, "application/x-www-form-urlencoded"), timeout=30)
    assert resp.status_code == 200, resp.text
    return texts(fake.wait_for_posts(channel, before + 1)[before:])


def texts(calls: list) -> str:
    return "\n".join(c.args.get("text", "") for c in calls)


def reminders(fake: FakeSlack) -> list:
    """The reminder DMs sent so far: the posts with a "Start review" button of their own."""
    return [c for c in fake.posts_to(fake.dm_channel(LEARNER))
            if any(e.get("action_id") == "start_review"
                   for b in c.args.get("blocks") or [] if b.get("type") == "actions" for e in b["elements"])]


def checks_at(servers: TutorServers, fake: FakeSlack, moment: datetime, checks: int = 3) -> None:
    """Move the clock to ``moment`` and wait until the action server has checked ``checks`` times."""
    fake.clock.set(moment)
    seen = fake.clock_reads
    assert servers.wait_for(lambda: fake.clock_reads >= seen + checks, timeout=60, every=0.2), \
        "the reminder scheduler is not reading the clock"


def progress_of(servers: TutorServers) -> Progress:
    return Progress(f"sqlite:///{servers.workdir / 'state' / 'progress.db'}")


@pytest.mark.e2e
def test_a_daily_reminder_in_slack_end_to_end(slack_servers) -> None:
    servers, fake = slack_servers
    said = say(servers, fake, "remind me to revise at 6pm")
    assert said == ("I'll remind you every day at 18:00 when questions are due. "
                    "Say 'stop reminders' to turn it off."), said
    assert [c.args["user"] for c in fake.calls_to("users.info")] == [LEARNER]  # no tz: London

    day1 = (fake.clock.now().astimezone(LONDON) + timedelta(days=1)).date()
    checks_at(servers, fake, _at(day1, 18, 1))
    assert reminders(fake) == [], "a reminder came with nothing due"

    # Outside the reminder's hours, the learner meets a question and does not know it.
    checks_at(servers, fake, _at(day1, 21, 0))
    question = say(servers, fake, "1 question on the HEAT model")
    assert "Question 1 of 1" in question, question
    assert "Skipped. The answer" in say(servers, fake, "skip")
    progress = progress_of(servers)
    (card,) = progress.schedule(LEARNER)

    day2 = day1 + timedelta(days=1)
    checks_at(servers, fake, _at(day2, 17, 59))
    assert reminders(fake) == [], "a reminder came before its time"
    fake.clock.set(_at(day2, 18, 1))
    assert servers.wait_for(lambda: len(reminders(fake)) == 1, timeout=60), servers.logs()
    (dm,) = reminders(fake)
    assert dm.token == TOKEN
    assert dm.args["text"] == "1 question is due for review. Press 'Start review' to go through it now."
    assert [c.args["users"] for c in fake.calls_to("conversations.open")] == [LEARNER]
    (button,) = [e for b in dm.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["text"]["text"] == "Start review"
    checks_at(servers, fake, _at(day2, 18, 40))
    assert len(reminders(fake)) == 1, "more than one reminder in a day"

    # "Start review": a quiz of exactly the question due.
    review = press(servers, fake, button)
    state = progress.load(LEARNER).state
    assert state is not None and [q["id"] for q in state["questions"]] == [card]
    assert [d.question_ids[0] for d in progress.due(LEARNER, fake.clock.now())] == [card]
    assert "Quiz: 1 question on what is due for review" in review, review
    prompt = state["questions"][0]["prompt"]
    assert _plain(prompt) in _plain(review), review
    assert "Skipped. The answer" in say(servers, fake, "skip")

    # A restart of both servers keeps the reminder.
    servers.stop()
    servers.start()
    day3 = day2 + timedelta(days=1)
    fake.clock.set(_at(day3, 18, 1))
    assert servers.wait_for(lambda: len(reminders(fake)) == 2, timeout=120), servers.logs()

    assert say(servers, fake, "stop reminders").startswith("Reminders are off")
    checks_at(servers, fake, _at(day3 + timedelta(days=1), 18, 1))
    assert len(reminders(fake)) == 2, "a reminder came after 'stop reminders'"


def _plain(text: str) -> str:
    """Text as Slack shows it, without its escapes and with spaces evened out."""
    return re.sub(r"\s+", " ", text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")).strip()


@pytest.mark.parametrize(("said", "wanted"), [
    ("stop the reminders please", "stop"), ("i don't want any more reminders", "stop"),
    ("switch off my daily reminder", "stop"), ("remind me to study at 8pm", "set"),
    ("can you send me a reminder at 17:00?", "set"), ("remind me every weekday at 6", "set"),
    ("can you remind me what the A in HEAT is?", None), ("remind me of the LAST steps", None),
    ("stop", None), ("Thank", None),
])
def test_a_reminder_request_is_read_from_its_words(said: str, wanted: str | None) -> None:
    assert reminder_request(said) == wanted
