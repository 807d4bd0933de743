"""Fixtures that start servers (see tests/servers.py); everything else is built inside the tests."""

from __future__ import annotations

import pytest

from .servers import TutorServers


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory):
    """The real action server and Rasa server, on free ports, over a copy of knowledge/."""
    with TutorServers(tmp_path_factory.mktemp("servers")) as running:
        yield running
