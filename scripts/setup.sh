#!/usr/bin/env bash
# Creates .venv (if missing) and installs pyamplify with everything the demo and the tests need.
# Safe to run again: it reinstalls only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version 2>&1)" >&2
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.pyamplify-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing pyamplify[dev] into .venv (first run takes about a minute)" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >&2 2>/dev/null || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' >&2
  echo "$want" > "$stamp"
fi
