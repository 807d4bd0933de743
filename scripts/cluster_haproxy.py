"""HAProxy for ``scripts/cluster.py``: its config, and commands on its runtime API.

The rules (docs/deploy.md, "make cluster"): REST and the API balanced ``leastconn`` over the Rasa
servers, each REST sender stuck to one server while it is up, a message never re-sent once a Rasa
server has it; ``/socket.io/`` sticky by client
address with websocket upgrades allowed; action calls balanced over the action servers and re-sent
to another one when they got no answer (actions are idempotent), buffered whole so that they can
be. ``deploy/haproxy.cfg`` holds the same rules for containers.
"""

from __future__ import annotations

import socket
from pathlib import Path

HAPROXY_CFG = """\
global
    maxconn 4096
    # a request is retried only if it fits in one buffer: Rasa's action calls carry the
    # domain, the slots and the turn's events, 29 kB after a 2,000-character message (the
    # longest that reaches NLU), too much for the default 16 kB. 256 kB buffers cost
    # 90-280 us of HAProxy CPU a request, 64 kB ones 40-60 us.
    tune.bufsize 65536
    stats socket {socket} mode 600 level admin

defaults
    mode http
    timeout connect 3s
    timeout client 300s
    timeout server 300s
    timeout queue 60s
    timeout tunnel 1h
    timeout http-request 30s
    retries 3
    option redispatch 1
    default-server inter 1s fall 2 rise 2

frontend entry
    bind {host}:{entry_port}
    acl socketio path_beg /socket.io/
    use_backend rasa_socketio if socketio
    default_backend rasa

# A message is not retried once sent (Rasa may have handled it): only failed connections are.
# One conversation's turns go to one server, which keeps its tracker between turns instead of
# reading it back from PostgreSQL (bot/speedups/tracker_cache.py): a REST message's sender is stuck
# to the server its first message went to; a request naming none (Slack, the API) is balanced
# leastconn. When that server is down, redispatch moves the conversation to another.
backend rasa
    balance leastconn
    option http-buffer-request
    # each message on a new connection to its server: one sent after that server died is then a
    # failed connection, retried on another server; a reused idle connection to the dead process
    # took it and it got a 502 (make test: a turn sent 2 ms after a SIGKILL)
    http-reuse never
    http-request set-var(txn.sender) req.body,json_query('$.sender')
    stick-table type string len 128 size 200k expire 4h
    stick on var(txn.sender)
    option httpchk GET /
    http-check expect status 200
{rasa_servers}
backend rasa_socketio
    balance source
    hash-type consistent
    option httpchk GET /
    http-check expect status 200
{rasa_servers}
frontend actions
    bind 127.0.0.1:{action_entry_port}
    monitor-uri /balancer-ready
    default_backend actions

# An action call that got no answer goes to the other server: actions are idempotent (a quiz
# answer is recorded once per learner, quiz and position).
backend actions
    balance leastconn
    # the whole call is read before it is sent, so that it can be sent again: without this a
    # call whose body was still arriving when its server died got a 502
    option http-buffer-request
    retry-on conn-failure empty-response response-timeout
    option httpchk GET /health
    http-check expect status 200
{action_servers}"""




def config(*, socket_path: Path, host: str, entry_port: int, action_entry_port: int,
           rasa_ports: list[int], action_ports: list[int]) -> str:
    """HAProxy's config: the entry on ``host:entry_port``, the action frontend on the loopback,
    one server ``rasa-N`` / ``action-N`` per port, the runtime API on ``socket_path``."""

    def servers(prefix: str, ports: list[int]) -> str:
        return "".join(f"    server {prefix}-{n} 127.0.0.1:{port} check\n"
                       for n, port in enumerate(ports, 1))

    return HAPROXY_CFG.format(socket=socket_path, host=host, entry_port=entry_port,
                              action_entry_port=action_entry_port,
                              rasa_servers=servers("rasa", rasa_ports),
                              action_servers=servers("action", action_ports))


def command(socket_path: Path, line: str) -> str:
    """One command on HAProxy's runtime API (e.g. ``disable server actions/action-1``); its
    answer, or '' when HAProxy is not there."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(socket_path))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks).decode(errors="replace")
    except OSError:
        return ""
