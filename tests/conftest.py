"""Fixtures that start servers (see tests/servers.py); everything else is built inside the tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .servers import TutorServers

# Every knowledge base the tests build over the same documents and examples fits the same
# misconception judge: fit it once (saved by content), not once per test index.
os.environ.setdefault("TUTOR_JUDGE_CACHE",
                      str(Path(__file__).resolve().parent.parent / ".state" / "judges"))


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory):
    """The real action server and Rasa server, on free ports, over a copy of knowledge/."""
    with TutorServers(tmp_path_factory.mktemp("servers")) as running:
        yield running
