"""The progress database's tables and engines (SQLAlchemy 2): attempts, FSRS cards, quiz state,
and verdicts a learner contested.

One engine per URL for the whole process; SQLite gets its folder made, WAL and a busy timeout, and
real transactions: SQLAlchemy, not the driver, begins them (pysqlite runs a SELECT outside any
transaction), and a write transaction (:func:`writer`) begins IMMEDIATE, taking the write lock
before it reads, so that read-check-write is atomic there as ``SELECT ... FOR UPDATE`` is on
PostgreSQL. Tables are created, and columns and unique indexes added since are added to a database
made by an older version, once per process, under a PostgreSQL advisory lock.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

WRITE = "tutor_write"  # execution option: SQLite begins the transaction IMMEDIATE


class Base(DeclarativeBase):
    """Declarative base of the progress tables."""


class Attempt(Base):
    """One graded answer. An answer in a quiz is keyed by (learner, quiz, position), so the same
    answer cannot be recorded twice; its reply is kept to be given again to a retried turn."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (Index("uq_quiz_attempts_turn", "learner", "quiz_id", "position", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner: Mapped[str] = mapped_column(String(200), index=True)
    question_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30))
    topic: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    score: Mapped[float] = mapped_column(Float)
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    quiz_id: Mapped[str | None] = mapped_column(String(40), nullable=True)  # None: outside a quiz
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the question's in the quiz
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    feedback: Mapped[str | None] = mapped_column(Text, nullable=True)  # the verdict as the learner read it


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
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # +1 on every save


class Override(Base):
    """A verdict the learner contested ("I was right"), re-marked correct; kept for tutors to review."""

    __tablename__ = "quiz_overrides"
    __table_args__ = (Index("uq_quiz_overrides_attempt", "attempt_id", unique=True),)

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
    attempt_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # one override per attempt


_ENGINES: dict[str, Engine] = {}
_READY: set[tuple[str, str | None]] = set()
_LOCK = threading.Lock()
# Connections an engine keeps open: one for each thread that may use it at once (asyncio's default
# executor, which runs the actions, has min(32, cores + 4); the event loop reads too). With
# SQLAlchemy's default of 5, the action server opened and closed a PostgreSQL connection (a new
# server process) every hundred turns or so under load.
POOL_SIZE = min(32, (os.cpu_count() or 1) + 4) + 2


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
                dbapi_connection.isolation_level = None  # the driver begins nothing; _begin does
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                # WAL with NORMAL syncs at checkpoints, not at every commit: a commit survives a
                # process that dies (the learner's case), only a power cut may lose the last few
                # (SQLite's own advice for WAL). FULL cost ~10 ms per logged turn here.
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA busy_timeout=30000")
                cursor.close()

            @event.listens_for(engine, "begin")
            def _begin(connection: Connection) -> None:
                immediate = connection.get_execution_options().get(WRITE)
                connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        else:
            # last in, first out: the connection just used is used again, so under steady use
            # none rests long enough to need the ping below (first in, first out, the default,
            # rotates through every pooled connection: one learner's turns were each pinged)
            engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_SIZE,
                                   pool_use_lifo=True)
            ping_when_idle(engine)
        _ENGINES[url] = engine
        return engine


IDLE_PING_AFTER = 1.0  # seconds a pooled connection may rest before it is checked on checkout


def ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it has rested over ``IDLE_PING_AFTER``:
    one that died meanwhile (a database restart, an idle timeout) is replaced before the turn
    uses it, as with ``pool_pre_ping``, but a connection in steady use skips the round trip.
    ``pool_pre_ping`` cost one round trip per transaction, a fifth of an action server's database
    time under load (py-spy, ``make bench-load`` on ``make cluster``)."""

    @event.listens_for(engine, "checkin")
    def _rested(_dbapi_connection: Any, record: Any) -> None:
        record.info["tutor_checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        rested = record.info.get("tutor_checked_in")
        if rested is None or time.monotonic() - rested <= IDLE_PING_AFTER:
            return  # new, or in steady use
        try:
            engine.dialect.do_ping(dbapi_connection)  # what pool_pre_ping sends
        except Exception as err:  # the pool drops it and connects anew (SQLAlchemy's recipe)
            raise DisconnectionError(f"pooled connection found dead: {err}") from err


def dispose_engines() -> None:
    """Close every pooled connection (tests use this to simulate a restart)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()
        _READY.clear()


def autocommit(engine: Engine) -> Engine:
    """``engine`` for reads and for writes of one statement: on PostgreSQL each statement commits
    by itself, so it is one round trip instead of three (BEGIN, the statement, ROLLBACK or
    COMMIT), with the same answers (under READ COMMITTED every statement sees its own snapshot
    either way). Three in five statements the tutor sent to PostgreSQL were BEGIN, COMMIT or
    ROLLBACK (its statement log, one learner on make cluster). SQLite's driver begins nothing for
    a read, and its writes keep their transaction: there ``engine`` is returned as it is."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def writer(engine: Engine) -> Engine:
    """``engine`` for write transactions: on SQLite they begin IMMEDIATE (the write lock first)."""
    return engine.execution_options(**{WRITE: True})


def ensure_tables(engine: Engine, key: tuple[str, str | None]) -> None:
    """Create the tables, and add what a database made by an older version lacks, once per process
    for a database (and schema); several processes starting at once take turns."""
    with _LOCK:
        if key in _READY:
            return
        with writer(engine).begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('tutor progress tables'))"))
            Base.metadata.create_all(conn)
            _upgrade(conn, key[1])
        _READY.add(key)


def _upgrade(conn: Connection, schema: str | None) -> None:
    """Add the nullable columns and unique indexes that tables made by an older version lack."""
    quote = conn.dialect.identifier_preparer.quote
    inspector = inspect(conn)
    for table in Base.metadata.sorted_tables:
        name = f"{quote(schema)}.{quote(table.name)}" if schema else quote(table.name)
        have = {column["name"] for column in inspector.get_columns(table.name, schema=schema)}
        for column in table.columns:
            if column.name not in have:
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(text(f"ALTER TABLE {name} ADD COLUMN {quote(column.name)} {kind}"))
        for index in table.indexes:
            if index.unique:
                columns = ", ".join(quote(str(c.name)) for c in index.columns)
                conn.execute(text(f"CREATE UNIQUE INDEX IF NOT EXISTS {quote(str(index.name))} "
                                  f"ON {name} ({columns})"))
