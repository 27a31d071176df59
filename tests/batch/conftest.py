"""Fixtures of the batch tests: the trimmed tcp-echo spec."""

from __future__ import annotations

from pathlib import Path

import pytest
from batchgen import trimmed_echo


@pytest.fixture(scope="session")
def echo_trimmed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return trimmed_echo(tmp_path_factory.mktemp("spec"))
