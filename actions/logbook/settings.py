"""The logbook's settings, from environment variables (prefix ``TUTOR_``), like :mod:`actions.config`."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from ..config import ROOT


class LogSettings(BaseSettings):
    """Where learners' messages are logged, how long they are kept, and the pseudonymisation key."""

    model_config = SettingsConfigDict(env_prefix="TUTOR_", extra="ignore")

    state_dir: Path = ROOT / ".state"
    # SQLAlchemy URL of the message log; SQLite under state_dir when unset.
    log_url: str | None = None
    # Secret key of the learner pseudonyms (HMAC-SHA256); generated into state_dir when unset.
    log_key: str | None = None
    # Days a logged message is kept; older ones are pruned.
    log_days: int = 90
    # Rasa's SQLite tracker store (bot/endpoints.yml), for exporting and deleting conversations.
    tracker_db: Path | None = None

    @property
    def url(self) -> str:
        return self.log_url or f"sqlite:///{self.state_dir / 'logbook.db'}"

    @property
    def tracker_path(self) -> Path:
        return self.tracker_db or self.state_dir / "tracker.db"
