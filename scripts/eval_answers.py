"""The tutor's answers at engine level (no Rasa): questions and multi-turn follow-ups.

Runs the questions of ``../shared/eval/qa.yml`` and ``tests/data/qa_heldout.yml`` through
``Tutor.respond``, and the scenarios of ``../shared/eval/scenarios.yml`` and
``tests/data/scenarios_heldout.yml`` with the conversation's context carried from turn to turn
(scenarios that take a quiz need the bot: ``make eval-bot`` plays them). Also prints the answers
of plain top-2 retrieval, the baseline the answer step must beat.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.answers.context import Context  # noqa: E402
from actions.answers.tutor import Tutor  # noqa: E402
from actions.knowledge.base import KnowledgeBase  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
OWN = ROOT / "tests" / "data"
NOT_FOUND = "couldn't find anything"
_QUIZ = ("quiz", "test me", "questions on")


def contains_all(text: str, groups: list[list[Any]]) -> bool:
    low = text.lower()
    return all(any(str(alt).lower() in low for alt in group) for group in groups)


def questions(tutor: Tutor, cases: list[dict], label: str, verbose: bool) -> None:
    good = baseline = 0
    for case in cases:
        reply = tutor.respond(case["q"])
        ok = contains_all(reply.text, case["expect"])
        good += ok
        top2 = " ".join(h.passage.text for h in tutor.kb.search(case["q"], k=2))
        baseline += contains_all(top2, case["expect"])
        if verbose and not ok:
            print(f"  miss: {case['q']!r} -> {reply.text[:150]!r}")
    print(f"{label}: {good}/{len(cases)} answered with the expected content "
          f"(plain top-2 retrieval: {baseline}/{len(cases)})")


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
            low = reply.text.lower()
            if "expect" in turn and (not contains_all(low, turn["expect"]) or NOT_FOUND in low):
                failures.append(f"{turn['say']!r} -> {reply.text[:150]!r}")
            failures += [f"{turn['say']!r} says {w!r}" for w in turn.get("forbid", []) if w.lower() in low]
        good += not failures
        if verbose and failures:
            print(f"  {case['name']}: " + "; ".join(failures))
    print(f"{label}: {good}/{played} passed (quiz scenarios left to make eval-bot)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--verbose", action="store_true", help="Print every miss.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(args.knowledge, Path(tmp))
        corpus, report = kb.rebuild()
        if report is None:
            print("\n".join(map(str, corpus.problems)))
            return 1
        tutor = Tutor(kb)
        load = lambda path: yaml.safe_load(path.read_text(encoding="utf-8"))  # noqa: E731
        questions(tutor, load(EVAL / "qa.yml"), "development questions", args.verbose)
        questions(tutor, load(OWN / "qa_heldout.yml"), "own held-out questions", args.verbose)
        scenarios(tutor, load(EVAL / "scenarios.yml"), "development scenarios", args.verbose)
        scenarios(tutor, load(OWN / "scenarios_heldout.yml"), "own held-out scenarios", args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
