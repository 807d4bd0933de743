"""Rasa's socket.io channel (the web chat page) with session persistence that works.

Rasa 3.6 calls ``sio.enter_room(sid, session_id)`` without ``await`` in its ``session_request``
handler. Since python-socketio 5.10 that method is a coroutine, so the browser never joins the
room its session id names, and with ``session_persistence: true`` every bot reply is emitted to
an empty room: the page stays silent (RasaHQ/rasa#13027, unfixed in 3.6). This subclass registers
the same handler again with the call awaited; everything else is Rasa's own channel.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput

logger = logging.getLogger(__name__)


class TutorSocketIOInput(SocketIOInput):
    """``socketio`` with the session room joined for real (same name, URL and options)."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by SocketIOInput.blueprint

        # Registering a handler for the same event and namespace replaces Rasa's.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            data = data or {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, data["session_id"])
                if inspect.isawaitable(joined):  # a coroutine from python-socketio 5.10 on
                    await joined
            await sio.emit("session_confirm", data["session_id"], room=sid)
            logger.debug(f"User {sid} connected to socketIO endpoint.")

        return blueprint
