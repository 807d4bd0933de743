"""Extend the policies' dialogue states from the previous prediction instead of replaying the
whole conversation for each one.

``Domain.states_for_tracker_history`` (``tracker.past_states``) filters the tracker's events
(``applied_events``), replays them one by one onto a fresh tracker and makes a state at every
action. RulePolicy and MemoizationPolicy ask for it several times per predicted action (with and
without rule-only turns), two or three predictions a turn, so the policies' share of a turn grows
with the conversation: 13 ms at turn 1, 597 ms at turn 300 of one learner's session (3,600
events; scripts/profile_long_conversation.py, 2-core machine under load).

Here each conversation keeps, per kind of call, the events it has seen, their applied events and
the fold's state (the replay tracker, the states so far) at the ends of its last calls. A call whose
tracker holds those same events (the same objects: ``tracker_cache`` hands back the same tracker
each turn) and no new active-loop name folds only the new events, from the latest checkpoint whose
applied events are still the same; everything else (the first call, a tracker built afresh, events
rewound further back than the checkpoints) is folded from the start. Both paths run Rasa's own
steps (its applied-events rules and its ``get_active_state``), so the states are Rasa's: the tests
compare them, and what the featurizer makes of them, with Rasa's after every event of the stories,
rules and test stories, and of copies with rewinds, restarts, session starts and loop ends put in
at random. ``DialogueStateTracker.applied_events``, which the processor also calls every turn (to
see whether the session expired), is extended the same way.

Measured the same way afterwards (medians of three 300-turn conversations): the policies took
14 ms a turn at turns 1-20 and 29 ms at turns 281-300, what is left growing being Rasa's own
passes over the list of states (RulePolicy's matching of rules against it, the featurizer's
clean-up), cheap per state.

Callers edit some of the states they get (the featurizer deletes user text or intent), so each
call gets its own copies of those, with the sharing between states that Rasa's own list has.
"""

from __future__ import annotations

import copy
import json
import operator
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from rasa.shared.core.constants import (
    ACTION_UNLIKELY_INTENT_NAME,
    PREVIOUS_ACTION,
    USER,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ACTION_NAME, INTENT, TEXT

KEEP = 600  # (conversation, kind of call) entries kept, the least recently used dropped first
CHECKPOINTS = 8  # fold states kept per entry


@dataclass
class Checkpoint:
    """The fold's state after ``applied`` applied events."""

    applied: int
    tracker: DialogueStateTracker  # the replay tracker then; never changed afterwards
    states: int  # how many states had been made
    last_ml_action: Any
    turn_was_hidden: bool


@dataclass
class Entry:
    domain: Domain
    events: list[Any]
    loop_names: set[str]
    applied: list[Any]
    states: list[dict[str, Any]]  # every state but the last call's final one
    editable: list[int]  # indices of states whose user sub-state the featurizer edits
    checkpoints: list[Checkpoint] = field(default_factory=list)


_entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
_applied: OrderedDict[tuple[Any, ...], tuple[list[Any], set[str], list[Any]]] = OrderedDict()
_rasa_states_for_tracker_history = Domain.states_for_tracker_history
_rasa_applied_events = DialogueStateTracker.applied_events


def _snapshot(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A copy of a replay tracker's state: the fold never reads a replay tracker's own events."""
    clone = copy.copy(tracker)
    clone.events = tracker._create_events([])
    clone.slots = copy.copy(tracker.slots)
    for name, slot in clone.slots.items():
        clone.slots[name] = copy.copy(slot)
    clone.active_loop = copy.copy(tracker.active_loop)
    return clone


def _apply(tracker: DialogueStateTracker, applied: list[Any], event: Any,
           loop_names: set[str]) -> list[Any]:
    """One step of ``DialogueStateTracker.applied_events``; the applied events after it."""
    if isinstance(event, (Restarted, SessionStarted)):
        return []
    if isinstance(event, ActionReverted):
        tracker._undo_till_previous(ActionExecuted, applied)
    elif isinstance(event, UserUtteranceReverted):
        tracker._undo_till_previous(UserUttered, applied)
        tracker._undo_till_previous(ActionExecuted, applied)
    elif (isinstance(event, ActionExecuted) and event.action_name in loop_names
          and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)):
        tracker._undo_till_previous_loop_execution(event.action_name, applied)
    else:
        applied.append(event)
    return applied


def _loop_names(events: Any) -> set[str]:
    return {e.name for e in events if isinstance(e, ActiveLoop) and e.name}


def _same(a: list[Any], b: Any, n: int) -> bool:
    return all(map(operator.is_, islice(a, n), islice(b, n)))


class _Fold:
    """``states_for_tracker_history``'s loop, resumable from a :class:`Checkpoint`."""

    def __init__(self, domain: Domain, omit_unset_slots: bool, ignore_rule_only_turns: bool,
                 rule_only_data: dict[str, Any] | None) -> None:
        self.domain = domain
        self.omit = omit_unset_slots
        self.ignore = ignore_rule_only_turns
        self.rule_only_data = rule_only_data

    def run(self, start: Checkpoint, applied: list[Any], states: list[dict[str, Any]]
            ) -> tuple[list[dict[str, Any]], Checkpoint, dict[str, Any] | None]:
        """States for ``applied`` from ``start``; the checkpoint at its end; the final state."""
        tracker = _snapshot(start.tracker)
        states = states[:start.states]
        self.last_ml, self.hidden = start.last_ml_action, start.turn_was_hidden
        for event in islice(applied, start.applied, None):
            if isinstance(event, ActionExecuted):
                state = self.state(tracker, event.hide_rule_turn, states)
                if state is not None:
                    states.append(state)
            tracker.update(event)
        end = Checkpoint(len(applied), tracker, len(states), self.last_ml, self.hidden)
        return states, end, self.state(tracker, False, states)

    def state(self, tr: DialogueStateTracker, hide_rule_turn: bool,
              states: list[dict[str, Any]]) -> dict[str, Any] | None:
        domain = self.domain
        if self.ignore:
            if not self.hidden:
                self.last_ml = domain._get_prev_action_sub_state(tr)
            if not tr.followup_action and tr.latest_action_name != tr.active_loop_name:
                self.hidden = hide_rule_turn
            if self.hidden:
                return None
        state = domain.get_active_state(tr, omit_unset_slots=self.omit)
        if self.ignore:
            domain._remove_rule_only_features(state, self.rule_only_data)
            if states:
                domain._substitute_rule_only_user_input(state, states[-1])
            if self.last_ml:
                state[PREVIOUS_ACTION] = self.last_ml
        return domain._clean_state(state)


def _editable(state: dict[str, Any]) -> bool:
    user = state.get(USER)
    return user is not None and INTENT in user and TEXT in user


def _copies(states: list[dict[str, Any]], editable: list[int]) -> list[dict[str, Any]]:
    """The states, with copies of those callers may edit, so the cached ones stay as made.

    The featurizer deletes the text of every user sub-state that has an intent too (``editable``:
    their indices) and the intent or text of the last state's (the last but those it filters out,
    after ``action_unlikely_intent``); earlier states can share that user sub-state (Rasa carries
    a user sub-state from turn to turn of one message). Sharing among the copies is kept. Other
    states are never edited and are handed out as they are: a call copies a handful of dicts.
    """
    out = list(states)
    if not out:
        return out
    tail = len(out) - 1
    while tail > 0 and (out[tail].get(PREVIOUS_ACTION) or {}).get(ACTION_NAME) == \
            ACTION_UNLIKELY_INTENT_NAME:
        tail -= 1
    last_user = out[tail].get(USER)
    first = tail
    while first > 0 and last_user is not None and out[first - 1].get(USER) is last_user:
        first -= 1
    twins: dict[int, dict[str, Any]] = {}
    for index in [*(i for i in editable if i < first), *range(first, len(out))]:
        user = out[index].get(USER)
        if user is not None:
            twin = twins.get(id(user))
            if twin is None:
                twin = twins[id(user)] = dict(user)
            out[index] = {**out[index], USER: twin}
    return out


def states_for_tracker_history(self: Domain, tracker: DialogueStateTracker,
                               omit_unset_slots: bool = False,
                               ignore_rule_only_turns: bool = False,
                               rule_only_data: dict[str, Any] | None = None
                               ) -> list[dict[str, Any]]:
    rules = json.dumps(rule_only_data, sort_keys=True, default=str) if ignore_rule_only_turns \
        else None
    key = (tracker.sender_id, tracker.is_rule_tracker, omit_unset_slots, ignore_rule_only_turns,
           rules)
    fold = _Fold(self, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    events = list(tracker.events)
    entry = _entries.get(key)
    start: Checkpoint | None = None
    if (entry is not None and entry.domain is self and len(events) >= len(entry.events)
            and _same(entry.events, events, len(entry.events))
            and _loop_names(events[len(entry.events):]) <= entry.loop_names):
        applied = entry.applied.copy()
        for event in events[len(entry.events):]:
            applied = _apply(tracker, applied, event, entry.loop_names)
        while entry.checkpoints:
            candidate = entry.checkpoints[-1]
            if (candidate.applied <= len(applied)
                    and _same(entry.applied, applied, candidate.applied)):
                start = candidate
                break
            entry.checkpoints.pop()
        loop_names = entry.loop_names
    if start is None or entry is None:
        loop_names = _loop_names(events)
        applied = []
        for event in events:
            applied = _apply(tracker, applied, event, loop_names)
        start = Checkpoint(0, tracker.init_copy(), 0, None, False)
        entry = Entry(self, events, loop_names, applied, [], [])
    states, end, final = fold.run(start, applied, entry.states)
    editable = [i for i in entry.editable if i < start.states]
    editable += [i for i in range(start.states, len(states)) if _editable(states[i])]
    entry.events, entry.applied, entry.states, entry.editable = events, applied, states, editable
    entry.checkpoints = [*entry.checkpoints, end][-CHECKPOINTS:]
    _keep(_entries, key, entry)
    return _copies(states if final is None else [*states, final], editable)


def _keep(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > KEEP:
        cache.popitem(last=False)


def applied_events(self: DialogueStateTracker) -> list[Any]:
    """``DialogueStateTracker.applied_events``, extended from the last call's for this
    conversation when the tracker still holds the same events (the processor asks every turn)."""
    events = list(self.events)
    key = (self.sender_id, self.is_rule_tracker)
    cached = _applied.get(key)
    if cached is not None and len(events) >= len(cached[0]) and _same(cached[0], events,
                                                                       len(cached[0])):
        seen, loop_names, applied = cached
        if _loop_names(events[len(seen):]) <= loop_names:
            applied = applied.copy()
            for event in events[len(seen):]:
                applied = _apply(self, applied, event, loop_names)
            _keep(_applied, key, (events, loop_names, applied))
            return applied.copy()
    loop_names = _loop_names(events)
    applied = []
    for event in events:
        applied = _apply(self, applied, event, loop_names)
    _keep(_applied, key, (events, loop_names, applied))
    return applied.copy()


Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]
DialogueStateTracker.applied_events = applied_events  # type: ignore[method-assign]
