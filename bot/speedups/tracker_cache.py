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

The tracker handed back is the one Rasa would build from the store: same events, same slots, same
state (tests/test_speedups.py compares them after every turn of real conversations).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

KEEP = 200  # conversations kept per store, the least recently used dropped first: a 300-turn
# conversation's tracker holds about 5 MB, so at most about 1 GB however many learners come


@dataclass
class Kept:
    tracker: DialogueStateTracker
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
    """The store's engine for the check that opens a turn. On PostgreSQL it is an engine of its
    own whose connections are in autocommit for good: the check is one round trip instead of
    BEGIN, SELECT and ROLLBACK (one statement reads the same either way), and no connection is
    switched back and forth (psycopg2 sends a SET to switch one back)."""
    engine = store.__dict__.get("_tutor_reader")
    if engine is None:
        engine = store.engine
        if engine.dialect.name == "postgresql":
            engine = sa.create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_size=2)
        store.__dict__["_tutor_reader"] = engine
    return engine


def _remember(store: SQLTrackerStore, entry: Kept) -> None:
    trackers = kept(store)
    trackers[entry.tracker.sender_id] = entry
    trackers.move_to_end(entry.tracker.sender_id)
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
    with _reader(self).connect() as conn:  # a plain connection: no ORM session to set up for one read
        last_id = _last_id(conn, sender_id)
    if (entry is not None and not entry.lent and entry.domain is self.domain
            and entry.last_id == last_id and len(entry.tracker.events) == entry.stored):
        entry.lent = True
        kept(self).move_to_end(sender_id)
        return entry.tracker
    kept(self).pop(sender_id, None)
    tracker = await _rasa_retrieve(self, sender_id)  # events after last_id make it stale: safe
    if tracker is not None:
        _remember(self, Kept(tracker, len(tracker.events), last_id, self.domain))
    return tracker


async def save(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    entry = kept(self).pop(tracker.sender_id, None)
    if (self.event_broker is not None or entry is None or entry.tracker is not tracker
            or entry.domain is not self.domain):
        await _rasa_save(self, tracker)
        return
    new = list(tracker.events)[entry.stored:]
    with self.session_scope() as session:
        if _last_id(session, tracker.sender_id) != entry.last_id:
            session.rollback()
            await _rasa_save(self, tracker)  # someone else wrote: Rasa's own way
            return
        rows = [_row(self, tracker.sender_id, event) for event in new]
        session.add_all(rows)
        session.flush()  # assigns the ids
        last_id = rows[-1].id if rows else entry.last_id
        session.commit()
    if any(isinstance(event, SessionStarted) for event in new):
        return  # the store now starts a session this tracker holds more than: load it next time
    _remember(self, Kept(tracker, entry.stored + len(new), last_id, self.domain, lent=False))


def _row(store: SQLTrackerStore, sender_id: str, event: Any) -> Any:
    """The row ``SQLTrackerStore.save`` writes for ``event`` (same columns, same JSON)."""
    data = event.as_dict()
    return store.SQLEvent(
        sender_id=sender_id,
        type_name=event.type_name,
        timestamp=data.get("timestamp"),
        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        action_name=data.get("name"),
        data=json.dumps(data),
    )


SQLTrackerStore.__init__ = _init  # type: ignore[method-assign]
SQLTrackerStore.retrieve = retrieve  # type: ignore[method-assign]
SQLTrackerStore.save = save  # type: ignore[method-assign]
