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


def timed(learner: Learner, messages: list[str], turns: int) -> list[float]:
    out = []
    for n in range(turns):
        started = time.perf_counter()
        learner.say(messages[n % len(messages)])
        out.append((time.perf_counter() - started) * 1000)
    return sorted(out)


def describe(name: str, times: list[float]) -> float:
    median = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"{name:<16} median {median:7.1f} ms   p95 {p95:7.1f} ms   ({len(times)} turns)")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_target_options(parser)
    parser.add_argument("--turns", type=int, default=60)
    args = parser.parse_args()
    questions = [c["q"] for c in yaml.safe_load(
        (ROOT.parent / "shared" / "eval" / "qa.yml").read_text(encoding="utf-8"))]
    with rasa_url(args) as url, httpx.Client(timeout=60) as client:
        learner = Learner(url, client)
        timed(learner, questions + GREETINGS, len(questions) + len(GREETINGS))  # warm up
        greeting = describe("greeting turn", timed(learner, GREETINGS, args.turns))
        question = describe("question turn", timed(learner, questions, args.turns))
    print(f"question / greeting (median): {question / greeting:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
