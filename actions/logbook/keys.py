"""Pseudonymous learner ids: a keyed HMAC-SHA256 of Rasa's sender id.

The key comes from ``TUTOR_LOG_KEY``; when that is unset, a random key is generated once and kept
in ``<state dir>/log.key`` (mode 600). Without the key a pseudonym cannot be linked back to a
sender id, nor recomputed from a guessed one; with it, a tutor can find one learner's entries
(``tutor export``/``tutor forget``) by computing the pseudonym again.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_FILE = "log.key"


def load_key(explicit: str | None, state_dir: Path) -> bytes:
    """The HMAC key: ``explicit`` when given, else the one stored under ``state_dir`` (made once)."""
    if explicit:
        return explicit.encode()
    path = Path(state_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = secrets.token_hex(32)
        try:  # O_EXCL: two processes starting together keep one key
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(fresh)
    return path.read_text().strip().encode()


def pseudonym(key: bytes, learner: str) -> str:
    """The learner's pseudonym under ``key``: 32 hex digits (128 bits of HMAC-SHA256)."""
    return hmac.new(key, learner.encode(), hashlib.sha256).hexdigest()[:32]
