"""Labelled learner answers (``tests/data/grading_*.yml``) and the grader's agreement with them,
shared by ``scripts/eval_grading.py`` and the tests; and labelled quiz turns
(``grading_turns*.yml``): whole messages played through :meth:`QuizDesk.take`.

Each case names a question generated from the catalogue (kind + name [+ prompt piece]) and a
label: correct (full marks), partial (some credit) or incorrect (none). The grader agrees when
correct <-> verdict.correct, partial <-> 0 < score < 1, incorrect <-> score == 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .desk import QuizDesk
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
    """The cases of one labelled file."""
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


def play_turn(desk: QuizDesk, learner: str, question: Question, message: str, intent: str = "") -> str:
    """What the desk does with ``message`` sent while ``question`` waits (a turn case's ``expect``):
    correct, partial, incorrect, hint, skip, stop, repeat, ask, contest or start."""
    desk.progress.save_quiz(learner, {"questions": [question.to_dict()], "index": 0, "scores": [],
                                      "hinted": False, "label": "turns", "missed": [], "last": None})
    reply = desk.take(learner, message, intent)
    if reply is None or "this question is testing" in reply.text:
        return "ask"
    if reply.kind in ("quiz_hint", "quiz_contest"):
        return reply.kind.removeprefix("quiz_")
    if reply.kind == "quiz_question":
        return "start" if reply.text.startswith("Quiz:") else "repeat"
    for lead, outcome in (("Skipped.", "skip"), ("Quiz stopped", "stop"), ("Correct!", "correct"),
                          ("Partly right.", "partial"), ("Not quite.", "incorrect")):
        if reply.text.startswith(lead):
            return outcome
    return f"unexpected reply {reply.kind}: {reply.text[:60]!r}"


def turn_disagreements(desk: QuizDesk, cases: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """Every turn case the desk handles otherwise than expected, with what it did."""
    bank = desk.bank()
    out = []
    for number, case in enumerate(cases):
        question = find(bank, case)
        did = play_turn(desk, f"turn-{number}", question, str(case["message"]), case.get("intent", ""))
        if did != case["expect"]:
            out.append((case, did))
    return out
