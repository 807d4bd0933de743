"""Where a machine's CPU went while something ran: the whole machine's busy share, and each kind
of process (Rasa, action server, HAProxy, Locust, PostgreSQL, Redis) in cores used, with its
busiest single process. ``bench_load.py`` prints it beside each run, so a throughput figure says whether
one process or the whole machine was the ceiling."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psutil

# A process's kind, from its command line: the first pattern found names it.
KINDS = (("rasa", ("rasa run", "/rasa run", "bin/rasa")), ("action server", ("actions.server",)),
         ("haproxy", ("haproxy",)), ("locust", ("locustfile",)), ("web page", ("serve_web.py",)),
         ("postgresql", ("postgres:", "bin/postgres")), ("redis", ("redis-server",)))


@dataclass
class Usage:
    """CPU used over ``seconds`` of wall time, in cores (1.0 = one core busy throughout)."""

    seconds: float = 0.0
    machine: float = 0.0  # busy cores, all processes
    kinds: dict[str, float] = field(default_factory=dict)  # cores per kind, summed
    busiest: dict[str, float] = field(default_factory=dict)  # the kind's busiest process

    def line(self) -> str:
        cores = os.cpu_count() or 1
        parts = [f"{kind} {used:.2f} (busiest one {self.busiest[kind]:.2f})"
                 for kind, used in sorted(self.kinds.items(), key=lambda kv: -kv[1])]
        return (f"CPU: machine {self.machine:.2f} of {cores} cores busy; "
                + ", ".join(parts))


def _kind(process: psutil.Process, depth: int = 3) -> str | None:
    """The kind of ``process``, else of its parent (a server's worker processes count as the
    server: the action server's Sanic worker is started by multiprocessing, with its own command
    line)."""
    try:
        cmdline = " ".join(process.cmdline())
        parent = process.parent()
    except (psutil.Error, OSError):
        return None
    kind = next((kind for kind, marks in KINDS if any(m in cmdline for m in marks)), None)
    if kind is None and parent is not None and depth > 0:
        return _kind(parent, depth - 1)
    return kind


def _snapshot() -> dict[int, tuple[str, float]]:
    taken = {}
    for process in psutil.process_iter():
        kind = _kind(process)
        if kind is None:
            continue
        try:
            times = process.cpu_times()
            taken[process.pid] = (kind, times.user + times.system + times.children_user
                                  + times.children_system)
        except (psutil.Error, OSError):
            continue
    return taken


def _own_children() -> float:
    times = psutil.Process().cpu_times()
    return times.children_user + times.children_system


@contextmanager
def measured(children: str = "locust") -> Iterator[Usage]:
    """``with measured() as usage: ...``; ``usage`` is filled in when the block ends. Processes
    this one started and waited for within the block count as ``children`` (the load generator)."""
    usage = Usage()
    before, machine_before, started = _snapshot(), psutil.cpu_times(), time.monotonic()
    own_before = _own_children()
    yield usage
    after, machine_after = _snapshot(), psutil.cpu_times()
    after[-1] = (children, _own_children() - own_before)
    usage.seconds = max(time.monotonic() - started, 1e-9)
    idle = (machine_after.idle + getattr(machine_after, "iowait", 0.0)
            - machine_before.idle - getattr(machine_before, "iowait", 0.0))
    total = sum(machine_after) - sum(machine_before)
    usage.machine = (total - idle) / usage.seconds if total > 0 else 0.0
    for pid, (kind, cpu) in after.items():
        used = (cpu - before.get(pid, (kind, 0.0))[1]) / usage.seconds
        usage.kinds[kind] = usage.kinds.get(kind, 0.0) + used
        usage.busiest[kind] = max(usage.busiest.get(kind, 0.0), used)
