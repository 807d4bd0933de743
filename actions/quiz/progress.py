"""Per-learner progress in a real database (SQLAlchemy 2): attempts, FSRS review cards, quiz state.

SQLite under ``.state/`` by default (``settings().progress_url``); any SQLAlchemy URL, such as
``postgresql+psycopg://user@host/db``, through ``TUTOR_DATABASE_URL``. Tables are created on first
use. One engine per URL for the whole process; a short session per call, so several action-server
workers can share a database.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fsrs import Card, Rating, Scheduler
from sqlalchemy import DateTime, Engine, Float, Integer, String, Text, create_engine, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from .grading import Verdict
from .questions import Question


class Base(DeclarativeBase):
    """Declarative base of the progress tables."""


class Attempt(Base):
    """One graded answer."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner: Mapped[str] = mapped_column(String(200), index=True)
    question_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30))
    topic: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    score: Mapped[float] = mapped_column(Float)
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReviewCard(Base):
    """The FSRS schedule of one question for one learner."""

    __tablename__ = "quiz_cards"

    learner: Mapped[str] = mapped_column(String(200), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    topic: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    card: Mapped[str] = mapped_column(Text)  # fsrs.Card.to_json()
    due: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    last_score: Mapped[float] = mapped_column(Float)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)


class QuizState(Base):
    """The learner's quiz in progress, as JSON, so it survives a restart of every process."""

    __tablename__ = "quiz_sessions"

    learner: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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


_ENGINES: dict[str, Engine] = {}
_READY: set[tuple[str, str | None]] = set()
_LOCK = threading.Lock()


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def engine_for(url: str) -> Engine:
    """The process's one engine for ``url`` (SQLite: parent folder made, WAL and a busy timeout)."""
    with _LOCK:
        if url in _ENGINES:
            return _ENGINES[url]
        if url.startswith("sqlite"):
            from sqlalchemy.engine import make_url

            database = make_url(url).database
            if database and database != ":memory:":
                from pathlib import Path

                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})

            @event.listens_for(engine, "connect")
            def _pragmas(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA busy_timeout=30000")
                cursor.close()
        else:
            engine = create_engine(url, pool_pre_ping=True)
        _ENGINES[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests use this to simulate a restart)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()
        _READY.clear()


def rating_for(verdict: Verdict, hinted: bool = False) -> Rating:
    """Wrong -> Again (back soon), partial or hinted -> Hard, right -> Good."""
    if verdict.score < 0.5:
        return Rating.Again
    if not verdict.correct or hinted:
        return Rating.Hard
    return Rating.Good


class Progress:
    """Attempts, review schedule and quiz state for every learner, in one database."""

    def __init__(self, url: str | None = None, schema: str | None = None) -> None:
        if url is None:
            from ..config import settings

            url = settings().progress_url
        self.url = url
        self.schema = schema
        engine = engine_for(url)
        self.engine = engine.execution_options(schema_translate_map={None: schema}) if schema else engine
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.scheduler = Scheduler(enable_fuzzing=False)
        key = (url, schema)
        with _LOCK:
            if key not in _READY:
                Base.metadata.create_all(self.engine)
                _READY.add(key)

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
        moment = _utc(now)
        rating = rating_for(verdict, hinted)
        for attempt in range(3):
            try:
                with self._session() as session, session.begin():
                    session.add(
                        Attempt(
                            learner=learner,
                            question_id=question.id,
                            kind=question.kind.value,
                            topic=question.topic,
                            subject=question.subject,
                            score=verdict.score,
                            correct=verdict.correct,
                            answered_at=moment,
                        )
                    )
                    row = session.scalars(
                        select(ReviewCard)
                        .where(ReviewCard.learner == learner, ReviewCard.question_id == question.id)
                        .with_for_update()
                    ).first()
                    card = Card.from_json(row.card) if row else Card()
                    card, _log = self.scheduler.review_card(card, rating, review_datetime=moment)
                    if row is None:
                        row = ReviewCard(
                            learner=learner,
                            question_id=question.id,
                            reviews=0,
                            lapses=0,
                        )
                        session.add(row)
                    row.kind, row.topic, row.subject = question.kind.value, question.topic, question.subject
                    row.card, row.due, row.last_score = card.to_json(), _utc(card.due), verdict.score
                    row.reviews = (row.reviews or 0) + 1
                    row.lapses = (row.lapses or 0) + (rating is Rating.Again)
                return _utc(card.due)
            except IntegrityError:  # another worker created the same card first: read it and retry
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

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

    # ---- quiz state ------------------------------------------------------------------------

    def save_quiz(self, learner: str, state: dict[str, Any]) -> None:
        """Store the learner's quiz in progress (replacing any earlier one)."""
        payload = json.dumps(state)
        for attempt in range(3):
            try:
                with self._session() as session, session.begin():
                    row = session.get(QuizState, learner, with_for_update=True)
                    if row is None:
                        session.add(QuizState(learner=learner, state=payload, updated_at=_utc(None)))
                    else:
                        row.state, row.updated_at = payload, _utc(None)
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def load_quiz(self, learner: str) -> dict[str, Any] | None:
        """The learner's quiz in progress, or None."""
        with self._session() as session:
            row = session.get(QuizState, learner)
            return json.loads(row.state) if row else None

    def clear_quiz(self, learner: str) -> None:
        """Forget the learner's quiz in progress."""
        with self._session() as session, session.begin():
            row = session.get(QuizState, learner)
            if row is not None:
                session.delete(row)


def _reason(last_score: float, lapses: int) -> str:
    if last_score < 0.5:
        return "you got this wrong last time"
    if last_score < 1:
        return "you got this partly right last time"
    return "it is due for review" + (" (you have missed it before)" if lapses else "")
