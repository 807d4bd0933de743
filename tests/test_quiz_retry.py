"""A quiz turn run twice gives the first verdict and is recorded once, over the real servers.

The case: the action server records an answer, then Rasa dies before it saves the conversation. The
learner's message is handled again (a restarted or second Rasa server, from the conversation as it
was stored), so the action server is asked the same turn a second time. The ``quiz_asked`` slot
holds the question the learner was shown, so the second run replays the first verdict instead of
grading the same words against the next question.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from actions.quiz.progress import Progress

from .servers import TutorServers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _text(messages: list[dict[str, Any]]) -> str:
    return " ".join(" ".join((m.get("text") or "").split()) for m in messages)


def run_turn_again(servers: TutorServers, tracker: dict[str, Any], text: str) -> dict[str, Any]:
    """Ask the action server for the quiz form's turn on ``text``, as Rasa asks it, from
    ``tracker`` (the conversation as stored before the turn)."""
    body = {
        "next_action": "validate_quiz_form",
        "sender_id": tracker["sender_id"],
        "version": "3.6.21",
        "tracker": {
            "sender_id": tracker["sender_id"],
            "slots": {**tracker["slots"], "quiz_answer": text, "requested_slot": "quiz_answer"},
            "latest_message": {"text": text, "intent": {"name": "quiz_answer", "confidence": 1.0},
                               "entities": []},
            "events": [], "paused": False, "followup_action": None, "latest_event_time": None,
            "active_loop": {"name": "quiz_form"}, "latest_action_name": "action_listen",
        },
        "domain": {"intents": [], "entities": [], "slots": {}, "responses": {}, "actions": [],
                   "forms": {}},
    }
    resp = httpx.post(f"{servers.action_url}/webhook", json=body, timeout=60,
                      headers={"Authorization": f"Bearer {servers.action_token}"})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_a_quiz_turn_run_twice_gets_the_first_verdict_and_one_attempt(servers: TutorServers) -> None:
    learner = f"retry-{uuid.uuid4().hex[:8]}"
    started = servers.say(learner, "quiz me")
    assert "Question 1 of" in _text(started), _text(started)
    before = servers.tracker(learner)
    assert before["slots"].get("quiz_asked"), "the quiz's start keeps the question asked in a slot"

    options = [b["title"] for m in started for b in m.get("buttons", [])]
    answer = options[-1] if options else "bananas and custard"  # graded, wrong
    first = _text(servers.say(learner, answer))
    assert first.startswith(("Correct", "Not quite", "Partly")), first
    assert servers.tracker(learner)["slots"]["quiz_asked"] != before["slots"]["quiz_asked"]

    again = run_turn_again(servers, before, answer)
    assert _text(again["responses"]) == first, "the turn run again gives the first verdict"
    slots = {e["name"]: e["value"] for e in again["events"] if e["event"] == "slot"}
    assert slots["quiz_asked"] == servers.tracker(learner)["slots"]["quiz_asked"]

    progress = Progress(f"sqlite:///{servers.workdir / 'state' / 'progress.db'}")
    assert progress.summary(learner).overall.attempts == 1
