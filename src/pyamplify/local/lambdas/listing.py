"""Which functions the pools name, and what each is mapped to (``pyamplify local triggers``).

A pool's ``LambdaConfig`` names functions in two ways: a trigger key with an ARN
(``"PreSignUp": "arn:aws:lambda:…"``), or a key with an object holding ``LambdaArn`` and
``LambdaVersion`` (``PreTokenGenerationConfig``, ``CustomSMSSender``, ``CustomEmailSender``).
``KMSKeyID`` names a key, not a function. Pools are plain ``UserPoolType`` dicts here, so this
module needs no store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pyamplify.local.lambdas.runner import FunctionRunner

#: LambdaConfig keys whose value is not a function.
NOT_FUNCTIONS = frozenset({"KMSKeyID"})


def function_arns(lambda_config: Mapping[str, Any]) -> list[tuple[str, str, str | None]]:
    """``(key, arn, version)`` for each function a ``LambdaConfig`` names, in its order."""
    found: list[tuple[str, str, str | None]] = []
    for key, value in lambda_config.items():
        if key in NOT_FUNCTIONS:
            continue
        if isinstance(value, str) and value:
            found.append((key, value, None))
        elif isinstance(value, Mapping) and isinstance(value.get("LambdaArn"), str):
            version = value.get("LambdaVersion")
            found.append((key, value["LambdaArn"], version if isinstance(version, str) else None))
    return found


def describe_triggers(
    pools: Iterable[Mapping[str, Any]], runner: FunctionRunner | None
) -> list[dict[str, Any]]:
    """Every pool with the functions it names and what each is mapped to (JSON-ready).

    ``mapped_to`` is the runner's description of the handler, or ``None`` when the ARN is not
    mapped; with ``runner=None`` (no server to ask) it is ``None`` throughout.
    """
    listing = []
    for pool in pools:
        config = pool.get("LambdaConfig") or {}
        triggers = [
            {
                "trigger": key,
                "arn": arn,
                "version": version,
                "mapped_to": runner.mapping(arn) if runner is not None else None,
            }
            for key, arn, version in function_arns(config if isinstance(config, Mapping) else {})
        ]
        listing.append(
            {"pool_id": pool.get("Id"), "pool_name": pool.get("Name"), "triggers": triggers}
        )
    return listing
