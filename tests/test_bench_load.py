"""make bench-load, small: Locust's learners against the real servers, and the tracker check itself.

scripts/bench_load.py runs as ``make bench-load`` would with ``--url``: 3 learners of 3 turns, no
think time, against the session's servers (tests/servers.py). Its tracker check is then shown to
count what the trackers hold: a message that was never sent, or one a tracker holds twice, fails it.
And the SQLite tracker store runs as bot/speedups/sqlite_wal.py sets it, which bench-load measured.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from types import ModuleType

import pytest

from .servers import ROOT, TutorServers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _bench_load() -> ModuleType:
    path = ROOT / "scripts" / "bench_load.py"
    spec = importlib.util.spec_from_file_location("tutor_scripts_bench_load", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench_load = _bench_load()


def test_three_learners_are_measured_and_every_tracker_checked(servers: TutorServers) -> None:
    result = subprocess.run(
        [sys.executable, "scripts/bench_load.py", "--url", servers.rasa_url, "--token", servers.rasa_token,
         "--users", "3", "--turns", "3", "--think", "0", "--rounds", "2", "--warm-up", "0", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = json.loads(result.stdout.strip().splitlines()[-1])["given"]
    assert [row["label"] for row in rows] == ["no think time"]
    row = rows[0]
    # 3 places, 2 learners one after the other in each, 3 turns each
    assert row["users"] == 3 and row["turns"] == 18 and row["errors"] == 0, row
    assert row["trackers_ok"] == row["trackers"] == 6, row
    assert 0 < row["p50"] <= row["p95"] < 60_000 and row["per_second"] > 0, row
    assert "trackers checked: 6/6 hold every acknowledged message exactly once" in result.stdout
    assert "no think time" in result.stdout and "errors 0/18" in result.stdout


def test_busy_throughput_counts_only_while_every_place_is_busy() -> None:
    def turn(slot: int, start: float, end: float) -> dict:
        return {"slot": slot, "end": end, "ms": (end - start) * 1000}

    # place 0 works from 0 s to 20 s, place 1 from 4 s to 30 s: both busy from 4 s to 20 s
    requests = [turn(0, 0, 1), *(turn(0, t, t + 1) for t in range(1, 20)),
                *(turn(1, t, t + 2) for t in range(4, 30, 2))]
    busy = [r for r in requests if 4 <= r["end"] <= 20]
    assert bench_load.busy_rate(requests, 2) == len(busy) / 16
    assert bench_load.busy_rate(requests, 3) is None  # a place never started
    assert bench_load.busy_rate([{**r, "slot": None} for r in requests], 2) is None
    assert bench_load.busy_rate([turn(0, 0, 3), turn(1, 1, 4)], 2) is None  # under 5 s


def test_the_tracker_check_counts_what_each_tracker_holds(servers: TutorServers) -> None:
    learner = f"check-{uuid.uuid4().hex[:8]}"
    said = ["hello", "what topics are there?"]
    for text in said:
        servers.say(learner, text)
    acknowledged = [[learner, text] for text in said]
    url, token = servers.rasa_url, servers.rasa_token

    assert bench_load.check_trackers(url, token, acknowledged)[:2] == (1, 1)
    ok, checked, problems = bench_load.check_trackers(url, token, [*acknowledged, [learner, "never sent"]])
    assert (ok, checked) == (0, 1) and "never sent" in problems[0]
    servers.say(learner, "hello")  # the tracker now holds "hello" twice: once too often
    ok, _, problems = bench_load.check_trackers(url, token, acknowledged)
    assert ok == 0 and "'hello': 2" in problems[0]
    ok, _, problems = bench_load.check_trackers(url, "not-the-token", acknowledged)
    assert ok == 0 and "answered 401" in problems[0]


def test_the_sqlite_tracker_store_commits_to_a_write_ahead_log(servers: TutorServers) -> None:
    servers.say(f"wal-{uuid.uuid4().hex[:8]}", "hello")
    with closing(sqlite3.connect(servers.opts.tracker_db)) as db:  # closed: the last one to close
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # would remove the log
    assert servers.opts.tracker_db.with_name(servers.opts.tracker_db.name + "-wal").exists(), \
        "the Rasa server keeps a pooled connection open, so its log is not checkpointed away"


def test_a_taken_port_is_refused_before_anything_starts(tmp_path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        target = bench_load.Target("run", f"http://127.0.0.1:{port}", "token", ["/bin/false"], [port],
                                   {"TUTOR_STATE_DIR": str(tmp_path / "state")})
        with pytest.raises(SystemExit, match=f"refusing to start run: port.* {port} already in use"), \
                bench_load.started(target, timeout=5):
            pytest.fail("started although the port was taken")
    assert not (tmp_path / "run.out").exists()
