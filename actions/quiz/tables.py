"""The progress database's tables and engines (SQLAlchemy 2): attempts, FSRS cards, quiz state,
and verdicts a learner contested.

One engine per URL for the whole process; SQLite gets its folder made, WAL and a busy timeout.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, Float, Integer, String, Text, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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


class Override(Base):
    """A verdict the learner contested ("I was right"), re-marked correct; kept for tutors to review."""

    __tablename__ = "quiz_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner: Mapped[str] = mapped_column(String(200), index=True)
    question_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30))
    topic: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    prompt: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    original_score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


_ENGINES: dict[str, Engine] = {}
_READY: set[tuple[str, str | None]] = set()
_LOCK = threading.Lock()


def utc(moment: datetime | None) -> datetime:
    """``moment`` in UTC (naive times are taken as UTC); now when None."""
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


def ensure_tables(engine: Engine, key: tuple[str, str | None]) -> None:
    """Create the tables once per process for a database (and schema)."""
    with _LOCK:
        if key not in _READY:
            Base.metadata.create_all(engine)
            _READY.add(key)
