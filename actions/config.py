"""Settings, read once from environment variables (prefix ``TUTOR_``); nothing secret lives in YAML."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Where the tutor finds its documents, index and database."""

    model_config = SettingsConfigDict(env_prefix="TUTOR_", extra="ignore")

    knowledge_dir: Path = ROOT / "knowledge"
    index_dir: Path = ROOT / ".index"
    state_dir: Path = ROOT / ".state"
    # SQLAlchemy URL of the progress database; SQLite under state_dir when unset.
    database_url: str | None = None
    # How sure retrieval must be before the tutor answers instead of saying it does not know.
    min_answer_score: float = 0.3

    @property
    def progress_url(self) -> str:
        return self.database_url or f"sqlite:///{self.state_dir / 'progress.db'}"


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings (tests build their own :class:`Settings`)."""
    return Settings()
