"""Latency of a question turn and a greeting turn over REST: median, p95 and their ratio."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from botclient import ROOT, Learner, add_target_options, rasa_url

GREETINGS = ["hi", "hello", "good morning", "hey there", "hiya"]


def timed(url: str, client: httpx.Client, questions: list[str], turns: int,
          per_learner: int) -> tuple[list[float], list[float]]:
    """Alternate greeting and question turns in conversations of ``per_learner`` turns each, as
    learners' conversations are: one endless conversation would time the tracker store's growth."""
    greet, ask = [], []
    learner = Learner(url, client)
    for n in range(turns):
        if n % (per_learner // 2) == 0:
            learner = Learner(url, client)
        for message, out in ((GREETINGS[n % len(GREETINGS)], greet),
                             (questions[n % len(questions)], ask)):
            started = time.perf_counter()
            learner.say(message)
            out.append((time.perf_counter() - started) * 1000)
    return sorted(greet), sorted(ask)


def describe(name: str, times: list[float]) -> float:
    median = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"{name:<16} median {median:7.1f} ms   p95 {p95:7.1f} ms   ({len(times)} turns)")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_target_options(parser)
    parser.add_argument("--turns", type=int, default=60, help="Timed turns of each kind.")
    parser.add_argument("--per-learner", type=int, default=10,
                        help="Turns in one learner's conversation before a new learner starts.")
    args = parser.parse_args()
    questions = [c["q"] for c in yaml.safe_load(
        (ROOT.parent / "shared" / "eval" / "qa.yml").read_text(encoding="utf-8"))]
    with rasa_url(args) as url, httpx.Client(timeout=60) as client:
        timed(url, client, questions, len(questions), args.per_learner)  # warm up
        greet, ask = timed(url, client, questions, args.turns, args.per_learner)
    greeting = describe("greeting turn", greet)
    question = describe("question turn", ask)
    print(f"question / greeting (median): {question / greeting:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
