"""The direction of imports between rooms, as docs/architecture.md draws it.

Every ``import pyamplify...`` in ``src/`` (including imports inside functions and under
``TYPE_CHECKING``: a type-only import is still a dependency of the reader) is resolved to the
module it names, and the importing room must list the imported room. A new room, or a new
arrow between rooms, is a decision: make it here and in the architecture document together.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "pyamplify"

#: Room -> the rooms it may import (besides itself and the lazy package root ``pyamplify``).
CLIENT_ROOMS: dict[str, set[str]] = {
    "errors": set(),
    "modexp": {"errors"},
    "srp": {"modexp", "errors"},
    "config": {"errors"},
    "wire": {"config", "errors"},
    "storage": {"errors"},
    # auth -> aws: Auth.boto3_session(), a documented convenience, imports aws lazily.
    "oauth": {"wire", "config", "errors"},
    "auth": {"srp", "config", "wire", "storage", "errors", "aws", "oauth"},
    "aws": {"auth", "config", "wire", "errors"},
    # Token verification for back-ends (on PyJWT): the configuration names pool and endpoint.
    "verify": {"config", "wire", "errors"},
    "provision": {"config", "errors"},
    "cli": {"*"},
}
_LOCAL_BASE = {"errors", "local.errors"}
LOCAL_ROOMS: dict[str, set[str]] = {
    # One error vocabulary for both sides of the wire: the client's generated classes.
    "local.errors": {"errors", "wire"},
    "local.clock": set(),
    "local.store": {"errors"},
    "local.signing": {"local.store"},
    "local.lambdas": {"errors", "local.errors"},
    "local.backend": {"local.store", "local.signing", "local.lambdas"},
    "local.service": {*_LOCAL_BASE, "local.backend"},
    "local.idp": {
        *_LOCAL_BASE,
        *("local.service", "local.backend", "local.signing", "local.store"),
        *("srp", "modexp"),
    },
    "local.identity": {
        *_LOCAL_BASE,
        *("local.service", "local.backend", "local.signing", "local.store"),
    },
    "local.sts": {*_LOCAL_BASE, "local.service", "local.backend", "local.store", "local.identity"},
    "local.triggers": {
        *_LOCAL_BASE,
        *("local.service", "local.backend", "local.store", "local.idp", "local.lambdas"),
    },
    "local.oauth": {
        *_LOCAL_BASE,
        *("local.service", "local.backend", "local.signing", "local.store"),
        *("local.idp", "local.triggers", "srp"),
    },
    "local.front": {"local.*", "errors"},
    # The test helpers are for users' tests: they drive the server through the client library.
    "local.testing": {"local.*", "errors", "config", "wire", "auth", "storage"},
    "local": {"local.front"},
}
ROOMS = {**CLIENT_ROOMS, **LOCAL_ROOMS}
#: Files of a room that are not named after it.
_MEMBERS = {
    "local.key_supply": "local.signing",
    "local.key_cache": "local.signing",
}


def _module_name(path: Path) -> str:
    parts = path.with_suffix("").relative_to(SRC).parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    base = SRC.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def room_of(module: str) -> str:
    """``pyamplify.local.idp.auth`` -> ``local.idp``; ``pyamplify.auth.flows`` -> ``auth``."""
    parts = module.split(".")[1:]
    if not parts:
        return "pyamplify"
    if parts[0] == "local" and len(parts) > 1:
        name = f"local.{parts[1]}"
        return _MEMBERS.get(name, name)
    return parts[0]


def imported_modules(path: Path) -> set[str]:
    """The pyamplify modules a file imports (``from a import b`` is ``a.b`` when b is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("pyamplify"))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not node.module.startswith("pyamplify"):
                continue
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                found.add(dotted if _is_module(dotted) else node.module)
    return found


def _allowed(source: str, target: str) -> bool:
    if target in (source, "pyamplify") or source == "pyamplify":
        return True
    allowed = ROOMS[source]
    return (
        "*" in allowed or target in allowed or ("local.*" in allowed and target.startswith("local"))
    )


def test_every_module_belongs_to_a_room() -> None:
    homeless = sorted(
        _module_name(path)
        for path in PACKAGE.rglob("*.py")
        if room_of(_module_name(path)) not in ROOMS | {"pyamplify": set(), "__main__": set()}
    )
    assert homeless == [], "add these rooms to tests/test_architecture.py and the architecture doc"


def test_imports_point_the_way_the_architecture_says() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = room_of(_module_name(path))
        if source in ("pyamplify", "__main__"):
            continue
        for module in sorted(imported_modules(path)):
            target = room_of(module)
            if not _allowed(source, target):
                wrong.append(f"{path.relative_to(SRC)} ({source}) imports {module} ({target})")
    assert wrong == []


def test_the_client_never_imports_the_local_cognito() -> None:
    client = [room for room in CLIENT_ROOMS if room != "cli"]
    for room in client:
        assert not any(target.startswith("local") for target in ROOMS[room])


def test_the_checker_sees_a_wrong_import() -> None:
    """The test above can fail: an upward import is reported."""
    assert not _allowed("local.store", "local.idp")
    assert not _allowed("local.idp", "local.front")
    assert not _allowed("local.identity", "local.idp")
    assert not _allowed("local.lambdas", "local.store")
    assert not _allowed("auth", "local.front")
    assert _allowed("local.front", "local.idp")
    assert room_of("pyamplify.local.key_cache") == "local.signing"
    assert "pyamplify.local.idp.hooks" in imported_modules(PACKAGE / "local/idp/auth.py")
