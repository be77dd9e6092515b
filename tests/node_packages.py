"""npm packages for tests that run code we did not write under Node (amazon-cognito-identity-js).

:func:`installed` puts ``<name>@<version>`` (exact, with its dependencies) under
``.cache/node/<name>-<version>/`` in the repository (git ignores ``.cache/``) the first time a
test asks, and answers from there afterwards, so the registry is needed once per version. The
install goes to a temporary directory that is renamed into place when complete, under a file
lock, so an interrupted or concurrent install never leaves a half tree that looks installed.
``--ignore-scripts``: no package's install script runs.

Where Node or the npm registry cannot be had, the test is skipped saying which and why; in CI
(``CI`` set) it fails instead, since there it must run. Any other npm failure fails the test with
npm's own output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "node"
#: npm's words for "the registry cannot be reached" (DNS, refused, timed out, reset, offline).
_NETWORK_ERRORS = (
    "ENOTFOUND",
    "EAI_AGAIN",
    "ECONNREFUSED",
    "ETIMEDOUT",
    "ECONNRESET",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "network request",
    "This is a problem related to network connectivity",
)
_INSTALL_TIMEOUT = 300.0


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"this test must run in CI, but {reason}")
    pytest.skip(reason)


def node() -> str:
    """The ``node`` executable (skips, or fails in CI, without one)."""
    found = shutil.which("node")
    if found is None:
        _unavailable("Node.js is not installed (the `node` command is not on PATH)")
    return str(found)


def installed(name: str, version: str) -> Path:
    """The ``node_modules`` directory holding ``name@version``, installing it on first use."""
    from filelock import FileLock

    target = CACHE / f"{name.replace('/', '+')}-{version}"
    modules = target / "node_modules"
    if _complete(modules, name, version):
        return modules
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is not installed (the `npm` command is not on PATH)")
    CACHE.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock", timeout=_INSTALL_TIMEOUT):
        if _complete(modules, name, version):  # installed while this process waited
            return modules
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=CACHE))
        try:
            _npm_install(str(npm), staging, f"{name}@{version}")
            if not _complete(staging / "node_modules", name, version):
                pytest.fail(f"npm installed something other than {name}@{version} in {staging}")
            shutil.rmtree(target, ignore_errors=True)
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return modules


def _complete(modules: Path, name: str, version: str) -> bool:
    try:
        manifest = json.loads((modules / name / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("version") == version


def _npm_install(npm: str, prefix: Path, spec: str) -> None:
    command = [
        npm,
        "install",
        "--prefix",
        str(prefix),
        "--no-audit",
        "--no-fund",
        "--no-package-lock",
        "--ignore-scripts",
        "--loglevel=error",
        spec,
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_INSTALL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        _unavailable(f"`npm install {spec}` did not finish in {_INSTALL_TIMEOUT:.0f} s")
        raise  # pragma: no cover - _unavailable raises
    if done.returncode == 0:
        return
    output = (done.stderr + done.stdout).strip()
    if any(word in output for word in _NETWORK_ERRORS):
        _unavailable(f"the npm registry cannot be reached to install {spec}: {output[-400:]}")
    pytest.fail(f"`npm install {spec}` failed (exit {done.returncode}):\n{output[-2000:]}")
