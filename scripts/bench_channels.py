"""An oversized message on socket.io: how fast its reply comes, and how it slows other learners.

A learner on the chat page (Rasa's socket.io channel) sends a message of ``--size`` characters;
meanwhile other learners ask questions over REST, one after another. Prints the time to the
socket.io reply (or that none came), and the REST question turns' latency while it was handled,
against the same turns with nothing else going on. Against a running bot (``--url``, default
``make run``'s) or a private one (``--start``). Do not point it at a channel without the
screening (bot/channels/screening.py): there, 35,000 words grew Rasa to 19.8 GB until the kernel
killed it.
"""

from __future__ import annotations

import argparse
import queue
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import socketio
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from botclient import ROOT, Learner, add_target_options, rasa_url


def question_turns(url: str, client: httpx.Client, questions: list[str], turns: int) -> list[float]:
    """``turns`` question turns (ms), each by a new learner; a failed turn counts as infinite."""
    times: list[float] = []
    for n in range(turns):
        learner = Learner(url, client)
        started = time.perf_counter()
        try:
            learner.say(questions[n % len(questions)])
        except httpx.HTTPError as exc:
            print(f"a question turn failed after {time.perf_counter() - started:.0f} s: {exc!r}")
            times.append(float("inf"))
            continue
        times.append((time.perf_counter() - started) * 1000)
    return times


def oversized(size: int) -> str:
    """A message of ``size`` characters in words, as a pasted document would be (one 200,000-letter
    word is a single token, cheap for the model; 40,000 words are not)."""
    return ("what does the customer need from me today " * (size // 40 + 1))[:size]


def oversized_on_socketio(url: str, size: int, timeout: float) -> tuple[float | None, float]:
    """Send ``size`` characters as a socket.io learner; (reply seconds or None, seconds waited)."""
    replies: queue.Queue[dict] = queue.Queue()
    confirmed = threading.Event()
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", replies.put)
    client.on("session_confirm", lambda *_: confirmed.set())
    client.connect(url, socketio_path="/socket.io", wait_timeout=30)
    session = uuid.uuid4().hex
    client.emit("session_request", {"session_id": session})
    if not confirmed.wait(30):
        raise RuntimeError("no session_confirm from the socket.io channel")
    started = time.perf_counter()
    client.emit("user_uttered", {"message": oversized(size), "session_id": session})
    try:
        replies.get(timeout=timeout)
        seconds = time.perf_counter() - started
        return seconds, seconds
    except queue.Empty:
        return None, time.perf_counter() - started
    finally:
        client.disconnect()


def describe(name: str, times: list[float]) -> None:
    failed = sum(t == float("inf") for t in times)
    times = sorted(t for t in times if t != float("inf"))
    if not times:
        print(f"{name:<34} no turn answered ({failed} failed)")
        return
    print(f"{name:<34} median {statistics.median(times):7.0f} ms   max {times[-1]:7.0f} ms   "
          f"({len(times)} turns, {failed} failed)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_target_options(parser)
    parser.add_argument("--size", type=int, default=200_000, help="Characters in the message.")
    parser.add_argument("--turns", type=int, default=20, help="Quiet question turns timed first.")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="Seconds to wait for the oversized message's reply.")
    args = parser.parse_args()
    questions = [c["q"] for c in yaml.safe_load(
        (ROOT.parent / "shared" / "eval" / "qa.yml").read_text(encoding="utf-8"))]
    with rasa_url(args) as url, httpx.Client(timeout=120) as client:
        question_turns(url, client, questions, 5)  # warm up
        quiet = question_turns(url, client, questions, args.turns)
        result: dict[str, tuple[float | None, float]] = {}
        sender = threading.Thread(
            target=lambda: result.setdefault("big", oversized_on_socketio(url, args.size, args.timeout)))
        started = time.monotonic()
        sender.start()
        # Other learners go on asking until the big message is answered (or given up on), and for
        # at least two seconds.
        busy: list[float] = []
        while sender.is_alive() or time.monotonic() < started + 2.0:
            busy += question_turns(url, client, questions, 1)
        sender.join()
    reply, waited = result["big"]
    print(f"{args.size:,}-character socket.io message: "
          + (f"answered in {reply * 1000:.0f} ms" if reply is not None
             else f"no reply within {waited:.0f} s"))
    describe("REST question turn, quiet", quiet)
    describe("REST question turn, meanwhile", busy)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
