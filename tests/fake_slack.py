"""A local stand-in for Slack's Web API that records what the bot posts.

Standard library only: a ``ThreadingHTTPServer`` on a free loopback port, run in a thread. The
Rasa server's Slack connector is pointed at it with ``SLACK_API_URL=<fake.url>``. Every method
answers ``{"ok": true, ...}``; ``chat.postMessage`` calls are kept in :attr:`FakeSlack.posts` with
their arguments (form or JSON body, or the query of a GET) and the bearer token that came with them.
``users.info`` answers with the timezone in :attr:`FakeSlack.timezones` (none when the user is not
there), ``conversations.open`` with the direct-message channel :meth:`FakeSlack.dm_channel`.

It also keeps a controllable clock (:attr:`FakeSlack.clock`), served at ``GET /clock`` as
``{"now": "<ISO 8601>"}``: the action server reads the time there when started with
``TUTOR_CLOCK_URL=<fake.clock_url>`` (``actions/reminders/clock.py``), so a test moves time by
:meth:`FakeClock.set` or :meth:`FakeClock.advance` instead of waiting.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Call:
    method: str  # Web API method, e.g. "chat.postMessage"
    args: dict[str, Any]
    token: str | None


class FakeClock:
    """A clock that stands still until moved: real time when made, then :meth:`set` or :meth:`advance`."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> datetime:
        with self._lock:
            self._now = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now


@dataclass
class FakeSlack:
    """Records Web API calls; ``with FakeSlack() as slack:`` serves on ``slack.url``."""

    calls: list[Call] = field(default_factory=list)
    timezones: dict[str, str] = field(default_factory=dict)  # user id -> users.info's "tz"
    clock: FakeClock = field(default_factory=FakeClock)
    clock_reads: int = 0  # GET /clock so far: a reader checking each tick shows it has run
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        return f"http://127.0.0.1:{self._server.server_port}/api/"

    @property
    def clock_url(self) -> str:
        assert self._server is not None, "not started"
        return f"http://127.0.0.1:{self._server.server_port}/clock"

    @staticmethod
    def dm_channel(user: str) -> str:
        """The direct-message channel ``conversations.open`` gives for ``user``."""
        return "D" + user.removeprefix("U")

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    @property
    def posts(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == "chat.postMessage"]

    def posts_to(self, channel: str) -> list[Call]:
        return [c for c in self.posts if c.args.get("channel") == channel]

    def wait_for_posts(self, channel: str, count: int = 1, timeout: float = 60.0) -> list[Call]:
        """Wait until ``channel`` has at least ``count`` posts, then a moment for stragglers."""
        deadline = time.monotonic() + timeout
        while len(self.posts_to(channel)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.posts_to(channel))} posts to {channel}, wanted {count}")
            time.sleep(0.2)
        time.sleep(1.0)  # a reply may be several messages; let the rest arrive
        return self.posts_to(channel)

    def record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """What the Web API method answers (always ``ok``)."""
        answer: dict[str, Any] = {"ok": True}
        if method == "chat.postMessage":
            answer.update(channel=args.get("channel"), ts=f"{time.time():.6f}", message=args)
        elif method == "auth.test":
            answer.update(user_id="UBOT", bot_id="BBOT", team_id="TTEST", user="tutor")
        elif method == "users.info":
            user: dict[str, Any] = {"id": args.get("user"), "name": "learner", "is_bot": False}
            if args.get("user") in self.timezones:
                user["tz"] = self.timezones[args["user"]]
            answer["user"] = user
        elif method == "conversations.open":
            answer["channel"] = {"id": self.dm_channel(str(args.get("users", "")).split(",")[0])}
        return answer

    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/clock":
                    with fake._lock:
                        fake.clock_reads += 1
                    self._send({"now": fake.clock.now().isoformat()})
                    return
                self._call(url.path.rsplit("/", 1)[-1], dict(parse_qsl(url.query)))

            def do_POST(self) -> None:
                method = urlsplit(self.path).path.rsplit("/", 1)[-1]
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    args = json.loads(body or "{}")
                else:
                    args = dict(parse_qsl(body))
                    for key in ("blocks", "attachments"):
                        if isinstance(args.get(key), str):
                            args[key] = json.loads(args[key])
                self._call(method, args)

            def _call(self, method: str, args: dict[str, Any]) -> None:
                auth = self.headers.get("Authorization", "")
                token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
                fake.record(Call(method, args, token))
                self._send(fake.answer(method, args))

            def _send(self, answer: dict[str, Any]) -> None:
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, name="fake-slack", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
