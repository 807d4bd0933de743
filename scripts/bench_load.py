"""Many learners at once (``make bench-load``): p50, p95, turns/s and errors with Locust, and every
acknowledged message checked in its tracker, against ``make run`` and then ``make cluster``.

Each target is started here as its make target starts it (``scripts/run.py``, then
``scripts/cluster.py`` when it exists), with a random ``RASA_AUTH_TOKEN`` so the trackers can be
read through Rasa's API, and with its own state (a temporary folder; the cluster's own PostgreSQL
databases ``tutor_bench_*``), so the benchmark's learners never reach the tutors' report. The
targets take the default ports (refused when they are in use); ``--free-ports`` picks free ones,
and ``--url`` (with ``--token``) measures a stack that is already running instead.

Learners (``scripts/locustfile.py``) each play one scripted 12-turn conversation over REST. Two
runs per target: with a think time between turns (2-6 s by default: reading a reply and typing
one), and back to back (no think time), the throughput figure that the cluster/run ratio compares.
In the run without think time each learner is followed by two more in its place (``--rounds 3``),
and throughput is also given over the span when all 50 places were busy (after the last one
started, before the first one finished): the whole run's figure counts the start, while learners
arrive, and the end, when a few are left and one Rasa server would do. The ratio compares the
busy-span figures. A warm-up (``--warm-up`` learners, 10 by default, no think time, not counted)
comes first.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpu_usage import measured

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
LOCUSTFILE = ROOT / "scripts" / "locustfile.py"
READY_LINE = "Chat in the browser"


@dataclass
class Target:
    """A stack to measure: how to start it (None: already running) and where it answers."""

    name: str
    url: str
    token: str | None
    argv: list[str] | None = None
    ports: list[int] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Figures:
    """One Locust run's results."""

    label: str
    users: int
    turns: int
    p50: float
    p95: float
    per_second: float  # over the whole run
    busy_per_second: float | None  # while every place was busy (None: one round, or no such span)
    errors: int
    trackers_ok: int | None  # None: not checked (no token)
    trackers: int
    by_kind: dict[str, float]  # p95 of each kind of turn (greeting, question, quiz, ...)
    notes: list[str]

    def line(self) -> str:
        checked = ("trackers not checked (no API token)" if self.trackers_ok is None else
                   f"trackers checked: {self.trackers_ok}/{self.trackers} hold every acknowledged "
                   "message exactly once")
        kinds = ", ".join(f"{kind} {ms:.0f}" for kind, ms in self.by_kind.items())
        busy = ("" if self.busy_per_second is None else
                f" ({self.busy_per_second:.1f} while all {self.users} were busy)")
        return (f"  {self.label:<14} p50 {self.p50:6.0f} ms   p95 {self.p95:6.0f} ms   "
                f"{self.per_second:5.1f} turns/s{busy}   errors {self.errors}/{self.turns}\n"
                f"  {'':<14} p95 by turn (ms): {kinds}\n"
                f"  {'':<14} {checked}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def run_target(free: bool, work: Path, token: str) -> Target:
    """``make run``'s stack: scripts/run.py, its state in ``work``."""
    ports = [free_port() for _ in range(3)] if free else [5005, 5055, 8000]
    rasa, action, web = ports
    return Target(
        "run", f"http://127.0.0.1:{rasa}", token,
        [str(PYTHON), "scripts/run.py", "--rasa-port", str(rasa), "--action-port", str(action),
         "--web-port", str(web)],
        ports,
        {"TUTOR_STATE_DIR": str(work / "state"), "TUTOR_TRACKER_DB": str(work / "tracker.db")},
    )


def cluster_target(free: bool, work: Path, token: str) -> Target:
    """``make cluster``'s stack: scripts/cluster.py, on its own PostgreSQL databases."""
    ports = [free_port() for _ in range(7)] if free else [5005, 8000, 5055, 5105, 5106, 5155, 5156]
    entry, web, action_entry, *rest = ports
    pg = (f"postgresql+psycopg://{os.environ.get('TUTOR_PG_USER', 'postgres')}@"
          f"{os.environ.get('TUTOR_PG_HOST', '127.0.0.1')}:{os.environ.get('TUTOR_PG_PORT', '5432')}")
    return Target(
        "cluster", f"http://127.0.0.1:{entry}", token,
        [str(PYTHON), "scripts/cluster.py", "--entry-port", str(entry), "--web-port", str(web),
         "--action-entry-port", str(action_entry), "--rasa-ports", f"{rest[0]},{rest[1]}",
         "--action-ports", f"{rest[2]},{rest[3]}", "--state-dir", str(work / "state")],
        ports,
        {"TUTOR_STATE_DIR": str(work / "state"), "TUTOR_TRACKER_PG_DB": "tutor_bench_tracker",
         "TUTOR_DATABASE_URL": f"{pg}/tutor_bench_progress", "TUTOR_LOG_URL": f"{pg}/tutor_bench_logbook"},
    )


@contextmanager
def started(target: Target, timeout: float) -> Iterator[Target]:
    """Start ``target`` (its script's own readiness line says when), stop it on leaving."""
    if target.argv is None:
        yield target
        return
    taken = [port for port in target.ports if port_in_use(port)]
    if taken:
        raise SystemExit(
            f"refusing to start {target.name}: port(s) {', '.join(map(str, taken))} already in use "
            f"(is the tutor running?). Stop it, measure it with --url URL --token TOKEN, or use "
            "--free-ports.")
    env = {**os.environ, **target.env, "RASA_AUTH_TOKEN": target.token or ""}
    log = Path(target.env["TUTOR_STATE_DIR"]).parent / f"{target.name}.out"
    print(f"starting {target.name}: {' '.join(target.argv[1:])} (output in {log})", flush=True)
    with open(log, "w") as out:
        proc = subprocess.Popen(target.argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
        ready = threading.Event()

        def pump() -> None:  # copy its output to the log, and see the readiness line
            assert proc.stdout is not None
            for line in proc.stdout:
                out.write(line)
                out.flush()
                if READY_LINE in line:
                    ready.set()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + timeout
            while not ready.wait(1.0):
                if proc.poll() is not None:
                    raise SystemExit(f"{target.name} exited with status {proc.returncode} before it "
                                     f"was ready; see {log}")
                if time.monotonic() > deadline:
                    raise SystemExit(f"{target.name} was not ready after {timeout:.0f} s; see {log}")
            yield target
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # it stops every process it started
                try:
                    proc.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            reader.join(timeout=5)


def play(url: str, users: int, spawn_rate: float, think: str, turns: int,
         timeout: float, rounds: int = 1) -> dict[str, Any]:
    """Run scripts/locustfile.py (Locust's Python API, in its own process: gevent patches it)."""
    result = subprocess.run(
        [str(PYTHON), str(LOCUSTFILE), "--host", url, "--users", str(users), "--spawn-rate",
         str(spawn_rate), "--think", think, "--turns", str(turns), "--timeout", str(timeout),
         "--rounds", str(rounds)],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout + 120,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"Locust failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return json.loads(lines[-1])


def check_trackers(url: str, token: str | None,
                   acknowledged: list[list[str]]) -> tuple[int | None, int, list[str]]:
    """How many learners' trackers hold each acknowledged message exactly as often as it was
    acknowledged (once, for distinct messages); and what was wrong with the others."""
    sent: dict[str, Counter[str]] = defaultdict(Counter)
    for sender, text in acknowledged:
        sent[sender][text] += 1
    if not token:
        return None, len(sent), []
    ok, problems = 0, []
    with httpx.Client(timeout=60) as client:
        for sender, texts in sent.items():
            resp = client.get(f"{url}/conversations/{sender}/tracker", params={"token": token})
            if resp.status_code != 200:
                problems.append(f"{sender}: tracker answered {resp.status_code}")
                continue
            held = Counter(e.get("text") for e in resp.json().get("events", []) if e.get("event") == "user")
            wrong = {text: held[text] for text, count in texts.items() if held[text] != count}
            if wrong:
                problems.append(f"{sender}: held {wrong} of messages acknowledged once each")
            else:
                ok += 1
    return ok, len(sent), problems


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation (statistics.quantiles, inclusive)."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def busy_rate(requests: list[dict[str, Any]], places: int) -> float | None:
    """Turns a second over the span when each of the ``places`` had started and none had finished
    (None if there was no such span, as when each place plays one short conversation)."""
    first: dict[Any, float] = {}
    last: dict[Any, float] = {}
    for r in requests:
        slot = r.get("slot")
        if slot is None:
            return None
        first[slot] = min(first.get(slot, r["end"]), r["end"] - r["ms"] / 1000)
        last[slot] = max(last.get(slot, 0.0), r["end"])
    if len(first) < places:
        return None
    begin, end = max(first.values()), min(last.values())
    if end - begin < 5.0:  # too short to say anything
        return None
    return sum(begin <= r["end"] <= end for r in requests) / (end - begin)


def figures(label: str, run: dict[str, Any], url: str, token: str | None) -> Figures:
    requests = run["requests"]
    times = [r["ms"] for r in requests]
    first = min((r["end"] - r["ms"] / 1000 for r in requests), default=0.0)
    last = max((r["end"] for r in requests), default=0.0)
    errors = [r for r in requests if r["error"]]
    ok, checked, problems = check_trackers(url, token, run["acknowledged"])
    notes = [f"error: {e['kind']}: {e['error']}" for e in errors[:5]] + problems[:5]
    if run["timed_out"]:
        notes.append("the run timed out before every learner finished")
    kinds: dict[str, list[float]] = defaultdict(list)
    for r in requests:
        kinds[r["kind"]].append(r["ms"])
    return Figures(label, run["users"], len(requests), percentile(times, 50), percentile(times, 95),
                   len(requests) / (last - first) if last > first else 0.0,
                   busy_rate(requests, run["users"]) if run.get("rounds", 1) > 1 else None,
                   len(errors), ok, checked,
                   {kind: percentile(ms, 95) for kind, ms in kinds.items()}, notes)


def measure(target: Target, args: argparse.Namespace) -> list[Figures]:
    if args.warm_up:
        print(f"{target.name}: warm-up ({args.warm_up} learners, not counted)...", flush=True)
        play(target.url, args.warm_up, args.warm_up, "0", args.turns, args.timeout)
    out = []
    for think in dict.fromkeys([args.think, "0"]):
        label = "no think time" if think == "0" else f"think {think} s"
        print(f"{target.name}: {args.users} learners, {label}...", flush=True)
        rounds = args.rounds if think == "0" else 1
        with measured() as usage:
            run = play(target.url, args.users, args.spawn_rate, think, args.turns, args.timeout,
                       rounds)
        if args.save:
            name = f"{target.name}-{'none' if think == '0' else think}.json"
            (args.save / name).write_text(json.dumps(run))
        out.append(figures(label, run, target.url, target.token))
        out[-1].notes.append(usage.line())
    return out


def report(results: dict[str, list[Figures]], args: argparse.Namespace) -> None:
    print(f"\n{args.users} concurrent learners, {args.turns} turns each over REST "
          f"(POST /webhooks/rest/webhook, one sender id per learner), spawned {args.spawn_rate:g}/s; "
          f"think time between turns: {args.think} s (reading a reply and typing one), then none, "
          f"{args.rounds} learners one after another in each place; "
          f"after a warm-up of {args.warm_up} learners with no think time, not counted")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    for name, rows in results.items():
        print(f"\n{name}")
        for row in rows:
            print(row.line())
            for note in row.notes:
                print(f"  {'':<14} {note}")
    if "run" in results and "cluster" in results:
        ratios = [f"{c.per_second / r.per_second:.2f}x ({r.label})"
                  for r, c in zip(results["run"], results["cluster"], strict=True) if r.per_second]
        ratios += [f"{c.busy_per_second / r.busy_per_second:.2f}x ({r.label}, all busy)"
                   for r, c in zip(results["run"], results["cluster"], strict=True)
                   if r.busy_per_second and c.busy_per_second]
        print(f"\ncluster / run turns/s: {', '.join(ratios)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=("run", "cluster", "both"), default="both",
                        help="what to start and measure (both: cluster only if scripts/cluster.py "
                             "exists)")
    parser.add_argument("--users", type=int, default=50, help="concurrent learners (50)")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="learners started a second")
    parser.add_argument("--think", default="2-6", help="seconds between a learner's turns ('2-6')")
    parser.add_argument("--turns", type=int, default=12, help="turns per learner (12)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="learners one after another in each place, without think time (3)")
    parser.add_argument("--url", help="measure this running stack instead of starting one")
    parser.add_argument("--token", default=os.environ.get("RASA_AUTH_TOKEN") or None,
                        help="its RASA_AUTH_TOKEN, to check the trackers (with --url)")
    parser.add_argument("--free-ports", action="store_true",
                        help="start the stacks on free ports, not make run's (a shared machine)")
    parser.add_argument("--warm-up", type=int, default=10, help="learners played first, not counted")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per Locust run")
    parser.add_argument("--start-timeout", type=float, default=600.0)
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--save", type=Path, help="a folder for each run's timings, one JSON file each")
    args = parser.parse_args(argv)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)

    results: dict[str, list[Figures]] = {}
    if args.url:
        results["given"] = measure(Target("given", args.url.rstrip("/"), args.token), args)
    else:
        makers = [run_target] if args.target in ("run", "both") else []
        if args.target == "cluster" or (args.target == "both" and (ROOT / "scripts" / "cluster.py").exists()):
            makers.append(cluster_target)
        for make in makers:
            with tempfile.TemporaryDirectory(prefix="bench-load-") as work:
                target = make(args.free_ports, Path(work), secrets.token_urlsafe(24))
                with started(target, args.start_timeout):
                    results[target.name] = measure(target, args)
    report(results, args)
    if args.json:
        print(json.dumps({name: [vars(f) for f in rows] for name, rows in results.items()}))
    failed = any(f.errors or (f.trackers_ok is not None and f.trackers_ok < f.trackers)
                 for rows in results.values() for f in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
