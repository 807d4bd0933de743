"""Start the tutor: the action server, the Rasa server (and the chat page), until Ctrl-C.

Run with ``.venv/bin/python scripts/run.py`` (``make run`` trains and indexes first). Standard
library only. Each child runs in its own process group and logs to ``.state/logs/<name>.log``;
one Ctrl-C (or SIGTERM) stops them all, and if any child dies the others are stopped too and the
exit status is 1. ``tests/servers.py`` starts the same commands on free ports.

Closed by default (docs/security.md): Rasa's HTTP API (trackers, ``PUT /model``) is on only when
``RASA_AUTH_TOKEN`` is set, and then needs ``?token=``; the action server listens on
``ACTION_SERVER_HOST`` (127.0.0.1 unless set) and refuses requests without ``ACTION_SERVER_TOKEN``,
which Rasa sends from bot/endpoints.yml: a random one is made for each start unless it is set.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"


@dataclass
class Options:
    """Where everything listens and what it reads."""

    action_port: int = 5055
    rasa_port: int = 5005
    web_port: int = 8000
    host: str = "127.0.0.1"
    models: Path = ROOT / "models"
    tracker_db: Path = ROOT / ".state" / "tracker.db"
    endpoints: str = "bot/endpoints.yml"  # Rasa's endpoints (scripts/cluster.py: the cluster's)
    logs: Path = ROOT / ".state" / "logs"
    env: dict[str, str] = field(default_factory=dict)  # extra variables for every child
    # Rasa's HTTP API is on only with a token (--enable-api --auth-token); off when None.
    rasa_token: str | None = field(default_factory=lambda: _env("RASA_AUTH_TOKEN"))
    # The action server's interface, and the token Rasa must send it (random unless given).
    action_host: str = field(default_factory=lambda: _env("ACTION_SERVER_HOST") or "127.0.0.1")
    action_token: str = field(
        default_factory=lambda: _env("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(32))

    @property
    def action_url(self) -> str:
        host = self.action_host
        if host in ("0.0.0.0", "::", "localhost"):
            host = "127.0.0.1"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.action_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://localhost:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://localhost:{self.web_port}"


def _env(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None


@dataclass
class Service:
    """A child process and the URL that answers once it is ready."""

    name: str
    argv: list[str]
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)


def child_env(opts: Options) -> dict[str, str]:
    """The environment every child gets: offline, no telemetry, the repository importable."""
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        RASA_TELEMETRY_ENABLED="false",
        PYTHONUNBUFFERED="1",
        # OpenMP threads (torch's, TensorFlow's) sleep while they wait instead of spinning on the
        # cores the other processes need (spinning made the tutors' report 5x slower under load)
        OMP_WAIT_POLICY="PASSIVE",
    )
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.setdefault("ACTION_ENDPOINT_URL", f"{opts.action_url}/webhook")
    env.setdefault("TUTOR_TRACKER_DB", str(opts.tracker_db))
    env.update(opts.env)
    return env


def action_server(opts: Options) -> Service | None:
    return Service(
        "action server",
        [str(VENV_PYTHON), "-m", "actions.server", "--actions", "actions.dialogue",
         "--host", opts.action_host, "--port", str(opts.action_port)],
        f"{opts.action_url}/health",
        {"ACTION_SERVER_TOKEN": opts.action_token},  # checked on every request but /health
    )


def rasa_server(opts: Options) -> Service | None:
    # one argument ("--auth-token=..."): a random token may start with "-", which argparse would
    # take for an option
    api = ["--enable-api", f"--auth-token={opts.rasa_token}"] if opts.rasa_token else []
    return Service(
        "rasa server",
        [str(RASA), "run", *api, "--cors", "*", "-i", opts.host,
         "--port", str(opts.rasa_port), "--credentials", "bot/credentials.yml",
         "--endpoints", opts.endpoints, "-m", str(opts.models)],
        f"{opts.rasa_url}/",
        {"ACTION_SERVER_TOKEN": opts.action_token},  # sent by bot/endpoints.yml
    )


def web_page(opts: Options) -> Service | None:
    """The chat page (scripts/serve_web.py) on ``opts.web_port``; it finds Rasa on ``rasa_port``."""
    return Service(
        "web page",
        [str(VENV_PYTHON), str(ROOT / "scripts" / "serve_web.py"), "--host", opts.host,
         "--port", str(opts.web_port), "--rasa-port", str(opts.rasa_port), "--quiet"],
        f"{opts.web_url}/",
    )


# What `run` starts, in order. Add a service by appending a function Options -> Service | None.
SERVICES: list[Callable[[Options], Service | None]] = [action_server, rasa_server, web_page]


class Child:
    """A started service in its own process group, logging to a file."""

    def __init__(self, service: Service, env: dict[str, str], log_path: Path) -> None:
        self.service = service
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(
                service.argv, cwd=ROOT, env={**env, **service.env}, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    @property
    def name(self) -> str:
        return self.service.name

    def exited(self) -> int | None:
        return self.proc.poll()

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.service.ready_url, timeout=2) as resp:
                return 200 <= resp.status < 300
        except (OSError, urllib.error.URLError):
            return False

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to the whole group, SIGKILL after ``grace`` seconds."""
        if self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class ChildDied(RuntimeError):
    def __init__(self, child: Child) -> None:
        super().__init__(f"{child.name} exited with status {child.exited()}")
        self.child = child


def start_all(opts: Options, log_suffix: str = "") -> list[Child]:
    """Start every service (:data:`SERVICES`); the caller stops them with :func:`stop_all`."""
    env = child_env(opts)
    Path(env["TUTOR_TRACKER_DB"]).parent.mkdir(parents=True, exist_ok=True)
    children: list[Child] = []
    try:
        for make in SERVICES:
            service = make(opts)
            if service is not None:
                log = opts.logs / f"{service.name.replace(' ', '-')}{log_suffix}.log"
                children.append(Child(service, env, log))
    except BaseException:
        stop_all(children)
        raise
    return children


def wait_ready(children: list[Child], timeout: float = 240.0) -> None:
    """Block until every child answers its ready URL; raise :class:`ChildDied` or TimeoutError."""
    deadline = time.monotonic() + timeout
    pending = list(children)
    while pending:
        for child in list(pending):
            if child.exited() is not None:
                raise ChildDied(child)
            if child.ready():
                pending.remove(child)
        if pending and time.monotonic() > deadline:
            raise TimeoutError(f"not ready after {timeout:.0f}s: {[c.name for c in pending]}")
        if pending:
            time.sleep(0.5)


def stop_all(children: list[Child]) -> None:
    for child in reversed(children):
        child.stop()


def warm_up(action_url: str, token: str | None = None, timeout: float = 120.0) -> bool:
    """Ask the action server one question so the embedding model and index are loaded now."""
    body = {
        "next_action": "action_answer",
        "sender_id": "warm-up",
        "version": "3.6.21",
        "tracker": {"sender_id": "warm-up", "slots": {}, "events": [], "paused": False,
                    "latest_message": {"text": "What is customer care?", "intent": {},
                                       "entities": []},
                    "latest_event_time": None, "followup_action": None,
                    "active_loop": {}, "latest_action_name": None},
        "domain": {"intents": [], "entities": [], "slots": {}, "responses": {}, "actions": [],
                   "forms": {}},
    }
    request = urllib.request.Request(
        f"{action_url}/webhook", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status == 200
    except (OSError, urllib.error.URLError):
        return False


def explain_failure(exc: ChildDied | TimeoutError, what: str = "error") -> None:
    """Say on stderr why starting failed, with the last lines of a dead child's log."""
    print(f"{what}: {exc}", file=sys.stderr)
    if isinstance(exc, ChildDied):
        print(f"--- last lines of {exc.child.log_path} ---\n{exc.child.log_tail()}",
              file=sys.stderr)


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--action-port", type=int, default=5055)
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--web-port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface the Rasa server listens on (0.0.0.0 for all)")
    parser.add_argument("--action-host", default=_env("ACTION_SERVER_HOST") or "127.0.0.1",
                        help="interface the action server listens on (ACTION_SERVER_HOST); "
                             "it always requires ACTION_SERVER_TOKEN, random unless set")
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    args = parser.parse_args(argv)
    return Options(action_port=args.action_port, rasa_port=args.rasa_port,
                   web_port=args.web_port, host=args.host, models=args.models,
                   action_host=args.action_host)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    if not opts.models.exists() or not any(opts.models.glob("*.tar.gz")):
        print(f"no trained model in {opts.models}: run 'make train' first", file=sys.stderr)
        return 1

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)  # also when started with SIGINT ignored (e.g. by '&')
    children: list[Child] = []
    try:
        children = start_all(opts)
        print("starting: " + ", ".join(c.name for c in children)
              + f" (logs in {opts.logs.relative_to(ROOT) if opts.logs.is_relative_to(ROOT) else opts.logs})")
        started = time.monotonic()
        wait_ready(children)
        print(f"ready in {time.monotonic() - started:.0f}s; loading the knowledge engine...")
        if not warm_up(opts.action_url, opts.action_token):
            print("warning: the warm-up question failed; see the action server log", file=sys.stderr)
        api = (f"{opts.rasa_url}/... with ?token=$RASA_AUTH_TOKEN" if opts.rasa_token
               else "off (set RASA_AUTH_TOKEN to turn it on)")
        print(f"\nChat in the browser:   {opts.web_url}/\n"
              f"Chat in the terminal:  make chat\n"
              f"REST endpoint:         POST {opts.rasa_url}/webhooks/rest/webhook "
              '{"sender": "me", "message": "hi"}\n'
              f"Rasa HTTP API:         {api}\n"
              f"Action server:         {opts.action_url}/health (token required)\n"
              "Press Ctrl-C to stop everything.", flush=True)
        while True:
            for child in children:
                if child.exited() is not None:
                    raise ChildDied(child)
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
        stop_all(children)
        return 0
    except (ChildDied, TimeoutError) as exc:
        explain_failure(exc)
        stop_all(children)
        return 1


if __name__ == "__main__":
    sys.exit(main())
