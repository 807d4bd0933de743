"""Agreement between the quiz grader and examiner labels on realistic learner answers.

Usage: .venv/bin/python scripts/eval_grading.py [tests/data/grading_cases.yml] [--knowledge knowledge]

Each case names a question generated from the real catalogue (kind + name [+ prompt piece]) and a
label: correct (full marks), partial (some credit) or incorrect (none). The grader agrees when
correct <-> verdict.correct, partial <-> 0 < score < 1, incorrect <-> score == 0.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.quiz.grading import Verdict, grade  # noqa: E402
from actions.quiz.questions import Question  # noqa: E402
from actions.quiz.selection import QuestionBank  # noqa: E402

GOAL = 0.97


def find(bank: QuestionBank, case: dict) -> Question:
    """The one question a case refers to by kind, name and optional prompt piece."""
    found = [
        q
        for q in bank.questions
        if q.kind == case["kind"]
        and q.subject.lower() == str(case["name"]).lower()
        and str(case.get("prompt", "")).lower() in q.prompt.lower()
    ]
    if len(found) != 1:
        raise SystemExit(f"case {case} matches {len(found)} questions; add or fix its 'prompt'")
    return found[0]


def predicted(verdict: Verdict) -> str:
    if verdict.correct:
        return "correct"
    return "partial" if verdict.score > 0 else "incorrect"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=Path, default=ROOT / "tests/data/grading_cases.yml")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    args = parser.parse_args()

    bank = QuestionBank.from_folders([args.knowledge])
    cases = yaml.safe_load(args.cases.read_text(encoding="utf-8"))["cases"]
    labels = Counter(case["label"] for case in cases)
    disagreements = []
    for case in cases:
        question = find(bank, case)
        verdict = grade(question, str(case["answer"]))
        if predicted(verdict) != case["label"]:
            disagreements.append((case, question, verdict))

    agreed = len(cases) - len(disagreements)
    rate = agreed / len(cases)
    print(f"cases: {len(cases)} ({', '.join(f'{k} {v}' for k, v in sorted(labels.items()))})")
    print(f"agreement: {agreed}/{len(cases)} = {rate:.1%} (goal {GOAL:.0%})")
    for case, question, verdict in disagreements:
        print(
            f"- [{case['kind']} {case['name']}] {question.prompt.splitlines()[0]!r}\n"
            f"  answer {case['answer']!r}: label {case['label']}, grader {predicted(verdict)} "
            f"(score {verdict.score}) - {verdict.feedback.splitlines()[0]}"
        )
    return 0 if rate >= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
