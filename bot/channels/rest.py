"""A REST channel that rejects malformed requests with 400 and answers awkward messages helpfully.

Rasa 3.6's ``RestInput`` answers 500 to an empty body, ``null`` or ``[]``, and passes any text on
to the model. This subclass keeps its URL (``POST /webhooks/rest/webhook``), request and reply
formats, and adds:

* 400 with a JSON explanation when the body is not a JSON object holding a string ``sender`` and a
  string ``message`` (and, if present, an object ``metadata``);
* the screening every channel shares (bot/channels/screening.py): a normal 200 reply list,
  without disturbing the conversation, when the message is empty, only whitespace or control
  characters, only markup, or longer than ``max_message_chars``; control characters and markup
  tags stripped from a message that has text besides them.

Runs inside the Rasa 3.6 environment (Python 3.10, Sanic 21.12).
"""

from __future__ import annotations

import inspect
import json
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from .screening import MAX_MESSAGE_CHARS, screen

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 200

EXPECTED = {"sender": "a conversation id (string)", "message": "the learner's text (string)"}


class BadRequest(ValueError):
    """The request body does not hold what a message must."""


class HardenedRestInput(RestInput):
    """``rest`` channel with request validation and message screening (see the module docstring)."""

    def __init__(self, max_message_chars: int = MAX_MESSAGE_CHARS) -> None:
        self.max_message_chars = int(max_message_chars)

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> HardenedRestInput:
        credentials = credentials or {}
        return cls(credentials.get("max_message_chars", MAX_MESSAGE_CHARS))

    @staticmethod
    def parse(raw: bytes) -> dict[str, Any]:
        """The request's JSON object, checked; raises :class:`BadRequest` saying what is wrong."""
        if not raw or not raw.strip():
            raise BadRequest("the request body is empty")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(f"the request body is not valid JSON ({exc})") from None
        if not isinstance(body, dict):
            raise BadRequest(f"the request body must be a JSON object, not {_json_type(body)}")
        for key in ("sender", "message"):
            if key not in body or body[key] is None:
                raise BadRequest(f"'{key}' is missing")
            if not isinstance(body[key], str):
                raise BadRequest(f"'{key}' must be a string, not {_json_type(body[key])}")
        if not body["sender"].strip():
            raise BadRequest("'sender' is empty")
        if len(body["sender"]) > MAX_SENDER_CHARS:
            raise BadRequest(f"'sender' is longer than {MAX_SENDER_CHARS} characters")
        if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
            raise BadRequest("'metadata' must be a JSON object")
        if body.get("input_channel") is not None and not isinstance(body["input_channel"], str):
            raise BadRequest("'input_channel' must be a string")
        return body

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> ResponseStream | HTTPResponse:
            try:
                body = self.parse(request.body)
            except BadRequest as exc:
                logger.info("rejected REST request: %s", exc)
                return response.json(
                    {"error": str(exc), "expected": EXPECTED,
                     "example": {"sender": "learner-1", "message": "What does HEAT stand for?"}},
                    status=400,
                )
            sender_id = body["sender"]
            screened = screen(body["message"], self.max_message_chars)
            if screened.notice is not None:
                logger.info("screened a message from %s: %s", sender_id, screened.notice[:60])
                return response.json([{"recipient_id": sender_id, "text": screened.notice}])

            text = screened.text
            input_channel = body.get("input_channel") or self.name()
            metadata = body.get("metadata")
            if bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(on_new_message, text, sender_id, input_channel, metadata),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        text, collector, sender_id, input_channel=input_channel, metadata=metadata
                    )
                )
            except CancelledError:
                logger.error("timed out handling a message from %s", sender_id)
            except Exception:
                logger.exception("failed handling a message from %s", sender_id)
            return response.json(collector.messages)

        return webhook


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number"
    )
