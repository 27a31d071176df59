"""Fixtures of the batch tests: the trimmed tcp-echo spec."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from batchgen import REFERENCE, ROOT, trimmed_echo


@pytest.fixture(scope="session")
def echo_trimmed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return trimmed_echo(tmp_path_factory.mktemp("spec"))


@pytest.fixture(scope="session")
def echo_two(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tcp-echo with echo-one and echo-many only: enough to tell the model from single-recv."""
    root = tmp_path_factory.mktemp("spec")
    spec = yaml.safe_load((ROOT / "assignments" / "tcp-echo" / "assignment.yaml").read_text())
    spec["tests"] = [t for t in spec["tests"] if t["name"] in ("echo-one", "echo-many")]
    spec["limits"] = {"step_timeout": 2, "connect_timeout": 4, "test_timeout": 20}
    folder = root / "assignments" / "tcp-echo"
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    shutil.copytree(REFERENCE / "python", root / "reference" / "tcp-echo" / "python")
    return folder
