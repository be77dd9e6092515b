#!/usr/bin/env bash
# Creates .venv (if missing) and installs pyamplify with everything the demo and the tests need.
# Safe to run again: it reinstalls only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages for the tests that run against a real Freedesktop Secret Service (GNOME
# Keyring on a private D-Bus session bus, started per test run by tests/secret_service.py).
# Installed with apt-get when missing: as root directly, else through sudo if it needs no
# password; otherwise say what to install and go on (those tests then skip, saying why).
# PYAMPLIFY_SETUP_SKIP_APT=1 turns this off.
system_packages() {
  local missing=()
  command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus)
  command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
  command -v secret-tool >/dev/null 2>&1 || missing+=(libsecret-tools)
  [ ${#missing[@]} -eq 0 ] && return 0
  local why="the Secret Service tests need ${missing[*]}"
  if [ "${PYAMPLIFY_SETUP_SKIP_APT:-}" = 1 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: $why; install them with your package manager (those tests skip until then)" >&2
    return 0
  fi
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
      as_root=(sudo -n)
    else
      echo "setup: $why; run: sudo apt-get install ${missing[*]} (those tests skip until then)" >&2
      return 0
    fi
  fi
  echo "setup: installing ${missing[*]} with apt-get (for the Secret Service tests)" >&2
  local log
  log=$(mktemp)
  local install=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
    --no-install-recommends "${missing[@]}")
  if ! "${install[@]}" >"$log" 2>&1; then
    # Stale or missing package lists (a fresh container): refresh them once and retry.
    "${as_root[@]}" apt-get update -qq >>"$log" 2>&1 || true
    if ! "${install[@]}" >>"$log" 2>&1; then
      tail -15 "$log" >&2
      echo "setup: apt-get could not install ${missing[*]}; the Secret Service tests will skip" >&2
      rm -f "$log"
      return 0
    fi
  fi
  rm -f "$log"
}
system_packages
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version 2>&1)" >&2
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.pyamplify-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing pyamplify[dev] into .venv (first run takes about a minute)" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  log=.venv/pip-install.log
  if ! .venv/bin/python -m pip install --disable-pip-version-check -e '.[dev]' >"$log" 2>&1; then
    grep -v "is ignored: it is neither" "$log" | tail -40 >&2
    echo "setup: pip install failed (full log: $log)" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
bash scripts/setup-browser.sh
