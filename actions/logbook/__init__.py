"""The message log tutors report on: one row per learner turn, under a pseudonym (keyed HMAC).

The Rasa actions call, after sending a reply::

    from actions.logbook import record, turn_info
    record(turn_info(turn.learner, turn.text, turn.intent, reply, desk.progress))

:func:`record` never raises: a log that cannot be written must not cost the learner their reply.
"""

from __future__ import annotations

import logging
import threading

from .store import Logbook, Logged, TurnInfo
from .turns import last_answer, turn_info

__all__ = ["NOT_LOGGED", "Logbook", "Logged", "TurnInfo", "default_logbook", "last_answer", "record",
           "turn_info", "use_logbook"]

log = logging.getLogger(__name__)
# Replies whose turn must leave nothing behind: the learner's data was just deleted.
NOT_LOGGED = frozenset({"forgotten"})
_DEFAULT: Logbook | None = None
_LOCK = threading.Lock()


def default_logbook() -> Logbook:
    """The process's logbook from the environment (``TUTOR_LOG_URL``, ``TUTOR_LOG_KEY``, ...)."""
    global _DEFAULT
    if _DEFAULT is None:
        with _LOCK:
            if _DEFAULT is None:
                _DEFAULT = Logbook.from_settings()
    return _DEFAULT


def use_logbook(logbook: Logbook | None) -> None:
    """Record into ``logbook`` from now on (None: back to the one the environment names)."""
    global _DEFAULT
    with _LOCK:
        _DEFAULT = logbook


def record(info: TurnInfo) -> bool:
    """Log one turn; False (and a log line) when it could not be stored, or must not be (a reply
    of a kind in :data:`NOT_LOGGED`)."""
    if info.kind in NOT_LOGGED:
        return False
    try:
        default_logbook().record(info)
        return True
    except Exception:
        log.exception("could not log the turn of a learner (kind %s)", info.kind)
        return False
