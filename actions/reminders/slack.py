"""The Slack Web API calls reminders need, through the official ``slack_sdk`` client.

``users.info`` for the learner's timezone, ``conversations.open`` for the direct-message channel
and ``chat.postMessage`` for the reminder with its "Start review" button, whose value is the
button payload the Rasa Slack connector hands to NLU as the learner's message.
Configured from the same variables as the Rasa channel: ``SLACK_BOT_TOKEN`` and ``SLACK_API_URL``.
"""

from __future__ import annotations

import logging
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from .review import REVIEW_PAYLOAD, due_phrase
from .store import DEFAULT_TIMEZONE

log = logging.getLogger(__name__)
DEFAULT_API_URL = "https://slack.com/api/"


class SlackNotifier:
    """Looks up learners' timezones and sends them reminders as direct messages."""

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, timeout: int = 15) -> None:
        self.client = WebClient(token=token, base_url=api_url if api_url.endswith("/") else api_url + "/",
                                timeout=timeout)

    @classmethod
    def from_env(cls) -> SlackNotifier | None:
        """The notifier ``SLACK_BOT_TOKEN`` (and ``SLACK_API_URL``) configure; None without a token."""
        token = os.environ.get("SLACK_BOT_TOKEN", "").strip()
        if not token:
            return None
        return cls(token, os.environ.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL)

    def timezone(self, user: str) -> str:
        """The learner's timezone from ``users.info`` (``tz``); Europe/London when Slack has none."""
        try:
            zone = (self.client.users_info(user=user).get("user") or {}).get("tz")
        except SlackApiError as error:
            log.warning("users.info failed for a learner: %s", error.response.get("error"))
            zone = None
        if zone:
            try:
                ZoneInfo(zone)
                return str(zone)
            except (ZoneInfoNotFoundError, ValueError):
                log.warning("Slack gave an unknown timezone %r", zone)
        return DEFAULT_TIMEZONE

    def remind(self, user: str, count: int) -> str:
        """Send ``user`` a direct message saying ``count`` questions are due; returns its channel."""
        channel = self.client.conversations_open(users=user)["channel"]["id"]
        them = "it" if count == 1 else "them"
        text = f"{due_phrase(count)}. Press 'Start review' to go through {them} now."
        self.client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=[
                {"type": "section", "text": {"type": "plain_text", "text": text}},
                {"type": "actions", "elements": [
                    {"type": "button", "action_id": "start_review", "style": "primary",
                     "text": {"type": "plain_text", "text": "Start review"}, "value": REVIEW_PAYLOAD},
                ]},
                {"type": "context", "elements": [
                    {"type": "plain_text", "text": "Say 'stop reminders' to turn these off."}]},
            ],
        )
        return channel
