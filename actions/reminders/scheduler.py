"""The reminder check, every minute, inside the action server (APScheduler's background thread).

The action server holds what a reminder needs: the progress database (reminders and the review
schedule), the question bank and, from the same environment as Rasa, ``SLACK_BOT_TOKEN``. Each
Sanic worker runs its own scheduler; the database claim keeps it to one message a day.
``TUTOR_REMINDER_TICK_SECONDS`` changes the interval (tests use one second, with a clock they move).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from .service import ReminderService

log = logging.getLogger(__name__)
DEFAULT_TICK = 60.0


def tick_seconds() -> float:
    try:
        return max(0.2, float(os.environ.get("TUTOR_REMINDER_TICK_SECONDS") or DEFAULT_TICK))
    except ValueError:
        return DEFAULT_TICK


def build_service() -> ReminderService | None:
    """The production service: the action server's quiz desk, its database and Slack; None when
    ``SLACK_BOT_TOKEN`` is not set. It loads the knowledge base: call it off the event loop."""
    from ..dialogue import provider
    from . import clock
    from .review import due_questions
    from .slack import SlackNotifier
    from .store import ReminderStore

    notifier = SlackNotifier.from_env()
    if notifier is None:
        return None
    desk = provider.get_desk()
    return ReminderService(ReminderStore(desk.progress.engine),
                           lambda learner, now: len(due_questions(desk, learner, now)),
                           notifier, clock.now)


class _Check:
    """The scheduled job: builds the service on its first run (in the scheduler's thread)."""

    def __init__(self, service: ReminderService | None) -> None:
        self.service = service

    def __call__(self) -> None:
        if self.service is None:
            self.service = build_service()
        if self.service is not None:
            self.service.run_once()


def start(service: ReminderService | None = None, tick: float | None = None) -> BackgroundScheduler | None:
    """Run the check every ``tick`` seconds in a background thread; None (nothing scheduled) when
    no service is given and ``SLACK_BOT_TOKEN`` is not set."""
    if service is None and not os.environ.get("SLACK_BOT_TOKEN", "").strip():
        log.info("review reminders are off: SLACK_BOT_TOKEN is not set")
        return None
    every = tick or tick_seconds()
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(_Check(service), IntervalTrigger(seconds=every), id="review-reminders",
                      max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))
    scheduler.start()
    log.info("review reminders: checking every %.0f s", every)
    return scheduler


def attach(app: Any) -> None:
    """Start the scheduler with the Sanic ``app`` (each worker) and stop it with the app."""

    async def started(app: Any, _loop: Any = None) -> None:
        try:
            app.ctx.reminders = start()
        except Exception:
            log.exception("review reminders could not start")
            app.ctx.reminders = None

    async def stopping(app: Any, _loop: Any = None) -> None:
        scheduler = getattr(app.ctx, "reminders", None)
        if scheduler is not None:
            scheduler.shutdown(wait=False)

    app.register_listener(started, "after_server_start")
    app.register_listener(stopping, "before_server_stop")
