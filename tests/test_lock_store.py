"""bot/lock_store.py's TicketLockStore, checked inside Rasa's environment against the real Redis.

scripts/lock_store_check.py runs under .venv-rasa's python (Rasa's lock classes, redis 4.6) with
several processes and store instances on one conversation; Redis or PostgreSQL being down fails
the test. Rasa's own RedisLockStore is run the same way, for the figures only.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


@pytest.fixture(scope="module")
def checked() -> dict:
    assert RASA_PYTHON.exists(), "Rasa's environment (.venv-rasa) is needed: run `make run` once"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    result = subprocess.run([str(RASA_PYTHON), "scripts/lock_store_check.py", "--json"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, f"exit {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return json.loads(lines[-1])


@pytest.mark.slow
def test_concurrent_instances_never_hold_one_conversation_together(checked: dict) -> None:
    run = checked["exclusion"]
    assert run["locked"] == run["turns"] == 180 and run["errors"] == 0
    assert run["overlaps"] == 0


@pytest.mark.slow
def test_waiters_are_served_in_the_order_they_queued(checked: dict) -> None:
    assert checked["fifo"]["order"] == [0, 1, 2, 3, 4]


@pytest.mark.slow
def test_a_killed_holder_blocks_only_for_its_lifetime(checked: dict) -> None:
    dead = checked["dead_holder"]
    assert dead["ok"], dead  # waited about the 2 s lifetime: not forever, and not less than half of it


@pytest.mark.slow
def test_a_killed_or_cancelled_waiter_is_passed_over(checked: dict) -> None:
    assert checked["dead_waiter"]["ok"], checked["dead_waiter"]
    assert checked["cancelled_waiter"]["ok"], checked["cancelled_waiter"]


@pytest.mark.slow
def test_a_late_release_does_not_free_the_next_holder(checked: dict) -> None:
    assert not checked["late_release"]["third_overlapped_second"]


@pytest.mark.slow
def test_rasa_loads_it_from_the_cluster_endpoints(checked: dict) -> None:
    loaded = checked["endpoints"]
    assert (loaded["lock_store"], loaded["locked"]) == ("TicketLockStore", True)
    assert (loaded["tracker_store"], loaded["dialect"], loaded["kept"]) == ("SQLTrackerStore", "postgresql",
                                                                            ["hello"])
