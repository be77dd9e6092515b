"""Where Cognito calls go: environment overrides, then the configured ``Endpoint``, then AWS.

The order is boto3's: a service-specific ``AWS_ENDPOINT_URL_<SERVICE>`` beats the global
``AWS_ENDPOINT_URL``, and ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`` turns both off. Overrides
are read when a call is about to be made, not when the configuration is loaded, so a test or a
shell can point an already-loaded configuration at the local Cognito. Values from the
environment obey the same rule as ``Endpoint``: https, or plain http to this machine only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pyamplify.config.errors import ConfigError, ConfigProblem
from pyamplify.config.validate import ENDPOINT_EXAMPLE, endpoint_url

USER_POOL_ENV = "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"
IDENTITY_POOL_ENV = "AWS_ENDPOINT_URL_COGNITO_IDENTITY"
GLOBAL_ENV = "AWS_ENDPOINT_URL"
IGNORE_ENV = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"


@dataclass(frozen=True)
class ResolvedEndpoint:
    """A URL to POST Cognito calls to, and where it came from (for ``config check``)."""

    url: str
    origin: str


def resolve_endpoint(
    service_env: str,
    configured: str | None,
    default_host: str,
    region: str,
    environ: Mapping[str, str] | None = None,
) -> ResolvedEndpoint:
    """Pick the endpoint for one service following boto3's order of precedence."""
    env = os.environ if environ is None else environ
    if env.get(IGNORE_ENV, "").strip().lower() != "true":
        for name in (service_env, GLOBAL_ENV):
            value = env.get(name, "")
            if value:
                url, problem = endpoint_url(value)
                if url is None:
                    raise ConfigError(
                        [
                            ConfigProblem(
                                "<environment>",
                                f"${name}",
                                problem or "invalid endpoint",
                                f"{name}=http://127.0.0.1:9229 or {name}=https://cognito.example.com",
                            )
                        ]
                    )
                return ResolvedEndpoint(url, f"${name}")
    if configured is not None:
        url, problem = endpoint_url(configured)
        if url is None:  # pragma: no cover - the model refuses such values when built
            raise ConfigError([ConfigProblem("<code>", "Endpoint", str(problem), ENDPOINT_EXAMPLE)])
        return ResolvedEndpoint(url, "Endpoint in the configuration")
    suffix = dns_suffix(region)
    return ResolvedEndpoint(f"https://{default_host}.{region}.{suffix}/", "AWS default")


def dns_suffix(region: str) -> str:
    """The DNS suffix of the AWS partition a region belongs to (botocore's partitions)."""
    for prefix, suffix in _PARTITION_SUFFIXES:
        if region.startswith(prefix):
            return suffix
    return "amazonaws.com"


_PARTITION_SUFFIXES = (
    ("cn-", "amazonaws.com.cn"),
    ("us-isob-", "sc2s.sgov.gov"),
    ("us-isof-", "csp.hci.ic.gov"),
    ("us-iso-", "c2s.ic.gov"),
    ("eu-isoe-", "cloud.adc-e.uk"),
)
