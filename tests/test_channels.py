"""The one screening and each channel's escaping, end to end on the real Rasa server.

REST and socket.io here (Slack in tests/test_slack.py, whose fixture switches Slack on). The
socket.io client is python-socketio's, speaking to Rasa's channel as the chat page does: a
``session_request``, then ``user_uttered`` messages, with replies as ``bot_uttered`` events.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import socketio

from actions.knowledge.catalogue import build_catalogue
from actions.knowledge.validate import load_corpus

from .servers import TutorServers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OVERSIZED = 200_000
OVERSIZED_TEXT = ("what does the customer need from me today " * 5000)[:OVERSIZED]  # ~35,000 words
UNSAFE = "[your notes](javascript:alert(document.cookie)) <img src=x onerror=alert(1)>"


class Page:
    """One learner on the chat page: a socket.io session with Rasa's socketio channel."""

    def __init__(self, rasa_url: str) -> None:
        self.session_id = uuid.uuid4().hex
        self.replies: queue.Queue[dict[str, Any]] = queue.Queue()
        confirmed = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.replies.put)
        self.client.on("session_confirm", lambda *_: confirmed.set())
        self.client.connect(rasa_url, socketio_path="/socket.io", wait_timeout=30)
        self.client.emit("session_request", {"session_id": self.session_id})
        assert confirmed.wait(30), "no session_confirm from Rasa's socket.io channel"

    def say(self, text: str) -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})

    def reply(self, timeout: float = 120.0) -> dict[str, Any]:
        """The next bot message (raises queue.Empty after ``timeout`` seconds)."""
        return self.replies.get(timeout=timeout)

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def page(servers: TutorServers) -> Iterator[Page]:
    learner = Page(servers.rasa_url)
    try:
        yield learner
    finally:
        learner.close()


def heat_steps(servers: TutorServers) -> tuple[str, ...]:
    corpus = load_corpus([servers.knowledge_dir])
    return next(m for m in build_catalogue(corpus.documents).models if m.name == "HEAT").steps


def user_texts(servers: TutorServers, sender: str) -> list[str]:
    return [e["text"] for e in servers.tracker(sender)["events"] if e["event"] == "user"]


def test_rest_answers_an_oversized_message_without_nlu(servers: TutorServers) -> None:
    sender = f"big-{uuid.uuid4().hex[:8]}"
    replies = servers.say(sender, OVERSIZED_TEXT, timeout=30)
    assert len(replies) == 1 and f"{OVERSIZED} characters" in replies[0]["text"], replies
    assert user_texts(servers, sender) == []


def test_socketio_answers_an_oversized_message_and_other_learners_are_not_held_up(
    servers: TutorServers, page: Page
) -> None:
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    steps = heat_steps(servers)
    rest_reply: dict[str, Any] = {}

    def other_learner() -> None:
        started = time.perf_counter()
        rest_reply["replies"] = servers.say(sender, "What are the steps of the HEAT model?")
        rest_reply["seconds"] = time.perf_counter() - started

    started = time.perf_counter()
    page.say(OVERSIZED_TEXT)
    other = threading.Thread(target=other_learner)
    other.start()
    notice = page.reply(timeout=60)
    notice_seconds = time.perf_counter() - started
    other.join(timeout=120)

    assert f"{OVERSIZED} characters" in notice["text"], notice
    assert user_texts(servers, page.session_id) == [], "the oversized message reached Rasa"
    answer = "\n".join(r.get("text", "") for r in rest_reply["replies"])
    assert all(step.lower() in answer.lower() for step in steps), answer
    print(f"\n200,000-character socket.io message answered in {notice_seconds * 1000:.0f} ms; "
          f"a concurrent REST question took {rest_reply['seconds'] * 1000:.0f} ms")


def test_socketio_screens_like_rest(servers: TutorServers, page: Page) -> None:
    page.say("<b>What are the steps of the HEAT model?</b>\x00")
    answer = page.reply()["text"]
    while True:  # a reply may be several messages
        try:
            answer += "\n" + page.reply(timeout=3)["text"]
        except queue.Empty:
            break
    assert all(step.lower() in answer.lower() for step in heat_steps(servers)), answer
    assert user_texts(servers, page.session_id) == ["What are the steps of the HEAT model?"]

    page.say("<script>alert(1)</script>")
    assert "plain text" in page.reply()["text"]
    assert len(user_texts(servers, page.session_id)) == 1


def test_socketio_replies_carry_no_unsafe_link_or_html(servers: TutorServers, page: Page) -> None:
    # What the tutor says to a learner through the API (as a tutor or a reminder would) goes out
    # through the same output channel as its answers.
    page.say("hello")
    page.reply()
    bot = {"event": "bot", "text": f"You wrote: {UNSAFE}"}
    resp = httpx.post(f"{servers.rasa_url}/conversations/{page.session_id}/tracker/events",
                      params={**servers.api_params, "execute_side_effects": "true",
                              "output_channel": "socketio"},
                      json=bot, timeout=30)
    assert resp.status_code == 200, resp.text
    deadline = time.monotonic() + 30
    while (shown := page.reply(timeout=max(0.1, deadline - time.monotonic()))["text"]) and (
        "You wrote" not in shown
    ):
        pass
    assert "javascript" not in shown.lower() and "<" not in shown, shown
    assert "your notes" in shown and "&lt;img" in shown, shown  # the words stay, as text
