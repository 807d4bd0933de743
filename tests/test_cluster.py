"""``make cluster`` end to end: ``scripts/cluster.py`` on free ports, over a private copy of the
knowledge, with fresh PostgreSQL databases (dropped afterwards) and the real Redis.

Conversations go through HAProxy (REST, and socket.io as the chat page speaks it); the fault test
drives a handful of learners (questions, then a quiz answered by typing), SIGKILLs one Rasa server
and one action server mid-load (pids from the cluster's ``pids/``), then checks that only turns in
flight at the kill failed, every acknowledged message is in its tracker exactly once, every quiz
answer is recorded once, and both processes are back within 60 s.
"""

from __future__ import annotations

import csv
import io
import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from actions.knowledge.catalogue import build_catalogue
from actions.knowledge.validate import load_corpus
from actions.quiz.questions import Question
from actions.quiz.selection import QuestionBank

from .helpers import NEW_DOC, postgres_url
from .servers import ROOT, TUTOR, ensure_model, free_port
from .test_channels import Page

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

BACK_WITHIN = 60.0  # seconds: a killed process must be back (new pid, healthy) within this
LEARNERS = 4


@dataclass
class Cluster:
    """A running ``scripts/cluster.py`` and what a test needs to talk to it."""

    proc: subprocess.Popen[bytes]
    workdir: Path
    entry: int
    rasa_ports: list[int]
    action_ports: list[int]
    env: dict[str, str]
    rasa_token: str
    action_token: str
    databases: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.entry}"

    @property
    def state(self) -> Path:
        return self.workdir / "state"

    @property
    def knowledge_dir(self) -> Path:
        return self.workdir / "knowledge"

    def output(self) -> str:
        return (self.workdir / "cluster.out").read_text(errors="replace")

    def say(self, sender: str, text: str, timeout: float = 180.0) -> list[dict[str, Any]]:
        resp = httpx.post(f"{self.url}/webhooks/rest/webhook",
                          json={"sender": sender, "message": text}, timeout=timeout)
        assert resp.status_code == 200, f"{resp.status_code} {resp.text[:300]}"
        return resp.json()

    def tracker(self, sender: str) -> dict[str, Any]:
        resp = httpx.get(f"{self.url}/conversations/{sender}/tracker",
                         params={"token": self.rasa_token}, timeout=60)
        assert resp.status_code == 200, f"{resp.status_code} {resp.text[:300]}"
        return resp.json()

    def user_texts(self, sender: str) -> list[str]:
        return [e["text"] for e in self.tracker(sender)["events"] if e["event"] == "user"]

    def pid(self, name: str) -> int | None:
        try:
            return int((self.state / "pids" / f"{name}.pid").read_text())
        except (OSError, ValueError):
            return None

    def balancer_stats(self, column: str) -> dict[str, str]:
        """One column of HAProxy's stats for each server ("rasa/rasa-1" -> ...), from its runtime
        API: ``status`` ("UP"), ``stot`` (requests sent to it so far)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.state / "cluster" / "haproxy.sock"))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        rows = csv.DictReader(io.StringIO(data.decode().lstrip("# ")))
        return {f"{r['pxname']}/{r['svname']}": r[column] for r in rows
                if r["svname"] not in ("FRONTEND", "BACKEND")}

    def balancer_status(self) -> dict[str, str]:
        """HAProxy's view of each server ("rasa/rasa-1" -> "UP")."""
        return self.balancer_stats("status")

    def rest_turns(self) -> dict[str, int]:
        """REST requests each Rasa server was sent so far ("rasa-1" -> 12)."""
        return {name.split("/")[1]: int(n) for name, n in self.balancer_stats("stot").items()
                if name.startswith("rasa/")}


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def _drop_databases(user: str, names: list[str]) -> None:
    with psycopg.connect(host="127.0.0.1", user=user, dbname="postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    subprocess.run([str(ROOT / "scripts" / "ensure_haproxy.sh")], check=True, timeout=600)
    models = ensure_model()
    workdir = tmp_path_factory.mktemp("cluster")
    shutil.copytree(ROOT / "knowledge", workdir / "knowledge")
    run_id = uuid.uuid4().hex[:8]
    names = {kind: f"test_cluster_{kind}_{run_id}" for kind in ("tracker", "progress", "logbook")}
    user = make_url(postgres_url()).username or "postgres"  # cluster.py creates the databases
    rasa_token, action_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "TUTOR_KNOWLEDGE_DIR": str(workdir / "knowledge"),
        "TUTOR_INDEX_DIR": str(workdir / "index"),
        "TUTOR_STATE_DIR": str(workdir / "state"),
        "TUTOR_PG_USER": user,
        "TUTOR_TRACKER_PG_DB": names["tracker"],
        "TUTOR_DATABASE_URL": f"postgresql+psycopg://{user}@127.0.0.1:5432/{names['progress']}",
        "TUTOR_LOG_URL": f"postgresql+psycopg://{user}@127.0.0.1:5432/{names['logbook']}",
        "RASA_AUTH_TOKEN": rasa_token,
        "ACTION_SERVER_TOKEN": action_token,
        # a Rasa server killed while holding a learner's lock frees it after this many seconds
        "TICKET_LOCK_LIFETIME": "30",
    }
    indexed = subprocess.run([str(TUTOR), "index"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=600)
    assert indexed.returncode == 0, indexed.stdout + indexed.stderr
    entry, web, actions_entry = free_port(), free_port(), free_port()
    rasa_ports, action_ports = [free_port(), free_port()], [free_port(), free_port()]
    out = open(workdir / "cluster.out", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "scripts" / "cluster.py"),
         "--entry-port", str(entry), "--web-port", str(web),
         "--action-entry-port", str(actions_entry), "--models", str(models),
         "--rasa-ports", ",".join(map(str, rasa_ports)),
         "--action-ports", ",".join(map(str, action_ports))],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)
    running = Cluster(proc, workdir, entry, rasa_ports, action_ports, env, rasa_token,
                      action_token, names)
    try:
        deadline = time.monotonic() + 600
        while "Chat in the browser" not in running.output():
            assert proc.poll() is None, f"cluster.py exited {proc.returncode}:\n{running.output()}"
            assert time.monotonic() < deadline, f"cluster not ready:\n{running.output()}"
            time.sleep(1)
        yield running
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        out.close()
        leftover = list((workdir / "state" / "pids").glob("*.pid"))
        _drop_databases(user, list(names.values()))
        assert not leftover, f"pid files left after stopping: {leftover}"


@pytest.fixture(scope="module")
def bank(cluster: Cluster) -> QuestionBank:
    return QuestionBank.from_folders([cluster.knowledge_dir])


def _text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def _steps_question(model: Any) -> str:
    return f"What are the steps of the {model.name} model?"


def _states_steps(model: Any, text: str) -> bool:
    return all(step.lower() in text.lower() for step in model.steps)


def test_every_process_has_a_pid_file_and_the_balancer_sees_them_up(cluster: Cluster) -> None:
    names = ["rasa-1", "rasa-2", "action-1", "action-2", "haproxy", "web"]
    pids = {name: cluster.pid(name) for name in names}
    assert all(pids.values()), pids
    for pid in pids.values():
        os.kill(pid, 0)  # alive
    status = cluster.balancer_status()
    assert {k: v for k, v in status.items() if v != "UP"} == {}, status
    assert set(status) == {"rasa/rasa-1", "rasa/rasa-2", "rasa_socketio/rasa-1",
                           "rasa_socketio/rasa-2", "actions/action-1", "actions/action-2"}


def test_a_rest_conversation_through_the_balancer(cluster: Cluster) -> None:
    models = build_catalogue(load_corpus([cluster.knowledge_dir]).documents).models
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    before = cluster.rest_turns()
    for model in models[:3]:
        answer = _text(cluster.say(sender, _steps_question(model)))
        assert _states_steps(model, answer), answer
    after = cluster.rest_turns()
    # one conversation, one server (it keeps the tracker between turns)...
    assert sorted(after[name] - before[name] for name in after) == [0, 3], (before, after)
    assert cluster.user_texts(sender) == [_steps_question(m) for m in models[:3]]
    after = cluster.rest_turns()  # the API call above went to either
    # ...and the conversations are spread over both servers
    for n in range(16):
        assert "revision tutor" in _text(cluster.say(f"spread-{n}-{uuid.uuid4().hex[:6]}", "hi"))
    spread = cluster.rest_turns()
    assert all(spread[name] > after[name] for name in spread), (after, spread)
    refused = httpx.get(f"{cluster.url}/conversations/{sender}/tracker", timeout=30)
    assert refused.status_code == 401, refused.text  # the API needs the token behind HAProxy too


def test_a_socketio_conversation_through_the_balancer(cluster: Cluster) -> None:
    model = build_catalogue(load_corpus([cluster.knowledge_dir]).documents).models[0]
    page = Page(cluster.url)
    try:
        page.say(_steps_question(model))
        answer = page.reply()["text"]
        while not _states_steps(model, answer):  # a reply may be several messages
            try:
                answer += "\n" + page.reply(timeout=10)["text"]
            except queue.Empty:
                break
        assert _states_steps(model, answer), answer
        assert page.client.transport() == "websocket"  # upgraded through HAProxy
    finally:
        page.close()
    assert cluster.user_texts(page.session_id) == [_steps_question(model)]


@dataclass
class Turn:
    sender: str
    text: str
    start: float
    end: float = 0.0
    replies: list[dict[str, Any]] | None = None  # None: the turn failed
    error: str = ""


class Learner:
    """One learner: a few questions, then a short quiz answered by typing."""

    def __init__(self, cluster: Cluster, bank: QuestionBank, number: int,
                 turns: list[Turn], progress: threading.Semaphore) -> None:
        self.cluster, self.bank, self.number = cluster, bank, number
        self.sender = f"load-{uuid.uuid4().hex[:6]}-{number}"
        self.turns, self.progress = turns, progress
        self.verdicts = 0  # quiz answers acknowledged with a verdict
        self.problems: list[str] = []

    def send(self, text: str) -> Turn:
        turn = Turn(self.sender, text, time.monotonic())
        try:
            resp = httpx.post(f"{self.cluster.url}/webhooks/rest/webhook",
                              json={"sender": self.sender, "message": text}, timeout=180)
            if resp.status_code == 200:
                turn.replies = resp.json()
            else:
                turn.error = f"HTTP {resp.status_code}"
        except httpx.HTTPError as exc:
            turn.error = repr(exc)
        turn.end = time.monotonic()
        self.turns.append(turn)
        self.progress.release()
        return turn

    def asked(self, text: str) -> Question | None:
        found = [(text.rfind(q.prompt), q) for q in self.bank.questions if q.prompt in text]
        return max(found, key=lambda pair: pair[0])[1] if found else None

    def run(self) -> None:
        models = self.bank.catalogue.models
        for k in range(3):
            model = models[(self.number + k) % len(models)]
            turn = self.send(_steps_question(model))
            if turn.replies is not None and not _states_steps(model, _text(turn.replies)):
                self.problems.append(f"{self.sender}: {turn.text!r} -> {_text(turn.replies)!r}")
        model = models[self.number % len(models)]
        request = f"3 questions on {model.name}"
        turn = self.send(request)
        for k in range(12):
            text = _text(turn.replies) if turn.replies is not None else ""
            if "Quiz finished" in text:
                return
            question = self.asked(text)
            if question is None:  # the turn failed, or its reply was lost: ask again (for the
                # quiz itself when the request was the turn in flight at the kill)
                turn = self.send(request if "no quiz in progress" in text.lower()
                                 else "repeat the question")
                continue
            turn = self.send(question.answer_text if k % 2 == 0 else "bananas and custard")
            verdict = _text(turn.replies) if turn.replies is not None else ""
            if verdict.startswith(("Correct", "Not quite")):
                self.verdicts += 1
            elif turn.replies is not None:
                self.problems.append(f"{self.sender}: no verdict for {turn.text!r}: {verdict!r}")
        self.problems.append(f"{self.sender}: the quiz did not finish: " + "\n".join(
            f"{t.text!r} -> {_text(t.replies)[:160] if t.replies is not None else t.error!r}"
            for t in self.turns if t.sender == self.sender))


def _attempts(cluster: Cluster) -> dict[str, Counter[tuple[str, int]]]:
    """Quiz attempts per learner: (quiz, position) -> how many rows."""
    url = make_url(cluster.env["TUTOR_DATABASE_URL"])
    with psycopg.connect(host=url.host, user=url.username, dbname=url.database) as conn:
        rows = conn.execute("SELECT learner, quiz_id, position FROM quiz_attempts").fetchall()
    out: dict[str, Counter[tuple[str, int]]] = {}
    for learner, quiz_id, position in rows:
        out.setdefault(learner, Counter())[(quiz_id, position)] += 1
    return out


def _exited(pids: list[int], within: float = 10.0) -> float:
    """When every one of ``pids`` has exited (a zombie or reaped: its sockets are closed), on the
    monotonic clock; raises if one is still there after ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return time.monotonic()
        time.sleep(0.001)  # polling /proc: exit has no event that another process can wait on
    raise AssertionError(f"{pids} still running {within} s after SIGKILL")


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_back(cluster: Cluster, victims: dict[str, tuple[int, str]],
               killed_at: float) -> dict[str, float]:
    """Seconds from the kill until each victim (name -> old pid, health URL) has a new pid and
    answers its health URL; inf for one that is not back within BACK_WITHIN + 30 s."""
    back = {name: float("inf") for name in victims}
    while time.monotonic() - killed_at < BACK_WITHIN + 30:
        for name, (old_pid, health) in victims.items():
            pid = cluster.pid(name)
            if back[name] == float("inf") and pid and pid != old_pid and _healthy(health):
                back[name] = time.monotonic() - killed_at
        if all(seconds < float("inf") for seconds in back.values()):
            break
        time.sleep(0.5)
    return back


def test_killing_a_rasa_and_an_action_server_under_load(cluster: Cluster, bank: QuestionBank) -> None:
    turns: list[Turn] = []
    progress = threading.Semaphore(0)
    learners = [Learner(cluster, bank, n, turns, progress) for n in range(LEARNERS)]
    threads = [threading.Thread(target=learner.run, daemon=True) for learner in learners]
    for thread in threads:
        thread.start()
    for _ in range(2 * LEARNERS):  # every learner is under way: kill while turns are in flight
        assert progress.acquire(timeout=300), "the load did not get going"
    victims = {"rasa-1": (cluster.pid("rasa-1"), f"http://127.0.0.1:{cluster.rasa_ports[0]}/"),
               "action-1": (cluster.pid("action-1"),
                            f"http://127.0.0.1:{cluster.action_ports[0]}/health")}
    assert all(pid for pid, _ in victims.values()), victims
    killed_at = time.monotonic()
    for pid, _ in victims.values():
        os.kill(pid, signal.SIGKILL)
    dead_at = _exited([pid for pid, _ in victims.values()])
    back = _wait_back(cluster, victims, killed_at)  # meanwhile the learners go on
    for thread in threads:
        thread.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "a learner is still waiting"
    rasa_back, action_back = back["rasa-1"], back["action-1"]
    in_flight = [t for t in turns if t.start <= killed_at <= t.end]
    failed = [t for t in turns if t.replies is None]
    print(f"\n{len(turns)} turns by {LEARNERS} learners; {len(in_flight)} in flight at the kill, "
          f"{len(failed)} failed; gone {1000 * (dead_at - killed_at):.0f} ms after the SIGKILL; "
          f"back after the kill: rasa-1 {rasa_back:.0f} s, "
          f"action-1 {action_back:.0f} s")
    log = cluster.output()
    assert in_flight, "nothing was in flight at the kill"
    # a turn may fail only if it was sent before the victims were gone: SIGKILL is delivered at
    # once, but a big process takes milliseconds to die, and until its sockets close the kernel
    # still accepts connections for it (one sent 1 ms after the signal got a 502)
    assert all(t.start <= dead_at for t in failed), [
        (t.text, t.error, t.start - killed_at, dead_at - killed_at) for t in failed]
    assert [p for learner in learners for p in learner.problems] == []

    # every acknowledged message is in its tracker exactly once; a failed one at most once
    for learner in learners:
        seen = Counter(cluster.user_texts(learner.sender))
        sent = [t for t in turns if t.sender == learner.sender]
        for text in {t.text for t in sent}:
            acked = sum(1 for t in sent if t.text == text and t.replies is not None)
            lost = sum(1 for t in sent if t.text == text and t.replies is None)
            assert acked <= seen[text] <= acked + lost, (learner.sender, text, seen[text], acked)

    # every quiz answer recorded once: no (learner, quiz, position) twice, none missing
    attempts = _attempts(cluster)
    for learner in learners:
        counts = attempts.get(learner.sender, Counter())
        assert all(n == 1 for n in counts.values()), (learner.sender, counts)
        positions = sorted(position for _, position in counts)
        assert positions == list(range(positions[0], positions[0] + len(positions))), positions
        lost = sum(1 for t in failed if t.sender == learner.sender)
        assert learner.verdicts <= len(counts) <= learner.verdicts + lost, (learner.sender, counts)

    assert rasa_back <= BACK_WITHIN and action_back <= BACK_WITHIN, log[-3000:]
    assert "rasa-1 (pid" in log and "action-1 (pid" in log, log[-3000:]
    deadline = time.monotonic() + 60
    while (status := cluster.balancer_status()) and any(v != "UP" for v in status.values()):
        assert time.monotonic() < deadline, status
        time.sleep(1)
    print(f"HAProxy sees every server up {time.monotonic() - killed_at:.0f} s after the kill")


def _ask_action_server(port: int, token: str, text: str) -> str:
    body = {"next_action": "action_answer", "sender_id": f"reindex-{uuid.uuid4().hex[:6]}",
            "version": "3.6.21",
            "tracker": {"sender_id": "reindex", "slots": {}, "events": [], "paused": False,
                        "latest_message": {"text": text, "intent": {}, "entities": []},
                        "latest_event_time": None, "followup_action": None, "active_loop": {},
                        "latest_action_name": None},
            "domain": {"intents": [], "entities": [], "slots": {}, "responses": {},
                       "actions": [], "forms": {}}}
    resp = httpx.post(f"http://127.0.0.1:{port}/webhook", json=body, timeout=120,
                      headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.text
    return "\n".join(r.get("text") or "" for r in resp.json()["responses"])


def test_a_reindex_reaches_both_action_servers(cluster: Cluster) -> None:
    def models() -> list[Any]:
        return build_catalogue(load_corpus([cluster.knowledge_dir]).documents).models

    before = {m.name for m in models()}
    (cluster.knowledge_dir / "escalation.txt").write_text(NEW_DOC)
    model = next(m for m in models() if m.name not in before)
    indexed = subprocess.run([str(TUTOR), "index"], cwd=ROOT, env=cluster.env,
                             capture_output=True, text=True, timeout=600)
    assert indexed.returncode == 0, indexed.stdout + indexed.stderr
    for port in cluster.action_ports:
        answer = _ask_action_server(port, cluster.action_token, _steps_question(model))
        assert _states_steps(model, answer), (port, answer)
