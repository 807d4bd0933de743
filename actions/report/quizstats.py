"""Quiz question statistics, as Moodle's quiz statistics report them: attempts, facility index
(the share answered correctly), the commonest wrong answers, contested verdicts, and flags for
questions that look wrong or too easy."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from .clusters import normalise

MIN_ATTEMPTS = 10  # a question is only flagged on this many attempts or more
TOO_EASY = 0.95  # Moodle calls a facility index above 95% "extremely easy"
SUSPECT = 0.20  # below 20% ("very difficult" or worse) most learners miss it: check the question
CONTESTED = 0.25  # a quarter of the wrong verdicts contested: the grading may be wrong


def quiz_section(attempts: list[tuple[Any, ...]], answers: list[tuple[str, str, bool]],
                 overrides: list[tuple[Any, ...]], bank: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per question answered.

    ``attempts``: (learner, question_id, kind, topic, subject, score, correct, at) from the progress
    database; ``answers``: (question_id, answer, correct) from the log; ``overrides``: (learner,
    question_id, subject, prompt, answer, original_score, at); ``bank``: question id -> Question.
    """
    tally: dict[str, dict[str, Any]] = {}
    learners: dict[str, set[str]] = defaultdict(set)
    for learner, qid, kind, topic, subject, score, correct, _at in attempts:
        row = tally.setdefault(qid, {"question_id": qid, "kind": kind, "topic": topic, "subject": subject,
                                     "attempts": 0, "correct": 0, "score": 0.0})
        row["attempts"] += 1
        row["correct"] += bool(correct)
        row["score"] += float(score)
        learners[qid].add(learner)
    wrong: dict[str, Counter[str]] = defaultdict(Counter)
    wording: dict[tuple[str, str], str] = {}
    for qid, answer, correct in answers:
        if qid and answer and not correct:
            key = normalise(answer)
            wrong[qid][key] += 1
            wording.setdefault((qid, key), answer.strip())
    contested: dict[str, list[str]] = defaultdict(list)
    for override in overrides:  # (learner, question_id, subject, prompt, answer, original_score, at)
        contested[override[1]].append(override[4])
    rows = []
    for qid, row in tally.items():
        n = row["attempts"]
        question = bank.get(qid)
        facility = row["correct"] / n
        # the verdicts learners contested were re-marked correct: count them as the original wrong
        missed = n - row["correct"] + len(contested[qid])
        flags = []
        if n >= MIN_ATTEMPTS and facility >= TOO_EASY:
            flags.append(f"too easy: {facility:.0%} answer it correctly")
        if n >= MIN_ATTEMPTS and facility < SUSPECT:
            flags.append(f"looks wrong or unclear: only {facility:.0%} answer it correctly")
        if contested[qid] and (len(contested[qid]) >= 3 or len(contested[qid]) / max(missed, 1) >= CONTESTED):
            flags.append(f"grading disputed: {len(contested[qid])} of {missed} wrong verdicts contested")
        if question is None:
            flags.append("no longer in the question bank")
        rows.append({
            **row,
            "score": round(row["score"] / n, 3),
            "facility": round(facility, 3),
            "learners": len(learners[qid]),
            "prompt": question.prompt if question else None,
            "answer": question.answer_text if question else None,
            "source": question.source if question else None,
            "wrong_answers": [{"answer": wording[(qid, key)], "count": count}
                              for key, count in wrong[qid].most_common(3)],
            "contested": len(contested[qid]),
            "contested_answers": list(dict.fromkeys(contested[qid]))[:5],
            "flags": flags,
        })
    return sorted(rows, key=lambda r: (not r["flags"], r["facility"], -r["attempts"]))
