"""Make Rasa 3.6 validate action-server responses with validators built once, not per call, and
check each event against the one event schema its ``event`` names.

``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which checks the large
events schema itself before every validation: measured here at 65 ms per custom-action turn,
most of a question turn's time. A validator compiled once gives the same verdicts (same schema,
same errors, same message) in well under a millisecond.

That validator still tried every event against all 23 event schemas of the schema's ``oneOf``
(an event is valid when exactly one matches): 14% of the Rasa server's profiled time with 50
learners at once (cProfile, 1,200 turns: 3.7 of 25 profiled ms a turn, 5,474 ``oneOf`` checks).
Every one of those schemas requires its own ``event`` name (``"event": {"const": ...}``), so
an event whose ``event`` is a string fails every schema of another name; only the schemas of its
name can match, and the verdict is the same when only they are tried. The rest of the response
(its shape, the events' own ``type``, ``properties`` and ``required``) is checked by a validator
of the schema without that ``oneOf``. Whenever this quick check finds anything wrong, or an event
has no string ``event``, the full validator decides and raises Rasa's error, so an invalid response
gets exactly Rasa's message: the best match of the errors, as ``jsonschema.validate`` picks it (the
compiled validator's own ``validate`` raised the first error, which for an event that matches no
schema could name another part of it). Imported by ``bot.channels``, which Rasa loads from
``bot/credentials.yml`` before it serves a request.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _quick() -> tuple[Any, dict[str, list[Any]], list[Any]] | None:
    """The validator of the schema without the events' ``oneOf``, that ``oneOf``'s validators by
    the ``event`` name each requires, and those that require none (checked for every event);
    None if the schema is not shaped as Rasa 3.6's (then the full validator is used)."""
    schema = RemoteAction.action_response_format_spec()
    try:
        items = schema["properties"]["events"]["items"]
        choices = items["oneOf"]
    except (KeyError, TypeError):
        return None
    cls = validator_for(schema)
    outer = copy.deepcopy(schema)
    del outer["properties"]["events"]["items"]["oneOf"]
    by_name: dict[str, list[Any]] = defaultdict(list)
    unnamed = []
    for choice in choices:
        name = choice.get("properties", {}).get("event", {}).get("const")
        if isinstance(name, str):
            by_name[name].append(cls(choice))
        else:
            unnamed.append(cls(choice))
    return cls(outer), dict(by_name), unnamed


def quickly_valid(result: Any) -> bool:
    """True only if ``result`` is valid (False: let the full validator decide)."""
    quick = _quick()
    if quick is None:
        return False
    outer, by_name, unnamed = quick
    if not outer.is_valid(result):
        return False
    events = result.get("events") if isinstance(result, dict) else None
    if not isinstance(events, list):
        return True  # no events to check against the oneOf
    for event in events:
        name = event.get("event") if isinstance(event, dict) else None
        if not isinstance(name, str):
            return False
        matches = sum(1 for v in (*by_name.get(name, ()), *unnamed) if v.is_valid(event))
        if matches != 1:
            return False
    return True


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    if quickly_valid(result):
        return True
    # as jsonschema.validate does: the best match of the errors (Validator.validate raises the first)
    error = best_match(_validator().iter_errors(result))
    try:
        if error is not None:
            raise error
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
