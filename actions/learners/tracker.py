"""Rasa's conversations, read and deleted straight from its SQL tracker store (table ``events``,
one row per event with ``sender_id``), with SQLAlchemy and no Rasa import.

Rasa writes a conversation back at the end of every turn, and its ``SQLTrackerStore`` stores the
events it does not find in the table; so rows deleted *during* a turn (a learner saying "delete my
data" in the chat) come back when that turn is saved. :meth:`TrackerEvents.delete_after_turn`
deletes them again once the turn is stored (the conversation's last event is ``action_listen``).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, inspect, text

log = logging.getLogger(__name__)
SHOWN = ("user", "bot", "slot")  # the events an export spells out (the rest are counted)


def tracker_store(sqlite_path: Path) -> Path | str:
    """Where Rasa keeps conversations: the PostgreSQL database ``bot/endpoints.cluster.yml`` names
    (``TUTOR_TRACKER_PG_DB`` and ``TUTOR_PG_*``, as ``make cluster`` sets them), else the SQLite
    file of ``bot/endpoints.yml`` (``sqlite_path``)."""
    database = os.environ.get("TUTOR_TRACKER_PG_DB")
    if not database:
        return sqlite_path
    return URL.create("postgresql+psycopg", username=os.environ.get("TUTOR_PG_USER") or None,
                      password=os.environ.get("TUTOR_PG_PASSWORD") or None,
                      host=os.environ.get("TUTOR_PG_HOST") or "127.0.0.1",
                      port=int(os.environ.get("TUTOR_PG_PORT") or 5432),
                      database=database).render_as_string(hide_password=False)


class TrackerEvents:
    """One tracker store's events: a SQLite file (Rasa's default here) or any SQLAlchemy URL."""

    def __init__(self, where: Path | str) -> None:
        self.url = where if isinstance(where, str) and "://" in where else f"sqlite:///{Path(where)}"
        self._path = None if "://" in str(where) else Path(where)
        self._engine: Engine | None = None

    def _db(self) -> Engine | None:
        if self._path is not None and not self._path.exists():
            return None  # no conversation was ever stored: nothing to read, nothing to create
        if self._engine is None:
            self._engine = create_engine(self.url)
        if not inspect(self._engine).has_table("events"):
            return None
        return self._engine

    def events(self, sender: str) -> list[dict[str, Any]]:
        """The sender's events in order, as Rasa stored them (its JSON ``data``)."""
        engine = self._db()
        if engine is None:
            return []
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"),
                                {"s": sender})
            return [json.loads(data) for (data,) in rows if data]

    def conversation(self, sender: str) -> dict[str, Any]:
        """What a learner and the tutor said, and the slots set, in order; other events counted."""
        events = self.events(sender)
        shown = []
        for event in events:
            kind = event.get("event")
            if kind == "user":
                shown.append({"at": event.get("timestamp"), "who": "learner", "text": event.get("text")})
            elif kind == "bot":
                shown.append({"at": event.get("timestamp"), "who": "tutor", "text": event.get("text")})
            elif kind == "slot" and event.get("value") is not None:
                shown.append({"at": event.get("timestamp"), "slot": event.get("name"),
                              "value": event.get("value")})
        return {"events": len(events), "messages": shown}

    def delete(self, sender: str) -> int:
        """Delete every event of the sender; returns how many."""
        engine = self._db()
        if engine is None:
            return 0
        with engine.begin() as conn:
            return conn.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender}).rowcount or 0

    def last_action(self, sender: str) -> str | None:
        engine = self._db()
        if engine is None:
            return None
        with engine.connect() as conn:
            row = conn.execute(text("SELECT type_name, action_name FROM events WHERE sender_id = :s "
                                    "ORDER BY id DESC LIMIT 1"), {"s": sender}).first()
        return row[1] if row and row[0] == "action" else ("" if row else None)

    def delete_after_turn(self, sender: str, timeout: float = 120.0, poll: float = 0.05) -> threading.Thread:
        """In the background: once Rasa has stored the current turn, delete the sender's events again."""

        def sweep() -> None:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    if self.last_action(sender) == "action_listen":
                        self.delete(sender)
                        return
                except Exception:  # the store busy or briefly locked: try again
                    log.debug("tracker sweep retry", exc_info=True)
                time.sleep(poll)
            log.warning("the conversation of a learner who asked to be forgotten was not stored within %ss; "
                        "run 'tutor forget' for them", timeout)

        thread = threading.Thread(target=sweep, name="forget-after-turn", daemon=True)
        thread.start()
        return thread
