"""Rasa input channels for the tutor (loaded by Rasa from bot/credentials.yml)."""
