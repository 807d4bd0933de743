"""Slack, end to end: signed Events API requests to the real Rasa server, replies to a fake Slack.

The session's Rasa server (tests/servers.py) is restarted once with Slack switched on
(SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET) and its Web API pointed at :class:`FakeSlack`
(SLACK_API_URL), so Rasa's own Slack connector (bot/channels/slack.py) does all the work. Last, it
is restarted with its event memory in the real Redis (TUTOR_REDIS_URL) beside a second Rasa server
doing the same, as ``make cluster`` runs them: an event delivered to both is handled once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import json
import os
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import redis

from actions.knowledge.catalogue import build_catalogue
from actions.knowledge.validate import load_corpus

from .fake_slack import FakeSlack
from .servers import ROOT, TutorServers, free_port, run

pytestmark = pytest.mark.e2e

TOKEN = "xoxb-test-0000-not-a-real-token"
SECRET = "test-signing-secret"
BOT_USER = "UTUTORBOT"
REDIS_URL = "redis://127.0.0.1:6379/0"
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def slack(servers: TutorServers) -> Iterator[tuple[TutorServers, FakeSlack]]:
    """The session's servers with Slack on, talking to a fake Slack Web API."""
    with FakeSlack() as fake:
        slack_env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.url}
        servers.env.update(slack_env)
        try:
            servers.restart_rasa()
            yield servers, fake
        finally:
            for name in slack_env:  # later restarts start without Slack
                servers.env.pop(name, None)


def heat_steps() -> tuple[str, ...]:
    corpus = load_corpus([ROOT / "knowledge"])
    return next(m for m in build_catalogue(corpus.documents).models if m.name == "HEAT").steps


def event(text: str, user: str, channel: str, *, mention: bool = False, thread_ts: str | None = None) -> dict:
    """An Events API ``event_callback`` as Slack sends it: a direct message or an app mention."""
    n = next(_ids)
    ts = f"{int(time.time())}.{n:06d}"
    inner: dict[str, Any] = {"user": user, "channel": channel, "ts": ts, "event_ts": ts, "team": "TTEST"}
    if mention:
        inner.update(type="app_mention", text=f"<@{BOT_USER}> {text}")
    else:
        inner.update(type="message", channel_type="im", text=text)
    if thread_ts:
        inner["thread_ts"] = thread_ts
    return {
        "token": "verification-token-unused",
        "team_id": "TTEST",
        "api_app_id": "ATEST",
        "type": "event_callback",
        "event_id": f"Ev{n:08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "TTEST", "user_id": BOT_USER, "is_bot": True}],
        "event": inner,
    }


def post(
    servers: TutorServers,
    payload: dict,
    *,
    secret: str = SECRET,
    age: float = 0.0,
    signature: str | None = None,
    headers: dict[str, str] | None = None,
    rasa_url: str | None = None,
) -> httpx.Response:
    """POST ``payload`` to the Slack webhook (of ``rasa_url``, else the session's Rasa server),
    signed as Slack signs it (v0, HMAC-SHA256)."""
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time() - age))
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    sent = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature if signature is not None else f"v0={digest.hexdigest()}",
        **(headers or {}),
    }
    url = rasa_url or servers.rasa_url
    return httpx.post(f"{url}/webhooks/slack/webhook", content=body, headers=sent, timeout=30)


def texts(calls: list) -> str:
    return "\n".join(c.args.get("text", "") for c in calls)


@pytest.mark.skipif("SLACK_BOT_TOKEN" in os.environ, reason="Slack is configured in this shell")
def test_slack_is_off_until_its_secrets_are_set(servers: TutorServers) -> None:
    # Runs before the `slack` fixture restarts Rasa with the secrets (tests run in file order).
    payload = event("hi", "ULEARNER0", "DLEARNER0")
    resp = post(servers, payload)
    assert resp.status_code == 503, resp.text


def test_url_verification_challenge_is_answered(slack) -> None:
    servers, _ = slack
    resp = post(servers, {"type": "url_verification", "challenge": "abc123", "token": "x"})
    assert resp.status_code == 200, resp.text
    assert resp.json() == "abc123"


def test_direct_message_is_answered_from_the_course_notes(slack) -> None:
    servers, fake = slack
    resp = post(servers, event("What are the steps of the HEAT model?", "ULEARNER1", "DLEARNER1"))
    assert resp.status_code == 200, resp.text

    posts = fake.wait_for_posts("DLEARNER1")
    answer = texts(posts)
    for step in heat_steps():
        assert step.lower() in answer.lower(), f"{step!r} missing from {answer!r}"
    assert all(c.token == TOKEN for c in posts)
    assert all("thread_ts" not in c.args for c in posts), "a top-level message is answered in place"
    logs = "".join(p.read_text(errors="replace") for p in servers.opts.logs.glob("*.log"))
    assert TOKEN not in logs and SECRET not in logs, "a Slack secret was logged"


def test_mention_in_a_thread_is_answered_in_that_thread(slack) -> None:
    servers, fake = slack
    parent = f"{int(time.time()) - 60}.000001"
    payload = event(
        "What are the steps of the HEAT model?", "ULEARNER2", "CCLASS", mention=True, thread_ts=parent
    )
    assert post(servers, payload).status_code == 200

    posts = fake.wait_for_posts("CCLASS")
    assert {c.args.get("thread_ts") for c in posts} == {parent}
    assert "hear" in texts(posts).lower()


@pytest.mark.parametrize(
    ("case", "kwargs"),
    [
        ("wrong secret", {"secret": "not-the-secret"}),
        ("no signature", {"signature": ""}),
        ("garbled signature", {"signature": "v0=" + "0" * 64}),
        ("stale (6 minutes old)", {"age": 6 * 60}),
    ],
)
def test_unsigned_forged_or_stale_requests_are_refused(slack, case: str, kwargs: dict) -> None:
    servers, fake = slack
    channel = f"DFORGED{next(_ids)}"
    resp = post(servers, event("What are the steps of the HEAT model?", "UMALLORY", channel), **kwargs)
    assert resp.status_code == 400, f"{case}: {resp.status_code} {resp.text}"
    time.sleep(3)
    assert fake.posts_to(channel) == [], f"{case}: the bot answered a refused request"


def test_a_retry_of_a_handled_event_is_not_answered_twice(slack) -> None:
    servers, fake = slack
    payload = event("What are the steps of the HEAT model?", "ULEARNER3", "DLEARNER3")
    assert post(servers, payload).status_code == 200
    first = fake.wait_for_posts("DLEARNER3")

    retry = post(servers, payload, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    assert retry.status_code == 200
    time.sleep(5)
    assert len(fake.posts_to("DLEARNER3")) == len(first), "the retried event was answered again"


def test_each_learner_has_their_own_conversation(slack) -> None:
    servers, fake = slack
    assert post(servers, event("quiz me", "ULEARNER4", "DLEARNER4")).status_code == 200
    fake.wait_for_posts("DLEARNER4")
    assert post(servers, event("hi", "ULEARNER5", "DLEARNER5")).status_code == 200
    fake.wait_for_posts("DLEARNER5")

    trackers = {user: servers.tracker(user) for user in ("ULEARNER4", "ULEARNER5")}
    said = {
        user: [e["text"] for e in tracker["events"] if e["event"] == "user"]
        for user, tracker in trackers.items()
    }
    assert said == {"ULEARNER4": ["quiz me"], "ULEARNER5": ["hi"]}
    assert all(
        e.get("input_channel") == "slack"
        for t in trackers.values()
        for e in t["events"]
        if e["event"] == "user"
    )


def test_a_button_click_is_answered(slack) -> None:
    servers, fake = slack
    assert post(servers, event("hi", "ULEARNER6", "DLEARNER6")).status_code == 200
    greeting = fake.wait_for_posts("DLEARNER6")
    buttons = [
        element
        for call in greeting
        for block in call.args.get("blocks", [])
        if block.get("type") == "actions"
        for element in block["elements"]
    ]
    topics = next(b for b in buttons if b["text"]["text"] == "What topics are there?")

    # Slack sends a click form-encoded, as `payload=<json>` (a block_actions interaction).
    click = {
        "type": "block_actions",
        "user": {"id": "ULEARNER6", "team_id": "TTEST"},
        "team": {"id": "TTEST"},
        "channel": {"id": "DLEARNER6", "name": "directmessage"},
        "container": {"type": "message", "channel_id": "DLEARNER6", "message_ts": "1.000001"},
        "message": {"type": "message", "user": BOT_USER, "ts": "1.000001", "text": greeting[0].args["text"]},
        "actions": [{"type": "button", "action_id": "a", "block_id": "b", "value": topics["value"],
                     "text": topics["text"], "action_ts": str(time.time())}],
    }  # fmt: skip
    body = urlencode({"payload": json.dumps(click)}).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    resp = httpx.post(
        f"{servers.rasa_url}/webhooks/slack/webhook",
        content=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={digest}",
        },
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    answer = fake.wait_for_posts("DLEARNER6", count=len(greeting) + 1)[len(greeting) :]
    assert "topic" in texts(answer).lower(), texts(answer)


def test_an_oversized_message_gets_the_screening_notice_without_nlu(slack) -> None:
    servers, fake = slack
    pasted = ("what does the customer need " * 8000)[:200_000]  # ~35,000 words
    assert post(servers, event(pasted, "ULEARNER7", "DLEARNER7")).status_code == 200
    notice = texts(fake.wait_for_posts("DLEARNER7"))
    assert "200000 characters" in notice, notice
    assert [e for e in servers.tracker("ULEARNER7")["events"] if e["event"] == "user"] == []


def test_slack_formatting_is_read_as_typed_and_screened(slack) -> None:
    servers, fake = slack
    # Slack escapes what the learner typed (&lt; &gt; &amp;) and writes mentions as <!here>.
    typed = "&lt;b&gt;What are the steps of the HEAT model?&lt;/b&gt; <!here>"
    assert post(servers, event(typed, "ULEARNER8", "DLEARNER8")).status_code == 200
    answer = texts(fake.wait_for_posts("DLEARNER8"))
    assert all(step.lower() in answer.lower() for step in heat_steps()), answer
    said = [e["text"] for e in servers.tracker("ULEARNER8")["events"] if e["event"] == "user"]
    assert said == ["What are the steps of the HEAT model? @here"]


def test_nothing_the_tutor_posts_can_ping_a_channel_or_a_person(slack) -> None:
    servers, fake = slack
    # What the tutor says through the API (as a tutor or a reminder would) goes out through the
    # same output channel as its answers: quoted learner text must not become <!channel> or <@U...>.
    quoted = "You wrote: <!channel> <!here> <!everyone> <@U0ADMIN> <https://evil.example|notes> & more"
    resp = httpx.post(
        f"{servers.rasa_url}/conversations/ULEARNER9/tracker/events",
        params={**servers.api_params, "execute_side_effects": "true", "output_channel": "slack"},
        json={"event": "bot", "text": quoted}, timeout=30,
    )
    assert resp.status_code == 200, resp.text
    posted = texts(fake.wait_for_posts("ULEARNER9"))
    assert "<" not in posted and ">" not in posted, posted
    assert "&lt;!channel&gt;" in posted and "&lt;@U0ADMIN&gt;" in posted and "&amp; more" in posted


@pytest.fixture(scope="module")
def two_servers(slack) -> Iterator[tuple[TutorServers, FakeSlack, str, redis.Redis]]:
    """The session's Rasa server restarted with Slack's event memory in Redis, and a second Rasa
    server beside it (same action server, tracker store, Slack and Redis); yields the second's URL
    and a client of that Redis. Redis being down fails the test."""
    servers, fake = slack
    store = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        store.ping()
    except redis.RedisError as error:
        pytest.fail(f"no Redis server answered at {REDIS_URL}: {error}")
    servers.env["TUTOR_REDIS_URL"] = REDIS_URL
    second = None
    try:
        servers.restart_rasa()
        opts = dataclasses.replace(servers.opts, rasa_port=free_port())
        second = run.Child(run.rasa_server(opts), run.child_env(opts), opts.logs / "rasa-server-second.log")
        run.wait_ready([second], timeout=300)
        yield servers, fake, opts.rasa_url, store
    finally:
        servers.env.pop("TUTOR_REDIS_URL", None)
        if second is not None:
            second.stop()
        store.close()


def test_an_event_delivered_to_two_rasa_servers_is_handled_once(two_servers) -> None:
    servers, fake, second_url, store = two_servers
    payload = event("What are the steps of the HEAT model?", "ULEARNER10", "DLEARNER10")
    payload["event_id"] = f"Ev{uuid.uuid4().hex[:12]}"  # unique across runs: Redis keeps ids 15 min
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    with ThreadPoolExecutor(4) as pool:  # at once to both servers, and a retry to each
        sent = [pool.submit(post, servers, payload, rasa_url=url, headers=headers)
                for url in (servers.rasa_url, second_url) for headers in (None, retry)]
        responses = [future.result() for future in sent]
    assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
    refused = [r for r in responses if r.headers.get("X-Slack-No-Retry") == "1"]
    assert len(refused) == 3, "exactly one delivery is handled, the other three are known repeats"

    answer = texts(fake.wait_for_posts("DLEARNER10"))
    assert all(step.lower() in answer.lower() for step in heat_steps()), answer
    assert servers.wait_for(lambda: any(e["event"] == "bot" for e in servers.tracker("ULEARNER10")["events"]))
    said = [e["text"] for e in servers.tracker("ULEARNER10")["events"] if e["event"] == "user"]
    assert said == ["What are the steps of the HEAT model?"]
    key = f"tutor:slack:event:{payload['event_id']}"
    assert store.get(key) == b"1" and 0 < store.ttl(key) <= 15 * 60
