"""Everything kept about one learner: export it, describe it in plain words, delete it.

A learner is named by Rasa's sender id. Three stores hold something about them: the progress
database (quiz attempts, review cards, quiz state, contested verdicts, a daily review reminder), the
message log (under a pseudonym of the sender id) and Rasa's tracker store (the conversation).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..logbook import Logbook
from ..quiz.learner_data import delete_learner, learner_progress
from ..quiz.progress import Progress
from ..reminders.store import ReminderStore
from .tracker import TrackerEvents, tracker_store

log = logging.getLogger(__name__)


@dataclass
class Stores:
    """Where learners' data lives; each defaults to what the environment configures."""

    progress: Progress | None = None
    logbook: Logbook | None = None
    tracker: TrackerEvents | None = None

    def resolved(self) -> Stores:
        from ..config import settings
        from ..logbook.settings import LogSettings

        log_conf = LogSettings()
        return Stores(
            self.progress or Progress(settings().progress_url),
            self.logbook or Logbook.from_settings(log_conf),
            self.tracker or TrackerEvents(tracker_store(log_conf.tracker_path)),
        )


def export_learner(learner: str, stores: Stores | None = None) -> dict[str, Any]:
    """Everything kept about ``learner``, JSON-ready: progress, logged messages, conversation."""
    s = (stores or Stores()).resolved()
    assert s.progress and s.logbook and s.tracker
    return {
        "learner": learner,
        "pseudonym": s.logbook.pseudonym(learner),
        "progress": learner_progress(s.progress, learner),
        "reminder": _reminder(s.progress, learner),
        "log": {"kept_days": s.logbook.days, "entries": [e.to_dict() for e in s.logbook.entries(learner)]},
        "conversation": s.tracker.conversation(learner),
    }


def forget_learner(learner: str, stores: Stores | None = None, after_turn: bool = False) -> dict[str, int]:
    """Delete everything kept about ``learner``; returns rows deleted per store.

    ``after_turn``: called from a Rasa action, whose turn Rasa stores after the action returns;
    the conversation is deleted now and again once that turn is stored (see :mod:`.tracker`).
    """
    s = (stores or Stores()).resolved()
    assert s.progress and s.logbook and s.tracker
    counts = {f"progress.{table}": n for table, n in delete_learner(s.progress, learner).items()}
    counts["reminder"] = int(ReminderStore(s.progress.engine).remove(learner))
    counts["log"] = s.logbook.delete(learner)
    if not after_turn:
        counts["conversation"] = s.tracker.delete(learner)
        return counts
    try:
        counts["conversation"] = s.tracker.delete(learner)
    except Exception:  # Rasa writing to its store just now: the sweep after the turn deletes it all
        log.warning("the conversation is deleted once this turn is stored", exc_info=True)
        counts["conversation"] = 0
    s.tracker.delete_after_turn(learner)
    return counts


def _reminder(progress: Progress, learner: str) -> dict[str, str] | None:
    record = ReminderStore(progress.engine).get(learner)
    if record is None:
        return None
    return {"at": record.at.strftime("%H:%M"), "timezone": record.timezone,
            "created_at": record.created_at.isoformat()}


def describe_learner(learner: str, stores: Stores | None = None, asking: bool = False) -> str:
    """What the tutor keeps about ``learner``, in words a learner reads in the chat. ``asking``: the
    learner asks in the chat, so the message being answered (not stored yet) counts as said."""
    data = export_learner(learner, stores)
    progress = data["progress"]
    attempts = progress.get("quiz_attempts", [])
    entries = data["log"]["entries"]
    conversation = data["conversation"]
    lines = ["Here is what I keep about you:"]
    if attempts:
        right = sum(1 for a in attempts if a["correct"])
        per_topic: dict[str, list[int]] = {}
        for a in attempts:
            tally = per_topic.setdefault(a["topic"] or "other", [0, 0])
            tally[0] += 1
            tally[1] += 1 if a["correct"] else 0
        lines.append(f"- your quiz answers: {len(attempts)}, {right} of them right; by topic: "
                     + "; ".join(f"{topic}: {n} answered, {ok} right"
                                 for topic, (n, ok) in sorted(per_topic.items())) + ";")
        lines.append(f"- a review schedule for {len(progress.get('quiz_cards', []))} quiz question(s), "
                     "to choose what you revise next;")
    else:
        lines.append("- no quiz answers;")
    if progress.get("quiz_sessions"):
        lines.append("- your latest quiz, so you can pick it up again;")
    if data["reminder"]:
        lines.append(f"- a daily reminder to revise at {data['reminder']['at']} "
                     f"({data['reminder']['timezone']} time);")
    if progress.get("quiz_overrides"):
        lines.append(f"- {len(progress['quiz_overrides'])} answer(s) you asked me to re-mark, "
                     "for your tutor;")
    days = data["log"]["kept_days"]
    lines.append(f"- {len(entries)} of your messages in the log tutors use to improve the course, under a "
                 f"code instead of your name, each deleted after {days} days;" if entries else
                 f"- none of your messages in the tutors' log (messages are kept there for {days} days);")
    said = sum(1 for m in conversation["messages"] if m.get("who") == "learner") + (1 if asking else 0)
    lines.append(f"- our conversation so far: {said} message(s) from you, {conversation['events']} "
                 "stored event(s) in all." if conversation["events"] or asking
                 else "- no stored conversation.")
    lines.append("Say 'delete my data' to have all of it deleted (I'll ask you to confirm first).")
    return "\n".join(lines)


CONFIRM_FORGET = ("This deletes everything I keep about you: your quiz answers and review schedule, your "
                  "messages in the tutors' log and our conversation. It cannot be undone. Delete it all?")


def forgotten_text(counts: dict[str, int]) -> str:
    """The chat's confirmation once :func:`forget_learner` ran."""
    answers = counts.get("progress.quiz_attempts", 0)
    return (f"Done: I've deleted everything I kept about you: {answers} quiz answer(s), your review "
            f"schedule, {counts.get('log', 0)} logged message(s) and our conversation. "
            "From now on I start afresh.")
