"""Typed quiz answers over REST: are they judged fairly, whatever NLU makes of them?

Plays quizzes on every question family against a running bot (``make run``) and answers each
question the way a learner types: the answer's words in lower case, the right option's letter,
"I think it's ...", yes or no on a true/false question, another option, or chat that answers
nothing ("ok", "thanks", "no idea"). An answer is judged fairly when a right answer gets "Correct"
and a wrong one or a non-answer gets "Not quite", "Partly" or a hint, and never a chitchat reply.

Usage: .venv/bin/python scripts/eval_typed_answers.py [--url URL | --start] [--verbose]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

import httpx

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from botclient import ROOT, Learner, add_target_options, rasa_url

sys.path.insert(0, str(ROOT))
from actions.quiz.questions import Kind, Question
from actions.quiz.selection import QuestionBank

REQUESTS = ["6 questions on the models", "6 questions on legislation",
            "6 questions on misconceptions", "6 questions on abbreviations"]
CHAT = ["ok", "thanks", "no idea", "hello", "bye"]
WRONG = ("Not quite", "Partly", "Hint", "Skipped")


def asked(bank: QuestionBank, text: str) -> Question | None:
    found = [(text.rfind(q.prompt), q) for q in bank.questions if q.prompt in text]
    return max(found, key=lambda pair: pair[0])[1] if found else None


def typed(question: Question, n: int) -> tuple[str, bool, str]:
    """The n-th way of answering ``question``: (text, is it right, style)."""
    right = question.answer_text if question.steps else question.answers[0]
    styles: list[tuple[str, bool, str]] = [(right.lower(), True, "words, lower case"),
                                           (f"I think it's {right}", True, "with a lead-in")]
    if question.kind is Kind.TRUE_FALSE:
        truth = question.answers[0].lower() == "true"
        styles = [("yes" if truth else "no", True, "yes/no"),
                  ("no" if truth else "yes", False, "yes/no, wrong")]
    elif (right_options := [i for i, o in enumerate(question.options) if o in question.answers]):
        styles.append(("ABCD"[right_options[0]].lower(), True, "letter"))
        wrong = next(o for o in question.options if o not in question.answers)
        styles.append((wrong, False, "another option"))
    styles.append((CHAT[n % len(CHAT)], False, "chat"))
    return styles[n % len(styles)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_target_options(parser)
    parser.add_argument("--rounds", type=int, default=3, help="quizzes per question family")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    bank = QuestionBank.from_folders([ROOT / "knowledge"])
    fair, total, by_style = 0, 0, Counter()
    n = 0
    with rasa_url(args) as url, httpx.Client(timeout=120) as client:
        for request in REQUESTS * args.rounds:
            learner = Learner(url, client)
            reply = learner.reply_text(request)
            while (question := asked(bank, reply)) is not None:
                text, right, style = typed(question, n)
                n += 1
                reply = learner.reply_text(text)
                ok = reply.startswith("Correct") if right else reply.startswith(WRONG)
                fair += ok
                total += 1
                by_style[(style, ok)] += 1
                if args.verbose and not ok:
                    print(f"  unfair: {question.prompt[:70]!r} <- {text!r}: {reply[:100]!r}")
                if reply.startswith("Hint"):
                    reply = learner.reply_text("skip")
    print(f"typed quiz answers judged fairly: {fair}/{total}"
          f" ({100 * fair / max(total, 1):.0f}%)")
    styles = sorted({s for s, _ in by_style})
    print("  by style: " + ", ".join(
        f"{s} {by_style[(s, True)]}/{by_style[(s, True)] + by_style[(s, False)]}" for s in styles))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
