"""Agreement between the quiz grader and examiner labels on realistic learner answers.

Usage: .venv/bin/python scripts/eval_grading.py [CASES.yml ...] [--knowledge knowledge] [-v]

With no files it measures every labelled file: tests/data/grading_cases.yml (tuned on), then the
held-out ones (tests/data/grading_heldout*.yml), and prints each file's figure (see
actions/quiz/labels.py for the schema). Exit 1 when a held-out file is under the goal.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.quiz.labels import disagreements, load_cases, predicted  # noqa: E402
from actions.quiz.selection import QuestionBank  # noqa: E402

GOAL = 0.97
DATA = ROOT / "tests/data"


def measure(bank: QuestionBank, path: Path, verbose: bool) -> float:
    """Print one file's agreement (and, verbose, its disagreements) and return the rate."""
    cases = load_cases(path)
    labels = Counter(case["label"] for case in cases)
    missed = disagreements(bank, cases)
    agreed = len(cases) - len(missed)
    rate = agreed / len(cases)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(labels.items()))
    print(f"{path.name}: {agreed}/{len(cases)} = {rate:.1%} agreement ({counts})")
    for item in missed if verbose else ():
        case, verdict = item.case, item.verdict
        print(
            f"  - [{case['kind']} {case['name']}] {item.question.prompt.splitlines()[0]!r}\n"
            f"    answer {case['answer']!r}: label {case['label']}, grader {predicted(verdict)} "
            f"(score {verdict.score}) - {verdict.feedback.splitlines()[0]}"
        )
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", type=Path)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every disagreement")
    args = parser.parse_args()

    files = args.cases or [DATA / "grading_cases.yml", *sorted(DATA.glob("grading_heldout*.yml"))]
    bank = QuestionBank.from_folders([args.knowledge])
    print(f"goal: {GOAL:.0%} agreement on held-out labels")
    rates = {path: measure(bank, path, args.verbose) for path in files}
    held_out = [rate for path, rate in rates.items() if "heldout" in path.name] or list(rates.values())
    return 0 if min(held_out) >= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
