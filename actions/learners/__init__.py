"""Learners' data: export, describe and delete everything kept about one learner, from the
``tutor`` command or the chat (:mod:`.requests`)."""

from .data import CONFIRM_FORGET, Stores, describe_learner, export_learner, forget_learner, forgotten_text
from .tracker import TrackerEvents

__all__ = ["CONFIRM_FORGET", "Stores", "TrackerEvents", "describe_learner", "export_learner",
           "forget_learner", "forgotten_text"]
