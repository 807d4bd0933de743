"""What the progress database holds about learners, for tutors: every learner's attempts and
contested verdicts (reports), and one learner's rows to export or delete.

Reads and deletes through :mod:`.tables`; :mod:`.progress` is left as it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .progress import Progress
from .tables import Attempt, Override, QuizState, ReviewCard, utc
from .turns import forget_read

TABLES = (Attempt, ReviewCard, QuizState, Override)


def attempt_rows(progress: Progress, since: datetime | None = None) -> list[tuple[Any, ...]]:
    """Every attempt as (learner, question_id, kind, topic, subject, score, correct, answered_at)."""
    query = select(Attempt.learner, Attempt.question_id, Attempt.kind, Attempt.topic, Attempt.subject,
                   Attempt.score, Attempt.correct, Attempt.answered_at)
    if since is not None:
        query = query.where(Attempt.answered_at >= utc(since))
    with progress.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def override_rows(progress: Progress, since: datetime | None = None) -> list[tuple[Any, ...]]:
    """Every contested verdict as (learner, question_id, subject, prompt, answer, original_score, at)."""
    query = select(Override.learner, Override.question_id, Override.subject, Override.prompt, Override.answer,
                   Override.original_score, Override.created_at)
    if since is not None:
        query = query.where(Override.created_at >= utc(since))
    with progress.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def learner_progress(progress: Progress, learner: str) -> dict[str, list[dict[str, Any]]]:
    """Every row the progress database keeps about ``learner``, table by table, JSON-ready."""
    out: dict[str, list[dict[str, Any]]] = {}
    with Session(progress.engine) as session:
        for table in TABLES:
            rows = session.scalars(select(table).where(table.learner == learner)).all()
            out[table.__tablename__] = [_plain(row) for row in rows]
    return out


def delete_learner(progress: Progress, learner: str) -> dict[str, int]:
    """Delete every row about ``learner`` in one transaction; returns rows deleted per table."""
    counts: dict[str, int] = {}
    with Session(progress.engine) as session, session.begin():
        for table in TABLES:
            counts[table.__tablename__] = session.execute(
                delete(table).where(table.learner == learner)).rowcount or 0
    forget_read(progress, learner)  # the quiz state this request read is gone
    return counts


def _plain(row: Any) -> dict[str, Any]:
    values = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        values[column.key] = utc(value).isoformat() if isinstance(value, datetime) else value
    return values
