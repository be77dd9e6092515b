"""From a handler spec to something that can run: a Python callable or a Node.js file + export.

A spec is what a user writes next to an ARN:

* a Python callable (in-process configuration only);
* ``"package.module:function"``: a module importable from ``sys.path`` (plus the base directory,
  as Lambda puts the function's root on the path);
* ``"path/to/file.py:function"``: a Python file, loaded once under a private module name, its
  directory appended to ``sys.path`` so that it can import its siblings as it does on Lambda;
* ``"path/to/index.mjs:handler"`` (``.cjs``, ``.js`` too): a Node.js module run by the worker
  (:mod:`.node`); a ``.js`` file is ESM or CommonJS by the nearest ``package.json`` "type",
  exactly as Node decides.

The function part may be dotted (``module:Class.method``, ``index.mjs:handlers.define``).
Relative paths are resolved from a base directory (the triggers file's, or the working
directory). Everything that can be checked without running the handler is checked here, so
that a bad spec fails when it is mapped, with a message that says what to fix.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from pyamplify.local.lambdas.errors import HandlerSpecError

#: A handler as the user gives it: a callable, or a ``"<module or file>:<function>"`` string.
HandlerSpec = Callable[[dict[str, Any], Any], Any] | str

PYTHON_SUFFIXES = (".py",)
NODE_SUFFIXES = (".mjs", ".cjs", ".js")
SPEC_EXAMPLES = (
    "triggers/define.py:handler, mypackage.triggers:define or triggers/index.mjs:handler"
)
_DOTTED_NAME = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")
_MODULE_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class PythonHandler:
    """A Python function called in-process as ``function(event, context)``."""

    function: Callable[[dict[str, Any], Any], Any]
    description: str


@dataclass(frozen=True)
class NodeHandler:
    """A Node.js module's export, run by the Node worker."""

    path: Path
    export: str
    description: str


Handler = PythonHandler | NodeHandler


def resolve(spec: HandlerSpec, base_dir: Path | None = None) -> Handler:
    """The handler ``spec`` names; :class:`HandlerSpecError` if it cannot be one.

    Python modules are imported here (their import-time errors surface now); a Node.js file is
    only checked to exist: the runner asks the worker to load it.
    """
    if callable(spec):
        return PythonHandler(spec, f"Python {_callable_name(spec)}")
    if not isinstance(spec, str):
        raise HandlerSpecError(
            f"a handler is a callable or a string like {SPEC_EXAMPLES}; got {type(spec).__name__}"
        )
    target, _, name = spec.strip().rpartition(":")
    if not target or not _DOTTED_NAME.fullmatch(name):
        raise HandlerSpecError(
            f"handler {spec!r}: expected FILE:FUNCTION or MODULE:FUNCTION, e.g. {SPEC_EXAMPLES}"
        )
    suffix = Path(target).suffix.lower()
    if suffix in NODE_SUFFIXES:
        path = _existing_file(target, base_dir, spec)
        return NodeHandler(path, name, f"Node.js {path}:{name}")
    if suffix in PYTHON_SUFFIXES:
        path = _existing_file(target, base_dir, spec)
        function = _attribute(_load_file(path, spec), str(path), name, spec)
        return PythonHandler(function, f"Python {path}:{name}")
    if _looks_like_a_file(target, base_dir):
        raise HandlerSpecError(
            f"handler {spec!r}: unknown file type {suffix or '(none)'!r}; a handler file ends in "
            f"{', '.join(PYTHON_SUFFIXES + NODE_SUFFIXES)}"
        )
    if not _MODULE_NAME.fullmatch(target):
        raise HandlerSpecError(
            f"handler {spec!r}: {target!r} is neither a file nor a Python module name; "
            f"expected e.g. {SPEC_EXAMPLES}"
        )
    function = _attribute(_import_module(target, base_dir, spec), target, name, spec)
    return PythonHandler(function, f"Python {target}:{name}")


#: Source files that are not handlers here, named so that they are not taken for module names.
_OTHER_SOURCES = {".ts", ".mts", ".cts", ".tsx", ".jsx", ".json", ".pyc", ".rb", ".go", ".java"}


def _looks_like_a_file(target: str, base_dir: Path | None) -> bool:
    if "/" in target or "\\" in target or Path(target).suffix.lower() in _OTHER_SOURCES:
        return True
    return ((base_dir or Path.cwd()) / target).is_file()


def _callable_name(function: Callable[..., Any]) -> str:
    module = getattr(function, "__module__", None) or "?"
    name = getattr(function, "__qualname__", None) or type(function).__name__
    return f"{module}:{name}"


def _existing_file(target: str, base_dir: Path | None, spec: str) -> Path:
    path = Path(target).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    path = path.resolve()
    if not path.is_file():
        where = f" (relative paths are resolved from {base_dir or Path.cwd()})"
        raise HandlerSpecError(f"handler {spec!r}: no such file {path}" + where)
    return path


_loaded_files: dict[Path, ModuleType] = {}
_load_lock = threading.Lock()


def _load_file(path: Path, spec: str) -> ModuleType:
    """Import a Python file once under a private name; its directory joins ``sys.path``."""
    with _load_lock:
        module = _loaded_files.get(path)
        if module is not None:
            return module
        digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
        stem = re.sub(r"\W", "_", path.stem)
        name = f"_pyamplify_lambda_{stem}_{digest}"
        module_spec = importlib.util.spec_from_file_location(name, path)
        if module_spec is None or module_spec.loader is None:
            raise HandlerSpecError(f"handler {spec!r}: cannot load {path} as Python")
        folder = str(path.parent)
        if folder not in sys.path:
            sys.path.append(folder)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        try:
            module_spec.loader.exec_module(module)
        except BaseException as error:
            del sys.modules[name]
            raise HandlerSpecError(
                f"handler {spec!r}: loading {path} failed: {type(error).__name__}: {error}"
            ) from error
        _loaded_files[path] = module
        return module


def _import_module(module_name: str, base_dir: Path | None, spec: str) -> ModuleType:
    if base_dir is not None and str(base_dir) not in sys.path:
        sys.path.append(str(base_dir))
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise HandlerSpecError(
                f"handler {spec!r}: no Python module named {error.name!r} "
                "(give a file path instead, e.g. path/to/module.py:function, "
                "or run from the directory that contains it)"
            ) from None
        raise HandlerSpecError(
            f"handler {spec!r}: importing {module_name} failed: {error}"
        ) from error
    except BaseException as error:
        raise HandlerSpecError(
            f"handler {spec!r}: importing {module_name} failed: {type(error).__name__}: {error}"
        ) from error


def _attribute(
    module: ModuleType, where: str, dotted: str, spec: str
) -> Callable[[dict[str, Any], Any], Any]:
    value: Any = module
    for part in dotted.split("."):
        if not hasattr(value, part):
            known = _known_functions(module) if value is module else ""
            raise HandlerSpecError(
                f"handler {spec!r}: {where if value is module else dotted} has no "
                f"attribute {part!r}{known}"
            )
        value = getattr(value, part)
    if not callable(value):
        raise HandlerSpecError(
            f"handler {spec!r}: {dotted} is a {type(value).__name__}, not a function"
        )
    function: Callable[[dict[str, Any], Any], Any] = value
    return function


def _known_functions(module: ModuleType) -> str:
    names = sorted(
        name
        for name, value in vars(module).items()
        if callable(value)
        and not name.startswith("_")
        and getattr(value, "__module__", None) == module.__name__
    )
    return f" (its functions: {', '.join(names[:10])})" if names else ""
