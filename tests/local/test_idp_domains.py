"""User pool domains, prefix and custom, through boto3's cognito-idp client over loopback HTTP."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.e2e

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def _new_pool(cognito_idp: Any) -> str:
    return str(cognito_idp.create_user_pool(PoolName="domains")["UserPool"]["Id"])


def _custom_name() -> str:
    return f"auth-{secrets.token_hex(4)}.example.com"


def test_custom_domain_is_created_described_and_reported_by_the_pool(cognito_idp: Any) -> None:
    pool_id = _new_pool(cognito_idp)
    domain = _custom_name()
    created = cognito_idp.create_user_pool_domain(
        UserPoolId=pool_id, Domain=domain, CustomDomainConfig={"CertificateArn": CERTIFICATE}
    )
    assert re.fullmatch(r"d[a-z0-9]{13}\.cloudfront\.net", created["CloudFrontDomain"])
    description = cognito_idp.describe_user_pool_domain(Domain=domain)["DomainDescription"]
    assert description["Domain"] == domain
    assert description["UserPoolId"] == pool_id
    assert description["CustomDomainConfig"] == {"CertificateArn": CERTIFICATE}
    assert description["CloudFrontDistribution"] == created["CloudFrontDomain"]
    assert description["Status"] == "ACTIVE"
    pool = cognito_idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["CustomDomain"] == domain
    assert "Domain" not in pool  # that member is the prefix domain only


def test_a_pool_has_one_prefix_and_one_custom_domain(cognito_idp: Any) -> None:
    pool_id = _new_pool(cognito_idp)
    prefix, custom = f"login-{secrets.token_hex(4)}", _custom_name()
    prefix_answer = cognito_idp.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    assert "CloudFrontDomain" not in prefix_answer
    config = {"CertificateArn": CERTIFICATE}
    cognito_idp.create_user_pool_domain(
        UserPoolId=pool_id, Domain=custom, CustomDomainConfig=config
    )
    pool = cognito_idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert (pool["Domain"], pool["CustomDomain"]) == (prefix, custom)
    with pytest.raises(ClientError) as caught:
        cognito_idp.create_user_pool_domain(
            UserPoolId=pool_id, Domain=_custom_name(), CustomDomainConfig=config
        )
    assert _error(caught) == (
        "InvalidParameterException",
        f"User pool {pool_id} already has a domain configured.",
    )
    other = _new_pool(cognito_idp)
    with pytest.raises(ClientError) as caught:
        cognito_idp.create_user_pool_domain(
            UserPoolId=other, Domain=custom, CustomDomainConfig=config
        )
    assert _error(caught) == (
        "InvalidParameterException",
        "Domain already associated with another user pool.",
    )
    cognito_idp.delete_user_pool_domain(UserPoolId=pool_id, Domain=custom)
    pool = cognito_idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Domain"] == prefix and "CustomDomain" not in pool
    assert cognito_idp.describe_user_pool_domain(Domain=custom)["DomainDescription"] == {}


def test_a_dotted_prefix_fails_the_published_pattern(cognito_idp: Any) -> None:
    pool_id = _new_pool(cognito_idp)
    with pytest.raises(ClientError) as caught:
        cognito_idp.create_user_pool_domain(UserPoolId=pool_id, Domain="auth.example.com")
    assert _error(caught) == (
        "InvalidParameterException",
        "1 validation error detected: Value 'auth.example.com' at 'domain' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: "
        r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$",
    )


@pytest.mark.parametrize("domain", ["justaprefix", "Auth.Example.com", "auth..example.com"])
def test_a_custom_domain_must_be_a_lowercase_qualified_name(cognito_idp: Any, domain: str) -> None:
    pool_id = _new_pool(cognito_idp)
    with pytest.raises(ClientError) as caught:
        cognito_idp.create_user_pool_domain(
            UserPoolId=pool_id, Domain=domain, CustomDomainConfig={"CertificateArn": CERTIFICATE}
        )
    code, message = _error(caught)
    assert code == "InvalidParameterException"
    assert "not a fully qualified domain name" in message


def test_describe_rejects_what_is_neither_prefix_nor_domain(cognito_idp: Any) -> None:
    with pytest.raises(ClientError) as caught:
        cognito_idp.describe_user_pool_domain(Domain="-bad-")
    code, message = _error(caught)
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected: Value '-bad-' at 'domain'")


def test_a_domain_is_deleted_only_through_its_own_pool(cognito_idp: Any) -> None:
    owner, other = _new_pool(cognito_idp), _new_pool(cognito_idp)
    prefix = f"owned-{secrets.token_hex(4)}"
    cognito_idp.create_user_pool_domain(UserPoolId=owner, Domain=prefix)
    for pool_id, domain in ((other, prefix), (owner, f"nobody-{secrets.token_hex(4)}")):
        with pytest.raises(ClientError) as caught:
            cognito_idp.delete_user_pool_domain(UserPoolId=pool_id, Domain=domain)
        assert _error(caught) == (
            "InvalidParameterException",
            f"No such domain or user pool exists: {domain}",
        )
    assert cognito_idp.describe_user_pool_domain(Domain=prefix)["DomainDescription"]
    cognito_idp.delete_user_pool_domain(UserPoolId=owner, Domain=prefix)
    assert cognito_idp.describe_user_pool_domain(Domain=prefix)["DomainDescription"] == {}
