"""The runtime image policy: a missing or stale image is refused at grading time and rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import __version__, images
from grader.errors import BackendError


class FakeEngine:
    """An ImageEngine that keeps images in a dict and records what it was asked to build."""

    def __init__(self, labels: dict[str, str] | None = None) -> None:
        self.images: dict[str, tuple[str, dict[str, str]]] = {}
        if labels is not None:
            self.images[images.runtime_reference()] = ("sha256:old", labels)
        self.built: list[tuple[str, dict[str, str]]] = []

    def image_labels(self, reference: str) -> tuple[str, dict[str, str]] | None:
        return self.images.get(reference)

    def import_rootfs(self, tarball: Path, reference: str, labels: dict[str, str]) -> str:
        raise AssertionError("these tests use a registry base, never the offline bootstrap")

    def build_image(
        self, context: Path, reference: str, buildargs: dict[str, str], labels: dict[str, str]
    ) -> str:
        assert (context / "Dockerfile").is_file()
        self.built.append((buildargs["BASE_IMAGE"], labels))
        self.images[reference] = ("sha256:new", labels)
        return "sha256:new"


def current_labels() -> dict[str, str]:
    return {images.LABEL_VERSION: __version__, images.LABEL_RECIPE: images.recipe_hash() or ""}


def test_missing_image_is_refused_with_the_build_tip() -> None:
    with pytest.raises(BackendError, match=r"socket-grader/runtime:.* is missing.*images build"):
        images.require_runtime(FakeEngine())


@pytest.mark.parametrize(
    ("labels", "reason"),
    [
        ({images.LABEL_VERSION: "0.0.1"}, "it was built by grader 0.0.1"),
        ({images.LABEL_VERSION: __version__, images.LABEL_RECIPE: "0"}, "docker/ has changed"),
    ],
    ids=["other-version", "other-recipe"],
)
def test_stale_image_is_never_used(labels: dict[str, str], reason: str) -> None:
    with pytest.raises(BackendError, match=f"is stale: {reason}.*images build"):
        images.require_runtime(FakeEngine(labels))


def test_current_image_is_used() -> None:
    assert images.require_runtime(FakeEngine(current_labels())) == "sha256:old"


def test_build_keeps_a_current_image_and_says_so() -> None:
    engine = FakeEngine(current_labels())
    report = images.build_images(base="python:3.12-slim", engine=engine)
    assert engine.built == []
    assert report.image_id == "sha256:old"
    reference = images.runtime_reference()
    assert report.actions == [f"{reference} is up to date (sha256:old); nothing to do"]


def test_build_rebuilds_a_stale_image_with_labels() -> None:
    engine = FakeEngine({images.LABEL_VERSION: "0.0.1"})
    report = images.build_images(base="python:3.12-slim", engine=engine)
    assert engine.built == [("python:3.12-slim", {**current_labels(),
                                                  images.LABEL_BASE: "python:3.12-slim"})]
    assert report.image_id == "sha256:new"
    assert report.actions[0].startswith(f"{images.runtime_reference()} is stale")
    assert report.actions[1].startswith(f"built {images.runtime_reference()} (sha256:new)")
    assert images.require_runtime(engine) == "sha256:new"
