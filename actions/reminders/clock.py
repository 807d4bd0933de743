"""What time it is for reviews and reminders: the system clock, or a clock a test controls.

``TUTOR_CLOCK_URL`` (tests only) names an HTTP endpoint answering ``{"now": "<ISO 8601>"}``, such as
the fake Slack API's ``/clock`` (``tests/fake_slack.py``): the action server then reads the time
there, so a test can move it forward a day and see the reminder go out. Unset, it is real UTC time.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime

from ..quiz.tables import utc

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def url_clock(url: str, timeout: float = 5.0) -> Clock:
    """A clock read from ``url`` on every call (``{"now": "2026-12-02T18:01:00+00:00"}``)."""

    def now() -> datetime:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return utc(datetime.fromisoformat(json.loads(resp.read())["now"]))

    return now


def clock_from_env() -> Clock:
    url = os.environ.get("TUTOR_CLOCK_URL", "").strip()
    return url_clock(url) if url else system_clock


_clock: Clock | None = None


def now() -> datetime:
    """The current time (UTC) by the configured clock."""
    global _clock
    if _clock is None:
        _clock = clock_from_env()
    return _clock()


def use(clock: Clock | None) -> None:
    """Use ``clock`` from now on (None: read the environment again on next use)."""
    global _clock
    _clock = clock
