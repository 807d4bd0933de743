"""Where a turn's time goes early and late in one long conversation, per component.

Starts a private action server and Rasa server (``tests.servers.TutorServers``) with timing hooks
loaded into both processes through a generated ``sitecustomize`` (nothing in the product changes),
plays one learner's conversation of ``--turns`` questions over REST and prints, per component, the
median milliseconds per turn over the first and the last ``--window`` turns, and their ratio::

    .venv/bin/python scripts/profile_long_conversation.py            # 300 turns, windows of 20

Components (a turn's calls are summed; indented ones are part of the one above):

- rasa: handle_message     the Rasa side of a turn, from the tracker's retrieval to its saving
-   tracker retrieve       SQLTrackerStore.retrieve: query, JSON parse, replay of every event
-   session check          whether the session expired (Rasa filters the events to decide)
-   nlu                    parse_message: the NLU pipeline
-   policies               the policy graph, once per predicted action
-     RulePolicy / MemoizationPolicy   each policy's prediction
-   action server call     RemoteAction.run: build the payload, HTTP, apply the response
-     serialise tracker    RemoteAction._action_call_format (the tracker as a dict)
-     http round trip      EndpointConfig.request: JSON encoding, network, the action server
-   tracker save           SQLTrackerStore.save
- sdk: parse request JSON  the action server reading the request body
- sdk: run action          rasa-sdk ActionExecutor.run (Tracker.from_dict and the action)

The conversation asks the same ``--window`` questions at its start and its end (and a warm-up
conversation asks them first), so the two windows differ only in the conversation's length.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import inspect
import os
import sys
import time
from pathlib import Path

# What the hooks time: module -> (class, method, component). Patched when the module is imported.
TARGETS: dict[str, list[tuple[str, str, str]]] = {
    "rasa.core.processor": [
        ("MessageProcessor", "handle_message", "rasa: handle_message"),
        ("MessageProcessor", "_update_tracker_session", "session check"),
        ("MessageProcessor", "parse_message", "nlu"),
        ("MessageProcessor", "_predict_next_with_tracker", "policies"),
    ],
    "rasa.core.tracker_store": [
        ("SQLTrackerStore", "retrieve", "tracker retrieve"),
        ("SQLTrackerStore", "save", "tracker save"),
    ],
    "rasa.core.actions.action": [
        ("RemoteAction", "run", "action server call"),
        ("RemoteAction", "_action_call_format", "serialise tracker"),
    ],
    "rasa.utils.endpoints": [("EndpointConfig", "request", "http round trip")],
    "rasa.core.policies.rule_policy": [
        ("RulePolicy", "predict_action_probabilities", "RulePolicy"),
    ],
    "rasa.core.policies.memoization": [
        ("MemoizationPolicy", "predict_action_probabilities", "MemoizationPolicy"),
    ],
    # bot.speedups replaces some of the methods above: time its versions too (nested calls of
    # one component count once)
    "bot.speedups.tracker_cache": [
        ("SQLTrackerStore", "retrieve", "tracker retrieve"),
        ("SQLTrackerStore", "save", "tracker save"),
    ],
    "bot.speedups.action_payload": [
        ("RemoteAction", "_action_call_format", "serialise tracker"),
    ],
    "rasa_sdk.executor": [("ActionExecutor", "run", "sdk: run action")],
    "sanic.request": [("Request", "load_json", "sdk: parse request JSON")],
    "sanic.request.types": [("Request", "load_json", "sdk: parse request JSON")],
}
ORDER = ["client: whole turn", "rasa: handle_message", "tracker retrieve", "session check", "nlu",
         "policies",
         "RulePolicy", "MemoizationPolicy", "action server call", "serialise tracker",
         "http round trip", "tracker save", "sdk: parse request JSON", "sdk: run action"]
DEPTH = {"tracker retrieve": 1, "session check": 1, "nlu": 1, "policies": 1, "RulePolicy": 2,
         "MemoizationPolicy": 2, "action server call": 1, "serialise tracker": 2,
         "http round trip": 2, "tracker save": 1}
OUT_VARIABLE = "TUTOR_PROFILE_OUT"
GREETINGS = ["hi", "hello", "good morning", "hey there", "hiya"]
QUIZ = ["quiz me on HEAT", "a", "b", "a", "b", "a"]  # a five-question quiz, answered


# --- the hooks, loaded into the servers by the generated sitecustomize -------------------------

_running: dict[str, int] = {}  # component -> calls in progress (one conversation at a time)


def _timed(function, component: str, out):
    def enter() -> float:
        _running[component] = _running.get(component, 0) + 1
        return time.monotonic()

    def leave(started: float) -> None:
        _running[component] -= 1
        if not _running[component]:
            out.write(f"{component}\t{started:.6f}\t{time.monotonic():.6f}\n")

    if inspect.iscoroutinefunction(function):
        @functools.wraps(function)
        async def wrapper(*args, **kwargs):
            started = enter()
            try:
                return await function(*args, **kwargs)
            finally:
                leave(started)
    else:
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            started = enter()
            try:
                return function(*args, **kwargs)
            finally:
                leave(started)
    return wrapper


def _patch(module, out) -> None:
    for cls_name, method, component in TARGETS.get(module.__name__, []):
        cls = getattr(module, cls_name, None)
        raw = cls.__dict__.get(method) if cls is not None else None
        if raw is None:
            continue
        if isinstance(raw, (classmethod, staticmethod)):
            setattr(cls, method, type(raw)(_timed(raw.__func__, component, out)))
        else:
            setattr(cls, method, _timed(raw, component, out))


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Lets the normal finders load each target module, then wraps its methods."""

    def __init__(self, out) -> None:
        self.out = out

    def find_spec(self, name, path=None, target=None):
        if name not in TARGETS:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        loader, out = spec.loader, self.out

        class Loader(importlib.abc.Loader):
            def create_module(self, spec):
                return loader.create_module(spec)

            def exec_module(self, module):
                loader.exec_module(module)
                _patch(module, out)

        spec.loader = Loader()
        return spec


def install_hooks() -> None:
    """Called by the generated sitecustomize in each server process."""
    path = os.environ.get(OUT_VARIABLE)
    if path:
        out = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives with the process
        sys.meta_path.insert(0, _PatchOnImport(out))


# --- the driver ---------------------------------------------------------------------------------

def _per_turn(records: list[tuple[str, float, float]], windows: list[tuple[float, float]]
              ) -> list[dict[str, float]]:
    """Each turn's milliseconds per component: calls that started within the turn, summed."""
    import bisect

    starts = [w[0] for w in windows]
    turns: list[dict[str, float]] = [{} for _ in windows]
    for component, started, ended in records:
        i = bisect.bisect_right(starts, started) - 1
        if 0 <= i < len(windows) and started <= windows[i][1]:
            turns[i][component] = turns[i].get(component, 0.0) + (ended - started) * 1000
    return turns


def _records(path: Path) -> list[tuple[str, float, float]]:
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        component, started, ended = line.split("\t")
        records.append((component, float(started), float(ended)))
    return records


def main() -> int:
    import argparse
    import statistics
    import tempfile

    import httpx
    import yaml

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from tests.servers import TutorServers

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--window", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1, help="Conversations; medians over all.")
    parser.add_argument("--quiz", action="store_true",
                        help=f"Play quizzes instead of questions: {' / '.join(QUIZ)} over and "
                        "over (the quiz form active most of the time); use a --window that "
                        f"is a multiple of {len(QUIZ)}.")
    parser.add_argument("--greetings", action="store_true",
                        help="Compare a greeting turn with a question turn instead: short "
                        "conversations alternating the two (as scripts/bench_bot.py plays them); "
                        "the columns are then greeting and question.")
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep it (tracker.db, "
                        "logs, timings.tsv) instead of a temporary one.")
    args = parser.parse_args()
    questions = [c["q"] for c in yaml.safe_load(
        (root.parent / "shared" / "eval" / "qa.yml").read_text(encoding="utf-8"))][:args.window]
    if args.quiz:
        questions = QUIZ

    early: dict[str, list[float]] = {}
    late: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            tmp = str(args.keep.resolve())
        hooks = Path(tmp) / "hooks"
        hooks.mkdir()
        (hooks / "sitecustomize.py").write_text(
            f"import sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
            "import profile_long_conversation\nprofile_long_conversation.install_hooks()\n")
        out = Path(tmp) / "timings.tsv"
        servers = TutorServers(Path(tmp) / "bot")
        servers.opts.env.update({"PYTHONPATH": os.pathsep.join((str(root), str(hooks))),
                                 OUT_VARIABLE: str(out)})
        try:
            servers.start()
        except Exception:
            print(servers.logs(), file=sys.stderr)
            raise
        try:
            with httpx.Client(timeout=120) as client:
                def say(sender: str, text: str) -> None:
                    client.post(servers.webhook, json={"sender": sender, "message": text}
                                ).raise_for_status()

                for question in questions:
                    say("warm-up", question)
                for run in range(args.runs):
                    windows = []
                    for n in range(args.turns):
                        if args.greetings:  # greeting, question, greeting, ... 10 turns each
                            sender = f"pair-{run}-{n // 5}"
                            for text in (GREETINGS[n % len(GREETINGS)],
                                         questions[n % len(questions)]):
                                started = time.monotonic()
                                say(sender, text)
                                windows.append((started, time.monotonic()))
                            continue
                        started = time.monotonic()
                        say(f"long-{run}", questions[n % len(questions)])
                        windows.append((started, time.monotonic()))
                    turns = _per_turn(_records(out), windows)
                    for turn, (started, ended) in zip(turns, windows, strict=True):
                        turn["client: whole turn"] = (ended - started) * 1000
                    spans = ((early, turns[0::2]), (late, turns[1::2])) if args.greetings else (
                        (early, turns[:args.window]), (late, turns[-args.window:]))
                    for target, span in spans:
                        for turn in span:
                            for component in ORDER:
                                target.setdefault(component, []).append(turn.get(component, 0.0))
        finally:
            servers.stop()

    if args.greetings:
        print(f"median ms per turn, greeting turns vs question turns ({args.turns} of each)")
        print(f"{'component':<30}{'greet':>9}{'quest.':>9}{'difference':>12}{'ratio':>8}")
    else:
        print(f"median ms per turn, turns 1-{args.window} vs turns "
              f"{args.turns - args.window + 1}-{args.turns} of one conversation "
              f"({args.runs} run(s))")
        print(f"{'component':<30}{'early':>9}{'late':>9}{'late-early':>12}{'ratio':>8}")
    for component in ORDER:
        a, b = statistics.median(early[component]), statistics.median(late[component])
        ratio = f"{b / a:.2f}x" if a >= 0.05 else "-"
        name = "  " * DEPTH.get(component, 0) + component
        print(f"{name:<30}{a:9.1f}{b:9.1f}{b - a:12.1f}{ratio:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
