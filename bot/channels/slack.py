"""Rasa's Slack connector, configured from the environment and switched off when it is not.

Everything Slack-specific stays in ``rasa.core.channels.slack.SlackInput``: request signatures
(X-Slack-Signature, and timestamps older than five minutes are refused), app mentions and direct
messages, button clicks, one conversation per Slack user. This subclass adds only:

* configuration from environment variables, so no secret is ever written to YAML:
  ``SLACK_BOT_TOKEN`` and ``SLACK_SIGNING_SECRET`` (both needed to switch Slack on), optional
  ``SLACK_CHANNEL`` (a channel where every message is answered, not just mentions) and
  ``SLACK_API_URL`` (the Web API base URL, ``https://slack.com/api/`` unless a test points it at
  a fake). Without the two secrets the webhook answers 503 and does nothing else.
* replies go into a thread only when the learner wrote in one (Rasa's ``use_threads`` alone
  would open a thread under every message, even in a direct-message conversation);
* an event that was already handled is not answered again when Slack delivers it a second time
  (Rasa drops retries only when their reason is ``http_timeout``; here ``event_id`` decides). The
  event ids are kept in Redis when a Redis URL is configured (``TUTOR_REDIS_URL``, else the lock
  store's ``TUTOR_REDIS_HOST``/``TUTOR_REDIS_PORT``/``TUTOR_REDIS_LOCK_DB``, or ``redis_url`` in
  this channel's credentials), so several Rasa servers share them; in the process otherwise;
* a learner's message is turned from Slack's wire format into the text they typed
  (``bot/channels/echo.py:from_slack``) and goes through the screening every channel shares
  (``bot/channels/screening.py``); one it cannot take (over-long, empty, only markup) is answered
  with the screening's notice, without reaching NLU;
* everything posted is escaped as Slack's formatting rules ask (``echo.for_slack``), so text a
  learner got the tutor to quote never becomes ``<!channel>``, ``<!here>`` or a ``<@U...>`` ping.

It runs inside Rasa's Python 3.10 environment, so it imports nothing from ``actions``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from .echo import for_slack, from_slack
from .screening import screen

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
# Slack retries a delivery three times within about five minutes; keep event ids a while longer.
EVENT_MEMORY_SECONDS = 15 * 60
EVENT_MEMORY_SIZE = 10_000
EVENT_KEY_PREFIX = "tutor:slack:event:"


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


class TutorSlackBot(SlackBot):
    """Rasa's Slack output channel with a configurable Web API base URL."""

    def __init__(
        self,
        token: str,
        slack_channel: str | None = None,
        thread_id: str | None = None,
        proxy: str | None = None,
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
        """Post with every text Slack would parse as mrkdwn escaped (:func:`echo.for_slack`)."""
        if isinstance(kwargs.get("text"), str):
            kwargs["text"] = for_slack(kwargs["text"])
        if isinstance(kwargs.get("blocks"), list):
            kwargs["blocks"] = [_escaped_block(block) for block in kwargs["blocks"]]
        await super()._post_message(channel, **kwargs)


def _escaped_block(block: Any) -> Any:
    """A block with its mrkdwn texts escaped (plain_text is never parsed for mentions)."""
    if not isinstance(block, dict):
        return block
    block = dict(block)
    text = block.get("text")
    if isinstance(text, dict) and text.get("type") == "mrkdwn" and isinstance(text.get("text"), str):
        block["text"] = {**text, "text": for_slack(text["text"])}
    if isinstance(block.get("fields"), list):
        block["fields"] = [_escaped_block({"text": f})["text"] for f in block["fields"]]
    return block


def redis_url(credentials: dict[str, Any] | None = None) -> str | None:
    """Where Slack's event memory lives: ``redis_url`` in the credentials, ``TUTOR_REDIS_URL``, or
    the lock store's Redis (``TUTOR_REDIS_HOST``, ``TUTOR_REDIS_PORT``, ``TUTOR_REDIS_LOCK_DB``,
    as ``make cluster`` sets them); None: in the process."""
    url = (credentials or {}).get("redis_url") or _env("TUTOR_REDIS_URL")
    if url:
        return str(url)
    host = _env("TUTOR_REDIS_HOST")
    if host is None:
        return None
    if "://" in host:
        return host
    return f"redis://{host}:{_env('TUTOR_REDIS_PORT') or 6379}/{_env('TUTOR_REDIS_LOCK_DB') or 0}"


class SeenEvents:
    """Slack event ids handled recently (bounded in count and age; one per Rasa process)."""

    def __init__(self, max_age: float = EVENT_MEMORY_SECONDS, max_size: int = EVENT_MEMORY_SIZE) -> None:
        self.max_age = max_age
        self.max_size = max_size
        self._seen: OrderedDict[str, float] = OrderedDict()

    async def first_time(self, event_id: str) -> bool:
        """Record ``event_id``; True unless it was already recorded."""
        now = time.monotonic()
        while self._seen and (
            len(self._seen) >= self.max_size or now - next(iter(self._seen.values())) > self.max_age
        ):
            self._seen.popitem(last=False)
        if event_id in self._seen:
            return False
        self._seen[event_id] = now
        return True


class RedisSeenEvents:
    """Slack event ids handled recently, in Redis: shared by every Rasa server that uses it.

    One ``SET key 1 NX EX max_age`` per event: only the first server to record an id handles it.
    If Redis cannot be reached the event is handled (answering twice beats never answering)."""

    def __init__(self, url: str, max_age: float = EVENT_MEMORY_SECONDS,
                 prefix: str = EVENT_KEY_PREFIX) -> None:
        self.max_age = max(1, int(max_age))
        self.prefix = prefix
        self._redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    async def first_time(self, event_id: str) -> bool:
        """Record ``event_id``; True unless any server recorded it already."""
        try:
            return bool(await self._redis.set(self.prefix + event_id, 1, nx=True, ex=self.max_age))
        except (RedisError, OSError) as error:
            logger.warning("Slack's event memory in Redis is unreachable (%s); handling event %s",
                           error, event_id)
            return True


def seen_events(url: str | None) -> SeenEvents | RedisSeenEvents:
    """The event memory: in Redis at ``url``, else in this process."""
    return RedisSeenEvents(url) if url else SeenEvents()


class TutorSlackInput(SlackInput):
    """Slack input channel configured from SLACK_* environment variables (see module docstring)."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        token = _env("SLACK_BOT_TOKEN")
        signing_secret = _env("SLACK_SIGNING_SECRET")
        if not (token and signing_secret):
            logger.info("Slack is off: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not both set.")
            return DisabledSlackInput()
        return cls(
            token,
            _env("SLACK_CHANNEL"),
            credentials.get("proxy"),
            credentials.get("slack_retry_reason_header", "x-slack-retry-reason"),
            credentials.get("slack_retry_number_header", "x-slack-retry-num"),
            credentials.get("errors_ignore_retry"),
            True,  # use_threads: get_metadata below keeps a thread id only for messages in a thread
            signing_secret,
            credentials.get("conversation_granularity", "sender"),
            api_url=_env("SLACK_API_URL") or DEFAULT_API_URL,
            event_memory=redis_url(credentials),
        )

    def __init__(self, *args: Any, api_url: str = DEFAULT_API_URL, event_memory: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.api_url = api_url
        self.seen_events = seen_events(event_memory)
        logger.info("Slack's event memory: %s", "Redis" if event_memory else "this process")

    def get_output_channel(self, channel: str | None = None, thread_id: str | None = None) -> OutputChannel:
        return TutorSlackBot(
            self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url
        )

    def get_metadata(self, request: Request) -> dict[str, Any]:
        """Rasa's metadata, with ``thread_id`` set only when the learner wrote in a thread."""
        metadata = super().get_metadata(request)
        if not metadata:
            return metadata
        if request.headers.get("content-type") == "application/json":
            message = (request.json or {}).get("event", {})
        else:
            message = self._form_payload(request).get("message", {})
        metadata["thread_id"] = message.get("thread_ts")
        return metadata

    @staticmethod
    def _form_payload(request: Request) -> dict[str, Any]:
        try:
            return json.loads(request.form["payload"][0])
        except (KeyError, IndexError, TypeError, ValueError):
            return {}

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: str | None,
        metadata: dict | None,
    ) -> Any:
        """Answer each Events API event once, however often Slack delivers it."""
        event_id = None
        from_events_api = request.headers.get("content-type") == "application/json"
        if from_events_api:
            event_id = (request.json or {}).get("event_id")
        if event_id and not await self.seen_events.first_time(event_id):
            logger.info(
                "Slack delivered event %s again (retry %s, %s); it was already handled.",
                event_id,
                request.headers.get(self.retry_num_header),
                request.headers.get(self.retry_reason_header),
            )
            return response.text("", status=HTTPStatus.OK, headers={"X-Slack-No-Retry": "1"})
        if from_events_api:  # Slack-formatted text (a button click's value is our own payload)
            text = from_slack(text)
        screened = screen(text)
        if screened.notice is not None:
            logger.info("screened a Slack message from %s: %s", sender_id, screened.notice[:60])
            metadata = metadata or {}
            thread_id = metadata.get("thread_id") if self.use_threads else None
            output = self.get_output_channel(metadata.get("out_channel"), thread_id)
            try:
                await output.send_text_message(sender_id or "", screened.notice)
            except Exception:
                logger.exception("could not post the screening notice to Slack")
            return response.text("")
        return await super().process_message(
            request, on_new_message, screened.text, sender_id, metadata
        )


class DisabledSlackInput(InputChannel):
    """Stands in for Slack when it is not configured: the webhook exists but refuses everything."""

    @classmethod
    def name(cls) -> str:
        return "slack"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("slack_webhook_disabled", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "disabled"})

        @blueprint.route("/webhook", methods=["GET", "POST"])
        async def webhook(_: Request) -> HTTPResponse:
            return response.text(
                "Slack is not configured on this server.", status=HTTPStatus.SERVICE_UNAVAILABLE
            )

        return blueprint
