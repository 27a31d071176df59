"""Shared fixtures: paths of the repository's assignments and reference solutions."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def tcp_echo() -> Path:
    return ROOT / "assignments" / "tcp-echo"
