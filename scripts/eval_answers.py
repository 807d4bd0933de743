"""The tutor's answers at engine level (no Rasa): questions and multi-turn follow-ups.

Runs the questions of ``../shared/eval/qa.yml`` and ``tests/data/qa_heldout*.yml`` through
``Tutor.respond``, and plays the scenarios of ``../shared/eval/scenarios.yml`` and
``tests/data/scenarios_heldout*.yml`` turn by turn, carrying the conversation's ``Context`` (scenarios
that take a quiz need the bot: ``make eval-bot`` plays them). A reply counts when it holds every
expected group and is not the "couldn't find anything" reply (which lists the models and laws, so
it would match by accident). Beside each question set it prints the baseline the answer step must
beat: the two best passages of plain MiniLM retrieval (dense) and of the hybrid index, and the
mean length in words of the tutor's replies against the baseline's, so a long reply cannot pass
for a good one unnoticed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.answers.context import Context  # noqa: E402
from actions.answers.tutor import Tutor  # noqa: E402
from actions.knowledge.base import KnowledgeBase  # noqa: E402
from actions.knowledge.index import Mode  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
OWN = ROOT / "tests" / "data"
NOT_FOUND = "couldn't find anything"
_QUIZ = ("quiz", "test me", "questions on")
QUESTION_SETS = [
    (EVAL / "qa.yml", "development questions"),
    (OWN / "qa_heldout.yml", "held-out questions"),
    (OWN / "qa_heldout2.yml", "new held-out questions"),
]
SCENARIO_SETS = [
    (EVAL / "scenarios.yml", "development scenarios"),
    (OWN / "scenarios_heldout.yml", "held-out scenarios"),
    (OWN / "scenarios_heldout2.yml", "new held-out scenarios"),
]


def contains_all(text: str, groups: list[list[Any]]) -> bool:
    """True when every group has one of its alternatives in ``text`` (case-insensitive)."""
    low = text.lower()
    return all(any(str(alt).lower() in low for alt in group) for group in groups)


def answered(text: str, groups: list[list[Any]]) -> bool:
    """The reply holds the expected content and is not the polite "not found"."""
    return contains_all(text, groups) and NOT_FOUND not in text.lower()


def questions(tutor: Tutor, cases: list[dict], label: str, verbose: bool) -> None:
    good, words = 0, 0
    base = {Mode.DENSE: 0, Mode.HYBRID: 0}
    base_words = 0
    for case in cases:
        reply = tutor.respond(case["q"])
        ok = answered(reply.text, case["expect"])
        good += ok
        words += len(reply.text.split())
        for mode in base:
            top2 = " ".join(h.passage.text for h in tutor.kb.search(case["q"], k=2, mode=mode))
            base[mode] += contains_all(top2, case["expect"])
            base_words += len(top2.split()) if mode is Mode.DENSE else 0
        if verbose and not ok:
            print(f"  miss: {case['q']!r} -> {reply.text[:160]!r}")
    n = len(cases)
    print(f"{label}: {good}/{n} = {good / n:.0%} answered with the expected content "
          f"(mean {words / n:.0f} words); plain top-2 MiniLM retrieval {base[Mode.DENSE]}/{n} = "
          f"{base[Mode.DENSE] / n:.0%} (mean {base_words / n:.0f} words), top-2 hybrid "
          f"{base[Mode.HYBRID]}/{n}")


def scenarios(tutor: Tutor, cases: list[dict], label: str, verbose: bool) -> None:
    good = played = 0
    for case in cases:
        if any(any(q in t["say"].lower() for q in _QUIZ) for t in case["turns"]):
            continue
        played += 1
        context, failures = Context(), []
        for turn in case["turns"]:
            reply = tutor.respond(turn["say"], context)
            context = reply.context or context
            if "expect" in turn and not answered(reply.text, turn["expect"]):
                failures.append(f"{turn['say']!r} -> {reply.text[:160]!r}")
            low = reply.text.lower()
            failures += [f"{turn['say']!r} says {w!r}" for w in turn.get("forbid", []) if w.lower() in low]
        good += not failures
        if verbose and failures:
            print(f"  {case['name']}: " + "; ".join(failures))
    print(f"{label}: {good}/{played} passed (quiz scenarios left to make eval-bot)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--index", type=Path, help="Index folder to reuse (default: a fresh one).")
    parser.add_argument("--verbose", action="store_true", help="Print every miss.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(args.knowledge, args.index or Path(tmp))
        corpus, report = kb.rebuild()
        if report is None:
            print("\n".join(map(str, corpus.problems)))
            return 1
        tutor = Tutor(kb)
        tutor.respond("hello")  # load the models before timing anything
        started = time.perf_counter()
        load = lambda path: yaml.safe_load(path.read_text(encoding="utf-8"))  # noqa: E731
        for path, label in QUESTION_SETS:
            questions(tutor, load(path), label, args.verbose)
        for path, label in SCENARIO_SETS:
            scenarios(tutor, load(path), label, args.verbose)
        print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
