"""Narrow patches of Rasa 3.6, installed on import (``bot.channels`` imports this package, and Rasa
loads the channels from ``bot/credentials.yml`` before it serves a request).

Each module replaces one Rasa function with one that gives the same results faster, and says in its
docstring what it measured:

- :mod:`.validation`: action-server responses checked by a validator compiled once (65 ms a turn).
- :mod:`.tracker_cache`: the SQL tracker store keeps each conversation's tracker between turns
  instead of reading and replaying every event of the session on every message.
- :mod:`.states`: the policies' dialogue states are extended from the previous prediction's instead
  of replaying the whole conversation several times a turn.
- :mod:`.tracker_copy`: the copy each action runs on extends the last copy's replay.
- :mod:`.log_text`: RulePolicy's debug text of every state is made only when it is logged.
- :mod:`.action_payload`: the action server is sent the events since the latest user message, with
  the full slots, latest message and active loop, instead of the whole conversation.

Together the last five make a turn's cost flat in the conversation's length (issue 9).

- :mod:`.graph_runner`: the NLU and policy graphs run node by node in an order worked out once,
  without building and scheduling a dask graph on every run.

- :mod:`.endpoint_session`: requests to the action server go over one kept aiohttp session (and
  its idle connections) instead of a new session and connection each.

- :mod:`.tf_predict`: DIET's prediction graph is called through its one concrete function, without
  TensorFlow's per-call dispatch (0.3 ms of a 3.6 ms parse).

- :mod:`.sqlite_wal`: the SQLite tracker store commits to a write-ahead log, without a disk sync
  each, so a commit no longer holds up every conversation of the server (many learners at once).
"""

from . import (  # noqa: F401 - install on import
    action_payload,
    endpoint_session,
    graph_runner,
    log_text,
    sqlite_wal,
    states,
    tf_predict,
    tracker_cache,
    tracker_copy,
    validation,
)
