"""Check bot/lock_store.py's TicketLockStore against the real Redis, with several processes.

Run with Rasa's interpreter (it imports Rasa's lock classes and redis 4.6):

    .venv-rasa/bin/python scripts/lock_store_check.py [--redis redis://127.0.0.1:6379/14] [--json]

Checks, each on its own conversation id:

- exclusion: 4 processes x 3 store instances take and release one conversation's lock 15 times
  each; a Redis counter incremented inside the lock must never exceed 1. The same run against Rasa's
  own RedisLockStore is printed for comparison (its overlaps are the race of RasaHQ/rasa#11256);
- fifo: with the lock held, 5 waiters queue one after another; they get it in that order;
- dead holder: a process holding the lock (lifetime 2 s) is killed; a waiter gets the lock once the
  lifetime has run out, and not before;
- dead waiter: a process queued behind a holder is killed; the next waiter is served within the
  waiters' time to live (1 s) after the holder releases;
- cancelled waiter: a waiting turn that is cancelled leaves the queue at once;
- late release: a holder whose lease ran out, releasing late, does not let a third turn in while
  the second one holds the lock;
- endpoints: Rasa reads bot/endpoints.cluster.yml, loads TicketLockStore by module path and locks
  with it, and its PostgreSQL tracker store (a scratch database Rasa creates, dropped after) keeps a
  conversation.

Exit status 0 when every check passes; ``--json`` prints the figures as one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis.asyncio as aioredis

from bot.lock_store import TicketLockStore

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "tutorcheck"


def store(url: str, **options: Any) -> TicketLockStore:
    return TicketLockStore(client=aioredis.Redis.from_url(url), key_prefix=PREFIX, **options)


# ---- exclusion -------------------------------------------------------------------------------


async def _hammer(url: str, conversation: str, kind: str, instances: int, rounds: int) -> dict[str, Any]:
    """``instances`` stores in this process, each taking the lock ``rounds`` times."""
    red = aioredis.Redis.from_url(url)
    inside, order = f"{PREFIX}:inside:{conversation}", f"{PREFIX}:order:{conversation}"
    overlaps, errors, stuck, waits = 0, 0, 0, []

    def make() -> Any:
        if kind == "ticket":
            return store(url)
        from rasa.core.lock_store import RedisLockStore

        parts = aioredis.connection.parse_url(url)
        return RedisLockStore(host=parts.get("host", "localhost"), port=parts.get("port", 6379),
                              db=parts.get("db", 0), key_prefix=PREFIX)

    async def turn(lock_store: Any, number: int, began: float) -> None:
        nonlocal overlaps
        # Rasa's store: tickets lost in its race wait out a 5 s lifetime, not 60 s
        lifetime = 5 if kind == "rasa" else None
        async with lock_store.lock(conversation, lifetime, wait_time_in_seconds=0.01):
            waits.append(time.perf_counter() - began)
            if await red.incr(inside) != 1:
                overlaps += 1
            await red.rpush(order, f"{os.getpid()}-{number}")
            await red.expire(order, 3600)
            await asyncio.sleep(random.uniform(0, 0.003))
            await red.decr(inside)

    async def one(number: int) -> None:
        nonlocal errors, stuck
        lock_store = make()
        for _ in range(rounds):
            try:  # a turn that waits 30 s is stuck (Rasa's store can wait forever on a lost ticket)
                await asyncio.wait_for(turn(lock_store, number, time.perf_counter()), 30)
            except asyncio.TimeoutError:  # noqa: UP041  (not TimeoutError before Python 3.11)
                stuck += 1
            except Exception:
                errors += 1

    await asyncio.gather(*(one(i) for i in range(instances)))
    await red.aclose() if hasattr(red, "aclose") else await red.close()
    await red.expire(inside, 3600)
    return {"overlaps": overlaps, "errors": errors, "stuck": stuck, "waits": waits}


def _hammer_process(url: str, conversation: str, kind: str, instances: int, rounds: int,
                    out: Any) -> None:
    out.put(asyncio.run(_hammer(url, conversation, kind, instances, rounds)))


def exclusion(url: str, kind: str, processes: int = 4, instances: int = 3,
              rounds: int = 15) -> dict[str, Any]:
    conversation = f"exclusion-{kind}-{uuid.uuid4().hex[:8]}"
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_hammer_process, args=(url, conversation, kind, instances, rounds, out))
             for _ in range(processes)]
    began = time.perf_counter()
    for proc in procs:
        proc.start()
    results = [out.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join(60)
    elapsed = time.perf_counter() - began
    waits = sorted(w for r in results for w in r["waits"])
    done = len(waits)
    return {
        "store": kind,
        "turns": processes * instances * rounds,
        "locked": done,
        "overlaps": sum(r["overlaps"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "stuck": sum(r["stuck"] for r in results),
        "seconds": round(elapsed, 2),
        "median_wait_ms": round(1000 * waits[done // 2], 1) if waits else None,
    }


# ---- fifo, cancelled waiter, late release (one process, separate store instances) --------------


class Held:
    """A conversation whose lock one store instance holds until :meth:`let_go`."""

    def __init__(self, url: str, prefix: str) -> None:
        self.conversation = f"{prefix}-{uuid.uuid4().hex[:8]}"
        self.red = aioredis.Redis.from_url(url)
        self.keys, _ = store(url)._keys(self.conversation)
        self._release = asyncio.Event()
        self._holder = store(url)
        self._task: asyncio.Task[None] | None = None

    async def take(self) -> Held:
        async def hold() -> None:
            async with self._holder.lock(self.conversation):
                await self._release.wait()

        self._task = asyncio.create_task(hold())
        await self.tickets(1)
        return self

    async def tickets(self, at_least: int, timeout: float = 10) -> None:
        """Wait until ``at_least`` tickets of the conversation have been taken."""
        await _until(lambda: self.red.get(self.keys[0]), at_least, timeout)

    async def let_go(self) -> None:
        self._release.set()
        assert self._task is not None
        await self._task


async def fifo(url: str) -> dict[str, Any]:
    held = await Held(url, "fifo").take()
    served: list[int] = []

    async def wait(number: int) -> None:
        async with store(url).lock(held.conversation):
            served.append(number)

    tasks = []
    for number in range(5):
        tasks.append(asyncio.create_task(wait(number)))
        await held.tickets(number + 2)  # its ticket is taken
    await held.let_go()
    await asyncio.gather(*tasks)
    return {"order": served, "fifo": served == list(range(5))}


async def cancelled_waiter(url: str) -> dict[str, Any]:
    held = await Held(url, "cancel").take()

    async def wait() -> None:
        async with store(url).lock(held.conversation):
            pass

    doomed = asyncio.create_task(wait())
    await held.tickets(2)
    doomed.cancel()
    await asyncio.gather(doomed, return_exceptions=True)
    await held.let_go()
    began = time.perf_counter()
    async with store(url, wait_ttl=30).lock(held.conversation):
        waited = time.perf_counter() - began
    return {"waited_s": round(waited, 3), "ok": waited < 0.5}


async def late_release(url: str) -> dict[str, Any]:
    """A holder whose lease ran out releases late: the next holder keeps the lock."""
    conversation = f"late-{uuid.uuid4().hex[:8]}"
    red = aioredis.Redis.from_url(url)
    keys, _ = store(url)._keys(conversation)
    second_in, second_out = asyncio.Event(), asyncio.Event()
    overlap = False

    async def slow_first() -> None:
        async with store(url).lock(conversation, lock_lifetime=0.5):
            await second_in.wait()  # stalls past its lease; the second one got in meanwhile
        # released late here

    async def second() -> None:
        async with store(url).lock(conversation):
            second_in.set()
            await second_out.wait()

    async def third() -> None:
        nonlocal overlap
        async with store(url).lock(conversation):
            overlap = not second_out.is_set()

    first = asyncio.create_task(slow_first())
    await _until(lambda: red.get(keys[0]), 1)
    tasks = [first, asyncio.create_task(second())]
    await _until(lambda: red.get(keys[0]), 2)
    await first  # the first one releases late, while the second holds the lock
    tasks.append(asyncio.create_task(third()))
    await _until(lambda: red.get(keys[0]), 3)
    await asyncio.sleep(0.3)  # room for the third to get in wrongly; it must not
    second_out.set()
    await asyncio.gather(*tasks)
    return {"third_overlapped_second": overlap, "ok": not overlap}


async def _until(read: Any, at_least: int, timeout: float = 10) -> None:
    """Wait until ``read()`` (a Redis counter) reaches ``at_least``."""
    deadline = time.monotonic() + timeout
    while int(await read() or 0) < at_least:
        if time.monotonic() > deadline:
            raise TimeoutError(f"counter did not reach {at_least}")
        await asyncio.sleep(0.002)


# ---- processes that die ----------------------------------------------------------------------


def _die_holding(url: str, conversation: str, lifetime: float, ready: Any) -> None:
    async def run() -> None:
        async with store(url).lock(conversation, lock_lifetime=lifetime):
            ready.set()
            await asyncio.sleep(3600)  # killed here

    asyncio.run(run())


def _die_waiting(url: str, conversation: str, ready: Any) -> None:
    async def run() -> None:
        async with store(url, wait_ttl=1).lock(conversation):
            await asyncio.sleep(3600)

    ready.set()
    asyncio.run(run())


async def dead_holder(url: str, lifetime: float = 2.0) -> dict[str, Any]:
    conversation = f"deadholder-{uuid.uuid4().hex[:8]}"
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_die_holding, args=(url, conversation, lifetime, ready))
    proc.start()
    if not ready.wait(60):
        raise TimeoutError("the holder never got the lock")
    os.kill(proc.pid, signal.SIGKILL)
    killed = time.perf_counter()
    proc.join(10)
    async with store(url).lock(conversation):
        waited = time.perf_counter() - killed
    return {"lifetime_s": lifetime, "waited_s": round(waited, 2),
            "ok": 0.5 * lifetime < waited < lifetime + 2}


async def dead_waiter(url: str) -> dict[str, Any]:
    held = await Held(url, "deadwaiter").take()
    conversation = held.conversation
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_die_waiting, args=(url, conversation, ready))
    proc.start()
    await held.tickets(2, timeout=60)  # the doomed waiter's ticket
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    await held.let_go()
    began = time.perf_counter()
    async with store(url).lock(conversation):
        waited = time.perf_counter() - began
    return {"wait_ttl_s": 1.0, "waited_s": round(waited, 2), "ok": waited < 1.0 + 1.5}


# ---- loaded by Rasa from bot/endpoints.cluster.yml -------------------------------------------


async def endpoints(url: str) -> dict[str, Any]:
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy import create_engine, text

    parts = aioredis.connection.parse_url(url)
    scratch = f"tutor_tracker_check_{uuid.uuid4().hex[:8]}"
    defaults = {"ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook", "ACTION_SERVER_TOKEN": "check",
                "TUTOR_PG_HOST": "127.0.0.1", "TUTOR_PG_PORT": "5432", "TUTOR_PG_USER": "postgres",
                "TUTOR_PG_PASSWORD": "", "TUTOR_REDIS_HOST": parts.get("host", "127.0.0.1"),
                "TUTOR_REDIS_PORT": str(parts.get("port", 6379)),
                "TUTOR_REDIS_LOCK_DB": str(parts.get("db", 1))}
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    os.environ["TUTOR_TRACKER_PG_DB"] = scratch
    config = AvailableEndpoints.read_endpoints(str(ROOT / "bot" / "endpoints.cluster.yml"))
    lock_store = LockStore.create(config.lock_store)
    async with lock_store.lock("endpoints-check"):
        locked = True
    tracker_store = TrackerStore.create(config.tracker_store)
    try:
        tracker = DialogueStateTracker("endpoints-check", [])
        tracker.update(UserUttered("hello"))
        await tracker_store.save(tracker)
        kept = await tracker_store.retrieve("endpoints-check")
        texts = [e.text for e in kept.events if isinstance(e, UserUttered)] if kept else []
    finally:
        tracker_store.engine.dispose()
        admin = create_engine(f"postgresql://{os.environ['TUTOR_PG_USER']}@{os.environ['TUTOR_PG_HOST']}:"
                              f"{os.environ['TUTOR_PG_PORT']}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()
    return {"lock_store": type(lock_store).__name__, "locked": locked,
            "tracker_store": type(tracker_store).__name__, "dialect": tracker_store.engine.dialect.name,
            "kept": texts, "ok": isinstance(lock_store, TicketLockStore) and texts == ["hello"]}


# ---- main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default=os.environ.get("TUTOR_LOCK_CHECK_REDIS",
                                                          "redis://127.0.0.1:6379/14"))
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.add_argument("--no-rasa", action="store_true", help="skip the run of Rasa's own store")
    args = parser.parse_args()

    async def ping() -> None:
        red = aioredis.Redis.from_url(args.redis, socket_connect_timeout=3)
        await red.ping()

    asyncio.run(ping())  # Redis down: fail here, loudly
    results: dict[str, Any] = {"exclusion": exclusion(args.redis, "ticket")}
    results["fifo"] = asyncio.run(fifo(args.redis))
    results["cancelled_waiter"] = asyncio.run(cancelled_waiter(args.redis))
    results["late_release"] = asyncio.run(late_release(args.redis))
    results["dead_holder"] = asyncio.run(dead_holder(args.redis))
    results["dead_waiter"] = asyncio.run(dead_waiter(args.redis))
    results["endpoints"] = asyncio.run(endpoints(args.redis))
    if not args.no_rasa:
        results["rasa_redis_lock_store"] = exclusion(args.redis, "rasa", processes=2, rounds=5)
    ex = results["exclusion"]
    results["ok"] = bool(
        ex["overlaps"] == 0 and ex["errors"] == 0 and ex["stuck"] == 0 and ex["locked"] == ex["turns"]
        and results["fifo"]["fifo"]
        and all(results[k]["ok"] for k in ("cancelled_waiter", "late_release", "dead_holder", "dead_waiter",
                                                    "endpoints")))
    if args.json:
        print(json.dumps(results))
    else:
        for name, value in results.items():
            print(f"{name}: {value}")
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
