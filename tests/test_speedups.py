"""The Rasa patches in ``bot/speedups/``: installed when Rasa loads the channels, and giving Rasa's
own results (states, trackers, action-server requests), only with less work.

The checks run under Rasa's Python (``.venv-rasa``): each test runs this file there with the name
of a ``check_*`` function, which imports Rasa inside itself.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

try:
    import pytest

    slow = pytest.mark.slow
except ImportError:  # under Rasa's Python, which runs the checks only
    def slow(test: Any) -> Any:
        return test

ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


def run_check(name: str, timeout: float = 600) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
           "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([str(RASA_PYTHON), __file__, name], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_patches_are_installed_when_rasa_loads_the_channels() -> None:
    assert run_check("check_installed").split() == [
        "bot.speedups.tracker_cache", "bot.speedups.tracker_cache", "bot.speedups.states",
        "bot.speedups.states", "bot.speedups.tracker_copy", "bot.speedups.log_text",
        "bot.speedups.action_payload", "bot.speedups.validation", "bot.speedups.graph_runner",
        "bot.speedups.endpoint_session", "bot.speedups.tf_predict"]


@slow
def test_states_are_rasas_after_every_event_of_stories_rules_and_rewinds() -> None:
    assert "states match" in run_check("check_states_match_rasa")


@slow
def test_tracker_copies_are_rasas_after_every_event_of_stories_rules_and_rewinds() -> None:
    assert "copies match" in run_check("check_tracker_copy")


def test_states_fold_only_the_new_events() -> None:
    assert "folded" in run_check("check_states_are_incremental")


def test_tracker_store_hands_back_the_tracker_rasa_would_load() -> None:
    assert "trackers match" in run_check("check_tracker_cache_sqlite")


def test_tracker_store_hands_back_the_tracker_rasa_would_load_on_postgresql() -> None:
    """The same on the real PostgreSQL server (which must be up), as under ``make cluster``."""
    from .helpers import postgres_url

    os.environ["TUTOR_SPEEDUPS_PG_USER"] = postgres_url().split("://")[1].split("@")[0]
    assert "trackers match" in run_check("check_tracker_cache_postgresql")


def test_rule_policy_debug_text_is_rasas_and_made_only_when_logged() -> None:
    assert "log text ok" in run_check("check_log_text")


def test_action_server_gets_this_turns_events_and_the_full_state() -> None:
    assert "payload ok" in run_check("check_action_payload")


def test_action_responses_get_rasas_verdict_and_message() -> None:
    assert "verdicts match" in run_check("check_validation")


@slow
def test_graphs_run_without_dask_give_rasas_parses_and_predictions() -> None:
    assert "graph runs match" in run_check("check_graph_runner")


# --- run under .venv-rasa ------------------------------------------------------------------------

def check_installed() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.policies.policy import Policy
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig
    from rasa.utils.tensorflow.models import RasaModel

    import bot.channels  # noqa: F401 - what Rasa imports from credentials.yml

    for function in (SQLTrackerStore.retrieve, SQLTrackerStore.save,
                     Domain.states_for_tracker_history, DialogueStateTracker.applied_events,
                     DialogueStateTracker.copy,
                     Policy.format_tracker_states, RemoteAction._action_call_format,
                     RemoteAction._validate_action_result, DaskGraphRunner.run,
                     EndpointConfig.request, RasaModel._rasa_predict):
        print(function.__module__)


def _domain() -> Any:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "bot" / "domain.yml"))


def _story_event_lists(domain: Any) -> list[list[Any]]:
    """Events of every story, rule and test story, as Rasa's training reads them."""
    from rasa.core.training import load_data

    lists = []
    for resource in (ROOT / "data", ROOT / "tests" / "test_stories.yml"):
        for tracker in load_data(str(resource), domain, augmentation_factor=0):
            lists.append((list(tracker.events), tracker.is_rule_tracker))
    return lists


def _rewound(events: list[Any], rng: random.Random) -> list[Any]:
    """``events`` with rewinds, restarts, session starts and loop ends put in at random places."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        ActiveLoop,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
    )

    kinds = [UserUtteranceReverted, ActionReverted, lambda: ActiveLoop(None), Restarted,
             SessionStarted, lambda: ActionExecuted("action_listen")]
    out = list(events)
    for _ in range(rng.randint(1, 4)):
        out.insert(rng.randint(1, len(out)), rng.choice(kinds)())
    return out


def _grow(events: list[Any], domain: Any, is_rule: bool, each: Any) -> None:
    """Feed ``events`` one by one to one tracker (as a conversation does), calling ``each``."""
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker("learner", domain.slots, is_rule_tracker=is_rule)
    for event in events:
        tracker.update(event)
        each(tracker)


def check_states_match_rasa() -> None:
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.speedups import states

    domain = _domain()
    rule_only = {"rule_only_slots": [s.name for s in domain.slots][:2],
                 "rule_only_loops": list(domain.form_names)}
    kinds = [dict(), dict(omit_unset_slots=True),
             dict(ignore_rule_only_turns=True, rule_only_data=rule_only)]
    featurizer = MaxHistoryTrackerFeaturizer(max_history=None)
    ours_installed = (Domain.states_for_tracker_history, DialogueStateTracker.applied_events)

    def rasa_only(compute: Any) -> Any:
        """``compute()`` with Rasa's own functions, ours put back after."""
        Domain.states_for_tracker_history = states._rasa_states_for_tracker_history
        DialogueStateTracker.applied_events = states._rasa_applied_events
        try:
            return compute()
        finally:
            Domain.states_for_tracker_history, DialogueStateTracker.applied_events = \
                ours_installed

    rng = random.Random(9)
    lists = _story_event_lists(domain)
    lists += [(_rewound(events, rng), rule) for events, rule in lists for _ in range(3)]
    compared = 0

    def each(tracker: Any) -> None:
        nonlocal compared
        assert tracker.applied_events() == rasa_only(tracker.applied_events)
        for kind in kinds:
            ours = domain.states_for_tracker_history(tracker, **kind)
            rasas = rasa_only(lambda kind=kind: domain.states_for_tracker_history(tracker, **kind))
            assert ours == rasas, (kind, list(tracker.events))
        for use_text in (True, False):  # the featurizer edits the states it gets
            args = dict(use_text_for_last_user_input=use_text, ignore_rule_only_turns=True,
                        rule_only_data=rule_only)
            ours = featurizer.prediction_states([tracker], domain, **args)
            rasas = rasa_only(
                lambda args=args: featurizer.prediction_states([tracker], domain, **args))
            assert ours == rasas
        compared += 1

    for events, is_rule in lists:
        _grow(events, domain, is_rule, each)
    print(f"states match after {compared} events of {len(lists)} conversations")


def check_tracker_copy() -> None:
    from bot.speedups import tracker_copy

    domain = _domain()
    rng = random.Random(10)
    lists = _story_event_lists(domain)
    lists += [(_rewound(events, rng), rule) for events, rule in lists for _ in range(3)]
    compared = 0

    def state(tracker: Any) -> Any:
        fields = {k: v for k, v in vars(tracker).items() if k not in ("events", "slots")}
        slots = {name: vars(slot) for name, slot in tracker.slots.items()}
        return fields, slots, [id(e) for e in tracker.events], type(tracker.events)

    def each(tracker: Any) -> None:
        nonlocal compared
        ours = tracker.copy()
        assert state(ours) == state(tracker_copy._rasa_copy(tracker)), list(tracker.events)
        ours.update(tracker.events[-1])  # a copy is the caller's: the next one is unaffected
        compared += 1

    for events, is_rule in lists:
        _grow(events, domain, is_rule, each)
    print(f"copies match after {compared} events of {len(lists)} conversations")


def check_states_are_incremental() -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    import bot.speedups  # noqa: F401

    domain = _domain()
    events = [e for events, rule in _story_event_lists(domain) if not rule for e in events]
    tracker = DialogueStateTracker("long", domain.slots)
    for event in events * 20:
        tracker.update(event)
    domain.states_for_tracker_history(tracker)
    updates = 0
    rasa_update = DialogueStateTracker.update

    def counting(self: Any, event: Any, domain: Any = None) -> None:
        nonlocal updates
        updates += 1
        rasa_update(self, event, domain)

    for event in events[:6]:
        tracker.update(event)
    DialogueStateTracker.update = counting
    try:
        domain.states_for_tracker_history(tracker)
    finally:
        DialogueStateTracker.update = rasa_update
    assert len(tracker.events) > 1000 and updates <= 6, (len(tracker.events), updates)
    print(f"folded {updates} of {len(tracker.events)} events")


def check_tracker_cache_sqlite() -> None:
    import tempfile

    from rasa.core.tracker_store import SQLTrackerStore

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "tracker.db")
        check_tracker_cache(lambda domain: SQLTrackerStore(domain, dialect="sqlite", db=db))


def check_tracker_cache_postgresql() -> None:
    import uuid

    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore

    user, name = os.environ["TUTOR_SPEEDUPS_PG_USER"], f"tutor_speedups_{uuid.uuid4().hex[:10]}"
    stores: list[Any] = []

    def store(domain: Any) -> Any:
        stores.append(SQLTrackerStore(domain, dialect="postgresql", host="127.0.0.1", port=5432,
                                      db=name, username=user, login_db="postgres"))
        return stores[-1]

    try:
        check_tracker_cache(store)
    finally:
        for made in stores:
            made.engine.dispose()
        admin = sa.create_engine(f"postgresql://{user}@127.0.0.1:5432/postgres",
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def check_tracker_cache(new_store: Any) -> None:
    """Trackers handed back are the ones Rasa would load, from stores ``new_store(domain)`` makes;
    the events table has the index on (sender, id), old tables too."""
    import asyncio

    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    from bot.speedups import tracker_cache

    domain = _domain()
    slot = next(s.name for s in domain.slots if s.type_name == "text")

    def turn(n: int) -> list[Any]:
        return [UserUttered(f"message {n}", {"name": "ask", "confidence": 1.0}),
                ActionExecuted("action_answer"), SlotSet(slot, f"topic {n}"),
                ActionExecuted("action_listen")]

    def indexes(store: SQLTrackerStore) -> set[str]:
        return {index["name"] for index in sa.inspect(store.engine).get_indexes("events")}

    async def main() -> None:
        store: SQLTrackerStore = new_store(domain)
        assert tracker_cache.BY_SENDER.name in indexes(store)  # made with the table
        tracker_cache.BY_SENDER.drop(store.engine)  # a table from before it
        other: SQLTrackerStore = new_store(domain)  # a second Rasa server
        assert tracker_cache.BY_SENDER.name in indexes(store)  # added when a store starts

        async def loaded(sender: str) -> DialogueStateTracker:
            return await tracker_cache._rasa_retrieve(store, sender)

        def same(a: DialogueStateTracker, b: DialogueStateTracker) -> None:
            assert a.current_state(EventVerbosity.ALL) == b.current_state(EventVerbosity.ALL)
            assert a.past_states(domain) == b.past_states(domain)

        assert await store.retrieve("learner") is None  # a new conversation: nothing stored
        tracker = await store.create_tracker("learner")  # saved as Rasa saves it
        same(tracker, await loaded("learner"))
        for event in [ActionExecuted("action_session_start"), SessionStarted(),
                      ActionExecuted("action_listen"), *turn(0)]:
            tracker.update(event)
        await store.save(tracker)
        with store.engine.connect() as conn:  # the first listen, then this session's 7 events
            assert conn.execute(sa.text("SELECT count(*) FROM events")).scalar() == 8
        first = await store.retrieve("learner")  # a new session's first turn: loaded
        assert first is not tracker
        previous = None
        for n in range(1, 30):
            t = await store.retrieve("learner")
            assert n == 1 or t is previous  # handed back, not loaded
            same(t, await loaded("learner"))
            for event in turn(n):
                t.update(event)
            await store.save(t)
            previous = t
        same(await store.retrieve("learner"), await loaded("learner"))

        # a turn that failed after retrieving: the next one loads the store's tracker
        failed = await store.retrieve("learner")
        failed.update(UserUttered("lost"))
        again = await store.retrieve("learner")
        assert again is not failed
        same(again, await loaded("learner"))
        await store.save(again)

        # another server wrote to the conversation: loaded, with its events
        written = await other.retrieve("learner")
        for event in turn(99):
            written.update(event)
        await other.save(written)
        mine = await store.retrieve("learner")
        assert mine is not again and mine.get_slot(slot) == "topic 99"
        same(mine, await loaded("learner"))

        # a new session in the tracker: next turn loads only that session, as Rasa does
        for event in [ActionExecuted("action_session_start"), SessionStarted(),
                      ActionExecuted("action_listen"), *turn(100)]:
            mine.update(event)
        await store.save(mine)
        fresh = await store.retrieve("learner")
        assert fresh is not mine and len(fresh.events) == 6
        same(fresh, await loaded("learner"))

        # appending checks the sender's last id first: a stale one writes nothing
        engine = tracker_cache._reader(store)
        last = await asyncio.to_thread(tracker_cache._read_last_id, engine, "learner")
        row = tracker_cache._values("learner", ActionExecuted("action_listen"))
        assert tracker_cache._append(engine, "learner", last - 1, [row]) is None
        assert await asyncio.to_thread(tracker_cache._read_last_id, engine, "learner") == last
        written = tracker_cache._append(engine, "learner", last, [row, row])
        assert written is not None and written > last
        assert len((await loaded("learner")).events) == len(fresh.events) + 2
        print("trackers match")

    asyncio.run(main())


def check_log_text() -> None:
    import copy
    import json
    import logging

    import structlog
    from rasa.core.policies.policy import Policy
    from rasa.utils.log_utils import configure_structlog

    from bot.speedups import log_text

    domain = _domain()
    states = [state for events, rule in _story_event_lists(domain)[:5]
              for state in _grown(events, domain, rule).past_states(domain)]
    text = log_text._rasa_format_tracker_states(states)
    made = []
    rasa_format = log_text._rasa_format_tracker_states
    log_text._rasa_format_tracker_states = lambda s: made.append(1) or rasa_format(s)
    try:
        lazy = copy.deepcopy(Policy.format_tracker_states(states))
        configure_structlog(logging.INFO)  # as `rasa run` does
        structlog.get_logger().debug("unseen", current_states=lazy)
        assert not made
        for render in (structlog.dev.ConsoleRenderer(colors=False),
                       structlog.processors.JSONRenderer()):
            event = {"event": "rule_policy.actions.find"}
            assert render(None, "debug", {**event, "current_states": lazy}) == \
                render(None, "debug", {**event, "current_states": text})
        assert str(lazy) == text and lazy == text and json.dumps(str(lazy)) == json.dumps(text)
    finally:
        log_text._rasa_format_tracker_states = rasa_format
    print("log text ok")


def _grown(events: list[Any], domain: Any, is_rule: bool) -> Any:
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker("learner", domain.slots, is_rule_tracker=is_rule)
    for event in events:
        tracker.update(event)
    return tracker


def check_action_payload() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    import bot.speedups  # noqa: F401

    domain = _domain()
    slot = next(s.name for s in domain.slots if s.type_name == "text")
    tracker = DialogueStateTracker("learner", domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    action = RemoteAction("action_answer", None)
    assert len(action._action_call_format(tracker, domain)["tracker"]["events"]) == 1
    for n in range(50):
        for event in [UserUttered(f"message {n}", {"name": "ask", "confidence": 1.0}),
                      ActionExecuted("action_answer"), SlotSet(slot, f"topic {n}"),
                      ActionExecuted("action_listen")]:
            tracker.update(event)
    tracker.update(ActiveLoop("quiz_form"))
    tracker.update(UserUttered("last", {"name": "ask", "confidence": 1.0}))
    tracker.update(SlotSet("requested_slot", "quiz_answer"))
    sent = action._action_call_format(tracker, domain)
    full = tracker.current_state(EventVerbosity.ALL)
    assert [e["event"] for e in sent["tracker"]["events"]] == ["user", "slot"]
    assert sent["tracker"]["events"] == full["events"][-2:]
    assert {k: v for k, v in sent["tracker"].items() if k != "events"} == \
        {k: v for k, v in full.items() if k != "events"}
    assert sent["tracker"]["slots"][slot] == "topic 49"
    assert sent["tracker"]["active_loop"]["name"] == "quiz_form"
    assert sent["tracker"]["latest_message"]["text"] == "last"
    assert sent["next_action"] == "action_answer" and sent["sender_id"] == "learner"
    assert "domain" in sent and "version" in sent
    print("payload ok")


def _responses(rng: random.Random) -> list[Any]:
    """Action-server responses: valid ones as the tutor's actions send, and each broken a little."""
    valid = {"events": [
        {"event": "slot", "timestamp": None, "name": "quiz_topic", "value": "HEAT"},
        {"event": "bot", "timestamp": None, "text": "Question 1 of 3", "data": {"buttons": []},
         "metadata": {}},
        {"event": "active_loop", "name": "quiz_form"},
        {"event": "followup", "name": "action_listen"},
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet",
                                                                    "confidence": 1.0}}},
        {"event": "reset_slots"}, {"event": "restart"}, {"event": "session_started"},
        {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
    ], "responses": [{"text": "hello"}]}
    breaks = [
        lambda e: e.pop("event", None), lambda e: e.update(event="no_such_event"),
        lambda e: e.update(event=3), lambda e: e.update(event=["slot"]),
        lambda e: e.update(name=5), lambda e: e.pop("name", None) or e.pop("value", None),
        lambda e: e.update(text=7), lambda e: e.update(confidence="high"),
        lambda e: e.update(parse_data="nothing"), lambda e: e.update(timestamp="now"),
    ]
    out: list[Any] = [valid, {}, {"events": []}, {"responses": []}, {"events": "x"},
                      {"events": [3]}, {"events": [{}]}, [], "text", None,
                      {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [3]}]
    import copy

    for _ in range(400):
        response = copy.deepcopy(valid)
        rng.shuffle(response["events"])
        del response["events"][rng.randint(0, len(response["events"])):]
        for _ in range(rng.randint(0, 2)):
            if response["events"]:
                rng.choice(breaks)(rng.choice(response["events"]))
        out.append(response)
    return out


def check_validation() -> None:
    from jsonschema import ValidationError, validate
    from rasa.core.actions.action import RemoteAction

    import bot.speedups.validation  # noqa: F401

    action = RemoteAction("action_answer", None)
    schema = RemoteAction.action_response_format_spec()
    valid = invalid = 0
    for response in _responses(random.Random(9)):
        try:
            validate(response, schema)  # Rasa 3.6's own check
            rasa: Any = True
        except ValidationError as e:
            rasa = (e.message, list(e.path), list(e.schema_path))
        try:
            ours: Any = action._validate_action_result(response)
        except ValidationError as e:
            assert e.message.endswith("/custom-actions"), e.message
            ours = (e.message.split(". Failed to validate")[0], list(e.path), list(e.schema_path))
        assert ours == rasa, (response, ours, rasa)
        valid += rasa is True
        invalid += rasa is not True
    assert valid > 100 and invalid > 100, (valid, invalid)
    print(f"verdicts match ({valid} valid, {invalid} invalid)")


def check_graph_runner() -> None:
    import asyncio

    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.speedups import graph_runner

    agent = asyncio.run(load_agent(model_path=str(ROOT / "models" / "tutor.tar.gz")))
    processor = agent.processor
    texts = ["hi", "what does HEAT stand for?", "what's step 3?", "compare STAR and SMART",
             "quiz me on LATER", "it's b", "skip", "how am I doing?", "thanks, bye", "asdf qwer",
             "which law covers customer data?", "what is GDPR?", "no", "yes please"]
    runs = 0
    for text in texts:
        seen = []
        for run in (graph_runner._rasa_run, graph_runner.run):
            DaskGraphRunner.run = run  # type: ignore[method-assign]
            parsed = asyncio.run(processor.parse_message(UserMessage(text, sender_id="t")))
            tracker = DialogueStateTracker("t", agent.domain.slots)
            for event in (ActionExecuted("action_session_start"), SessionStarted(),
                          ActionExecuted("action_listen"), UserUttered(text, parsed)):
                tracker.update(event)
            predictions = []
            for _ in range(2):  # the action, then what follows it
                prediction = processor._predict_next_with_tracker(tracker)
                predictions.append(vars(prediction).copy())
                name = agent.domain.action_names_or_texts[prediction.max_confidence_index]
                tracker.update(ActionExecuted(name))
            seen.append((parsed, predictions))
        DaskGraphRunner.run = graph_runner.run  # type: ignore[method-assign]
        assert seen[0] == seen[1], (text, seen)
        runs += 1
    print(f"graph runs match ({runs} messages)")


def test_diet_predictions_through_the_concrete_function_are_rasas() -> None:
    assert "predictions match" in run_check("check_tf_predict")


def check_tf_predict() -> None:
    """Every intent ranking is Rasa's own, to the last bit, for messages of many lengths (the
    concrete function takes any batch the signature admits); a batch it does not admit goes
    Rasa's way."""
    import asyncio

    import numpy as np
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import UserMessage

    from bot.speedups import tf_predict

    agent = asyncio.run(load_agent(model_path=str(ROOT / "models" / "tutor.tar.gz")))
    texts = ["hi", "what does HEAT stand for?", "it's b", "the customer is always right " * 12,
             "", "asdf qwer 12345 !!", "quiz me on LATER", "compare STAR and SMART"]
    seen: dict[str, list[object]] = {}
    for name, predict in (("rasa", tf_predict._rasa_predict), ("concrete", tf_predict._predict)):
        tf_predict.models.RasaModel._rasa_predict = predict  # type: ignore[method-assign]
        seen[name] = [asyncio.run(agent.processor.parse_message(UserMessage(t, sender_id="t")))
                      for t in texts * 2]
    assert seen["rasa"] == seen["concrete"], (seen["rasa"], seen["concrete"])
    (model,) = _diet_models(agent)
    assert getattr(model, "_tutor_concrete", None) is not None  # the fast path was taken
    _function, specs = model._tutor_concrete
    odd = tuple(np.zeros([1] * (len(s.shape) + 1), dtype=s.dtype.as_numpy_dtype) for s in specs)
    assert not tf_predict._fits(specs, odd)  # another rank: Rasa's way
    print(f"predictions match ({len(texts) * 2} messages)")


def _diet_models(agent: Any) -> Any:
    """The TensorFlow models the loaded agent holds (DIET's)."""
    import gc

    from rasa.utils.tensorflow.models import RasaModel

    return [obj for obj in gc.get_objects() if isinstance(obj, RasaModel)]


def test_endpoint_requests_keep_their_connection_and_give_rasas_answers() -> None:
    assert "endpoint ok" in run_check("check_endpoint_session")


def check_endpoint_session() -> None:
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import ClientResponseError, EndpointConfig

    import bot.speedups.endpoint_session  # noqa: F401

    peers: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        body = await request.json()
        if body.get("fail"):
            return web.Response(status=400, text="bad")
        if body.get("text"):
            return web.Response(text="plain")
        return web.json_response({"auth": request.headers.get("Authorization"),
                                  "query": dict(request.query), "echo": body})

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook",
                                  headers={"Authorization": "Bearer t"}, params={"a": "1"})
        for n in range(5):
            answer = await endpoint.request(json={"n": n}, method="post", timeout=10)
            assert answer == {"auth": "Bearer t", "query": {"a": "1"}, "echo": {"n": n}}, answer
        assert await endpoint.copy().request(json={"text": 1}) is None  # not JSON: None
        try:
            await endpoint.request(json={"fail": 1})
            raise AssertionError("no error")
        except ClientResponseError as e:
            assert e.status == 400 and e.text == b"bad"
        await asyncio.gather(*(endpoint.request(json={"n": n}) for n in range(20)))
        assert len(set(peers[:7])) == 1, peers  # one connection, kept
        assert len(set(peers)) <= 21
        await runner.cleanup()

    asyncio.run(main())
    print("endpoint ok")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    globals()[sys.argv[1]]()
