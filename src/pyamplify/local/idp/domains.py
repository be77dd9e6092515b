"""User pool domains: Create/Describe/DeleteUserPoolDomain, prefix and custom.

A pool has at most one *prefix* domain (``myapp`` → ``myapp.auth.<region>.amazoncognito.com``)
and at most one *custom* domain (``auth.example.com``, created with ``CustomDomainConfig
{CertificateArn}``); DescribeUserPool reports them as ``Domain`` and ``CustomDomain``. Both are
served through the same ``Domain`` member, whose published pattern admits only prefixes (AWS's
own examples create ``auth.example.com`` with it), so the request validator leaves that member's
pattern to these operations: a prefix is checked against the published pattern with Coral's
wording, a custom domain must be a lowercase fully qualified name.

Custom domains are ``ACTIVE`` at once (AWS reports ``CREATING`` while CloudFront deploys, which
there is nothing to wait for locally); the CloudFront domain has CloudFront's shape
(``d`` + 13 characters + ``.cloudfront.net``) and is made once, then stored.
"""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import ACCOUNT_ID, Backend
from pyamplify.local.idp.common import pool_or_error, str_param
from pyamplify.local.idp.registry import OPERATIONS

#: The ``Domain`` pattern of botocore's cognito-idp model (``DomainType``): a prefix domain.
PREFIX_PATTERN = r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$"
_PREFIX = re.compile(PREFIX_PATTERN)
_PREFIX_MAX = 63
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_CUSTOM = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_CUSTOM_MAX = 253


def is_custom_domain(domain: str) -> bool:
    """Whether ``domain`` is a fully qualified custom domain rather than a prefix."""
    return len(domain) <= _CUSTOM_MAX and _CUSTOM.fullmatch(domain) is not None


def _check_prefix(domain: str) -> None:
    """Coral's validation error for a ``Domain`` that breaks the published prefix rules."""
    if len(domain) > _PREFIX_MAX:
        constraint = f"Member must have length less than or equal to {_PREFIX_MAX}"
    elif _PREFIX.fullmatch(domain) is None:
        constraint = f"Member must satisfy regular expression pattern: {PREFIX_PATTERN}"
    else:
        return
    shown = f"Value '{domain}'" if len(domain) <= 64 else "Value"
    raise errors.InvalidParameterException(
        f"1 validation error detected: {shown} at 'domain' failed to satisfy constraint: "
        f"{constraint}"
    )


def _domain_param(body: dict[str, Any]) -> str:
    """The request's ``Domain``: a valid prefix or a valid custom domain."""
    domain = str_param(body, "Domain")
    if not is_custom_domain(domain):
        _check_prefix(domain)
    return domain


def pool_domains(backend: Backend, pool_id: str) -> tuple[str | None, str | None]:
    """``(prefix domain, custom domain)`` of a pool, each ``None`` when it has none."""
    prefix = custom = None
    for domain in backend.store.domains_of_pool(pool_id):
        if is_custom_domain(domain):
            custom = domain
        else:
            prefix = domain
    return prefix, custom


def _cloudfront_domain() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "d" + "".join(secrets.choice(alphabet) for _ in range(13)) + ".cloudfront.net"


@OPERATIONS.operation("CreateUserPoolDomain")
def create_user_pool_domain(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """CreateUserPoolDomain: a prefix domain, or a custom one with ``CustomDomainConfig``."""
    domain = str_param(body, "Domain")
    config = body.get("CustomDomainConfig")
    custom = isinstance(config, dict)
    if custom and not is_custom_domain(domain):
        raise errors.InvalidParameterException(
            f"The custom domain {domain[:64]!r} is not a fully qualified domain name; use a "
            "lowercase name such as auth.example.com, or leave out CustomDomainConfig for a "
            "prefix domain."
        )
    if not custom:
        _check_prefix(domain)
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    if backend.store.get_domain(domain) is not None:
        raise errors.InvalidParameterException("Domain already associated with another user pool.")
    prefix, existing_custom = pool_domains(backend, pool["Id"])
    if (existing_custom if custom else prefix) is not None:
        raise errors.InvalidParameterException(
            f"User pool {pool['Id']} already has a domain configured."
        )
    version = body.get("ManagedLoginVersion") or 1
    description: dict[str, Any] = {
        "UserPoolId": pool["Id"],
        "AWSAccountId": ACCOUNT_ID,
        "Domain": domain,
        "S3Bucket": "aws-cognito-prod-local-assets",
        "CloudFrontDistribution": _cloudfront_domain(),
        "Version": "20250101000000",
        "Status": "ACTIVE",
        "ManagedLoginVersion": version,
    }
    result: dict[str, Any] = {"ManagedLoginVersion": version}
    if isinstance(config, dict):
        description["CustomDomainConfig"] = dict(config)
        result["CloudFrontDomain"] = description["CloudFrontDistribution"]
    backend.store.put_domain(domain, pool["Id"], description)
    return result


@OPERATIONS.operation("DescribeUserPoolDomain")
def describe_user_pool_domain(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DescribeUserPoolDomain (an unknown domain gives an empty description, as on AWS)."""
    description = backend.store.get_domain(_domain_param(body))
    return {"DomainDescription": description or {}}


@OPERATIONS.operation("DeleteUserPoolDomain")
def delete_user_pool_domain(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DeleteUserPoolDomain."""
    domain = _domain_param(body)
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    description = backend.store.get_domain(domain)
    if description is None or description["UserPoolId"] != pool["Id"]:
        raise errors.InvalidParameterException(f"No such domain or user pool exists: {domain}")
    backend.store.delete_domain(domain)
    return {}


@OPERATIONS.operation("UpdateUserPoolDomain")
def update_user_pool_domain(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """UpdateUserPoolDomain: the managed-login version, and a custom domain's certificate."""
    domain = _domain_param(body)
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    description = backend.store.get_domain(domain)
    if description is None or description["UserPoolId"] != pool["Id"]:
        raise errors.InvalidParameterException(f"No such domain or user pool exists: {domain}")
    config = body.get("CustomDomainConfig")
    if isinstance(config, dict):
        if not is_custom_domain(domain):
            raise errors.InvalidParameterException(
                f"CustomDomainConfig applies to custom domains only; {domain} is a prefix domain."
            )
        description["CustomDomainConfig"] = dict(config)
    version = body.get("ManagedLoginVersion")
    if isinstance(version, int):
        description["ManagedLoginVersion"] = version
    backend.store.put_domain(domain, pool["Id"], description)
    result: dict[str, Any] = {"ManagedLoginVersion": description.get("ManagedLoginVersion", 1)}
    if is_custom_domain(domain):
        result["CloudFrontDomain"] = description["CloudFrontDistribution"]
    return result


def domain_pool(backend: Backend, domain: str) -> dict[str, Any] | None:
    """The description of a served domain (prefix or custom), or ``None`` (Hosted UI routing)."""
    return backend.store.get_domain(domain)
