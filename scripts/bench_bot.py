"""Latency of a question turn and a greeting turn over REST: median, p95 and their ratio; and how a
turn's cost grows in one long conversation: turns 1-20 against turns 281-300 of one learner's
300 questions, the same 20 questions in both (``scripts/profile_long_conversation.py`` shows
where the time goes)."""

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


def long_conversation(url: str, client: httpx.Client, questions: list[str], turns: int,
                      window: int) -> tuple[list[float], list[float]]:
    """Milliseconds of the first and the last ``window`` turns of one learner's ``turns``
    questions, which repeat ``window`` questions so both windows ask the same ones."""
    asked = questions[:window]
    warm = Learner(url, client)
    for question in asked:  # the engine's caches warm for both windows alike
        warm.say(question)
    learner = Learner(url, client)
    times = []
    for n in range(turns):
        started = time.perf_counter()
        learner.say(asked[n % len(asked)])
        times.append((time.perf_counter() - started) * 1000)
    return times[:window], times[-window:]


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
    parser.add_argument("--long", type=int, default=300,
                        help="Turns of the long conversation (0: skip it).")
    parser.add_argument("--window", type=int, default=20,
                        help="Turns compared at its start and its end.")
    parser.add_argument("--long-runs", type=int, default=3,
                        help="Long conversations played; the ratio reported is their median.")
    args = parser.parse_args()
    questions = [c["q"] for c in yaml.safe_load(
        (ROOT.parent / "shared" / "eval" / "qa.yml").read_text(encoding="utf-8"))]
    with rasa_url(args) as url, httpx.Client(timeout=60) as client:
        timed(url, client, questions, len(questions), args.per_learner)  # warm up
        greet, ask = timed(url, client, questions, args.turns, args.per_learner)
        runs = [long_conversation(url, client, questions, args.long, args.window)
                for _ in range(args.long_runs if args.long else 0)]
    greeting = describe("greeting turn", greet)
    question = describe("question turn", ask)
    print(f"question / greeting (median): {question / greeting:.2f}x")
    if runs:
        describe(f"turns 1-{args.window}", sorted(t for early, _ in runs for t in early))
        describe(f"turns {args.long - args.window + 1}-{args.long}",
                 sorted(t for _, late in runs for t in late))
        ratios = [statistics.median(late) / statistics.median(early) for early, late in runs]
        print(f"long conversation, turn {args.long} / turn 1 (medians of {args.window} turns): "
              f"{statistics.median(ratios):.2f}x, the median of "
              f"{', '.join(f'{r:.2f}x' for r in ratios)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
