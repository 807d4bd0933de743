"""The tutors' report: what learners asked that the documents could not answer, the misconceptions
they voiced, how each quiz question fares, what the course covers, and how learners are doing.

Inputs are the message log (:mod:`actions.logbook`), the progress database (attempts and contested
verdicts) and the catalogue and question bank of the documents; the result is plain JSON-ready
data, which :mod:`.html` draws.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..knowledge.model import Catalogue
from ..learners.requests import KINDS as LEARNER_DATA_KINDS
from ..logbook import Logbook
from ..logbook.turns import NOT_ASKING as LOGGED_NOT_ASKING
from ..logbook.turns import unpack
from ..quiz.learner_data import attempt_rows, override_rows
from ..quiz.progress import Progress
from ..quiz.selection import QuestionBank
from .clusters import group_messages
from .coverage import coverage_section
from .quizstats import quiz_section

# the rest are questions answered from the documents (a learner's data requests are not)
NOT_ASKING = LOGGED_NOT_ASKING | {"not_found"} | LEARNER_DATA_KINDS
MASTERED = 0.8  # a learner's mean score on a topic from which it counts as mastered
MIN_FOR_MASTERY = 3  # answers on a topic before mastery is judged


@dataclass
class ReportInputs:
    """Where a report reads from."""

    logbook: Logbook
    progress: Progress
    catalogue: Catalogue
    encoder: Any  # encode(texts) -> unit vectors (MiniLM, through the report's cache)


def build_report(inputs: ReportInputs, since: datetime | None = None) -> dict[str, Any]:
    """The report as JSON-ready data (with how long each part took, under ``timings``)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    inputs.logbook.prune()
    rows = inputs.logbook.rows(since)
    attempts = attempt_rows(inputs.progress, since)
    overrides = override_rows(inputs.progress, since)
    bank = QuestionBank(inputs.catalogue)
    seed = getattr(inputs.encoder, "seed", None)
    if seed is not None:  # vectors logged with the messages: nothing to embed again
        for r in rows:
            if r[9]:
                vector = unpack(r[9])
                seed(r[2], vector)
                seed(r[2].strip(), vector)
    lap("read")

    unanswered = [(r[0], r[2]) for r in rows if r[3] == "not_found"]
    groups = group_messages(unanswered, inputs.encoder)
    lap("unanswered")

    misconceptions = _misconceptions(rows, inputs.catalogue)
    answers = [(r[5], r[6], bool(r[7])) for r in rows if r[5]]
    quiz = quiz_section(attempts, answers, overrides, bank.by_id)
    lap("quiz")

    asked = [(r[2], tuple(json.loads(r[8] or "[]"))) for r in rows if r[3] not in NOT_ASKING]
    coverage = coverage_section(inputs.catalogue, bank.questions, asked, inputs.encoder)
    lap("coverage")

    learners = _learners(rows, attempts, inputs.logbook)
    lap("learners")
    return {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "since": since.isoformat() if since else None,
        "totals": {"messages": len(rows), "unanswered": len(unanswered),
                   "corrections": sum(m["count"] for m in misconceptions), "quiz_attempts": len(attempts),
                   "contested": len(overrides), "learners": learners["active"]},
        "unanswered": [g.to_dict() for g in groups],
        "misconceptions": misconceptions,
        "quiz": quiz,
        "coverage": coverage,
        "learners": learners,
        "timings": timings,
    }


def _misconceptions(rows: list[tuple[Any, ...]], catalogue: Catalogue) -> list[dict[str, Any]]:
    by_key = {f"{m.source.doc}:{m.source.line}": m for m in catalogue.misconceptions}
    counts: Counter[str] = Counter()
    learners: dict[str, set[str]] = defaultdict(set)
    example: dict[str, str] = {}
    for r in rows:
        if r[3] == "correction" and r[4]:
            counts[r[4]] += 1
            learners[r[4]].add(r[0])
            example.setdefault(r[4], r[2])
    out = []
    for key, count in counts.most_common():
        m = by_key.get(key)
        doc = key.rsplit(":", 1)[0]
        out.append({"key": key, "count": count, "learners": len(learners[key]), "doc": doc,
                    "topic": catalogue.topic_of(doc), "belief": m.belief if m else None,
                    "text": m.text if m else None, "example": example[key],
                    "note": None if m else "no longer in the documents"})
    return out


def _learners(rows: list[tuple[Any, ...]], attempts: list[tuple[Any, ...]],
              logbook: Logbook) -> dict[str, Any]:
    """Active learners (in the log or the quiz, counted once through the pseudonym) and mastery per topic."""
    active = {r[0] for r in rows}
    quiz_learners = {a[0] for a in attempts}
    active |= {logbook.pseudonym(learner) for learner in quiz_learners}
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for learner, _qid, _kind, topic, _subject, score, _correct, _at in attempts:
        per[topic][learner].append(float(score))
    topics = []
    for topic, by_learner in sorted(per.items()):
        judged = {who: sum(s) / len(s) for who, s in by_learner.items() if len(s) >= MIN_FOR_MASTERY}
        mastered = sum(1 for m in judged.values() if m >= MASTERED)
        means = [sum(s) / len(s) for s in by_learner.values()]
        topics.append({
            "topic": topic, "learners": len(by_learner), "attempts": sum(len(s) for s in by_learner.values()),
            "mean_score": round(sum(means) / len(means), 3),
            "judged": len(judged),
            "mastered": mastered,
            "mastery": round(mastered / len(judged), 3) if judged else None,
        })
    days: Counter[str] = Counter(r[1].date().isoformat() if hasattr(r[1], "date") else str(r[1])[:10]
                                 for r in rows)
    return {"active": len(active), "quizzing": len(quiz_learners), "topics": topics,
            "messages_per_day": dict(sorted(days.items()))}
