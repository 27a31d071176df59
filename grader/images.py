"""The runtime image: its name and labels, whether it is current, and how it is built."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from grader import __version__
from grader.errors import BackendError

RUNTIME_REPOSITORY = "socket-grader/runtime"
BASE_REPOSITORY = "socket-grader/base"
BOOTSTRAP = "bootstrap"  # --base value: Debian made offline by docker/bootstrap-base.sh
LABEL_VERSION = "socket-grader.version"
LABEL_RECIPE = "socket-grader.recipe"
LABEL_BASE = "socket-grader.base"
RECIPE_DIR = Path(__file__).resolve().parent.parent / "docker"
RECIPE_FILES = ("Dockerfile", "bootstrap-base.sh")
BUILD_TIP = "tip: run `grader images build` (offline: about a minute; see DEVELOPERS.md)"

Progress = Callable[[str], None]


class ImageEngine(Protocol):
    """What building and checking images needs of a container engine (backends/docker.py)."""

    def image_labels(self, reference: str) -> tuple[str, dict[str, str]] | None:
        """The image's id and labels, or None when there is no such image."""

    def import_rootfs(self, tarball: Path, reference: str, labels: dict[str, str]) -> str:
        """Import a root file system tarball as an image; return its id."""

    def build_image(
        self, context: Path, reference: str, buildargs: dict[str, str], labels: dict[str, str]
    ) -> str:
        """Build context/Dockerfile; return the image id."""


def runtime_reference() -> str:
    return f"{RUNTIME_REPOSITORY}:{__version__}"


def recipe_hash(names: tuple[str, ...] = RECIPE_FILES) -> str | None:
    """SHA-256 over recipe files; None when they are not installed (a wheel without docker/)."""
    digest = hashlib.sha256()
    for name in names:
        path = RECIPE_DIR / name
        if not path.is_file():
            return None
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def stale_reason(labels: dict[str, str]) -> str | None:
    """Why an image with these labels must not be used, or None when it is current."""
    built_by = labels.get(LABEL_VERSION)
    if built_by != __version__:
        return f"it was built by grader {built_by or 'unknown'}, this is grader {__version__}"
    recipe = recipe_hash()
    if recipe is not None and labels.get(LABEL_RECIPE) != recipe:
        return "docker/ has changed since it was built"
    return None


def require_runtime(engine: ImageEngine) -> str:
    """The runtime image's id; BackendError (with the tip to build it) if missing or stale."""
    reference = runtime_reference()
    found = engine.image_labels(reference)
    if found is None:
        raise BackendError(f"the image {reference} is missing; {BUILD_TIP}")
    image_id, labels = found
    if reason := stale_reason(labels):
        raise BackendError(f"the image {reference} is stale: {reason}; {BUILD_TIP}")
    return image_id


@dataclass
class ImagesReport:
    """What `grader images build` did, in order, and the image it left."""

    reference: str
    image_id: str = ""
    actions: list[str] = field(default_factory=list)


def _labels(base: str) -> dict[str, str]:
    recipe = recipe_hash()
    assert recipe is not None  # build_images checked that docker/ is present
    return {LABEL_VERSION: __version__, LABEL_RECIPE: recipe, LABEL_BASE: base}


def _bootstrap_base(engine: ImageEngine, force: bool, say: Progress) -> str:
    """The offline Debian base image: reused when its recipe is unchanged, else bootstrapped."""
    reference = f"{BASE_REPOSITORY}:bookworm"
    recipe = recipe_hash(("bootstrap-base.sh",))  # a Dockerfile change needs no new base
    found = engine.image_labels(reference)
    if found and not force and found[1].get(LABEL_RECIPE) == recipe:
        say(f"reused the base image {reference} ({found[0][:19]})")
        return reference
    if shutil.which("mmdebstrap") is None:
        raise BackendError(
            "the offline base needs mmdebstrap, which is not installed; tip: "
            "`apt-get install mmdebstrap`, or, where a registry is reachable, "
            "`grader images build --base python:3.12-slim`"
        )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grader-base-") as folder:
        tarball = Path(folder) / "rootfs.tar"
        try:
            subprocess.run(
                ["/bin/sh", str(RECIPE_DIR / "bootstrap-base.sh"), str(tarball)],
                check=True, capture_output=True, timeout=900,
            )
        except subprocess.CalledProcessError as e:
            tail = e.stderr.decode(errors="replace").strip().splitlines()[-5:]
            raise BackendError(
                "mmdebstrap could not make the base (it needs root and this machine's apt "
                "sources): " + " / ".join(tail)
            ) from e
        except subprocess.TimeoutExpired as e:
            raise BackendError("mmdebstrap took longer than 15 minutes; is apt reachable?") from e
        image_id = engine.import_rootfs(tarball, reference, {LABEL_RECIPE: recipe or ""})
    say(f"bootstrapped Debian bookworm with mmdebstrap and imported it as {reference} "
        f"({image_id[:19]}) in {time.monotonic() - started:.0f} s")
    return reference


def build_images(
    *, base: str = BOOTSTRAP, force: bool = False, progress: Progress | None = None,
    engine: ImageEngine | None = None,
) -> ImagesReport:
    """Make sure the runtime image is current: keep it, or build it (rebuild a stale one).

    base: "bootstrap" for the offline Debian base, or a registry image such as python:3.12-slim.
    """
    report = ImagesReport(reference=runtime_reference())

    def say(action: str) -> None:
        report.actions.append(action)
        if progress:
            progress(action)

    if recipe_hash() is None:
        raise BackendError(
            f"the image recipe is not installed here ({RECIPE_DIR} is missing); tip: run from a "
            "clone of the socket-grader repository"
        )
    if engine is None:
        # backends/docker.py imports this module for the image policy, so it is imported late
        from grader.backends.docker import Engine  # noqa: PLC0415

        engine = Engine.connect()
    found = engine.image_labels(report.reference)
    if found and not force:
        reason = stale_reason(found[1])
        if reason is None:
            report.image_id = found[0]
            say(f"{report.reference} is up to date ({found[0][:19]}); nothing to do")
            return report
        say(f"{report.reference} is stale ({reason}): rebuilding it")
    base_reference = _bootstrap_base(engine, force, say) if base == BOOTSTRAP else base
    started = time.monotonic()
    report.image_id = engine.build_image(
        RECIPE_DIR, report.reference, {"BASE_IMAGE": base_reference}, _labels(base_reference)
    )
    say(f"built {report.reference} ({report.image_id[:19]}) from {base_reference} "
        f"in {time.monotonic() - started:.0f} s")
    return report
