"""Labelled learner answers (``tests/data/grading_*.yml``) and the grader's agreement with them,
shared by ``scripts/eval_grading.py`` and the tests.

Each case names a question generated from the catalogue (kind + name [+ prompt piece]) and a
label: correct (full marks), partial (some credit) or incorrect (none). The grader agrees when
correct <-> verdict.correct, partial <-> 0 < score < 1, incorrect <-> score == 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .grading import Verdict, grade
from .questions import Question
from .selection import QuestionBank


@dataclass(frozen=True)
class Disagreement:
    """A case the grader marks otherwise than its label."""

    case: dict[str, Any]
    question: Question
    verdict: Verdict


def load_cases(path: Path) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]


def find(bank: QuestionBank, case: dict[str, Any]) -> Question:
    """The one question a case refers to by kind, name and optional prompt piece."""
    found = [
        q
        for q in bank.questions
        if q.kind == case["kind"]
        and q.subject.lower() == str(case["name"]).lower()
        and str(case.get("prompt", "")).lower() in q.prompt.lower()
    ]
    if len(found) != 1:
        raise ValueError(f"case {case} matches {len(found)} questions; add or fix its 'prompt'")
    return found[0]


def predicted(verdict: Verdict) -> str:
    """The label a verdict amounts to."""
    if verdict.correct:
        return "correct"
    return "partial" if verdict.score > 0 else "incorrect"


def disagreements(bank: QuestionBank, cases: list[dict[str, Any]]) -> list[Disagreement]:
    """Every case the grader marks otherwise than its label."""
    out = []
    for case in cases:
        question = find(bank, case)
        verdict = grade(question, str(case["answer"]))
        if predicted(verdict) != case["label"]:
            out.append(Disagreement(case, question, verdict))
    return out
