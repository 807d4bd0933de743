"""Locust: learners revising over the REST channel, each through one scripted 12-turn conversation.

A learner greets the tutor, asks about a model and a law with a follow-up to each, compares two
models, takes a short quiz answered by typing (an option's words or its letter, read from the
reply it was shown), and asks how they are doing; then it stops. The wording varies from learner
to learner. Between turns a learner reads the reply and types: ``THINK`` seconds (2-6 by
default, ``TUTOR_LOAD_THINK=0`` for none). ``TUTOR_LOAD_TURNS`` plays only the first turns.
With ``--rounds R`` each of the ``--users`` learners is followed by R - 1 more in its place (a new
sender, the next script), so that all of them are at work for most of the run: each turn's record
carries its place (``slot``), from which ``bench_load.py`` finds the span when every place was busy.

Every message the tutor acknowledged (HTTP 200) is kept in :data:`ACKNOWLEDGED` as
``(sender, text)``, so the caller can check that each tracker holds each exactly once.

``make bench-load`` (``scripts/bench_load.py``) runs it as a script, through Locust's Python API
(``python scripts/locustfile.py --host URL --users 50``): every learner plays its conversation
once, then one JSON line reports each turn's time, the failures and the acknowledged messages.
Locust's own runner works too:
``locust -f scripts/locustfile.py --host http://localhost:5005 --headless -u 50 -r 10``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import gevent
from locust import FastHttpUser, between, constant, events, task
from locust.env import Environment
from locust.exception import StopUser

WEBHOOK = "/webhooks/rest/webhook"
TURNS = 12


def think_time(spec: str) -> Callable[[Any], float]:
    """A Locust wait time from ``"2-6"`` (uniform seconds) or ``"0"`` (none)."""
    low, _, high = spec.partition("-")
    return between(float(low), float(high)) if high else constant(float(low))


THINK = os.environ.get("TUTOR_LOAD_THINK", "2-6")
PLAYED = int(os.environ.get("TUTOR_LOAD_TURNS", TURNS))
ACKNOWLEDGED: list[tuple[str, str]] = []  # (sender, text) of every message answered with HTTP 200

# What learners say, varied per learner (the n-th learner takes the n-th of each list, cycling).
GREETINGS = ["hi", "hello there", "good evening", "hey, I have an exam tomorrow", "hiya"]
MODEL_QUESTIONS = [
    ("what does HEAT stand for?", "HEAT"),
    ("explain the LATER model", "LATER"),
    ("what are the steps of STAR?", "STAR"),
    ("what does LAST stand for?", "LAST"),
    ("what is the SMART model?", "SMART"),
]
MODEL_FOLLOW_UPS = ["what's step 3?", "why does it matter?", "tell me about the second one",
                    "where is it in my notes?", "and what's the first step?"]
LAW_QUESTIONS = ["which law covers customer data?", "what is the Equality Act?",
                 "what does the Consumer Rights Act 2015 say?", "what is GDPR?",
                 "what does the Data Protection Act 2018 cover?"]
LAW_FOLLOW_UPS = ["when was it passed?", "where is it in my notes?", "why does it matter?",
                  "who does it protect?", "what do examiners look for on it?"]
COMPARISONS = ["compare STAR and SMART", "how is GDPR different from the Equality Act?",
               "compare HEAT and LAST", "what's the difference between LATER and HEAT?",
               "compare the Consumer Rights Act and the Equality Act"]
QUIZ_REQUESTS = ["quiz me on {model}", "give me 3 questions on {model}", "quiz me on {model} please",
                 "test me on {model}", "can you quiz me on {model}?"]
ASIDES = ["what do examiners look for in feedback?", "exam tips for topic 2",
          "what should I avoid when handling a complaint?", "what is first contact resolution?",
          "what topics are there?"]
CLOSINGS = ["how am I doing?", "what should I revise?", "how did I do?", "show my progress",
            "how am I doing so far?"]
_LEARNERS = itertools.count()
_SLOTS = itertools.count()


def script(n: int) -> Iterator[tuple[str, str]]:
    """The n-th learner's conversation: ``(kind, text)`` per turn. Quiz answers are read from the
    reply before them, which the caller sends in (``generator.send(reply_text, buttons)``)."""
    pick = lambda options: options[n % len(options)]  # noqa: E731
    question, model = pick(MODEL_QUESTIONS)
    yield "greeting", pick(GREETINGS)
    yield "question", question
    yield "follow-up", pick(MODEL_FOLLOW_UPS)
    yield "question", pick(LAW_QUESTIONS)
    yield "follow-up", pick(LAW_FOLLOW_UPS)
    yield "question", pick(COMPARISONS)
    shown = yield "quiz", pick(QUIZ_REQUESTS).format(model=model)
    for k in range(4):
        in_quiz = shown is not None and re.search(r"Question \d+ of \d+", shown[0])
        shown = yield ("answer", typed_answer(shown, n + k)) if in_quiz else ("question", pick(ASIDES))
    yield "progress", pick(CLOSINGS)


def typed_answer(shown: tuple[str, list[str]] | None, n: int) -> str:
    """What a learner types for the question just shown: an option's words, or its letter, or
    (a question without options) a guess from its wording."""
    text, options = shown or ("", [])
    if options:
        choice = n % len(options)
        return options[choice] if n % 2 == 0 else f"it's {'abcdefgh'[choice]}"
    if re.search(r"\btrue or false\b", text, re.I):
        return "true" if n % 2 == 0 else "false"
    return ["I think it's about listening to the customer", "no idea", "hear, empathise, apologise",
            "skip"][n % 4]


class Learner(FastHttpUser):
    """One learner: a fresh sender id, one scripted conversation, then stop. (FastHttpUser: its
    geventhttpclient costs a fraction of requests' CPU, which the servers on these 2 cores need.)"""

    network_timeout = connection_timeout = 300.0

    wait_time = think_time(THINK)
    turns = PLAYED
    learners: int | None = None  # how many places in all (run() sets it); None: no limit
    rounds = 1  # learners played one after another in each place

    def on_start(self) -> None:
        self.slot = next(_SLOTS)
        if self.learners is not None and self.slot >= self.learners:
            # Locust tops the count up while it is still spawning if early learners have finished
            raise StopUser()

    def context(self) -> dict[str, Any]:
        return {"slot": self.slot}

    @task
    def conversations(self) -> None:
        for _ in range(self.rounds):
            self.conversation()
        raise StopUser()

    def conversation(self) -> None:
        """A new learner (sender id) plays its scripted conversation."""
        self.n = next(_LEARNERS)
        self.sender = f"load-{self.n:03d}-{uuid.uuid4().hex[:10]}"
        steps = script(self.n)
        shown: tuple[str, list[str]] | None = None
        kind, text = next(steps)
        for turn in range(self.turns):
            if turn:
                self.wait()
            shown = self.say(kind, text)
            try:
                kind, text = steps.send(shown)
            except StopIteration:
                break

    def say(self, kind: str, text: str) -> tuple[str, list[str]] | None:
        """Send one message; the reply's text and its buttons' titles (None if it failed)."""
        with self.client.post(WEBHOOK, json={"sender": self.sender, "message": text}, name=kind,
                              catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return None
            ACKNOWLEDGED.append((self.sender, text))
            try:
                replies = response.json()
            except ValueError:
                response.failure(f"not JSON: {response.text[:200]}")
                return None
            said = "\n".join(r.get("text") or "" for r in replies if isinstance(r, dict))
            if not said.strip():
                response.failure("no reply")
                return None
            buttons = [b.get("title", "") for r in replies if isinstance(r, dict)
                       for b in r.get("buttons") or [] if "quiz_answer" in b.get("payload", "")]
            return said, buttons


Turn = dict[str, Any]


def run(host: str, users: int, spawn_rate: float, think: str, turns: int,
        timeout: float, rounds: int = 1) -> dict[str, Any]:
    """Play ``users`` learners at once against ``host`` through Locust, each conversation once,
    each followed by ``rounds - 1`` more in its place."""
    Learner.wait_time = think_time(think)
    Learner.turns = turns
    Learner.learners = users
    Learner.rounds = rounds
    env = Environment(user_classes=[Learner], host=host, events=events)
    done: list[Turn] = []

    def on_request(request_type: str, name: str, response_time: float, exception: Exception | None,
                   context: dict[str, Any] | None = None, **_: Any) -> None:
        done.append({"kind": name, "ms": response_time, "end": time.time(),
                     "slot": (context or {}).get("slot"),
                     "error": None if exception is None else str(exception)[:200]})

    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    started = time.time()
    runner.start(users, spawn_rate=spawn_rate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        gevent.sleep(0.25)
        spawning = runner.spawning_greenlet is not None and not runner.spawning_greenlet.dead
        if not spawning and runner.user_count == 0:
            break
    timed_out = runner.user_count > 0
    runner.quit()
    env.events.request.remove_listener(on_request)
    return {"host": host, "users": users, "think": think, "turns": turns, "rounds": rounds,
            "started": started,
            "timed_out": timed_out, "requests": done,
            "acknowledged": [list(pair) for pair in ACKNOWLEDGED]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Play scripted learners; print one JSON line.")
    parser.add_argument("--host", required=True, help="the Rasa server or balancer, http://...")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--think", default=THINK, help="seconds between turns: '2-6' or '0'")
    parser.add_argument("--turns", type=int, default=PLAYED, help=f"turns per learner (<= {TURNS})")
    parser.add_argument("--rounds", type=int, default=1,
                        help="learners played one after another in each place (1)")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args(argv)
    result = run(args.host.rstrip("/"), args.users, args.spawn_rate, args.think, args.turns,
                 args.timeout, max(1, args.rounds))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
