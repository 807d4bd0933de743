"""Send the action server the events since the latest user message, not the whole conversation.

Rasa 3.6 sends the tracker with every event of the session (``EventVerbosity.ALL``) on every
custom-action call; the action server parses all of it and our actions read none of it. At turn
300 of one learner's session (3,600 events, 1.2 MB of JSON) building the payload took 33 ms,
the call 240 ms and the action server's JSON parsing 112 ms, against 0.2, 31 and 0.9 ms at turn 1
(scripts/profile_long_conversation.py, 2-core machine under load).

The tutor's actions read the sender id, the slots, the latest message and the active loop
(``actions/dialogue/base.py``: ``Turn.of``; the quiz form's validation reads a slot), which are
sent in full as before. The events are cut to those from the latest user message on (the whole
list when there is none), so an action can still see what happened in this turn, the user
message's own event included. Everything else in the request is Rasa's. Measured the same way
afterwards (medians of three 300-turn conversations): building the payload 0.1 and 0.2 ms, the
call 35 and 28 ms, the action server's parsing 0.2 and 0.2 ms at turns 1-20 and 281-300.
"""

from __future__ import annotations

from typing import Any

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity


def events_of_this_turn(tracker: DialogueStateTracker) -> list[Any]:
    """The tracker's events from its latest user message on; all of them if it has none."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            return events[index:]
    return events


def _action_call_format(self: RemoteAction, tracker: DialogueStateTracker,
                        domain: Any) -> dict[str, Any]:
    """``RemoteAction._action_call_format`` with the events of this turn only."""
    tracker_state = tracker.current_state(EventVerbosity.NONE)
    tracker_state["events"] = [event.as_dict() for event in events_of_this_turn(tracker)]
    result = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": tracker_state,
        "version": rasa.__version__,
    }
    if (not self._is_selective_domain_enabled()
            or domain.does_custom_action_explicitly_need_domain(self.name())):
        result["domain"] = domain.as_dict()
    return result


RemoteAction._action_call_format = _action_call_format  # type: ignore[method-assign]
