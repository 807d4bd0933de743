"""One quiz turn in one database transaction, recorded exactly once.

A turn reads the learner's quiz state (with its version), grades with no transaction open, then
opens ONE transaction (:meth:`Progress.turn`): the state row is locked (``SELECT ... FOR UPDATE``
on PostgreSQL; SQLite's write transactions begin IMMEDIATE) and its version compared with the one
read. If another turn got there first the transaction is abandoned (:class:`StaleQuiz`) and the
caller reads again. Otherwise the attempt is inserted, the FSRS card rescheduled and the new state
saved with its version + 1, and all of it commits together or not at all: a process that dies
between the steps leaves the state and the records as they were.

An answer in a quiz is keyed by (learner, quiz id, question position) under a unique index, so the
same answer cannot be recorded twice: a turn answering a position already answered is told so
(:class:`AlreadyRecorded`, with the :class:`Recorded` verdict the learner was given) and gives that
verdict again. A contest is recorded once too: one override per attempt, under a unique index.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from .grading import Verdict
from .questions import Question
from .tables import Attempt, Override, QuizState
from .tables import utc as _utc

if TYPE_CHECKING:
    from .progress import Progress


class StaleQuiz(Exception):
    """The learner's quiz state changed since this turn read it: read it again and redo the turn."""


class AlreadyRecorded(Exception):
    """The question at this quiz position has an answer recorded already."""

    def __init__(self, recorded: Recorded) -> None:
        super().__init__(f"attempt {recorded.attempt_id} is recorded at this position")
        self.recorded = recorded


@dataclass(frozen=True)
class Marked:
    """A recorded attempt: when the question is next due, the attempt's id, the FSRS card as it
    was before this answer (None for a first answer) and when it was answered."""

    due: datetime
    attempt_id: int
    card_before: str | None
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, to keep in the quiz state until the next answer."""
        return {"attempt": self.attempt_id, "card_before": self.card_before, "at": self.at.isoformat(),
                "due": self.due.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Marked:
        """The :class:`Marked` that :meth:`to_dict` saved."""
        return cls(datetime.fromisoformat(data["due"]), data["attempt"], data["card_before"],
                   datetime.fromisoformat(data["at"]))


@dataclass(frozen=True)
class Recorded:
    """An answer recorded at a quiz position, and the verdict the learner was given for it."""

    attempt_id: int
    answer: str
    score: float
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Snapshot:
    """The learner's quiz state as read (None: no quiz) and its version (-1: no row yet)."""

    state: dict[str, Any] | None
    version: int


_STATE_OF = select(QuizState.state, QuizState.version).where(QuizState.learner == bindparam("learner"))


def _snapshot_of(stored: tuple[str, int] | None) -> Snapshot:
    """A :class:`Snapshot` (a state of its own, free to change) of a row's (JSON, version)."""
    return Snapshot(None, -1) if stored is None else Snapshot(json.loads(stored[0]), stored[1])


# A learner's stored quiz state, (JSON, version) or None for no row, by (store, learner), as read
# or written in this request; None outside a request scope (see read_once_per_request).
_READS: ContextVar[dict[tuple[int, str], tuple[str, int] | None] | None] = ContextVar(
    "tutor_quiz_reads", default=None)


def read_once_per_request() -> None:
    """From here to the end of the calling task (one action-server request), a learner's quiz
    state is read from the database once and then kept: an action asks "is a quiz running?",
    "what was asked?" and "which question now?" several times a turn, each a transaction and, on
    PostgreSQL, a round trip or four. What this process writes replaces what is kept; a write
    that fails, or finds the state changed by another process (:class:`StaleQuiz`), drops it, so
    the next read goes to the database. Another process changing the state between two reads of
    one request is no new risk: a turn's write checks the version it read, whenever it read it.
    The threads an action hands its work to (``asyncio.to_thread``) share the scope."""
    _READS.set({})


def forget_read(store: object, learner: str) -> None:
    """Drop what this request keeps of the learner's quiz state (it is about to change)."""
    reads = _READS.get()
    if reads is not None:
        reads.pop((id(store), learner), None)


def _keep_read(store: object, learner: str, stored: tuple[str, int] | None) -> None:
    """Keep the learner's stored quiz state (JSON, version; None: no row) for this request."""
    reads = _READS.get()
    if reads is not None:
        reads[(id(store), learner)] = stored


def recorded_at(session: Session, learner: str, quiz_id: str, position: int) -> Recorded | None:
    """The answer recorded for ``learner`` at ``position`` of quiz ``quiz_id``, if any."""
    row = session.scalars(select(Attempt).where(
        Attempt.learner == learner, Attempt.quiz_id == quiz_id, Attempt.position == position)).first()
    if row is None:
        return None
    return Recorded(row.id, row.answer or "", row.score, row.correct, row.feedback or "")


class QuizTurn:
    """The open transaction of one turn, with the learner's quiz state row locked. Made by
    :meth:`Progress.turn`; everything done through it commits together when the turn ends."""

    def __init__(self, progress: Progress, session: Session, learner: str, row: QuizState | None) -> None:
        self.progress = progress
        self.session = session
        self.learner = learner
        self.row = row

    def mark(
        self,
        question: Question,
        verdict: Verdict,
        *,
        quiz_id: str,
        position: int,
        answer: str,
        feedback: str,
        hinted: bool = False,
        now: datetime | None = None,
    ) -> Marked:
        """Insert the attempt at (quiz, position) and reschedule the question's card; raises
        :class:`AlreadyRecorded` when that position has one (a retried or duplicated turn)."""
        earlier = recorded_at(self.session, self.learner, quiz_id, position)
        if earlier is not None:
            raise AlreadyRecorded(earlier)
        return self.progress.mark_in(self.session, self.learner, question, verdict, now, hinted,
                                     quiz_id=quiz_id, position=position, answer=answer, feedback=feedback)

    def override(self, question: Question, answer: str, marked: Marked, hinted: bool = False,
                 now: datetime | None = None) -> bool:
        """Re-mark a contested attempt correct; False (and nothing changed) if it already was."""
        exists = self.session.scalars(
            select(Override.id).where(Override.attempt_id == marked.attempt_id)).first()
        if exists is not None:
            return False
        self.progress.override_in(self.session, self.learner, question, answer, marked, hinted, now)
        return True

    def save(self, state: dict[str, Any]) -> None:
        """Replace the learner's quiz state, one version on."""
        payload = json.dumps(state)
        if self.row is None:
            self.row = QuizState(learner=self.learner, state=payload, updated_at=_utc(None), version=1)
            self.session.add(self.row)
        else:
            self.row.state, self.row.updated_at = payload, _utc(None)
            self.row.version = (self.row.version or 0) + 1
        self.session.flush()

    def clear(self) -> None:
        """Forget the learner's quiz state."""
        if self.row is not None:
            self.session.delete(self.row)
            self.row = None


class QuizStates:
    """The quiz-state half of :class:`~actions.quiz.progress.Progress`: read a learner's quiz with
    its version, and change it in one locked, version-checked transaction per turn."""

    reads: Engine  # reads of the state (Core; tables.autocommit)
    _sessions: sessionmaker[Session]  # reads
    _writes: sessionmaker[Session]  # write transactions (SQLite: BEGIN IMMEDIATE)

    def load(self, learner: str) -> Snapshot:
        """The learner's quiz state (None: no quiz) with the version a :meth:`turn` checks (read
        once per action-server request: :func:`read_once_per_request`)."""
        reads, key = _READS.get(), (id(self), learner)
        if reads is not None and key in reads:
            return _snapshot_of(reads[key])
        with self.reads.connect() as db:  # Core, no ORM session: this runs on every action call
            row = db.execute(_STATE_OF, {"learner": learner}).first()
        stored = None if row is None else (row.state, row.version or 0)
        _keep_read(self, learner, stored)
        return _snapshot_of(stored)

    @contextmanager
    def turn(self, learner: str, version: int | None) -> Iterator[QuizTurn]:
        """One transaction for one quiz turn, the learner's state row locked: raises
        :class:`StaleQuiz` at once when the state is no longer at ``version`` (None: whatever it
        is); commits what was done through the turn when the block ends, and nothing of it when
        the block raises."""
        forget_read(self, learner)
        try:
            with self._writes() as session, session.begin():
                row = session.get(QuizState, learner, with_for_update=True)
                if version is not None and ((row.version or 0) if row else -1) != version:
                    raise StaleQuiz(learner)
                turn = QuizTurn(self, session, learner, row)  # type: ignore[arg-type]  # Progress's mixin
                yield turn
                written = None if turn.row is None else (turn.row.state, turn.row.version or 0)
        except BaseException:
            forget_read(self, learner)
            raise
        _keep_read(self, learner, written)

    def recorded(self, learner: str, quiz_id: str, position: int) -> Recorded | None:
        """The answer recorded at ``position`` of the learner's quiz ``quiz_id``, if any."""
        with self._sessions() as session:
            return recorded_at(session, learner, quiz_id, position)

    def save_quiz(self, learner: str, state: dict[str, Any]) -> None:
        """Store the learner's quiz in progress (replacing any earlier one)."""
        for attempt in range(3):
            try:
                with self.turn(learner, None) as turn:
                    turn.save(state)
                return
            except IntegrityError:  # two first saves at once (PostgreSQL): the row exists now
                if attempt == 2:
                    raise

    def load_quiz(self, learner: str) -> dict[str, Any] | None:
        """The learner's quiz in progress, or None."""
        return self.load(learner).state

    def clear_quiz(self, learner: str) -> None:
        """Forget the learner's quiz in progress."""
        with self.turn(learner, None) as turn:
            turn.clear()
