"""Rasa's socket.io channel (the web chat page), with working session persistence, the screening
every channel shares, and replies made safe for the page.

* Rasa 3.6 calls ``sio.enter_room(sid, session_id)`` without ``await`` in its ``session_request``
  handler. Since python-socketio 5.10 that method is a coroutine, so the browser never joins the
  room its session id names, and with ``session_persistence: true`` every bot reply is emitted to
  an empty room: the page stays silent (RasaHQ/rasa#13027, unfixed in 3.6). The same handler is
  registered again with the call awaited.
* Rasa passes whatever arrives to the model: a 200,000-character message went to DIET, failed
  there with ``ResourceExhaustedError`` after seconds of work that slowed every other learner's
  turn, and got no reply. Messages now go through ``bot/channels/screening.py`` first; one it
  cannot take is answered with its notice without reaching NLU.
* Every text reply goes through ``bot/channels/echo.py:for_web`` (no ``javascript:`` link, no raw
  HTML on the page, whatever a learner got the tutor to quote).

Everything else is Rasa's own channel (same name, URL and options).
"""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput

from .echo import for_web
from .screening import screen

logger = logging.getLogger(__name__)


class TutorSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output with every text made safe for the page (:func:`for_web`)."""

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if isinstance(response, dict) and isinstance(response.get("text"), str):
            response = {**response, "text": for_web(response["text"])}
        await super()._send_message(socket_id, response)


class TutorSocketIOInput(SocketIOInput):
    """``socketio`` with the session room joined for real and every message screened."""

    def get_output_channel(self) -> OutputChannel | None:
        channel = super().get_output_channel()
        return TutorSocketIOOutput(self.sio, self.bot_message_evt) if channel is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by SocketIOInput.blueprint

        # Registering a handler for the same event and namespace replaces Rasa's.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            data = data if isinstance(data, dict) else {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, data["session_id"])
                if inspect.isawaitable(joined):  # a coroutine from python-socketio 5.10 on
                    await joined
            await sio.emit("session_confirm", data["session_id"], room=sid)
            logger.debug(f"User {sid} connected to socketIO endpoint.")

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            output_channel = TutorSocketIOOutput(sio, self.bot_message_evt)
            if self.session_persistence:
                if not data.get("session_id"):
                    logger.warning("socket.io message without a session_id ignored (see session_request)")
                    return
                sender_id = str(data["session_id"])
            else:
                sender_id = sid

            screened = screen(data.get("message", ""))
            if screened.notice is not None:
                logger.info("screened a message from %s: %s", sender_id, screened.notice[:60])
                await output_channel.send_text_message(sender_id, screened.notice)
                return

            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            await on_new_message(
                UserMessage(screened.text, output_channel, sender_id, input_channel=self.name(),
                            metadata=metadata)
            )

        return blueprint
