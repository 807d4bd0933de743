"""A Redis lock store for Rasa 3.6 that is safe across Rasa instances: Redis ``INCR`` tickets, each
step one Lua script.

Rasa's own ``RedisLockStore`` reads a conversation's whole lock (a JSON list of tickets), changes it
in Python and writes it back: two Rasa servers issuing a ticket for one conversation at once both
read the same list and one ticket is lost, so both turns run together (RasaHQ/rasa#11256, reverted
in #11428). Here nothing is read-modified-written outside Redis:

- a waiter takes a ticket with ``INCR`` on the conversation's ``next`` counter, and the ticket gets
  a key of its own holding the waiter's random token, with a short time to live (``wait_ttl``) that
  the waiter renews each time it looks, so a waiter that dies is passed over within seconds;
- the waiter whose ticket is the conversation's ``serving`` number holds the lock; it sets its
  ticket's time to live to the lock lifetime (Rasa's ``TICKET_LOCK_LIFETIME``, 60 s by default),
  so a holder that dies blocks the conversation for at most that long;
- a waiter that finds the ``serving`` ticket's key gone (its owner died) moves ``serving`` on;
- releasing moves ``serving`` on only if the ticket is still being served and still the caller's
  (a holder whose lease ran out, releasing late, changes nothing), and removes the counters when no
  one is waiting.

Tickets are served in the order ``INCR`` gave them (first come, first served). Waiting polls with
the asyncio client, from 2 ms up to 50 ms apart, so the event loop is never blocked (Rasa's own
store polls once a second with a blocking client).

Loaded by module path from ``endpoints.yml`` (Rasa calls ``TicketLockStore(endpoint_config=...)``)::

    lock_store:
      type: bot.lock_store.TicketLockStore
      url: ${REDIS_HOST}        # a host name, or a redis:// URL
      port: ${REDIS_PORT}
      db: ${REDIS_LOCK_DB}
      key_prefix: tutor         # optional: alphanumeric
      # password, username, use_ssl, lock_lifetime (s), wait_ttl (s) are optional too

Runs inside Rasa's Python 3.10 environment, with its redis 4.6.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LockError, LockStore

log = logging.getLogger(__name__)

DEFAULT_LIFETIME = float(os.environ.get("TICKET_LOCK_LIFETIME", 0) or 60)  # as Rasa reads it
DEFAULT_WAIT_TTL = 10.0  # a waiter that stops renewing its ticket for this long is passed over
_FIRST_POLL, _MAX_POLL = 0.002, 0.05

# Both scripts below: KEYS: next, serving. ARGV: ticket key prefix, ticket (the poll's; unused when
# taking one), token, wait ttl ms, hold ttl ms, counters ttl ms. serve(ticket, serving) moves
# `serving` past tickets whose owners are gone, renews the counters, and renews the ticket's key
# for holding (true: the ticket is served) or for waiting (false).
_SERVE = """
local function serve(ticket, serving)
  while serving < ticket and redis.call('EXISTS', ARGV[1] .. serving) == 0 do
    serving = redis.call('INCR', KEYS[2])
  end
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
  local held = serving == ticket
  redis.call('SET', ARGV[1] .. ticket, ARGV[3], 'PX', held and ARGV[5] or ARGV[4])
  return held
end
"""

# Takes a ticket and looks at the queue in one call, so a conversation nobody else is in costs two
# calls to Redis a turn (take, release), not three. Returns {ticket, 1} when it is served at once
# (the lock is the caller's), else {ticket, 0}.
_ISSUE = _SERVE + """
local n = redis.call('INCR', KEYS[1])
local serving = tonumber(redis.call('GET', KEYS[2]))
if not serving then
  serving = n
  redis.call('SET', KEYS[2], n)
end
if serve(n, serving) then return {n, 1} end
return {n, 0}
"""

# Returns 1: the lock is the caller's; 0: still waiting; -1: the ticket was lost (take a new one).
_POLL = _SERVE + """
local ticket = tonumber(ARGV[2])
local serving = tonumber(redis.call('GET', KEYS[2]))
local last = tonumber(redis.call('GET', KEYS[1]))
if not serving or not last or serving > ticket or ticket > last then return -1 end
local mine = redis.call('GET', ARGV[1] .. ticket)
if mine and mine ~= ARGV[3] then return -1 end
if serve(ticket, serving) then return 1 end
return 0
"""

# KEYS: next, serving. ARGV: ticket key prefix, ticket, token.
# Returns 1 if the lock passed on to the next ticket, 0 if this ticket was not being served.
_RELEASE = """
local key = ARGV[1] .. ARGV[2]
if redis.call('GET', key) ~= ARGV[3] then return 0 end
redis.call('DEL', key)
local serving = tonumber(redis.call('GET', KEYS[2]))
if serving ~= tonumber(ARGV[2]) then return 0 end
serving = redis.call('INCR', KEYS[2])
if serving > (tonumber(redis.call('GET', KEYS[1])) or 0) then
  redis.call('DEL', KEYS[1], KEYS[2])
end
return 1
"""


@dataclass
class _Place:
    """A waiter's place in a conversation's queue: its random token and its current ticket."""

    token: str
    ticket: int = 0


class TicketLockStore(LockStore):
    """Conversation locks in Redis, safe when several Rasa servers (or Sanic workers) share them."""

    def __init__(
        self,
        endpoint_config: Any = None,
        *,
        client: aioredis.Redis | None = None,
        key_prefix: str | None = None,
        lock_lifetime: float | None = None,
        wait_ttl: float | None = None,
    ) -> None:
        options = dict(getattr(endpoint_config, "kwargs", None) or {})
        self.red = client or _client(getattr(endpoint_config, "url", None), options)
        prefix = key_prefix or options.get("key_prefix")
        if prefix and not str(prefix).isalnum():
            raise ValueError(f"lock store key_prefix must be alphanumeric, not {prefix!r}")
        self.prefix = f"{prefix}:lock:" if prefix else "lock:"
        self.lifetime = float(lock_lifetime or options.get("lock_lifetime") or DEFAULT_LIFETIME)
        self.wait_ttl = float(wait_ttl or options.get("wait_ttl") or DEFAULT_WAIT_TTL)
        self._issue = self.red.register_script(_ISSUE)
        self._poll = self.red.register_script(_POLL)
        self._release = self.red.register_script(_RELEASE)
        super().__init__()

    def _keys(self, conversation_id: str) -> tuple[list[str], str]:
        """The counters' keys and the tickets' key prefix; one hash tag keeps them in one slot."""
        base = f"{self.prefix}{{{conversation_id}}}"
        return [f"{base}:next", f"{base}:serving"], f"{base}:ticket:"

    def _ms(self, seconds: float) -> int:
        return max(1, int(seconds * 1000))

    async def take_ticket(self, conversation_id: str, place: _Place, lifetime: float) -> bool:
        """Give ``place`` a ticket in the conversation's queue; True if it is served at once (the
        lock is then held for ``lifetime``)."""
        keys, tickets = self._keys(conversation_id)
        counters = self._ms(2 * max(lifetime, self.lifetime) + self.wait_ttl)
        ticket, held = await self._issue(keys=keys, args=[
            tickets, 0, place.token, self._ms(self.wait_ttl), self._ms(lifetime), counters])
        place.ticket = int(ticket)
        return bool(int(held))

    async def wait_for(self, conversation_id: str, place: _Place, lifetime: float,
                       max_poll: float = _MAX_POLL) -> None:
        """Wait until ``place``'s ticket is served, then hold the lock for ``lifetime``; a ticket
        passed over while its owner stalled is replaced by a new one (``place`` is updated)."""
        keys, tickets = self._keys(conversation_id)
        counters = self._ms(2 * max(lifetime, self.lifetime) + self.wait_ttl)
        pause = _FIRST_POLL
        while True:
            await asyncio.sleep(pause)
            pause = min(pause * 2, max_poll)
            got = int(await self._poll(keys=keys, args=[tickets, place.ticket, place.token,
                                                        self._ms(self.wait_ttl), self._ms(lifetime),
                                                        counters]))
            if got == 1:
                return
            if got == -1:
                log.warning("ticket %s for conversation %r was passed over; queueing again",
                            place.ticket, conversation_id)
                if await self.take_ticket(conversation_id, place, lifetime):
                    return
                pause = _FIRST_POLL

    async def release(self, conversation_id: str, place: _Place) -> bool:
        """Give up ``place``'s ticket (held or still waiting); True if the lock passed on."""
        keys, tickets = self._keys(conversation_id)
        return bool(await self._release(keys=keys, args=[tickets, place.ticket, place.token]))

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float | None = None,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Hold the conversation's lock for the block (at most ``lock_lifetime`` seconds: a
        holder that dies frees it then). Rasa's ``wait_time_in_seconds`` caps the poll interval."""
        lifetime = float(lock_lifetime or self.lifetime)
        place = _Place(uuid.uuid4().hex)
        try:
            held = await self.take_ticket(conversation_id, place, lifetime)
        except Exception as err:  # Redis down: Rasa answers the turn with an error, as for its own
            raise LockError(f"could not take a ticket for conversation {conversation_id!r}: {err}") from err
        try:
            if not held:
                await self.wait_for(conversation_id, place, lifetime,
                                    min(wait_time_in_seconds, _MAX_POLL))
            yield TicketLock(conversation_id, deque([Ticket(place.ticket, time.time() + lifetime)]))
        finally:
            # shielded: a turn cancelled while waiting still leaves the queue
            try:
                await asyncio.shield(self.release(conversation_id, place))
            except Exception:  # Redis gone: the ticket's time to live frees the conversation
                log.exception("could not release ticket %s of conversation %r", place.ticket,
                              conversation_id)

    # Rasa's base class keeps a whole lock object per conversation; this store keeps none.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        raise NotImplementedError("TicketLockStore keeps tickets in Redis: use lock()")

    def delete_lock(self, conversation_id: str) -> None:
        raise NotImplementedError("TicketLockStore keeps tickets in Redis: use lock()")

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("TicketLockStore keeps tickets in Redis: use lock()")


def _client(url: str | None, options: dict[str, Any]) -> aioredis.Redis:
    """An asyncio Redis client from an endpoint's ``url`` (a host or a redis:// URL) and options."""
    timeout = float(options.get("socket_timeout", 10))
    if url and "://" in url:
        return aioredis.Redis.from_url(url, socket_timeout=timeout)
    return aioredis.Redis(
        host=url or "localhost",
        port=int(options.get("port", 6379)),
        db=int(options.get("db", 1)),
        username=options.get("username"),
        password=options.get("password"),
        ssl=bool(options.get("use_ssl", False)),
        socket_timeout=timeout,
    )
