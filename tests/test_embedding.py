"""MiniLM's threads: torch's OpenMP threads wait passively, and the thread count follows the
environment (TUTOR_TORCH_THREADS, then OMP_NUM_THREADS, then the cores)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from actions.knowledge.embedding import torch_threads

ROOT = Path(__file__).resolve().parent.parent
PROBE = ("import os, actions.knowledge.embedding as e, torch; e.MiniLMEncoder(); "
         "print(os.environ['OMP_WAIT_POLICY'], torch.get_num_threads())")


def probe(**env: str) -> list[str]:
    """What a new process that loads MiniLM sees: its wait policy and torch's thread count."""
    base = {k: v for k, v in os.environ.items()
            if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "TUTOR_TORCH_THREADS")}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                          env={**base, "HF_HUB_OFFLINE": "1", **env}, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def test_loading_minilm_makes_openmp_threads_wait_passively_and_follows_omp_num_threads() -> None:
    assert probe(OMP_NUM_THREADS="1") == ["PASSIVE", "1"]


def test_a_wait_policy_and_thread_count_set_by_the_caller_are_kept() -> None:
    assert probe(OMP_WAIT_POLICY="ACTIVE", TUTOR_TORCH_THREADS="1", OMP_NUM_THREADS="2") == [
        "ACTIVE", "1"]


@pytest.mark.parametrize(("env", "expected"), [
    ({"TUTOR_TORCH_THREADS": "1", "OMP_NUM_THREADS": "2"}, 1),
    ({"OMP_NUM_THREADS": "3"}, 3),
    ({"TUTOR_TORCH_THREADS": "zero", "OMP_NUM_THREADS": "0"}, os.cpu_count() or 1),
    ({}, os.cpu_count() or 1),
])
def test_torch_threads(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: int) -> None:
    for name in ("TUTOR_TORCH_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert torch_threads() == expected
