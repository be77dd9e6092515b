#!/usr/bin/env bash
# The main job: a complete walk-through of pyamplify (sets itself up first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/pyamplify demo "$@"
