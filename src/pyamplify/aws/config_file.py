"""One profile section of the AWS shared config file (``~/.aws/config``), edited in place.

``pyamplify aws configure PROFILE`` writes ``[profile PROFILE]`` (``[default]`` for ``default``)
with a ``credential_process`` line, as ``aws configure sso`` writes its own: every other line of
the file (other sections, comments, blank lines) is kept byte for byte, an existing section of
the same name is replaced only when asked, and the file is replaced atomically
(:func:`pyamplify.config.writer.replace_file`). Imports only the standard library at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SectionChange:
    """What writing a section did (or, refused, would do)."""

    path: str
    header: str
    #: ``written`` (new), ``replaced``, ``unchanged`` or ``refused`` (it differs; not forced).
    outcome: str
    #: The existing section's settings when it was replaced or refused.
    previous: dict[str, str]


def default_config_path() -> str:
    """Where the AWS CLI and SDKs read profiles: ``$AWS_CONFIG_FILE`` or ``~/.aws/config``."""
    return os.path.expanduser(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def section_header(profile: str) -> str:
    """``[default]`` or ``[profile NAME]``, as the config file (not the credentials file)
    spells them."""
    return "[default]" if profile == "default" else f"[profile {profile}]"


def render_section(profile: str, settings: dict[str, str]) -> str:
    """The section's text, ending with a newline."""
    lines = [section_header(profile)]
    lines += [f"{key} = {value}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def _header_of(line: str) -> str | None:
    stripped = line.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        inner = " ".join(stripped[1:-1].split())
        return f"[{inner}]"
    return None


def _settings_of(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")) or "=" not in stripped:
            continue
        key, _, value = stripped.partition("=")
        found[key.strip()] = value.strip()
    return found


def write_section(
    path: str, profile: str, settings: dict[str, str], *, force: bool = False
) -> SectionChange:
    """Put ``settings`` under the profile's section of the file at ``path`` (created, with its
    folder, if missing); an existing section that differs is replaced only with ``force``."""
    header = section_header(profile)
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines(keepends=True)
    except FileNotFoundError:
        lines = []
    start = next((i for i, line in enumerate(lines) if _header_of(line) == header), None)
    section = render_section(profile, settings)
    if start is None:
        previous: dict[str, str] = {}
        prefix = "".join(lines)
        if prefix and not prefix.endswith("\n"):
            prefix += "\n"
        gap = "\n" if prefix.strip() else ""
        text = prefix + gap + section
        outcome = "written"
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if _header_of(lines[i]) is not None),
            len(lines),
        )
        body = lines[start + 1 : end]
        previous = _settings_of(body)
        if previous == settings:
            return SectionChange(path, header, "unchanged", previous)
        if not force:
            return SectionChange(path, header, "refused", previous)
        trailing = [line for line in reversed(body) if not line.strip()]
        text = "".join(lines[:start]) + section + "".join(trailing) + "".join(lines[end:])
        outcome = "replaced"
    _replace(path, text)
    return SectionChange(path, header, outcome, previous)


def _replace(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically, keeping the file's mode (0600 for a new file) and
    the platform's line endings (what a text-mode write gives)."""
    from pyamplify.config.writer import replace_file

    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, mode=0o700, exist_ok=True)
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mode = 0o600
    replace_file(Path(path), text.replace("\n", os.linesep).encode("utf-8"), mode=mode)
