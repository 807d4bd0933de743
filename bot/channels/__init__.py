"""Rasa input channels for the tutor (loaded by Rasa from bot/credentials.yml)."""

from .. import speedups  # noqa: F401 - patches Rasa's action-response validation on import
