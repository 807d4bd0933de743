"""Call the action server on kept-alive connections: one aiohttp session per endpoint and loop.

``EndpointConfig.request`` (rasa/utils/endpoints.py) opens an ``aiohttp.ClientSession`` for every
request and closes it after, so every custom-action call, and every validation call of an active
form, makes a new TCP connection and a new connector to the action server. With 50 learners at once
that was 1.7 of 24 profiled seconds (cProfile, 1,200 turns, 4,200 requests: ``_request``, of which
0.45 s in ``_wrap_create_connection`` alone).

Here each endpoint (its URL, headers and basic auth) gets one session per event loop, made on its
first request and kept, whose connector keeps idle connections for 2 seconds (less than the action
server's keep-alive of 120 s, or any balancer's, so the client always gives up an idle connection
first and never sends on one the server is closing). The request itself is Rasa's, line for line:
same headers, parameters, compression, SSL context, timeout, errors and JSON. A session whose
loop has closed is dropped.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from typing import Any

import aiohttp
from aiohttp import ContentTypeError
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.exceptions import FileNotFoundException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

IDLE_SECONDS = 2.0
_sessions: dict[tuple[Any, ...], tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]] = {}


def _key(endpoint: EndpointConfig) -> tuple[Any, ...]:
    return (endpoint.url, tuple(sorted((str(k), str(v)) for k, v in endpoint.headers.items())),
            tuple(sorted(endpoint.basic_auth.items())), id(asyncio.get_running_loop()))


def session_for(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """The kept session of ``endpoint`` on the running loop (Rasa's ``session()`` settings)."""
    loop = asyncio.get_running_loop()
    key = _key(endpoint)
    kept = _sessions.get(key)
    if kept is not None and kept[0] is loop and not kept[1].closed:
        return kept[1]
    for old in [k for k, (lp, _) in _sessions.items() if lp.is_closed()]:
        del _sessions[old]
    auth = (aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
            if endpoint.basic_auth else None)
    session = aiohttp.ClientSession(
        headers=endpoint.headers, auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_SECONDS),
    )
    _sessions[key] = (loop, session)
    return session


async def request(self: EndpointConfig, method: str = "post", subpath: str | None = None,
                  content_type: str | None = "application/json", compress: bool = False,
                  **kwargs: Any) -> Any:
    """``EndpointConfig.request`` on the endpoint's kept session."""
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs["headers"])
        del kwargs["headers"]
    if self.headers:
        headers.update(self.headers)

    url = concat_url(self.url, subpath)

    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as e:
            raise FileNotFoundException(
                f"Failed to find certificate file, "
                f"'{os.path.abspath(self.cafile)}' does not exist."
            ) from e

    session = session_for(self)
    async with session.request(
        method, url, headers=headers, params=self.combine_parameters(kwargs),
        compress=compress, ssl=sslcontext, **kwargs,
    ) as response:
        if response.status >= 400:
            raise ClientResponseError(response.status, response.reason,
                                      await response.content.read())
        try:
            return await response.json()
        except ContentTypeError:
            return None


EndpointConfig.request = request  # type: ignore[method-assign]
