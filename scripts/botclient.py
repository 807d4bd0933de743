"""Shared by the bot evaluation and benchmark: reach a running tutor, or start a private one."""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


def add_target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default="http://localhost:5005",
                        help="A running Rasa server (make run).")
    parser.add_argument("--start", action="store_true",
                        help="Start a private action server and Rasa server instead.")


@contextlib.contextmanager
def rasa_url(args: argparse.Namespace) -> Iterator[str]:
    """The Rasa server to talk to: ``--url``, or a private one with ``--start``."""
    if not args.start:
        yield args.url.rstrip("/")
        return
    sys.path.insert(0, str(ROOT))
    from tests.servers import TutorServers

    with tempfile.TemporaryDirectory() as tmp, TutorServers(Path(tmp)) as servers:
        yield servers.rasa_url


class Learner:
    """One conversation over the REST channel, with a fresh sender id."""

    def __init__(self, url: str, client: httpx.Client) -> None:
        self.url = f"{url}/webhooks/rest/webhook"
        self.client = client
        self.sender = f"eval-{uuid.uuid4().hex[:10]}"

    def say(self, text: str) -> list[dict[str, Any]]:
        response = self.client.post(self.url, json={"sender": self.sender, "message": text})
        response.raise_for_status()
        return response.json()

    def reply_text(self, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text))
