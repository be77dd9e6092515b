"""Which configuration file to load when the caller does not say.

Order: an explicit path; else ``$PYAMPLIFY_CONFIG``; else ``./amplifyconfiguration.json`` (Gen 1)
then ``./amplify_outputs.json`` (Gen 2) in the current directory. ``aws-exports.js`` and
``awsconfiguration.json`` are read when named (path or variable) but not picked up on their own:
the fast ``auth credentials`` path finds files by the same rule and reads them as plain JSON.
When no file is found, the error names those that are there (``src/aws-exports.js``…).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pyamplify.config.errors import ConfigError, ConfigProblem

ENV_VAR = "PYAMPLIFY_CONFIG"
DEFAULT_FILES: tuple[str, ...] = ("amplifyconfiguration.json", "amplify_outputs.json")
#: Files that are read when named, and that the error for "no file found" points out.
NAMED_ONLY_FILES: tuple[str, ...] = (
    "src/aws-exports.js",
    "aws-exports.js",
    "src/amplifyconfiguration.json",
    "awsconfiguration.json",
)


def find_config(
    path: str | os.PathLike[str] | None = None,
    *,
    cwd: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """The configuration file to read, or ConfigError saying where pyamplify looked."""
    env = os.environ if environ is None else environ
    if path is not None:
        return Path(path)
    from_env = env.get(ENV_VAR, "")
    if from_env:
        return Path(from_env)
    base = Path.cwd() if cwd is None else Path(cwd)
    for name in DEFAULT_FILES:
        candidate = base / name
        if candidate.is_file():
            return Path(name) if cwd is None else candidate
    present = [name for name in NAMED_ONLY_FILES if (base / name).is_file()]
    found = f"; {' and '.join(present)} is here: name it to use it" if present else ""
    example = (
        f"pyamplify config check {present[0]}, or export PYAMPLIFY_CONFIG={present[0]}"
        if present
        else "pyamplify config check path/to/amplifyconfiguration.json, or "
        "export PYAMPLIFY_CONFIG=path/to/amplify_outputs.json"
    )
    raise ConfigError(
        [
            ConfigProblem(
                str(base),
                "$",
                "no configuration file found: no path was given, $PYAMPLIFY_CONFIG is not set, "
                f"and neither {' nor '.join(DEFAULT_FILES)} exists in this directory{found}",
                example,
            )
        ]
    )
