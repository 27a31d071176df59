#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image. It installs the
# grader from the wheels in this zip (no network needed when the image has Python >= 3.11),
# makes the unprivileged user that grades, and checks that the grader starts.
set -euo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX=/opt/socket-grader
GRADER_USER=sg-autograder

version_of() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
fits() { [ -n "$1" ] && grep -qx "$1" "$SOURCE/python-versions.txt"; }

python=""
for candidate in python3 python3.13 python3.12 python3.11; do
  if command -v "$candidate" >/dev/null && fits "$(version_of "$candidate")"; then
    python="$(command -v "$candidate")"
    break
  fi
done
if [ -z "$python" ]; then
  # Ubuntu 22.04, Gradescope's default image, has Python 3.10; the grader needs 3.11, which
  # the distribution packages. This is the only step that needs the network.
  echo "setup.sh: no Python $(paste -sd/ "$SOURCE/python-versions.txt") here: installing python3.11"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 >/dev/null
  python="$(command -v python3.11)"
fi
if ! command -v gcc >/dev/null || ! command -v make >/dev/null; then
  echo "setup.sh: installing gcc and make, for submissions in C"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc make libc6-dev >/dev/null
fi

# A venv without pip (Debian and Ubuntu split ensurepip into python3-venv): the pip that
# installs is the wheel in this zip, run from the wheel itself, offline.
rm -rf "$PREFIX"
"$python" -m venv --without-pip "$PREFIX/venv"
pip_wheel=("$SOURCE"/wheels/pip-*.whl)
PIP_CONFIG_FILE=/dev/null "$PREFIX/venv/bin/python" "${pip_wheel[0]}/pip" install --quiet \
  --no-index --no-cache-dir --disable-pip-version-check --find-links "$SOURCE/wheels" socket-grader

if ! id -u "$GRADER_USER" >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$GRADER_USER"
fi
chmod -R a+rX "$PREFIX"
# The spec holds the hidden tests' expected bytes: only root reads it; run_autograder gives
# the grading user a copy of the rest.
chmod -R go-rwx "$SOURCE"
echo "setup.sh: socket-grader $("$PREFIX/venv/bin/grader" version) on $("$python" --version)"
