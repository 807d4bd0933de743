"""Who gets a reminder now: each learner whose time of day has come (in their timezone), who has
had none today, and who has questions due. Independent of Slack and of any scheduler.

A reminder goes out at its time or, when the tutor was down then, at the first check within
:data:`CATCH_UP` after it; a reminder set after today's time starts tomorrow. Nothing is sent when
nothing is due, and the day is claimed in the database before sending (:meth:`ReminderStore.claim`),
so a learner gets at most one reminder a day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from .clock import Clock
from .store import ReminderRecord, ReminderStore

log = logging.getLogger(__name__)
CATCH_UP = timedelta(hours=2)


class Notifier(Protocol):
    def remind(self, user: str, count: int) -> str: ...


def reminder_day(reminder: ReminderRecord, now: datetime, catch_up: timedelta = CATCH_UP) -> date | None:
    """The learner's local date whose reminder is due at ``now``; None when none is."""
    zone = ZoneInfo(reminder.timezone)
    local = now.astimezone(zone)
    slot = datetime.combine(local.date(), reminder.at, tzinfo=zone)
    if not slot <= local < slot + catch_up or slot < reminder.created_at:
        return None
    if reminder.last_sent_on is not None and reminder.last_sent_on >= local.date():
        return None
    return local.date()


class ReminderService:
    """One check of every reminder (:meth:`run_once`), run each minute by the scheduler."""

    def __init__(self, store: ReminderStore, count_due: Callable[[str, datetime], int],
                 notifier: Notifier, clock: Clock, catch_up: timedelta = CATCH_UP) -> None:
        self.store = store
        self.count_due = count_due
        self.notifier = notifier
        self.clock = clock
        self.catch_up = catch_up

    def run_once(self) -> list[str]:
        """Send every reminder due now; the learners reminded."""
        now = self.clock()
        sent = []
        for reminder in self.store.all():
            try:
                if self._remind(reminder, now):
                    sent.append(reminder.learner)
            except Exception:
                log.exception("the reminder check failed for one learner")
        return sent

    def _remind(self, reminder: ReminderRecord, now: datetime) -> bool:
        day = reminder_day(reminder, now, self.catch_up)
        if day is None:
            return False
        count = self.count_due(reminder.learner, now)
        if count == 0 or not self.store.claim(reminder.learner, day):
            return False
        try:
            self.notifier.remind(reminder.learner, count)
        except Exception:
            self.store.release(reminder.learner, day, reminder.last_sent_on)
            raise
        log.info("sent a review reminder (%d due)", count)
        return True
