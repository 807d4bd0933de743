"""Rasa custom actions: thin adapters from a Rasa turn to one :class:`~actions.answers.tutor.Tutor` call.

Run with ``python -m rasa_sdk --actions actions.dialogue``; rasa-sdk imports every module here and
registers each concrete ``Action``. Importing this package loads no model and opens no index: the
tutor is built on first use (see :mod:`actions.dialogue.provider`).
"""
