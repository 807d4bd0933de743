"""Rasa input channels for the tutor (loaded by Rasa from bot/credentials.yml).

``screening`` and ``echo`` are standard library only, so tests outside Rasa's environment import
them too; the speed-up is installed only where Rasa is (which is where it has something to patch).
"""

from importlib.util import find_spec

if find_spec("rasa") is not None:
    from .. import speedups  # noqa: F401 - patches Rasa's action-response validation on import
