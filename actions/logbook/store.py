"""The message log (SQLAlchemy 2): one row per learner turn, under a pseudonymous learner id.

SQLite under the state folder by default, any SQLAlchemy URL through ``TUTOR_LOG_URL`` (the same
database as the progress tables is fine: the table is ``tutor_log``). Rows older than
``TUTOR_LOG_DAYS`` (90) are pruned: by :meth:`Logbook.prune`, at most hourly while recording, and
before every report.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, LargeBinary, String, Text, delete, func, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from ..quiz.tables import autocommit, engine_for, utc
from .keys import load_key, pseudonym

PRUNE_EVERY = 3600.0  # seconds between automatic prunes in one process


class Base(DeclarativeBase):
    """Declarative base of the log table (kept apart from the progress tables)."""


class LogEntry(Base):
    """One learner turn: what was said and what kind of reply it got."""

    __tablename__ = "tutor_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner: Mapped[str] = mapped_column(String(64), index=True)  # pseudonym, never the sender id
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(40), index=True)
    misconception: Mapped[str | None] = mapped_column(String(300), nullable=True)
    question_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    correct: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    attempt_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    subjects: Mapped[str] = mapped_column(Text, default="[]")  # JSON: names the reply was about
    sources: Mapped[str] = mapped_column(Text, default="[]")  # JSON: citations of the reply
    # the message's MiniLM vector (float16), taken when it was answered, so reports need not embed
    vector: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


@dataclass(frozen=True)
class TurnInfo:
    """What :func:`actions.logbook.record` keeps of a turn. ``learner`` is Rasa's sender id: it is
    replaced by its pseudonym before anything is stored."""

    learner: str
    text: str
    kind: str  # the Reply's kind: answer, not_found, correction, quiz_verdict, ...
    intent: str = ""
    misconception: str | None = None  # "file:line" of the misconception corrected
    question_id: str | None = None  # the quiz question answered
    answer: str | None = None  # the answer given to it
    correct: bool | None = None
    attempt_id: int | None = None  # the progress database's attempt row
    subjects: tuple[str, ...] = ()  # models, laws, abbreviations, topics the reply was about
    sources: tuple[str, ...] = ()
    at: datetime | None = None
    vector: bytes | None = None  # the text's embedding as float16 bytes (see turns.turn_info)


@dataclass(frozen=True)
class Logged:
    """A stored log entry, as exports and reports read it."""

    id: int
    learner: str
    at: datetime
    text: str
    intent: str
    kind: str
    misconception: str | None
    question_id: str | None
    answer: str | None
    correct: bool | None
    subjects: tuple[str, ...] = field(default=())
    sources: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "text": self.text, "intent": self.intent, "kind": self.kind,
                "misconception": self.misconception, "question_id": self.question_id,
                "answer": self.answer, "correct": self.correct, "subjects": list(self.subjects),
                "sources": list(self.sources)}


_READY: set[tuple[str, str | None]] = set()
_LOCK = threading.Lock()


class Logbook:
    """Records, reads, prunes and deletes learners' turns."""

    def __init__(self, url: str, key: bytes, days: int = 90, schema: str | None = None) -> None:
        self.url, self.key, self.days, self.schema = url, key, days, schema
        engine = engine_for(url)
        self.engine = engine.execution_options(schema_translate_map={None: schema}) if schema else engine
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._autocommit = autocommit(self.engine)
        self._pruned_at: float | None = None  # never yet: the first record prunes
        with _LOCK:
            if (url, schema) not in _READY:
                Base.metadata.create_all(self.engine)
                _READY.add((url, schema))

    @classmethod
    def from_settings(cls, conf: Any = None) -> Logbook:
        from .settings import LogSettings

        conf = conf or LogSettings()
        return cls(conf.url, load_key(conf.log_key, conf.state_dir), conf.log_days)

    def pseudonym(self, learner: str) -> str:
        return pseudonym(self.key, learner)

    def record(self, info: TurnInfo) -> None:
        """Store one turn (an attempt already logged by an earlier turn is not counted twice)."""
        who = self.pseudonym(info.learner)
        row: dict[str, Any] = dict(
            learner=who, at=utc(info.at), text=info.text[:4000], intent=info.intent or "", kind=info.kind,
            misconception=info.misconception, question_id=info.question_id, answer=info.answer,
            correct=info.correct, attempt_id=info.attempt_id,
            subjects=json.dumps(list(info.subjects)), sources=json.dumps(list(info.sources)),
            vector=info.vector,
        )
        # Core on a connection, not an ORM session: this runs on every turn, and the ORM's unit of
        # work was most of the action server's time on a turn that only lists what it can do.
        # On PostgreSQL in autocommit: the insert is one statement, and the check before it reads
        # the same in a transaction or out of one (READ COMMITTED).
        with self._autocommit.begin() as db:
            if info.attempt_id is not None and info.kind != "quiz_contest":
                seen = db.scalar(select(func.count()).select_from(LogEntry).where(
                    LogEntry.learner == who, LogEntry.attempt_id == info.attempt_id))
                if seen:  # e.g. "stop" after the last answer: the summary is not a second answer
                    row.update(question_id=None, answer=None, correct=None, attempt_id=None)
            db.execute(insert(LogEntry), row)
        if self._pruned_at is None or time.monotonic() - self._pruned_at > PRUNE_EVERY:
            self.prune()

    def prune(self, now: datetime | None = None) -> int:
        """Delete entries older than the retention period; returns how many."""
        self._pruned_at = time.monotonic()
        cutoff = utc(now) - timedelta(days=self.days)
        with self._sessions() as session, session.begin():
            return session.execute(delete(LogEntry).where(LogEntry.at < cutoff)).rowcount or 0

    def entries(self, learner: str | None = None, since: datetime | None = None,
                pseudonymous: str | None = None) -> list[Logged]:
        """Logged turns, oldest first: one learner's (by sender id or pseudonym) or everyone's."""
        query = select(LogEntry).order_by(LogEntry.at, LogEntry.id)
        who = pseudonymous or (self.pseudonym(learner) if learner is not None else None)
        if who is not None:
            query = query.where(LogEntry.learner == who)
        if since is not None:
            query = query.where(LogEntry.at >= utc(since))
        with self._sessions() as session:
            rows = session.scalars(query).all()
        return [
            Logged(r.id, r.learner, utc(r.at), r.text, r.intent, r.kind, r.misconception, r.question_id,
                   r.answer, r.correct, tuple(json.loads(r.subjects or "[]")),
                   tuple(json.loads(r.sources or "[]")))
            for r in rows
        ]

    def rows(self, since: datetime | None = None) -> list[tuple[Any, ...]]:
        """Every entry as a plain tuple (learner, at, text, kind, misconception, question_id, answer,
        correct, subjects, vector): the report's fast path over tens of thousands of rows."""
        query = select(LogEntry.learner, LogEntry.at, LogEntry.text, LogEntry.kind, LogEntry.misconception,
                       LogEntry.question_id, LogEntry.answer, LogEntry.correct, LogEntry.subjects,
                       LogEntry.vector)
        if since is not None:
            query = query.where(LogEntry.at >= utc(since))
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query)]

    def delete(self, learner: str) -> int:
        """Delete every entry of a learner (by sender id); returns how many."""
        who = self.pseudonym(learner)
        with self._sessions() as session, session.begin():
            return session.execute(delete(LogEntry).where(LogEntry.learner == who)).rowcount or 0

    def add_many(self, infos: list[TurnInfo]) -> None:
        """Store many turns at once, as they are (benchmarks and imports; no attempt check)."""
        payload = [
            {"learner": self.pseudonym(i.learner), "at": utc(i.at), "text": i.text, "intent": i.intent,
             "kind": i.kind, "misconception": i.misconception, "question_id": i.question_id,
             "answer": i.answer, "correct": i.correct, "attempt_id": i.attempt_id,
             "subjects": json.dumps(list(i.subjects)), "sources": json.dumps(list(i.sources)),
             "vector": i.vector}
            for i in infos
        ]
        with self._sessions() as session, session.begin():
            session.execute(LogEntry.__table__.insert(), payload)
