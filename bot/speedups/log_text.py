"""Format RulePolicy's debug text of the dialogue states only when a log line shows it.

``RulePolicy._find_action_from_rules`` formats every state of the conversation into a text, and
deep-copies it, for one ``structlogger.debug`` call, twice per predicted action, whether or not
debug logging is on (``rasa run`` logs at INFO). At 3,600 events (turn 300 of one learner's
session) that took 2.4 ms a call, and 9.5 ms with the 2-core machine under load (cProfile of
``_predict_next_with_tracker``): the largest cost left in the policies once their states are
extended rather than rebuilt (``states``), and it grows with the conversation.

``Policy.format_tracker_states`` (used only there) now returns an object that makes Rasa's text
when it is rendered: structlog renders a value with ``repr`` (console) or falls back to ``repr``
(JSON), both give Rasa's text, inside the ``debug`` call itself, so the states are those of that
moment. With debug logging off nothing is formatted.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy

_rasa_format_tracker_states = Policy.format_tracker_states


class FormattedStates:
    """Rasa's text for ``states``, made on first use."""

    __slots__ = ("_states", "_text")

    def __init__(self, states: list[dict[str, Any]]) -> None:
        self._states = states
        self._text: str | None = None

    def __str__(self) -> str:
        if self._text is None:
            self._text = _rasa_format_tracker_states(self._states)
        return self._text

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __deepcopy__(self, memo: dict[int, Any]) -> FormattedStates:
        return self  # Rasa deep-copies the text for the log call; rendered within that call


def format_tracker_states(states: list[dict[str, Any]]) -> FormattedStates:
    return FormattedStates(states)


Policy.format_tracker_states = staticmethod(format_tracker_states)  # type: ignore[method-assign]
