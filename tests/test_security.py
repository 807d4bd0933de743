"""Closed by default: Rasa's HTTP API only with a token, the action server only for Rasa.

The session's servers (tests/servers.py) start as ``make run`` starts them: Rasa with
``--enable-api --auth-token <random>`` and the action server (actions/server.py) on 127.0.0.1,
checking the random bearer token Rasa sends from bot/endpoints.yml. One more Rasa server is
started here without ``RASA_AUTH_TOKEN``, as a default ``make run`` starts it: no API at all.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from .servers import ROOT, TutorServers, free_port, run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DOMAIN = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text())


def new_sender() -> str:
    return f"sec-{uuid.uuid4().hex[:8]}"


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


# ---- how scripts/run.py starts things (no servers) ---------------------------------------------


def test_a_default_start_has_no_rasa_api_and_a_random_action_token(monkeypatch) -> None:
    for name in ("RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN", "ACTION_SERVER_HOST"):
        monkeypatch.delenv(name, raising=False)
    first, second = run.Options(), run.Options()
    rasa = run.rasa_server(first)
    assert "--enable-api" not in rasa.argv
    assert not any(arg.startswith("--auth-token") for arg in rasa.argv)
    action = run.action_server(first)
    assert action.argv[1:3] == ["-m", "actions.server"]
    assert action.argv[action.argv.index("--host") + 1] == "127.0.0.1"
    assert first.action_url.startswith("http://127.0.0.1:")
    assert len(first.action_token) >= 32 and first.action_token != second.action_token
    assert action.env["ACTION_SERVER_TOKEN"] == rasa.env["ACTION_SERVER_TOKEN"] == first.action_token


def test_the_api_and_the_action_server_open_only_as_configured(monkeypatch) -> None:
    monkeypatch.setenv("RASA_AUTH_TOKEN", "rasa-secret")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "action-secret")
    monkeypatch.setenv("ACTION_SERVER_HOST", "0.0.0.0")
    opts = run.Options()
    rasa = run.rasa_server(opts)
    # one argument, so a token that starts with "-" is not read as an option
    assert rasa.argv[rasa.argv.index("--enable-api") + 1] == "--auth-token=rasa-secret"
    assert rasa.env["ACTION_SERVER_TOKEN"] == "action-secret"
    action = run.action_server(opts)
    assert action.argv[action.argv.index("--host") + 1] == "0.0.0.0"
    assert opts.action_url.startswith("http://127.0.0.1:")  # Rasa on this machine reaches it there


def test_the_action_endpoint_sends_the_token_as_a_bearer_header() -> None:
    endpoint = yaml.safe_load((ROOT / "bot" / "endpoints.yml").read_text())["action_endpoint"]
    assert endpoint["headers"] == {"Authorization": "Bearer ${ACTION_SERVER_TOKEN}"}


def test_the_action_server_will_not_listen_beyond_this_machine_without_a_token() -> None:
    env = {k: v for k, v in run.child_env(run.Options()).items() if k != "ACTION_SERVER_TOKEN"}
    result = subprocess.run(
        [str(run.VENV_PYTHON), "-m", "actions.server", "--actions", "actions.dialogue",
         "--host", "0.0.0.0", "--port", str(free_port())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "ACTION_SERVER_TOKEN" in result.stderr


# ---- Rasa's HTTP API -----------------------------------------------------------------------------


def test_trackers_are_read_only_with_the_token(servers: TutorServers) -> None:
    sender = new_sender()
    servers.say(sender, "hello")
    url = f"{servers.rasa_url}/conversations/{sender}/tracker"
    assert httpx.get(url, timeout=30).status_code == 401
    assert httpx.get(url, params={"token": "not-the-token"}, timeout=30).status_code == 401
    assert httpx.get(url, headers={"Authorization": f"Bearer {servers.rasa_token}"},
                     timeout=30).status_code == 401  # only ?token= is Rasa's token
    said = [e["text"] for e in servers.tracker(sender)["events"] if e["event"] == "user"]
    assert said == ["hello"]


@pytest.mark.parametrize("params", [{}, {"token": "not-the-token"}])
def test_a_model_cannot_be_replaced_without_the_token(servers: TutorServers, params: dict) -> None:
    resp = httpx.put(f"{servers.rasa_url}/model", params=params,
                     json={"model_file": "/tmp/no-such-model.tar.gz"}, timeout=30)
    assert resp.status_code == 401, resp.text
    assert "topic" in texts(servers.say(new_sender(), "what topics are there?")).lower()  # same model


@pytest.fixture(scope="module")
def rasa_without_api(servers: TutorServers, tmp_path_factory) -> Iterator[str]:
    """A second Rasa server, started as `make run` starts it when RASA_AUTH_TOKEN is unset."""
    folder = tmp_path_factory.mktemp("no-api")
    opts = dataclasses.replace(servers.opts, rasa_port=free_port(), rasa_token=None,
                               tracker_db=folder / "tracker.db", logs=folder / "logs")
    service = run.rasa_server(opts)
    assert "--enable-api" not in service.argv
    child = run.Child(service, run.child_env(opts), opts.logs / "rasa-server.log")
    try:
        run.wait_ready([child], timeout=300)
        yield opts.rasa_url
    finally:
        child.stop()


def test_without_a_token_the_api_is_off(rasa_without_api: str) -> None:
    sender = new_sender()
    reply = httpx.post(f"{rasa_without_api}/webhooks/rest/webhook",
                       json={"sender": sender, "message": "what topics are there?"}, timeout=120)
    assert reply.status_code == 200 and "topic" in texts(reply.json()).lower(), reply.text
    for token in (None, "anything"):
        params = {"token": token} if token else {}
        tracker = httpx.get(f"{rasa_without_api}/conversations/{sender}/tracker", params=params,
                            timeout=30)
        assert tracker.status_code == 404, tracker.text
        model = httpx.put(f"{rasa_without_api}/model", params=params,
                          json={"model_file": "/tmp/no-such-model.tar.gz"}, timeout=30)
        assert model.status_code in (404, 405), model.text


# ---- the action server ---------------------------------------------------------------------------


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                if len(raw) == 4:
                    found.add(".".join(str(b) for b in raw[::-1]))
                else:
                    found.add(raw.hex())
    return found


def test_the_action_server_listens_on_the_loopback_only(servers: TutorServers) -> None:
    assert _listening_addresses(servers.opts.action_port) == {"127.0.0.1"}


def _action_call(servers: TutorServers, sender: str, action: str, text: str) -> dict[str, Any]:
    """The request Rasa would send to run ``action`` on ``sender``'s tracker after ``text``."""
    tracker = servers.tracker(sender)
    tracker["latest_message"] = {"text": text, "intent": {"name": "quiz_answer", "confidence": 1.0},
                                 "entities": [], "intent_ranking": []}
    return {"next_action": action, "sender_id": sender, "tracker": tracker, "domain": DOMAIN,
            "version": "3.6.21"}


def _progress(servers: TutorServers) -> dict[str, list[str]]:
    """Every row of the progress database (SQLite under the servers' state folder)."""
    assert "TUTOR_DATABASE_URL" not in os.environ, "these tests read the SQLite progress database"
    db = servers.workdir / "state" / "progress.db"
    assert db.exists(), f"no progress database at {db}"
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"'))) for t in tables}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-the-token"}, {"Authorization": "not-the-token"},
     {"Authorization": "Basic dXNlcjpwYXNz"}],
    ids=["no token", "wrong token", "no scheme", "basic auth"],
)
def test_the_action_server_refuses_calls_without_the_token(servers: TutorServers, headers) -> None:
    body = {"next_action": "action_capabilities", "sender_id": "x", "version": "3.6.21",
            "tracker": {"sender_id": "x", "slots": {}, "events": [], "latest_message": {"text": "hi"}},
            "domain": DOMAIN}
    resp = httpx.post(f"{servers.action_url}/webhook", json=body, headers=headers, timeout=30)
    assert resp.status_code == 401, resp.text
    assert "events" not in resp.json()
    assert httpx.get(f"{servers.action_url}/actions", headers=headers, timeout=30).status_code == 401
    assert httpx.get(f"{servers.action_url}/health", timeout=30).status_code == 200
    token = {"Authorization": f"Bearer {servers.action_token}"}
    assert httpx.post(f"{servers.action_url}/webhook", json=body, headers=token,
                      timeout=60).status_code == 200


def test_a_forged_quiz_answer_writes_no_progress_while_rasas_turns_do(servers: TutorServers) -> None:
    learner = new_sender()
    assert "Question 1 of" in texts(servers.say(learner, "5 questions on the models"))
    before = _progress(servers)

    for action in ("validate_quiz_form", "action_quiz_turn", "action_quiz_answer"):
        forged = _action_call(servers, learner, action, "bananas and custard")
        resp = httpx.post(f"{servers.action_url}/webhook", json=forged, timeout=30)
        assert resp.status_code == 401, (action, resp.text)
    assert _progress(servers) == before, "a call without the token changed the progress database"

    # The same answer through Rasa, which sends the token: graded, and recorded.
    verdict = texts(servers.say(learner, "bananas and custard"))
    assert verdict.startswith(("Not quite", "Hint")), verdict
    if verdict.startswith("Hint"):
        verdict = texts(servers.say(learner, "bananas and custard"))
    assert verdict.startswith("Not quite"), verdict
    assert _progress(servers) != before, "Rasa's graded turn wrote no progress"
