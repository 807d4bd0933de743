"""Start the tutor as a cluster on this machine (``make cluster``): HAProxy in front of two Rasa
servers and two action servers, sharing PostgreSQL and Redis, supervised until Ctrl-C.

Run with ``.venv/bin/python scripts/cluster.py`` (``make cluster`` installs HAProxy with
``scripts/ensure_haproxy.sh``, indexes and trains first). On the ports of ``make run``:

* ``:5005`` HAProxy, the entry: REST and the API balanced over the Rasa servers (``leastconn``,
  each REST sender stuck to one server, health-checked), ``/socket.io/`` sticky by client
  address (``balance source``) with websocket upgrades allowed; ``:8000`` the chat page, pointing
  at ``:5005``;
* ``127.0.0.1:5055`` HAProxy's second frontend, the action endpoint every Rasa server calls; it
  skips a dead action server and retries a call that got no answer on the other one (quiz turns
  are idempotent: docs/deploy.md);
* Rasa servers on ``127.0.0.1:5105, 5106``, action servers on ``127.0.0.1:5155, 5156``, with
  ``bot/endpoints.cluster.yml`` (PostgreSQL tracker store, ``bot.lock_store.TicketLockStore``).

A child that exits is restarted after a short backoff (1 s, doubling to 30 s while it keeps
dying); a restarted action server takes traffic again only once its engine is loaded. Each child
has ``<state>/pids/NAME.pid`` (``rasa-1``, ``action-2``, ``haproxy``, ``web``: the process group
leader; its whole group is ended when it dies), its log in ``<state>/logs/cluster/NAME.log``, and
HAProxy's config (``scripts/cluster_haproxy.py``) is written to ``<state>/cluster/haproxy.cfg``.
One Ctrl-C (or SIGTERM) stops all.

Environment (every one optional; defaults in brackets):

* ``TUTOR_STATE_DIR`` [.state]: pid files, logs, HAProxy's config (also ``--state-dir``); the
  action servers get it too;
* ``TUTOR_PG_HOST`` [127.0.0.1], ``TUTOR_PG_PORT`` [5432], ``TUTOR_PG_USER`` [postgres],
  ``TUTOR_PG_PASSWORD`` [empty]: the PostgreSQL server;
* ``TUTOR_TRACKER_PG_DB`` [tutor_tracker]: Rasa's tracker database;
* ``TUTOR_DATABASE_URL`` [postgresql+psycopg://USER@HOST:PORT/tutor_progress]: quiz progress;
* ``TUTOR_LOG_URL`` [.../tutor_logbook]: the tutors' message log;
* ``TUTOR_REDIS_HOST`` [127.0.0.1], ``TUTOR_REDIS_PORT`` [6379], ``TUTOR_REDIS_LOCK_DB`` [1]:
  the lock store;
* ``RASA_AUTH_TOKEN``: Rasa's HTTP API on, behind this token (off when unset, as in ``make run``);
* ``ACTION_SERVER_TOKEN``: the action servers' shared token (random per start unless set);
* ``TUTOR_INDEX_DIR``, ``TUTOR_KNOWLEDGE_DIR``: as for ``make run``; both action servers read the
  same index folder.

The databases are created when missing; Redis must answer. Ports and counts: ``--help``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import cluster_haproxy as haproxy
import psycopg
import redis
from psycopg import sql
from run import ROOT, Child, ChildDied, Options, Service, child_env, explain_failure, wait_ready, warm_up
from run import action_server as action_service
from run import rasa_server as rasa_service
from run import web_page as web_service
from sqlalchemy.engine import URL, make_url


@dataclass
class ClusterOptions:
    """Where each part listens, how many of each run, and what they share."""

    entry_port: int = 5005
    web_port: int = 8000
    action_entry_port: int = 5055
    rasa_ports: list[int] = field(default_factory=lambda: [5105, 5106])
    action_ports: list[int] = field(default_factory=lambda: [5155, 5156])
    host: str = "127.0.0.1"
    models: Path = ROOT / "models"
    state: Path = ROOT / ".state"

    @property
    def pids(self) -> Path:
        return self.state / "pids"

    @property
    def logs(self) -> Path:
        return self.state / "logs" / "cluster"

    @property
    def config_dir(self) -> Path:
        return self.state / "cluster"

    @property
    def haproxy_socket(self) -> Path:
        return self.config_dir / "haproxy.sock"

    @property
    def entry_url(self) -> str:
        return f"http://127.0.0.1:{self.entry_port}"


def _env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def shared_env(state: Path) -> dict[str, str]:
    """PostgreSQL, Redis and state settings every child gets (the environment's, else defaults)."""
    pg = {name: _env(name, default) for name, default in (
        ("TUTOR_PG_HOST", "127.0.0.1"), ("TUTOR_PG_PORT", "5432"), ("TUTOR_PG_USER", "postgres"))}
    pg["TUTOR_PG_PASSWORD"] = os.environ.get("TUTOR_PG_PASSWORD", "")
    auth = pg["TUTOR_PG_USER"] + (f":{pg['TUTOR_PG_PASSWORD']}" if pg["TUTOR_PG_PASSWORD"] else "")
    server = f"postgresql+psycopg://{auth}@{pg['TUTOR_PG_HOST']}:{pg['TUTOR_PG_PORT']}"
    return {
        **pg,
        "TUTOR_TRACKER_PG_DB": _env("TUTOR_TRACKER_PG_DB", "tutor_tracker"),
        "TUTOR_DATABASE_URL": _env("TUTOR_DATABASE_URL", f"{server}/tutor_progress"),
        "TUTOR_LOG_URL": _env("TUTOR_LOG_URL", f"{server}/tutor_logbook"),
        "TUTOR_REDIS_HOST": _env("TUTOR_REDIS_HOST", "127.0.0.1"),
        "TUTOR_REDIS_PORT": _env("TUTOR_REDIS_PORT", "6379"),
        "TUTOR_REDIS_LOCK_DB": _env("TUTOR_REDIS_LOCK_DB", "1"),
        "TUTOR_STATE_DIR": str(state),
        # several servers share the cores: one TensorFlow thread each in Rasa instead of each
        # spreading a message over every core (action servers use one torch thread anyway)
        "TF_INTRA_OP_PARALLELISM_THREADS": _env("TF_INTRA_OP_PARALLELISM_THREADS", "1"),
        "TF_INTER_OP_PARALLELISM_THREADS": _env("TF_INTER_OP_PARALLELISM_THREADS", "1"),
    }


def create_database(url: str | URL) -> bool:
    """Create ``url``'s PostgreSQL database when it is missing; True if it was created."""
    parts = make_url(url)
    if not parts.drivername.startswith("postgresql"):
        return False
    conninfo = {"host": parts.host or "127.0.0.1", "port": parts.port or 5432,
                "user": parts.username, "password": parts.password or None, "dbname": "postgres",
                "connect_timeout": 5}
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v is not None},
                         autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                        (parts.database,)).fetchone():
            return False
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parts.database)))
        except psycopg.errors.DuplicateDatabase:  # another start made it meanwhile
            return False
    return True


def prepare_shared_state(env: dict[str, str]) -> list[str]:
    """Check Redis, create the databases; the names of databases created. Raises with a reason."""
    redis.Redis(host=env["TUTOR_REDIS_HOST"], port=int(env["TUTOR_REDIS_PORT"]),
                db=int(env["TUTOR_REDIS_LOCK_DB"]), socket_connect_timeout=5).ping()
    tracker = URL.create("postgresql", username=env["TUTOR_PG_USER"],
                         password=env["TUTOR_PG_PASSWORD"] or None, host=env["TUTOR_PG_HOST"],
                         port=int(env["TUTOR_PG_PORT"]), database=env["TUTOR_TRACKER_PG_DB"])
    created = []
    for url in (tracker, env["TUTOR_DATABASE_URL"], env["TUTOR_LOG_URL"]):
        if create_database(url):
            created.append(make_url(url).database or "")
    return created


def haproxy_config(opts: ClusterOptions) -> str:
    return haproxy.config(socket_path=opts.haproxy_socket, host=opts.host,
                          entry_port=opts.entry_port, action_entry_port=opts.action_entry_port,
                          rasa_ports=opts.rasa_ports, action_ports=opts.action_ports)


def services(opts: ClusterOptions, action_token: str) -> list[tuple[str, Service]]:
    """Every child, by name: action servers, Rasa servers, HAProxy, the chat page."""
    base = Options(host="127.0.0.1", models=opts.models, logs=opts.logs,
                   endpoints="bot/endpoints.cluster.yml", action_token=action_token,
                   action_host="127.0.0.1")
    named: list[tuple[str, Service]] = []
    for n, port in enumerate(opts.action_ports, 1):
        named.append((f"action-{n}", action_service(dataclasses.replace(base, action_port=port))))
    for n, port in enumerate(opts.rasa_ports, 1):
        named.append((f"rasa-{n}", rasa_service(dataclasses.replace(base, rasa_port=port))))
    named.append(("haproxy", Service(
        "haproxy", ["haproxy", "-db", "-f", str(opts.config_dir / "haproxy.cfg")],
        f"http://127.0.0.1:{opts.action_entry_port}/balancer-ready")))
    web = web_service(dataclasses.replace(base, web_port=opts.web_port, rasa_port=opts.entry_port,
                                          host=opts.host))
    named.append(("web", web))
    return [(name, dataclasses.replace(service, name=name)) for name, service in named if service]


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


@dataclass
class Slot:
    """One supervised child: its service, the running process, and its restart schedule."""

    name: str
    service: Service
    child: Child | None = None
    started: float = 0.0
    backoff: float = 0.5  # seconds before the last restart; a first restart waits 1 s
    restart_at: float | None = None


class Supervisor:
    """Starts every child, restarts one that exits, stops them all."""

    def __init__(self, opts: ClusterOptions, named: list[tuple[str, Service]],
                 env: dict[str, str], action_token: str) -> None:
        self.opts, self.env, self.action_token = opts, env, action_token
        self.slots = [Slot(name, service) for name, service in named]
        opts.pids.mkdir(parents=True, exist_ok=True)

    def pid_file(self, slot: Slot) -> Path:
        return self.opts.pids / f"{slot.name}.pid"

    def start(self, slot: Slot) -> None:
        slot.child = Child(slot.service, self.env, self.opts.logs / f"{slot.name}.log")
        slot.started, slot.restart_at = time.monotonic(), None
        self.pid_file(slot).write_text(f"{slot.child.proc.pid}\n")

    def start_all(self) -> None:
        for slot in self.slots:
            self.start(slot)

    def children(self) -> list[Child]:
        return [slot.child for slot in self.slots if slot.child]

    def check(self) -> None:
        """Notice exited children and restart those whose backoff is over."""
        now = time.monotonic()
        for slot in self.slots:
            if slot.child and (status := slot.child.exited()) is not None:
                pid = slot.child.proc.pid
                end_group(slot.child)
                slot.child = None
                self.pid_file(slot).unlink(missing_ok=True)
                slot.backoff = 1.0 if now - slot.started > 60 else min(slot.backoff * 2, 30.0)
                slot.restart_at = now + slot.backoff
                if slot.name.startswith("action-"):
                    haproxy.command(self.opts.haproxy_socket, f"disable server actions/{slot.name}")
                log(f"{slot.name} (pid {pid}) exited with status {status}; "
                    f"restarting in {slot.backoff:.0f}s")
            elif slot.child is None and slot.restart_at is not None and now >= slot.restart_at:
                self.start(slot)
                log(f"{slot.name} restarted (pid {slot.child.proc.pid})")  # type: ignore[union-attr]
                if slot.name.startswith("action-"):
                    threading.Thread(target=self._rejoin, args=(slot, slot.child),
                                     daemon=True).start()

    def _rejoin(self, slot: Slot, child: Child) -> None:
        """Once a restarted action server has loaded its engine, let HAProxy send it calls."""
        try:
            wait_ready([child], timeout=300)
        except (ChildDied, TimeoutError):
            return
        warm_up(child.service.ready_url.removesuffix("/health"), self.action_token)
        haproxy.command(self.opts.haproxy_socket, f"enable server actions/{slot.name}")
        log(f"{slot.name} is ready again")

    def stop_all(self, grace: float = 10.0) -> None:
        """SIGTERM to every group at once, SIGKILL to what is left after ``grace`` seconds."""
        running = self.children()
        for child in running:
            signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in running:
            with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL below in any case
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            end_group(child)
        for slot in self.slots:
            self.pid_file(slot).unlink(missing_ok=True)


def signal_group(child: Child, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.proc.pid, sig)


def end_group(child: Child) -> None:
    """SIGKILL whatever is left of the child's process group (a Sanic worker outlives its
    manager), and reap the leader."""
    signal_group(child, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.proc.wait(timeout=5)


def parse_args(argv: list[str] | None = None) -> ClusterOptions:
    def ports(text: str) -> list[int]:
        return [int(p) for p in text.split(",") if p.strip()]

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entry-port", type=int, default=5005, help="HAProxy's entry (5005)")
    parser.add_argument("--web-port", type=int, default=8000, help="the chat page (8000)")
    parser.add_argument("--action-entry-port", type=int, default=5055,
                        help="HAProxy's action frontend on 127.0.0.1 (5055)")
    parser.add_argument("--rasa-ports", type=ports, default=[5105, 5106],
                        help="the Rasa servers' ports, comma-separated; one server each")
    parser.add_argument("--action-ports", type=ports, default=[5155, 5156],
                        help="the action servers' ports, comma-separated; one server each")
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface of the entry and the chat page (0.0.0.0 for all)")
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    parser.add_argument("--state-dir", type=Path,
                        default=Path(_env("TUTOR_STATE_DIR", str(ROOT / ".state"))),
                        help="pid files, logs and HAProxy's config (TUTOR_STATE_DIR; .state)")
    args = parser.parse_args(argv)
    if not args.rasa_ports or not args.action_ports:
        parser.error("at least one Rasa server and one action server are needed")
    return ClusterOptions(entry_port=args.entry_port, web_port=args.web_port,
                          action_entry_port=args.action_entry_port, rasa_ports=args.rasa_ports,
                          action_ports=args.action_ports, host=args.host, models=args.models,
                          state=args.state_dir.resolve())


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    if not opts.models.exists() or not any(opts.models.glob("*.tar.gz")):
        print(f"no trained model in {opts.models}: run 'make train' first", file=sys.stderr)
        return 1
    if not any((Path(p) / "haproxy").exists() for p in os.environ.get("PATH", "").split(":")):
        print("haproxy is not installed: run scripts/ensure_haproxy.sh", file=sys.stderr)
        return 1
    shared = shared_env(opts.state)
    try:
        created = prepare_shared_state(shared)
    except redis.RedisError as exc:
        print(f"error: Redis is not usable (TUTOR_REDIS_HOST, TUTOR_REDIS_PORT): {exc}",
              file=sys.stderr)
        return 1
    except (psycopg.Error, OSError) as exc:
        print(f"error: PostgreSQL is not usable (TUTOR_PG_*, TUTOR_DATABASE_URL, TUTOR_LOG_URL): "
              f"{exc}", file=sys.stderr)
        return 1
    if created:
        log("created databases: " + ", ".join(created))
    action_token = os.environ.get("ACTION_SERVER_TOKEN", "").strip() or secrets.token_urlsafe(32)
    # Rasa calls the action servers through HAProxy's action frontend, never directly.
    extra = {**shared, "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{opts.action_entry_port}/webhook",
             "ACTION_SERVER_TOKEN": action_token}
    env = child_env(Options(env=extra))
    opts.config_dir.mkdir(parents=True, exist_ok=True)
    (opts.config_dir / "haproxy.cfg").write_text(haproxy_config(opts))

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    supervisor = Supervisor(opts, services(opts, action_token), env, action_token)
    try:
        supervisor.start_all()
        log("starting: " + ", ".join(s.name for s in supervisor.slots) + f" (logs in {opts.logs})")
        started = time.monotonic()
        wait_ready(supervisor.children(), timeout=360)
        log(f"ready in {time.monotonic() - started:.0f}s; loading the knowledge engines...")
        with ThreadPoolExecutor() as pool:  # each action server loads its engine
            warmed = pool.map(lambda port: warm_up(f"http://127.0.0.1:{port}", action_token),
                              opts.action_ports)
            for port, ok in zip(opts.action_ports, warmed, strict=True):
                if not ok:
                    print(f"warning: the warm-up question to :{port} failed", file=sys.stderr)
        api = (f"{opts.entry_url}/... with ?token=$RASA_AUTH_TOKEN"
               if os.environ.get("RASA_AUTH_TOKEN", "").strip()
               else "off (set RASA_AUTH_TOKEN to turn it on)")
        print(f"\nChat in the browser:   http://localhost:{opts.web_port}/\n"
              f"Chat in the terminal:  make chat\n"
              f"REST endpoint:         POST {opts.entry_url}/webhooks/rest/webhook "
              '{"sender": "me", "message": "hi"}\n'
              f"Rasa HTTP API:         {api}\n"
              f"Behind HAProxy:        Rasa on {', '.join(map(str, opts.rasa_ports))}; actions on "
              f"{', '.join(map(str, opts.action_ports))} via 127.0.0.1:{opts.action_entry_port}\n"
              f"Pid files:             {opts.pids}\n"
              "Press Ctrl-C to stop everything.", flush=True)
        while True:
            supervisor.check()
            time.sleep(0.25)
    except KeyboardInterrupt:
        log("stopping...")
        supervisor.stop_all()
        return 0
    except (ChildDied, TimeoutError) as exc:
        explain_failure(exc, "error while starting")
        supervisor.stop_all()
        return 1


if __name__ == "__main__":
    sys.exit(main())
