"""pyamplify: the Amplify Auth category for Python.

Sign people in to existing Amazon Cognito user pools and identity pools from Python programs,
configured by the same ``amplifyconfiguration.json`` / ``amplify_outputs.json`` files the Amplify
libraries read. Heavy modules load lazily so that ``import pyamplify`` stays cheap.
"""

from __future__ import annotations

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (~10 ms at start-up; mypy treats this
#: name the same way): every ``pyamplify`` command, ``auth credentials`` above all, imports this.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from pyamplify.auth import AsyncAuth, Auth
    from pyamplify.config import AuthConfig, ConfigError, load_config

__version__ = "0.1.0"

__all__ = ["AsyncAuth", "Auth", "AuthConfig", "ConfigError", "__version__", "load_config"]

_LAZY = {
    "AuthConfig": "pyamplify.config",
    "ConfigError": "pyamplify.config",
    "load_config": "pyamplify.config",
    "Auth": "pyamplify.auth",
    "AsyncAuth": "pyamplify.auth",
}


def __getattr__(name: str) -> Any:
    """Import public names on first use (PEP 562), keeping start-up fast for the CLI."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'pyamplify' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
