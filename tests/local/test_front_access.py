"""Who may talk to the local Cognito: Host names (DNS rebinding), CORS, strict SigV4.

A review drove the admin API from ``Origin: https://evil.example`` with a junk signature
(``ListUserPools`` and ``AdminSetUserPassword`` answered 200, readable by the page) and read
``/_local/outbox`` under a foreign ``Host``. These tests pin the fix over real HTTP; the same is
shown in Chromium in ``test_front_browser.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from conftest import PoolClient, boto3_client
from pyamplify.local import LocalCognito

pytestmark = pytest.mark.e2e

IDP = "AWSCognitoIdentityProviderService"
JUNK_SIGNATURE = "AWS4-HMAC-SHA256 Credential=AKIDJUNK/20260101/us-east-1/cognito-idp/aws4_request"
EVIL = "https://evil.example"


def post(
    cognito: LocalCognito, operation: str, body: Any, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.post(
        cognito.url + "/",
        content=json.dumps(body).encode(),
        headers={
            "X-Amz-Target": f"{IDP}.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
            **(headers or {}),
        },
    )


# ------------------------------------------------------------------------------- CORS
def test_a_foreign_origin_cannot_read_management_answers(local_cognito: LocalCognito) -> None:
    response = post(
        local_cognito,
        "ListUserPools",
        {"MaxResults": 1},
        {"Origin": EVIL, "Authorization": JUNK_SIGNATURE},
    )
    assert "access-control-allow-origin" not in response.headers


def test_management_answers_carry_no_cors_even_for_loopback_origins(
    local_cognito: LocalCognito,
) -> None:
    """Management calls need SigV4 credentials, which no web page should hold (as on AWS)."""
    response = post(
        local_cognito,
        "ListUserPools",
        {"MaxResults": 1},
        {"Origin": "http://localhost:3000", "Authorization": JUNK_SIGNATURE},
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    ("origin", "asked", "allowed"),
    [
        ("http://localhost:3000", "x-amz-target,content-type,x-amz-user-agent", True),
        ("http://127.0.0.1:5173", "content-type, x-amz-target", True),
        ("http://[::1]:8080", "x-amz-target", True),
        (EVIL, "x-amz-target,content-type", False),
        ("http://localhost.evil.example", "x-amz-target", False),
        ("null", "x-amz-target", False),
        # A page may not even send the headers that sign management calls.
        ("http://localhost:3000", "x-amz-target,authorization", False),
        ("http://localhost:3000", "x-amz-target,x-amz-security-token", False),
    ],
)
def test_the_preflight_allows_loopback_origins_and_unsigned_headers_only(
    local_cognito: LocalCognito, origin: str, asked: str, allowed: bool
) -> None:
    preflight = httpx.options(
        local_cognito.url + "/",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": asked,
        },
    )
    if allowed:
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == origin
        assert "authorization" not in preflight.headers["access-control-allow-headers"]
    else:
        assert preflight.status_code == 403
        assert "access-control-allow-origin" not in preflight.headers


def test_user_plane_answers_are_readable_by_allowed_origins_only(
    local_cognito: LocalCognito, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool()
    body = {"ClientId": pool.client_id, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {}}
    mine = post(local_cognito, "InitiateAuth", body, {"Origin": "http://localhost:5173"})
    assert mine.json()["__type"] == "InvalidParameterException"  # a Cognito error, readable
    assert mine.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "x-amzn-ErrorType" in mine.headers["access-control-expose-headers"]
    assert mine.headers["vary"] == "Origin"
    theirs = post(local_cognito, "InitiateAuth", body, {"Origin": EVIL})
    assert "access-control-allow-origin" not in theirs.headers
    assert "access-control-allow-origin" not in post(local_cognito, "InitiateAuth", body).headers


def test_the_outbox_and_stats_never_carry_cors(local_cognito: LocalCognito) -> None:
    for path in ("/_local/outbox", "/_local/stats", "/_local/triggers", "/"):
        response = httpx.get(local_cognito.url + path, headers={"Origin": "http://localhost:3"})
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers, path


def test_keys_and_discovery_are_readable_by_allowed_origins(
    local_cognito: LocalCognito, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool()
    for document in ("jwks.json", "openid-configuration"):
        url = f"{local_cognito.url}/{pool.pool_id}/.well-known/{document}"
        mine = httpx.get(url, headers={"Origin": "http://localhost:4200"})
        assert mine.headers["access-control-allow-origin"] == "http://localhost:4200"
        assert "access-control-allow-origin" not in httpx.get(url, headers={"Origin": EVIL}).headers


def test_cors_origin_adds_origins_exactly_or_with_any_port() -> None:
    with LocalCognito(cors_origins=["https://app.example.com", "http://app.test:*"]) as cognito:

        def allowed(origin: str) -> bool:
            answer = httpx.options(
                cognito.url + "/",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            )
            return answer.headers.get("access-control-allow-origin") == origin

        assert allowed("https://app.example.com")
        assert allowed("http://app.test:8443") and allowed("http://localhost:3000")
        assert not allowed("https://app.example.com.evil.example")
        assert not allowed("http://app.example.com") and not allowed("https://app.test:1")


# ------------------------------------------------------------------------------- Host
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/_local/outbox"), ("GET", "/_local/stats"), ("POST", "/"), ("GET", "/")],
)
def test_a_foreign_host_is_refused_before_any_route(
    local_cognito: LocalCognito, method: str, path: str
) -> None:
    """DNS rebinding: evil.example re-pointed at 127.0.0.1 sends Host: evil.example."""
    response = httpx.request(
        method,
        local_cognito.url + path,
        headers={
            "Host": f"evil.example:{local_cognito.port}",
            "X-Amz-Target": f"{IDP}.ListUserPools",
            "Authorization": JUNK_SIGNATURE,
        },
        content=b'{"MaxResults": 1}' if method == "POST" else None,
    )
    assert response.status_code == 403
    assert "--allowed-host evil.example" in response.text


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "LOCALHOST.",
        "[::1]",
        "app.localhost",  # browsers resolve every *.localhost to this machine
        "mypool.auth.us-east-1.localhost",
        "mypool.auth.us-east-1.amazoncognito.com",
    ],
)
def test_loopback_names_and_hosted_ui_names_are_served(
    local_cognito: LocalCognito, host: str
) -> None:
    response = httpx.get(
        f"{local_cognito.url}/_local/stats", headers={"Host": f"{host}:{local_cognito.port}"}
    )
    assert response.status_code != 403, host


def test_a_registered_custom_domain_is_a_served_host(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
) -> None:
    pool = new_user_pool()
    headers = {"Host": "auth.access-test.example"}
    assert httpx.get(local_cognito.url + "/login", headers=headers).status_code == 403
    cognito_idp.create_user_pool_domain(
        UserPoolId=pool.pool_id,
        Domain="auth.access-test.example",
        CustomDomainConfig={"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x"},
    )
    assert httpx.get(local_cognito.url + "/login", headers=headers).status_code != 403


def test_allowed_host_adds_names_and_domains() -> None:
    with LocalCognito(allowed_hosts=["dev.example.com", ".corp.test"]) as cognito:

        def status(host: str) -> int:
            return httpx.get(f"{cognito.url}/_local/stats", headers={"Host": host}).status_code

        assert status("dev.example.com") == 200
        assert status("corp.test") == 200 and status("a.b.corp.test:9229") == 200
        assert status("evil.dev.example.com") == 403 and status("notcorp.test") == 403


def test_a_server_on_all_interfaces_answers_its_ip_addresses_but_not_names() -> None:
    with LocalCognito(host="0.0.0.0") as cognito:
        url = f"http://127.0.0.1:{cognito.port}/_local/stats"
        assert httpx.get(url, headers={"Host": "192.0.2.10"}).status_code == 200
        assert httpx.get(url, headers={"Host": "evil.example"}).status_code == 403


# ------------------------------------------------------------------------------- strict auth
STRICT_KEY, STRICT_SECRET = "AKIASTRICTTEST", "strict-secret-for-tests"


@pytest.fixture(scope="module")
def strict() -> Iterator[LocalCognito]:
    with LocalCognito(strict_auth=True, credentials={STRICT_KEY: STRICT_SECRET}) as cognito:
        yield cognito


def strict_client(cognito: LocalCognito, key: str, secret: str, region: str = "us-east-1") -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "cognito-idp",
        endpoint_url=cognito.url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def test_strict_auth_accepts_the_local_credentials(strict: LocalCognito) -> None:
    idp = strict_client(strict, STRICT_KEY, STRICT_SECRET)
    pool_id = idp.create_user_pool(PoolName="strict")["UserPool"]["Id"]
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"] == "strict"


@pytest.mark.parametrize(
    ("key", "secret", "region", "code"),
    [
        ("AKIDLOCALTEST", "local-secret", "us-east-1", "UnrecognizedClientException"),
        (STRICT_KEY, "wrong-secret", "us-east-1", "InvalidSignatureException"),
        (STRICT_KEY, STRICT_SECRET, "eu-west-1", "InvalidSignatureException"),
    ],
)
def test_strict_auth_refuses_other_signatures(
    strict: LocalCognito, key: str, secret: str, region: str, code: str
) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as refused:
        strict_client(strict, key, secret, region).list_user_pools(MaxResults=1)
    assert refused.value.response["Error"]["Code"] == code


def test_strict_auth_refuses_a_signature_that_only_looks_like_one(strict: LocalCognito) -> None:
    for authorization in (JUNK_SIGNATURE, "AWS4-HMAC-SHA256 x"):
        answer = post(strict, "ListUserPools", {"MaxResults": 1}, {"Authorization": authorization})
        assert answer.status_code == 400
        assert answer.json()["__type"] in (
            "InvalidSignatureException",
            "UnrecognizedClientException",
        )
    unsigned = post(strict, "ListUserPools", {"MaxResults": 1})
    assert unsigned.json()["__type"] == "MissingAuthenticationTokenException"


def test_strict_auth_leaves_the_user_plane_unsigned(strict: LocalCognito) -> None:
    idp = strict_client(strict, STRICT_KEY, STRICT_SECRET)
    pool_id = idp.create_user_pool(PoolName="plane")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"][
        "ClientId"
    ]
    signed_up = post(
        strict,
        "SignUp",
        {"ClientId": client_id, "Username": "u", "Password": "Passw0rd!x"},
        {"Authorization": JUNK_SIGNATURE},  # ignored on the user plane, as boto3 never sends it
    )
    assert signed_up.status_code == 200, signed_up.text


def test_strict_auth_makes_credentials_kept_in_the_data_dir(tmp_path: Any) -> None:
    with LocalCognito(tmp_path, strict_auth=True) as first:
        made = first.credentials
        assert made is not None and made.access_key_id.startswith("AKIALOCAL")
        assert made.secret_access_key not in repr(made)
        idp = strict_client(first, made.access_key_id, made.secret_access_key)
        assert idp.list_user_pools(MaxResults=1)["UserPools"] == []
    with LocalCognito(tmp_path, strict_auth=True) as second:
        assert second.credentials == made


def test_without_strict_auth_any_credentials_are_accepted(local_cognito: LocalCognito) -> None:
    idp = boto3_client("cognito-idp", local_cognito.url)
    assert "UserPools" in idp.list_user_pools(MaxResults=1)
