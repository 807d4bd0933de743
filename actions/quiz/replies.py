"""What a quiz says: a question with its options, the intro, the running tally, the summary with
what to revise next, and the reply when no quiz runs. Plain functions of the quiz state."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..answers.reply import Button, Reply
from .progress import Recommendation
from .questions import Question

_LETTERS = "ABCDEFGH"
CONTEST_TIP = "Think your answer should count? Say 'I was right'."


def ask(state: dict[str, Any], intro: str) -> Reply:
    """The question at the state's position, after ``intro``, with its options as buttons."""
    question = Question.from_dict(state["questions"][state["index"]])
    header = f"Question {state['index'] + 1} of {len(state['questions'])} ({question.topic})"
    lines = [line for line in (intro, header, question.prompt) if line]
    if question.lettered:
        lines.append("\n".join(f"{_LETTERS[i]}. {opt}" for i, opt in enumerate(question.options)))
    if question.steps:
        lines.append("Write the steps in order, one per line or separated by commas.")
    lines.append("(Say 'hint', 'skip' or 'stop' at any time.)")
    # No source yet: naming the section ("... Misconceptions ...") would give the answer away;
    # the verdict names it.
    return Reply("\n\n".join(lines), kind="quiz_question", buttons=option_buttons(question))


def intro(state: dict[str, Any]) -> str:
    """The line that opens a quiz: how many questions, on what."""
    n = len(state["questions"])
    return f"Quiz: {n} question{'s' if n != 1 else ''} on {state['label']}."


def summary(state: dict[str, Any], recommendations: Iterable[Recommendation]) -> Reply:
    """The score, then what to revise: what was missed today first, then the schedule's picks."""
    if state["scores"]:
        lines = [f"Quiz finished: {tally(state, finished=True)}"]
    else:
        lines = ["Quiz stopped before any answers."]
    asked = {q["id"]: Question.from_dict(q) for q in state["questions"]}
    missed = [asked[qid] for qid in state.get("missed", []) if qid in asked]
    advice: dict[str, str] = {}
    for q in missed:
        advice.setdefault(q.subject, f"- {q.subject}: you missed this today ({q.source})")
    for rec in recommendations:
        advice.setdefault(rec.subject, f"- {rec.subject}: {rec.reason} ({rec.topic})")
    if advice:
        lines.append("What to revise next:\n" + "\n".join(list(advice.values())[:4]))
    else:
        lines.append("Nothing to revise urgently. Well done!")
    buttons = [Button("Another quiz", "quiz me")]
    if missed:
        buttons.insert(0, Button(f"Quiz me on {missed[0].subject}", f"quiz me on {missed[0].subject}"))
    return Reply("\n\n".join(lines), kind="quiz_summary", buttons=buttons)


def tally(state: dict[str, Any], finished: bool = False) -> str:
    """The score so far ("2 out of 3 (67%)")."""
    scores = state["scores"]
    total, asked = sum(scores), len(scores)
    points = str(int(total)) if float(total).is_integer() else f"{total:.1f}"
    figure = f"{points} out of {asked} ({round(100 * total / asked)}%)"
    if finished:
        return f"{figure}."
    return f"Your quiz score is now {figure}." if state.get("done") else f"Score so far: {figure}."


def option_buttons(question: Question) -> list[Button]:
    """One quick reply per option; clicking sends the option text, which grades as that answer."""
    return [Button(option, option) for option in question.options]


def no_quiz() -> Reply:
    """The reply to a quiz command when no quiz runs."""
    return Reply(
        "There is no quiz in progress. Say 'quiz me' to start one.",
        kind="quiz_none",
        buttons=[Button("Quiz me", "quiz me")],
    )
