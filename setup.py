"""Packaging that pyproject.toml cannot say: the catalogue, assignments/, ships inside the wheel.

The assignments stay where instructors edit them (assignments/ at the repository's root) and
are mapped to the package ``grader.assignments``, so that an installed grader finds them with
importlib.resources (grader/catalogue.py). Everything else is in pyproject.toml. The reference
solutions (reference/) are not shipped: students get the handouts and specs, not the models.
"""

from setuptools import find_packages, setup

CATALOGUE = "grader.assignments"

setup(
    packages=[*find_packages(include=["grader", "grader.*"]), CATALOGUE],
    package_dir={CATALOGUE: "assignments"},
    package_data={
        # export/scripts/: the Gradescope autograder's setup.sh and run_autograder (grader.export)
        "grader": ["report/templates/*", "py.typed", "export/scripts/*"],
        # every assignment's spec, handout and files (web-server's www/, rdt's message.txt)
        CATALOGUE: ["**/*"],
    },
    exclude_package_data={CATALOGUE: ["**/__pycache__/*", "**/*.pyc"]},
)
