"""botocore's service models, the single source of what each Cognito service accepts.

The local Cognito answers the same API boto3 serialises from, so it reads the same model:
which operations exist, which are sent unsigned (the user plane), and each input's shape
(:mod:`.validation`). botocore is a dependency of the ``local`` extra, so the checks are always
on; a missing botocore is a broken install and is said so plainly.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from pyamplify.errors import PyamplifyError


class ModelUnavailableError(PyamplifyError):
    """botocore or one of its service models cannot be loaded."""


@dataclass(frozen=True)
class ServiceModel:
    """What the local Cognito needs of one botocore model (read-only views)."""

    #: botocore's service name, e.g. ``cognito-idp``.
    name: str
    #: The ``X-Amz-Target`` prefix, e.g. ``AWSCognitoIdentityProviderService``.
    target_prefix: str
    #: Every operation name the model lists.
    operations: frozenset[str]
    #: Operations the model marks as sent without SigV4 (the user plane).
    unsigned: frozenset[str]
    #: Operation name -> its input shape name (operations without input are absent).
    inputs: Mapping[str, str] = field(repr=False)
    #: Shape name -> shape definition.
    shapes: Mapping[str, Any] = field(repr=False)
    #: Error code -> whether the model marks it a fault (5xx).
    error_codes: Mapping[str, bool] = field(repr=False)


@functools.lru_cache(maxsize=8)
def _raw_model(name: str, version: str) -> Mapping[str, Any]:
    try:
        from botocore.loaders import Loader
    except ImportError:  # pragma: no cover - botocore is a dependency of the local extra
        raise ModelUnavailableError(
            "The local Cognito needs botocore for its request checks: "
            "pip install 'pyamplify[local]'"
        ) from None
    try:
        model: dict[str, Any] = Loader().load_service_model(name, "service-2", version)
    except Exception as error:  # pragma: no cover - a botocore too old for this service
        raise ModelUnavailableError(
            f"botocore has no {name} {version} model ({error}); upgrade botocore."
        ) from None
    return MappingProxyType(model)


def load_service_model(
    name: str, version: str, *, shape_overrides: Mapping[str, Any] | None = None
) -> ServiceModel:
    """The model of ``name``/``version``, with ``shape_overrides`` laid over its shapes.

    The overrides never touch botocore's cached dictionaries: boto3 clients in the same process
    keep serialising from the published model.
    """
    raw = _raw_model(name, version)
    operations: Mapping[str, Any] = raw["operations"]
    shapes = {**raw["shapes"], **(shape_overrides or {})}
    return ServiceModel(
        name=name,
        target_prefix=str(raw["metadata"]["targetPrefix"]),
        operations=frozenset(operations),
        unsigned=frozenset(
            op_name
            for op_name, op in operations.items()
            if op.get("authtype") == "none" or op.get("auth") == ["smithy.api#noAuth"]
        ),
        inputs=MappingProxyType(
            {op_name: op["input"]["shape"] for op_name, op in operations.items() if "input" in op}
        ),
        shapes=MappingProxyType(shapes),
        error_codes=MappingProxyType(
            {
                shape_name: bool(shape.get("fault"))
                for shape_name, shape in raw["shapes"].items()
                if shape.get("exception")
            }
        ),
    )


#: Shapes the live service accepts more widely than the published model: ``DomainType`` is also
#: a custom domain such as ``auth.example.com`` (AWS's own examples); ``idp.domains`` checks it.
_IDP_LIVE_SHAPES: Mapping[str, Any] = MappingProxyType({"DomainType": {"type": "string", "min": 1}})


@functools.lru_cache(maxsize=1)
def idp_model() -> ServiceModel:
    """The cognito-idp model as the live service applies it."""
    return load_service_model("cognito-idp", "2016-04-18", shape_overrides=_IDP_LIVE_SHAPES)


@functools.lru_cache(maxsize=1)
def identity_model() -> ServiceModel:
    """The cognito-identity model."""
    return load_service_model("cognito-identity", "2014-06-30")
