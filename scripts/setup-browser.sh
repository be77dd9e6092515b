#!/usr/bin/env bash
# Installs what the Hosted UI browser tests need: Debian's Chromium (apt) and Playwright for
# Python (pip, into .venv). Never `playwright install`: the tests drive /usr/bin/chromium.
# Quick when both are present; apt runs as root, or through sudo, else it says what to run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "setup-browser: /usr/bin/chromium is missing; run as root: apt-get install -y chromium" >&2
    exit 1
  fi
  echo "setup-browser: installing Debian's chromium (apt)" >&2
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ -x .venv/bin/python ] && ! .venv/bin/python -c "import playwright" 2>/dev/null; then
  echo "setup-browser: installing playwright (pip, no browser download)" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check "playwright>=1.40"
fi
