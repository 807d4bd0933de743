"""Keep each conversation's tracker between turns instead of rebuilding it from the SQL store.

Rasa 3.6's ``SQLTrackerStore.retrieve`` reads every event of the session, parses its JSON, looks up
each event's class by walking Rasa's event class tree, and replays it onto a new tracker; ``save``
then counts the session's rows to find which events are new. All of it grows with the
conversation: at turn 300 of one learner's session (3,600 events) retrieval took 1,470 ms of a
2,700 ms turn and saving 78 ms, against 27 ms and 42 ms at turn 1 (scripts/profile_long_conversation.py,
2-core machine under load).

Here the store remembers the tracker it saved, with how many of its events are stored and the
sender's highest event id. The next ``retrieve`` hands that same tracker back when the store still
ends at that id (one indexed ``max(id)`` query), so nothing is read or replayed; ``save`` writes
the events beyond the stored count. Measured the same way afterwards (medians of three 300-turn
conversations): retrieval 5.4 ms at turns 1-20 and 2.4 ms at turns 281-300, saving 38 and 36 ms
(SQLite's commit). Every other case takes Rasa's own path and the tracker is
remembered afresh:

- another process (a second Rasa server) wrote to the conversation: the id differs;
- the tracker is out already and not yet saved back (a concurrent reader gets Rasa's own copy);
- a turn failed after the tracker was handed out: it was never saved back;
- a new session started in the tracker: Rasa would load only the new session's events, so the
  tracker is dropped and the next turn loads it;
- the model (domain) changed, or an event broker is configured (it diffs against ``retrieve``).

A sender with no events at all (a new conversation) is known from the same ``max(id)`` query:
Rasa's own read (which would find nothing) is skipped, and the tracker Rasa then makes is saved
the same way as a kept one.

Saving appends with Core statements, not the ORM's unit of work (a third of the save's time on
SQLite under load, py-spy). On PostgreSQL (``make cluster``) it is one autocommitted ``INSERT ...
SELECT`` that appends only if the sender's last id is still the one kept: one round trip where the
ORM's save took four (BEGIN, the check, the insert, COMMIT), and about 0.35 against 0.45 ms of
PostgreSQL's CPU and 0.1 against 0.2 ms of Rasa's per save (measured on its own, 1,500 saves of 5
events); there the store's calls also run in worker threads (``DB_THREADS``, each with a
connection kept open), because Rasa's store is synchronous and each wait on the network held up
every conversation of the server.

The tracker handed back is the one Rasa would build from the store: same events, same slots, same
state (tests/test_speedups.py compares them after every turn of real conversations).
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

T = TypeVar("T")
DB_THREADS = 4  # PostgreSQL calls of one Rasa server at once (each with its own connection)
KEEP = 200  # conversations kept per store, the least recently used dropped first: a 300-turn
# conversation's tracker holds about 5 MB, so at most about 1 GB however many learners come


@dataclass
class Kept:
    tracker: DialogueStateTracker | None  # None: the sender had no events (a new conversation)
    stored: int  # how many of the tracker's events are in the store
    last_id: int | None  # the sender's highest event id in the store then
    domain: Domain
    lent: bool = True  # handed out by retrieve and not saved back yet


def kept(store: SQLTrackerStore) -> OrderedDict[str, Kept]:
    trackers = store.__dict__.get("_tutor_kept")
    if trackers is None:
        trackers = store.__dict__["_tutor_kept"] = OrderedDict()
    return trackers


_LAST_ID = sa.select(sa.func.max(SQLTrackerStore.SQLEvent.id)).where(
    SQLTrackerStore.SQLEvent.sender_id == sa.bindparam("sender_id"))
# The sender's last event found in the index alone. With Rasa's index on sender_id only,
# PostgreSQL's planner came to answer max(id) by walking the primary key down from the newest
# event until it met the sender's: for a learner back after others wrote 190,000 events, 78 ms a
# call, twice a turn. Made with new tables (Rasa's create_all) and added to old ones.
BY_SENDER = sa.Index("ix_events_sender_id_id", SQLTrackerStore.SQLEvent.sender_id,
                     SQLTrackerStore.SQLEvent.id)


def _last_id(db: Any, sender_id: str) -> int | None:
    """The sender's highest event id, through a session or a connection: one Core statement
    compiled once. Rasa's ORM query, built again each call, cost about 0.5 ms of CPU more a call
    on PostgreSQL; the turn's first call now also skips setting up an ORM session."""
    return db.execute(_LAST_ID, {"sender_id": sender_id}).scalar()


def _reader(store: SQLTrackerStore) -> sa.engine.Engine:
    """The store's engine for the check that opens a turn and for appending. On PostgreSQL it is
    an engine of its own whose connections are in autocommit for good: each is one statement, one
    round trip instead of BEGIN, the statement and ROLLBACK or COMMIT (one statement reads and
    writes the same either way), and no connection is switched back and forth (psycopg2 sends a
    SET to switch one back)."""
    engine = store.__dict__.get("_tutor_reader")
    if engine is None:
        engine = store.engine
        if engine.dialect.name == "postgresql":  # a connection for each thread, kept open
            engine = sa.create_engine(engine.url, isolation_level="AUTOCOMMIT",
                                      pool_size=DB_THREADS, max_overflow=0)
        store.__dict__["_tutor_reader"] = engine
    return engine


def _remember(store: SQLTrackerStore, sender_id: str, entry: Kept) -> None:
    trackers = kept(store)
    trackers[sender_id] = entry
    trackers.move_to_end(sender_id)
    while len(trackers) > KEEP:
        trackers.popitem(last=False)


_rasa_init = SQLTrackerStore.__init__
_rasa_retrieve = SQLTrackerStore.retrieve
_rasa_save = SQLTrackerStore.save


def _init(self: SQLTrackerStore, *args: Any, **kwargs: Any) -> None:
    _rasa_init(self, *args, **kwargs)
    ensure_index(self.engine)


def ensure_index(engine: sa.engine.Engine) -> None:
    """Add :data:`BY_SENDER` to an events table made without it (two servers starting at once:
    the one that loses the race finds it made)."""
    try:
        BY_SENDER.create(engine, checkfirst=True)
    except sa.exc.SQLAlchemyError:
        names = {index["name"] for index in sa.inspect(engine).get_indexes("events")}
        if BY_SENDER.name not in names:
            raise


async def retrieve(self: SQLTrackerStore, sender_id: str) -> DialogueStateTracker | None:
    if self.event_broker is not None:
        return await _rasa_retrieve(self, sender_id)
    entry = kept(self).get(sender_id)
    last_id = await _off_loop(self, _read_last_id, _reader(self), sender_id)
    if (entry is not None and entry.tracker is not None and not entry.lent
            and entry.domain is self.domain and entry.last_id == last_id
            and len(entry.tracker.events) == entry.stored):
        entry.lent = True
        kept(self).move_to_end(sender_id)
        return entry.tracker
    kept(self).pop(sender_id, None)
    if last_id is None:  # nothing stored: Rasa would find nothing; its new tracker starts empty
        _remember(self, sender_id, Kept(None, 0, None, self.domain))
        return None
    tracker = await _rasa_retrieve(self, sender_id)  # events after last_id make it stale: safe
    if tracker is not None:
        _remember(self, sender_id, Kept(tracker, len(tracker.events), last_id, self.domain))
    return tracker


async def save(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    entry = kept(self).pop(tracker.sender_id, None)
    if (self.event_broker is not None or entry is None or entry.domain is not self.domain
            or (entry.tracker is not None and entry.tracker is not tracker)):
        await _rasa_save(self, tracker)
        return
    new = list(tracker.events)[entry.stored:]
    last_id = entry.last_id
    if new:
        last_id = await _off_loop(self, _append, _reader(self), tracker.sender_id, entry.last_id,
                                  [_values(tracker.sender_id, event) for event in new])
        if last_id is None:  # someone else wrote: nothing was written, Rasa's own way
            await _rasa_save(self, tracker)
            return
    _kept_after_save(self, entry, tracker, new, last_id)


def _kept_after_save(store: SQLTrackerStore, entry: Kept, tracker: DialogueStateTracker,
                     new: list[Any], last_id: int | None) -> None:
    if any(isinstance(event, SessionStarted) for event in new):
        return  # the store now starts a session this tracker holds more than: load it next time
    _remember(store, tracker.sender_id,
              Kept(tracker, entry.stored + len(new), last_id, store.domain, lent=False))


async def _off_loop(store: SQLTrackerStore, call: Callable[..., T], *args: Any) -> T:
    """``call(*args)`` in a worker thread on PostgreSQL, where it waits on the network (Rasa's
    store is synchronous: each wait held up every conversation of the server, and under load the
    server sat idle while PostgreSQL was busy); in this thread on SQLite, which works in-process."""
    if store.engine.dialect.name == "postgresql":
        return await asyncio.get_running_loop().run_in_executor(_db_threads(), partial(call, *args))
    return call(*args)


@lru_cache(maxsize=1)
def _db_threads() -> ThreadPoolExecutor:
    """The threads that talk to PostgreSQL, as many as the reader engine keeps connections (more
    threads than pooled connections made and closed a connection on about every third turn)."""
    return ThreadPoolExecutor(DB_THREADS, thread_name_prefix="tracker-db")


def _read_last_id(engine: sa.engine.Engine, sender_id: str) -> int | None:
    with engine.connect() as conn:  # a plain connection: no ORM session to set up for one read
        return _last_id(conn, sender_id)


COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
_EVENTS = SQLTrackerStore.SQLEvent.__table__


def _values(sender_id: str, event: Any) -> tuple[Any, ...]:
    """The row ``SQLTrackerStore.save`` writes for ``event`` (same columns, same JSON)."""
    data = event.as_dict()
    return (sender_id, event.type_name, data.get("timestamp"),
            data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY), data.get("name"),
            json.dumps(data))


@lru_cache(maxsize=64)
def _append_sql(rows: int) -> str:
    """One PostgreSQL statement that appends ``rows`` events only if the sender's last event is
    still the one given, and returns the new ids (none when another writer came first)."""
    table = SQLTrackerStore.SQLEvent.__tablename__
    names = ", ".join(COLUMNS)
    row = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    return (f"INSERT INTO {table} ({names}) SELECT new.* FROM (VALUES {', '.join([row] * rows)}) "
            f"AS new ({names}) WHERE (SELECT max(id) FROM {table} WHERE sender_id = %s) "
            f"IS NOT DISTINCT FROM %s RETURNING id")


def _append(engine: sa.engine.Engine, sender_id: str, last_id: int | None,
            rows: list[tuple[Any, ...]]) -> int | None:
    """Append ``rows`` (from :func:`_values`) after ``last_id``: the sender's new last id, or None
    if another writer had moved it (then nothing is written). Core statements, not the ORM's
    unit of work (a third of the save's time on SQLite). On PostgreSQL, one autocommitted
    statement: one round trip where the ORM's save took four (BEGIN, the check, the insert,
    COMMIT). (Two writers racing past the check at once would both write, as with the check and
    insert in one READ COMMITTED transaction before; the lock store keeps a conversation to one
    turn.)"""
    if engine.dialect.name == "postgresql":
        params = (*(value for row in rows for value in row), sender_id, last_id)
        with engine.connect() as conn:
            ids = conn.exec_driver_sql(_append_sql(len(rows)), params).scalars().all()
        return max(ids) if ids else None
    with engine.begin() as conn:  # SQLite: the check and the insert in one transaction
        if _last_id(conn, sender_id) != last_id:
            return None
        conn.execute(_EVENTS.insert(), [dict(zip(COLUMNS, row, strict=True)) for row in rows])
        return _last_id(conn, sender_id)


SQLTrackerStore.__init__ = _init  # type: ignore[method-assign]
SQLTrackerStore.retrieve = retrieve  # type: ignore[method-assign]
SQLTrackerStore.save = save  # type: ignore[method-assign]
