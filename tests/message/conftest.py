from __future__ import annotations

from pathlib import Path

import pytest

from .project import MessageProject


@pytest.fixture
def shop(tmp_path: Path) -> MessageProject:
    return MessageProject(tmp_path)
