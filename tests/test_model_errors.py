"""The error classes generated from botocore's models: complete, current, and botocore-free.

``scripts/gen_errors.py`` writes ``pyamplify.wire._model_errors`` from the cognito-idp and
cognito-identity models botocore ships; the client and the local Cognito both use those classes.
These tests read the same models: a code the module lacks, a status that drifted or committed
output the script would no longer write fails here, with the command to run.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pyamplify.local import errors as local_errors
from pyamplify.wire import errors as wire_errors

botocore = pytest.importorskip("botocore")
from botocore.loaders import Loader  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gen_errors.py"
REGENERATE = "run: .venv/bin/python scripts/gen_errors.py"
MODELS = (("cognito-idp", "2016-04-18"), ("cognito-identity", "2014-06-30"))


def _exception_shapes() -> list[tuple[str, str, dict[str, Any]]]:
    loader = Loader()
    found = []
    for service, version in MODELS:
        model = loader.load_service_model(service, "service-2", version)
        for name, shape in sorted(model["shapes"].items()):
            if shape.get("exception"):
                found.append((service, name, shape))
    return found


SHAPES = _exception_shapes()
SHAPE_IDS = [f"{service}:{name}" for service, name, _ in SHAPES]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_errors", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_errors"] = module  # dataclasses look their module up while decorating
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["gen_errors"]
    return module


def test_the_models_have_the_codes_these_tests_are_about() -> None:
    names = {name for _, name, _ in SHAPES}
    assert {"NotAuthorizedException", "ResourceConflictException"} <= names
    assert len(names) > 50


@pytest.mark.parametrize(("service", "name", "shape"), SHAPES, ids=SHAPE_IDS)
def test_every_model_code_is_a_client_class_the_lookup_finds(
    service: str, name: str, shape: dict[str, Any]
) -> None:
    cls = wire_errors.ERROR_CLASSES.get(name)
    assert cls is not None, f"{service}'s {name} has no client class; {REGENERATE}"
    assert getattr(wire_errors, name) is cls  # the public path pyamplify.wire.errors.<Code>
    assert issubclass(cls, wire_errors.CognitoServiceError)
    if shape.get("fault"):
        assert issubclass(cls, wire_errors.RetryableError)
    status = 500 if shape.get("fault") else 400
    body = json.dumps({"__type": name, "message": "m"}).encode()
    error = wire_errors.error_from_response(status, {}, body)
    assert type(error) is cls
    assert isinstance(error, wire_errors.CognitoServiceError)
    assert (error.code, error.message, error.status) == (name, "m", status)


@pytest.mark.parametrize(("service", "name", "shape"), SHAPES, ids=SHAPE_IDS)
def test_every_model_code_is_a_local_class_with_its_status(
    service: str, name: str, shape: dict[str, Any]
) -> None:
    """The local Cognito raises the client's classes: the same code, the model's status."""
    cls = getattr(local_errors, name, None)
    assert cls is not None, f"{service}'s {name} has no local class; {REGENERATE}"
    assert cls is getattr(wire_errors, name)
    assert issubclass(cls, local_errors.CognitoError)
    declared = shape.get("error", {}).get("httpStatusCode")
    error = cls("m")
    expected = declared or (500 if shape.get("fault") else 400)
    assert (error.code, error.message) == (name, "m")
    assert error.status == expected, f"{name} should be HTTP {expected}; {REGENERATE}"


def test_the_wire_behaviour_the_local_cognito_had_is_kept() -> None:
    assert local_errors.InternalErrorException("x").status == 500
    for name in (
        "NotAuthorizedException",
        "DuplicateProviderException",
        "MFAMethodNotFoundException",
    ):
        assert getattr(local_errors, name)("x").status == 400
    assert wire_errors.TooManyRequestsException("x").retryable
    assert not wire_errors.LimitExceededException("x").retryable
    assert wire_errors.InternalErrorException("x").retryable


def test_hand_written_codes_are_exactly_those_not_in_the_models() -> None:
    """A model that starts listing a front-door code must get it from the generated module."""
    model_codes = {name for _, name, _ in SHAPES}
    client_extra = set(wire_errors.ERROR_CLASSES) - model_codes
    assert client_extra == {cls.__name__ for cls in wire_errors.FRONT_DOOR_ERRORS}
    for cls in wire_errors.FRONT_DOOR_ERRORS:
        assert cls.__module__ == "pyamplify.wire.errors"
        assert "Not in the model" in (cls.__doc__ or "")
    local_extra = {
        name
        for name, value in vars(local_errors).items()
        if isinstance(value, type) and issubclass(value, local_errors.CognitoError)
    } - model_codes
    # Strict auth answers with two of the client's front-door classes (one vocabulary).
    shared = {"UnrecognizedClientException", "InvalidSignatureException"}
    assert local_extra == {
        "CognitoError",
        "CognitoServiceError",
        "UnknownOperationException",
        "MissingAuthenticationTokenException",
        *shared,
    }
    for name in shared:
        assert getattr(local_errors, name) is getattr(wire_errors, name)
    for name in local_extra - {"CognitoError", "CognitoServiceError", *shared}:
        cls = getattr(local_errors, name)
        assert cls.__module__ == "pyamplify.local.errors" and cls("m").code == name


def _without_docstrings(source: str) -> str:
    """The module's syntax tree minus every docstring (comments are not in it either)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef) and ast.get_docstring(node) is not None:
            node.body = node.body[1:]
    return ast.dump(tree)


def test_committed_modules_are_what_the_script_generates_now() -> None:
    """Same botocore: byte for byte. Another botocore: everything but the documentation."""
    for path, fresh in _script().generated().items():
        committed = path.read_text(encoding="utf-8")
        stamp = re.search(r"from botocore (\S+); do not edit", committed.splitlines()[0])
        assert stamp, f"{path.name} lost its 'generated by' header; {REGENERATE}"
        if stamp.group(1) == botocore.__version__:
            assert committed == fresh, f"{path.name} is not what the script writes; {REGENERATE}"
        else:
            assert _without_docstrings(committed) == _without_docstrings(fresh), (
                f"{path.name} (botocore {stamp.group(1)}) lacks what botocore "
                f"{botocore.__version__}'s models have; {REGENERATE}"
            )


def test_script_check_mode_passes_on_the_committed_output() -> None:
    committed = (ROOT / "src/pyamplify/wire/_model_errors.py").read_text(encoding="utf-8")
    if f"botocore {botocore.__version__};" not in committed:
        pytest.skip(f"botocore {botocore.__version__} is not the one the output was made with")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_merging_models_keeps_one_class_per_code_and_refuses_disagreements() -> None:
    script = _script()
    idp = {
        "shapes": {
            "Gone": {"exception": True, "documentation": "<p>It is <code>gone</code>. Really.</p>"},
            "Boom": {"exception": True, "fault": True},
            "Teapot": {"exception": True, "error": {"httpStatusCode": 418}},
            "NotAnError": {"type": "structure"},
        }
    }
    identity = {"shapes": {"Gone": {"exception": True, "documentation": "<p>Other words</p>"}}}
    codes = script.error_codes([("idp", idp), ("identity", identity)])
    assert [(c.name, c.status, c.fault, c.services) for c in codes] == [
        ("Boom", 500, True, ("idp",)),
        ("Gone", 400, False, ("idp", "identity")),
        ("Teapot", 418, False, ("idp",)),
    ]
    assert codes[1].summary == "It is ``gone``."
    assert codes[0].retryable and not codes[2].retryable
    clash = {"shapes": {"Boom": {"exception": True}}}
    with pytest.raises(SystemExit, match="Boom"):
        script.error_codes([("idp", idp), ("identity", clash)])


def test_importing_the_client_errors_loads_no_botocore() -> None:
    code = (
        "import sys\n"
        "import pyamplify.wire.errors\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'botocore', 'boto3'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
