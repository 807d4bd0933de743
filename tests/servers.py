"""Start the real action server and Rasa server on free ports, on a private copy of the knowledge.

Reuses the process handling of ``scripts/run.py`` (same commands, process groups, readiness
checks), with everything a test could change kept in one temporary folder: the documents, the
index, the tracker database and the logs::

    with TutorServers(tmp_path) as servers:
        servers.say("learner", "hi")            # -> Rasa's REST reply list
        servers.tracker("learner")              # -> the tracker, through the API with the token

As ``make run`` does, the servers are closed by default: Rasa's HTTP API needs ``?token=`` (a
random :attr:`TutorServers.rasa_token`, also in :attr:`TutorServers.api_params`), and the action
server needs the random bearer :attr:`TutorServers.action_token` that Rasa sends it.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
TUTOR = ROOT / ".venv" / "bin" / "tutor"


def _load_run_module() -> ModuleType:
    name = "tutor_scripts_run"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "run.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


run = _load_run_module()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_model(models: Path = ROOT / "models") -> Path:
    """Train into ``models`` only if bot/ or data/ changed since its last training."""
    env = {**os.environ, "MODELS_DIR": str(models)}
    subprocess.run([str(ROOT / "scripts" / "train_if_changed.sh")], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=1200)
    return models


class TutorServers:
    """The action server and the Rasa server on free ports, over a temporary knowledge folder."""

    def __init__(self, workdir: Path, models: Path | None = None,
                 knowledge: Path = ROOT / "knowledge") -> None:
        self.workdir = Path(workdir)
        self.knowledge_dir = self.workdir / "knowledge"
        self.index_dir = self.workdir / "index"
        if not self.knowledge_dir.exists():
            shutil.copytree(knowledge, self.knowledge_dir)
        self.models = models or ensure_model()
        self.env = {
            "TUTOR_KNOWLEDGE_DIR": str(self.knowledge_dir),
            "TUTOR_INDEX_DIR": str(self.index_dir),
            "TUTOR_STATE_DIR": str(self.workdir / "state"),
        }
        self.opts = run.Options(
            action_port=free_port(), rasa_port=free_port(), models=self.models,
            tracker_db=self.workdir / "tracker.db", logs=self.workdir / "logs", env=self.env,
            rasa_token=secrets.token_urlsafe(24), action_token=secrets.token_urlsafe(24),
            action_host="127.0.0.1",
        )
        self.children: list[Any] = []
        self.starts = 0

    @property
    def rasa_url(self) -> str:
        return self.opts.rasa_url

    @property
    def action_url(self) -> str:
        return self.opts.action_url

    @property
    def rasa_token(self) -> str | None:
        """The token Rasa's HTTP API asks for (``?token=``); None when the API is off."""
        return self.opts.rasa_token

    @property
    def action_token(self) -> str:
        """The bearer token the action server asks for (Rasa sends it from bot/endpoints.yml)."""
        return self.opts.action_token

    @property
    def api_params(self) -> dict[str, str]:
        """Query parameters for Rasa's HTTP API: ``httpx.get(url, params=servers.api_params)``."""
        return {"token": self.rasa_token} if self.rasa_token else {}

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def index(self) -> str:
        """Run ``tutor index`` on the knowledge copy (as a learner's teacher would); its output."""
        result = subprocess.run(
            [str(TUTOR), "index"], cwd=ROOT, capture_output=True, text=True, timeout=600,
            env={**run.child_env(self.opts), **self.env},
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self, timeout: float = 300.0) -> TutorServers:
        """Start both servers, index the documents meanwhile, wait until both answer."""
        self._start([run.action_server, run.rasa_server])
        try:
            if not (self.index_dir / "current").exists():
                self.index()
            run.wait_ready(self.children, timeout=timeout)
            run.warm_up(self.action_url, self.action_token)
        except BaseException:
            self.stop()
            raise
        return self

    def restart_rasa(self, timeout: float = 300.0) -> None:
        """Stop the Rasa server and start a new one on the same port and tracker store."""
        rasa = next(c for c in self.children if c.service.ready_url.startswith(self.rasa_url))
        rasa.stop()
        self.children.remove(rasa)
        new = self._start([run.rasa_server])
        run.wait_ready(new, timeout=timeout)

    def _start(self, services: list[Any]) -> list[Any]:
        self.starts += 1
        env = run.child_env(self.opts)
        new = []
        for make in services:
            service = make(self.opts)
            log = self.opts.logs / f"{service.name.replace(' ', '-')}-{self.starts}.log"
            new.append(run.Child(service, env, log))
        self.children.extend(new)
        return new

    def stop(self) -> None:
        run.stop_all(self.children)
        self.children.clear()

    def logs(self) -> str:
        """Every log so far, for a failing test's report."""
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}"
                         for p in sorted(self.opts.logs.glob("*.log")))

    def say(self, sender: str, message: Any, timeout: float = 120.0) -> list[dict[str, Any]]:
        """Send one message over REST; Rasa's reply list (status must be 200)."""
        resp = httpx.post(self.webhook, json={"sender": sender, "message": message},
                          timeout=timeout)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def tracker(self, sender: str, timeout: float = 30.0) -> dict[str, Any]:
        """``sender``'s tracker through Rasa's HTTP API, with the token (status must be 200)."""
        resp = httpx.get(f"{self.rasa_url}/conversations/{sender}/tracker", params=self.api_params,
                         timeout=timeout)
        assert resp.status_code == 200, f"{resp.status_code} {resp.text[:500]}"
        return resp.json()

    def wait_for(self, predicate, timeout: float = 30.0, every: float = 0.5) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(every)
        return False

    def __enter__(self) -> TutorServers:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
