"""Per-learner progress in a real database (SQLAlchemy 2): attempts, FSRS review cards, quiz state.

SQLite under ``.state/`` by default (``settings().progress_url``); any SQLAlchemy URL, such as
``postgresql+psycopg://user@host/db``, through ``TUTOR_DATABASE_URL``. Tables are created on first
use. One engine per URL for the whole process; a short session per call, so several action-server
workers can share a database. A quiz turn's writes go through :meth:`Progress.turn`: one
transaction, the quiz state locked and version-checked, each answer recorded once (see
:mod:`actions.quiz.turns`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fsrs import Card, Rating, Scheduler
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from .grading import Verdict
from .questions import Question
from .tables import (
    Attempt,
    Override,
    ReviewCard,
    autocommit,
    dispose_engines,
    engine_for,
    ensure_tables,
    writer,
)
from .tables import utc as _utc
from .turns import Marked, QuizStates, QuizTurn

__all__ = ["Marked", "OverrideRecord", "Progress", "Recommendation", "Score", "Summary", "dispose_engines"]


@dataclass(frozen=True)
class Score:
    """Attempts, fully correct answers and the mean score of a group of attempts."""

    attempts: int
    correct: int
    mean: float


@dataclass(frozen=True)
class Summary:
    """A learner's results overall, by topic and by model/law/abbreviation."""

    learner: str
    overall: Score
    by_topic: dict[str, Score] = field(default_factory=dict)
    by_subject: dict[str, Score] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
    """Something to revise next, and why."""

    subject: str
    topic: str
    reason: str
    question_ids: tuple[str, ...]
    due: datetime | None = None


@dataclass(frozen=True)
class OverrideRecord:
    """A contested verdict, as tutors see it."""

    learner: str
    question_id: str
    subject: str
    prompt: str
    answer: str
    original_score: float
    at: datetime


def rating_for(verdict: Verdict, hinted: bool = False) -> Rating:
    """Wrong -> Again (back soon), partial or hinted -> Hard, right -> Good."""
    if verdict.score < 0.5:
        return Rating.Again
    if not verdict.correct or hinted:
        return Rating.Hard
    return Rating.Good


class Progress(QuizStates):
    """Attempts, review schedule and quiz state for every learner, in one database."""

    def __init__(self, url: str | None = None, schema: str | None = None) -> None:
        if url is None:
            from ..config import settings

            url = settings().progress_url
        self.url = url
        self.schema = schema
        engine = engine_for(url)
        self.engine = engine.execution_options(schema_translate_map={None: schema}) if schema else engine
        self.reads = autocommit(self.engine)
        self._sessions = sessionmaker(self.reads, expire_on_commit=False)
        self._writes = sessionmaker(writer(self.engine), expire_on_commit=False)
        self.scheduler = Scheduler(enable_fuzzing=False)
        ensure_tables(self.engine, (url, schema))

    def _session(self) -> Session:
        return self._sessions()

    # ---- attempts and schedule -------------------------------------------------------------

    def record(
        self,
        learner: str,
        question: Question,
        verdict: Verdict,
        now: datetime | None = None,
        hinted: bool = False,
    ) -> datetime:
        """Store a graded attempt and reschedule the question; returns when it is next due."""
        return self.mark(learner, question, verdict, now, hinted).due

    def mark(
        self,
        learner: str,
        question: Question,
        verdict: Verdict,
        now: datetime | None = None,
        hinted: bool = False,
    ) -> Marked:
        """Store a graded attempt and reschedule the question; returns what a contest would undo."""
        for attempt in range(3):
            try:
                with self._writes() as session, session.begin():
                    return self.mark_in(session, learner, question, verdict, now, hinted)
            except IntegrityError:  # another worker created the same card first: read it and retry
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def mark_in(
        self,
        session: Session,
        learner: str,
        question: Question,
        verdict: Verdict,
        now: datetime | None = None,
        hinted: bool = False,
        **turn: Any,
    ) -> Marked:
        """:meth:`mark` inside ``session``'s transaction; ``turn`` holds the quiz's keys of the
        attempt (``quiz_id``, ``position``) and what was said (``answer``, ``feedback``)."""
        moment = _utc(now)
        rating = rating_for(verdict, hinted)
        row_attempt = Attempt(
            learner=learner,
            question_id=question.id,
            kind=question.kind.value,
            topic=question.topic,
            subject=question.subject,
            score=verdict.score,
            correct=verdict.correct,
            answered_at=moment,
            **turn,
        )
        session.add(row_attempt)
        row = self._card_row(session, learner, question)
        before = row.card if row.card else None
        card = Card.from_json(before) if before else Card()
        card, _log = self.scheduler.review_card(card, rating, review_datetime=moment)
        row.card, row.due, row.last_score = card.to_json(), _utc(card.due), verdict.score
        row.reviews = (row.reviews or 0) + 1
        row.lapses = (row.lapses or 0) + (rating is Rating.Again)
        session.flush()
        return Marked(_utc(card.due), row_attempt.id, before, moment)

    def _card_row(self, session: Session, learner: str, question: Question) -> ReviewCard:
        """The learner's card for ``question``, locked for update; a new one (not yet reviewed) if none."""
        row = session.scalars(
            select(ReviewCard)
            .where(ReviewCard.learner == learner, ReviewCard.question_id == question.id)
            .with_for_update()
        ).first()
        if row is None:
            row = ReviewCard(learner=learner, question_id=question.id, card="", reviews=0, lapses=0)
            session.add(row)
        row.kind, row.topic, row.subject = question.kind.value, question.topic, question.subject
        return row

    def override(
        self,
        learner: str,
        question: Question,
        answer: str,
        marked: Marked,
        hinted: bool = False,
        now: datetime | None = None,
    ) -> None:
        """Re-mark a contested attempt correct: its score, and the FSRS card reviewed again from
        where it was before that answer; then record the override for tutors to see. An attempt
        already overridden is left as it is."""
        with self._writes() as session, session.begin():
            QuizTurn(self, session, learner, None).override(question, answer, marked, hinted, now)

    def override_in(
        self,
        session: Session,
        learner: str,
        question: Question,
        answer: str,
        marked: Marked,
        hinted: bool = False,
        now: datetime | None = None,
    ) -> None:
        """:meth:`override` inside ``session``'s transaction (the unique index on the override's
        attempt rejects a second one)."""
        rating = Rating.Hard if hinted else Rating.Good
        attempt = session.get(Attempt, marked.attempt_id, with_for_update=True)
        original = attempt.score if attempt else 0.0
        if attempt is not None:
            attempt.score, attempt.correct = 1.0, True
        row = self._card_row(session, learner, question)
        card = Card.from_json(marked.card_before) if marked.card_before else Card()
        card, _log = self.scheduler.review_card(card, rating, review_datetime=marked.at)
        row.card, row.due, row.last_score = card.to_json(), _utc(card.due), 1.0
        if rating_for(Verdict(original, False, "")) is Rating.Again and row.lapses:
            row.lapses -= 1
        session.add(
            Override(
                learner=learner,
                question_id=question.id,
                kind=question.kind.value,
                topic=question.topic,
                subject=question.subject,
                prompt=question.prompt,
                answer=answer,
                original_score=original,
                created_at=_utc(now),
                attempt_id=marked.attempt_id,
            )
        )
        session.flush()

    def overrides(self, learner: str | None = None) -> list[OverrideRecord]:
        """Verdicts learners contested, newest first (one learner's, or everyone's), for tutors."""
        query = select(Override).order_by(Override.created_at.desc(), Override.id.desc())
        if learner is not None:
            query = query.where(Override.learner == learner)
        with self._session() as session:
            rows = session.scalars(query).all()
        return [
            OverrideRecord(r.learner, r.question_id, r.subject, r.prompt, r.answer, r.original_score,
                           _utc(r.created_at))
            for r in rows
        ]

    def summary(self, learner: str) -> Summary:
        """Mean scores overall, by topic and by model/law/abbreviation/belief."""
        with self._session() as session:
            rows = session.execute(
                select(Attempt.topic, Attempt.subject, Attempt.score, Attempt.correct).where(
                    Attempt.learner == learner
                )
            ).all()
        by_topic: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        by_subject: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        for topic, subject, score, correct in rows:
            by_topic[topic].append((score, correct))
            by_subject[subject].append((score, correct))

        def score(items: list[tuple[float, bool]]) -> Score:
            if not items:
                return Score(0, 0, 0.0)
            return Score(
                len(items), sum(c for _, c in items), round(sum(s for s, _ in items) / len(items), 3)
            )

        return Summary(
            learner,
            score([(s, bool(c)) for _, _, s, c in rows]),
            {k: score(v) for k, v in sorted(by_topic.items())},
            {k: score(v) for k, v in sorted(by_subject.items())},
        )

    def due(self, learner: str, now: datetime | None = None, limit: int = 10) -> list[Recommendation]:
        """Questions whose review is due by ``now``, most overdue first."""
        moment = _utc(now)
        with self._session() as session:
            rows = session.scalars(
                select(ReviewCard)
                .where(ReviewCard.learner == learner, ReviewCard.due <= moment)
                .order_by(ReviewCard.due, ReviewCard.last_score)
                .limit(limit)
            ).all()
        return [
            Recommendation(
                row.subject,
                row.topic,
                _reason(row.last_score, row.lapses),
                (row.question_id,),
                _utc(row.due),
            )
            for row in rows
        ]

    def schedule(self, learner: str) -> dict[str, datetime]:
        """When each question this learner has answered is next due."""
        with self._session() as session:
            rows = session.execute(
                select(ReviewCard.question_id, ReviewCard.due).where(ReviewCard.learner == learner)
            ).all()
        return {qid: _utc(due) for qid, due in rows}

    def recommend(self, learner: str, now: datetime | None = None, limit: int = 3) -> list[Recommendation]:
        """What to revise next: due reviews grouped by subject, then the weakest subjects."""
        moment = _utc(now)
        picked: dict[str, Recommendation] = {}
        for item in self.due(learner, moment, limit=50):
            if item.subject in picked:
                old = picked[item.subject]
                picked[item.subject] = Recommendation(
                    old.subject,
                    old.topic,
                    old.reason,
                    old.question_ids + item.question_ids,
                    old.due,
                )
            else:
                picked[item.subject] = item
        with self._session() as session:
            rows = session.execute(
                select(
                    ReviewCard.subject,
                    ReviewCard.topic,
                    func.avg(ReviewCard.last_score),
                    func.min(ReviewCard.due),
                )
                .where(ReviewCard.learner == learner)
                .group_by(ReviewCard.subject, ReviewCard.topic)
                .order_by(func.avg(ReviewCard.last_score))
            ).all()
        for subject, topic, mean, due in rows:
            if subject not in picked and mean is not None and mean < 0.8:
                with self._session() as session:
                    ids = session.scalars(
                        select(ReviewCard.question_id)
                        .where(ReviewCard.learner == learner, ReviewCard.subject == subject)
                        .order_by(ReviewCard.last_score)
                    ).all()
                picked[subject] = Recommendation(
                    subject,
                    topic,
                    f"your latest score here is {round(mean * 100)}%",
                    tuple(ids),
                    _utc(due),
                )
        return list(picked.values())[:limit]


def _reason(last_score: float, lapses: int) -> str:
    if last_score < 0.5:
        return "you got this wrong last time"
    if last_score < 1:
        return "you got this partly right last time"
    return "it is due for review" + (" (you have missed it before)" if lapses else "")
