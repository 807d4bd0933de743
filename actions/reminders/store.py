"""Daily review reminders in the progress database (SQLAlchemy 2; SQLite or PostgreSQL).

One row per learner: the time of day, the learner's timezone, when it was set, and the learner's
local date of the last reminder sent. The table sits beside the quiz tables, on the same engine
(:class:`~actions.quiz.progress.Progress` ``.engine``), so reminders survive a restart. A reminder
is *claimed* for a day by one conditional UPDATE before it is sent, so however many action-server
workers check at once, a learner gets at most one a day.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Date, DateTime, Engine, String, delete, or_, select, text, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from ..quiz.tables import utc, writer

DEFAULT_TIMEZONE = "Europe/London"


class ReminderBase(DeclarativeBase):
    """Declarative base of the reminders table (its own metadata: created here, not by the quiz)."""


class Reminder(ReminderBase):
    """A learner's daily reminder to revise."""

    __tablename__ = "review_reminders"

    learner: Mapped[str] = mapped_column(String(200), primary_key=True)  # the Slack user id
    at: Mapped[str] = mapped_column(String(5))  # "18:30", in the learner's timezone
    timezone: Mapped[str] = mapped_column(String(64))  # an IANA name, e.g. "Europe/London"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # the learner's local date


@dataclass(frozen=True)
class ReminderRecord:
    """A reminder as the rest of the code sees it."""

    learner: str
    at: time
    timezone: str
    created_at: datetime
    last_sent_on: date | None = None


_READY: set[str] = set()
_LOCK = threading.Lock()


class ReminderStore:
    """Set, remove, list and claim reminders on ``engine`` (the progress database's)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(writer(engine), expire_on_commit=False)
        self._ensure_table()

    def _ensure_table(self) -> None:
        key = repr(self.engine.url) + repr(self.engine.get_execution_options().get("schema_translate_map"))
        with _LOCK:
            if key in _READY:
                return
            with writer(self.engine).begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('tutor reminders table'))"))
                ReminderBase.metadata.create_all(conn)
            _READY.add(key)

    def set(self, learner: str, at: time, timezone: str, now: datetime | None = None) -> ReminderRecord:
        """Remind ``learner`` every day at ``at`` (their ``timezone``); replaces any earlier time."""
        with self._write() as session, session.begin():
            row = session.get(Reminder, learner, with_for_update=True)
            if row is None:
                row = Reminder(learner=learner, last_sent_on=None)
                session.add(row)
            row.at, row.timezone, row.created_at = f"{at.hour:02d}:{at.minute:02d}", timezone, utc(now)
        return _record(row)

    def remove(self, learner: str) -> bool:
        """Stop ``learner``'s reminders; False when there were none."""
        with self._write() as session, session.begin():
            return bool(session.execute(delete(Reminder).where(Reminder.learner == learner)).rowcount)

    def get(self, learner: str) -> ReminderRecord | None:
        with self._read() as session:
            row = session.get(Reminder, learner)
            return _record(row) if row else None

    def all(self) -> list[ReminderRecord]:
        with self._read() as session:
            return [_record(r) for r in session.scalars(select(Reminder).order_by(Reminder.learner))]

    def claim(self, learner: str, day: date) -> bool:
        """Mark ``day`` (the learner's local date) as reminded; False when it already was."""
        with self._write() as session, session.begin():
            done = session.execute(
                update(Reminder)
                .where(Reminder.learner == learner,
                       or_(Reminder.last_sent_on.is_(None), Reminder.last_sent_on < day))
                .values(last_sent_on=day)
            ).rowcount
        return bool(done)

    def release(self, learner: str, day: date, previous: date | None) -> None:
        """Undo :meth:`claim` (the message could not be sent), so the next check tries again."""
        with self._write() as session, session.begin():
            session.execute(update(Reminder)
                            .where(Reminder.learner == learner, Reminder.last_sent_on == day)
                            .values(last_sent_on=previous))


def _record(row: Reminder) -> ReminderRecord:
    hour, minute = (int(part) for part in row.at.split(":"))
    return ReminderRecord(row.learner, time(hour, minute), row.timezone, utc(row.created_at),
                          row.last_sent_on)
