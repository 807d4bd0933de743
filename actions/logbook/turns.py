"""From a tutor's reply to a :class:`TurnInfo`: what the turn was about, and for a quiz answer, which
question it answered, the answer and the verdict (read from the learner's quiz state)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from .store import TurnInfo

QUIZ_ANSWER_KINDS = frozenset({"quiz_verdict", "quiz_summary", "quiz_contest"})
QUIZ_KINDS = QUIZ_ANSWER_KINDS | {"quiz_hint", "quiz_question", "quiz_none"}
# Replies that answer no question of the learner's own: their messages are not embedded.
NOT_ASKING = QUIZ_KINDS | {"progress", "revision", "capabilities", "topics", "unknown"}
_LETTER = re.compile(r"^\s*(?:it'?s\s+|answer\s+)?\(?([a-h])\)?[.!]?\s*$", re.I)


class QuizStates(Protocol):
    """Anything that returns a learner's stored quiz (the progress database does)."""

    def load_quiz(self, learner: str) -> dict[str, Any] | None: ...


def turn_info(learner: str, text: str, intent: str, reply: Any, quiz: QuizStates | None = None,
              embed: Callable[[str], np.ndarray] | None = None) -> TurnInfo:
    """What to log of the turn that ``reply`` answered. ``quiz``, when given, is read for the
    question a quiz verdict marked (only for quiz replies). ``embed``, when given, is the tutor's
    ``kb.embed``: the message's vector is kept (for a question; the answer engine embedded the
    same text this turn, so it comes from its cache) and reports need not embed it again."""
    context = getattr(reply, "context", None)
    kind = str(getattr(reply, "kind", "") or "unknown")
    misconception = getattr(context, "misconception", None) if kind == "correction" else None
    names = ("model", "law", "abbreviation", "topic")
    subjects = tuple(v for v in (getattr(context, n, None) for n in names) if v)
    info: dict[str, Any] = {}
    if quiz is not None and kind in QUIZ_ANSWER_KINDS:
        info = last_answer(quiz.load_quiz(learner))
    if embed is not None and kind not in NOT_ASKING and text and not text.startswith("/"):
        info["vector"] = pack(embed(text))
    return TurnInfo(learner=learner, text=text, kind=kind, intent=intent or "", misconception=misconception,
                    subjects=subjects, sources=tuple(getattr(reply, "sources", ()) or ()), **info)


def pack(vector: np.ndarray) -> bytes:
    """A unit vector as the log keeps it: float16 (768 bytes for MiniLM)."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def unpack(data: bytes) -> np.ndarray:
    """The vector :func:`pack` stored, as float32 and of unit length again."""
    vector = np.frombuffer(data, dtype=np.float16).astype(np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def last_answer(state: dict[str, Any] | None) -> dict[str, Any]:
    """The question, answer, verdict and attempt id of a quiz state's last marked answer."""
    last = (state or {}).get("last")
    if not last or last.get("skipped"):
        return {}
    try:
        question = state["questions"][last["question"]]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return {}
    answer = str(last.get("answer") or "")
    letter = _LETTER.match(answer)
    options = question.get("options") or ()
    if letter and len(options) > 2:  # "b" or "it's B": the option's words
        position = ord(letter.group(1).lower()) - ord("a")
        if position < len(options):
            answer = options[position]
    return {"question_id": question.get("id"), "answer": answer, "correct": bool(last.get("correct")),
            "attempt_id": (last.get("marked") or {}).get("attempt")}
