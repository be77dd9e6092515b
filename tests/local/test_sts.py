"""The local STS: GetCallerIdentity signed by botocore with minted credentials, over loopback."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock
from pyamplify.local.identity.credentials import TTL_TAG

from .identity_fixtures import (
    new_identity_pool,
    new_signed_in,
    sts_client,
)

pytestmark = pytest.mark.e2e

NS = {"sts": "https://sts.amazonaws.com/doc/2011-06-15/"}
QUERY = "Action=GetCallerIdentity&Version=2011-06-15"


@pytest.fixture
def credentials(
    cognito_idp: Any,
    new_user_pool: Any,
    new_user: Any,
    user_pool: Any,
    cognito_identity: Any,
    clock: ManualClock,
) -> dict[str, Any]:
    """Signed-in credentials (authenticated role) valid for 120 seconds."""
    user = new_signed_in(cognito_idp, new_user_pool, new_user, pool=user_pool)
    pool_id = new_identity_pool(cognito_identity, [user_pool], tags={TTL_TAG: "120"})
    identity = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    answer = cognito_identity.get_credentials_for_identity(IdentityId=identity, Logins=user.logins)
    return dict(answer["Credentials"])


def _sts_error(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_get_caller_identity_returns_the_assumed_role(
    local_cognito: LocalCognito, credentials: dict[str, Any]
) -> None:
    answer = sts_client(local_cognito.url, credentials).get_caller_identity()
    assert answer["Arn"] == (
        "arn:aws:sts::123456789012:assumed-role/CognitoAuthenticated/CognitoIdentityCredentials"
    )
    assert answer["Account"] == "123456789012"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}:CognitoIdentityCredentials", answer["UserId"])


def test_guest_credentials_act_as_the_unauthenticated_role(
    local_cognito: LocalCognito, cognito_identity: Any, user_pool: Any, clock: ManualClock
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user_pool])
    guest = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    minted = cognito_identity.get_credentials_for_identity(IdentityId=guest)["Credentials"]
    arn = sts_client(local_cognito.url, minted).get_caller_identity()["Arn"]
    assert arn.endswith(":assumed-role/CognitoUnauthenticated/CognitoIdentityCredentials")


def test_role_id_is_stable_per_role(
    local_cognito: LocalCognito, cognito_identity: Any, user_pool: Any, clock: ManualClock
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user_pool])
    user_ids = set()
    for _ in range(2):
        guest = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
        minted = cognito_identity.get_credentials_for_identity(IdentityId=guest)["Credentials"]
        user_ids.add(sts_client(local_cognito.url, minted).get_caller_identity()["UserId"])
    assert len(user_ids) == 1


def test_tampered_secret_does_not_match(
    local_cognito: LocalCognito, credentials: dict[str, Any]
) -> None:
    secret = credentials["SecretKey"]
    tampered = ("A" if secret[0] != "A" else "B") + secret[1:]
    client = sts_client(local_cognito.url, credentials, secret_key=tampered)
    code, message, status = _sts_error(client.get_caller_identity)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match")


def test_wrong_session_token_is_invalid(
    local_cognito: LocalCognito, credentials: dict[str, Any]
) -> None:
    client = sts_client(local_cognito.url, credentials, session_token="forged-session-token")
    assert _sts_error(client.get_caller_identity) == (
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
        403,
    )


def test_unknown_access_key_is_invalid(
    local_cognito: LocalCognito, credentials: dict[str, Any]
) -> None:
    client = sts_client(local_cognito.url, credentials, access_key="ASIAAAAAAAAAAAAAAAAA")
    code, _message, status = _sts_error(client.get_caller_identity)
    assert (code, status) == ("InvalidClientTokenId", 403)


def test_expired_credentials(
    local_cognito: LocalCognito, credentials: dict[str, Any], clock: ManualClock
) -> None:
    expires = credentials["Expiration"].timestamp()
    assert expires == int(clock()) + 120  # the pool's credentials-ttl tag
    client = sts_client(local_cognito.url, credentials)
    clock.set(expires - 1)
    assert client.get_caller_identity()["Arn"].endswith("/CognitoIdentityCredentials")
    clock.set(expires)
    assert _sts_error(client.get_caller_identity) == (
        "ExpiredToken",
        "The security token included in the request is expired",
        403,
    )


def test_server_wide_ttl_from_the_environment(
    cognito_identity: Any, user_pool: Any, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYAMPLIFY_LOCAL_CREDENTIALS_TTL", "900")
    pool_id = new_identity_pool(cognito_identity, [user_pool])
    guest = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    minted = cognito_identity.get_credentials_for_identity(IdentityId=guest)["Credentials"]
    assert minted["Expiration"].timestamp() == int(clock()) + 900


def test_unsigned_request_is_missing_authentication(local_cognito: LocalCognito) -> None:
    response = httpx.post(
        local_cognito.url,
        content=QUERY,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.text)
    assert root.tag == "{https://sts.amazonaws.com/doc/2011-06-15/}ErrorResponse"
    assert root.findtext("sts:Error/sts:Type", namespaces=NS) == "Sender"
    assert root.findtext("sts:Error/sts:Code", namespaces=NS) == "MissingAuthenticationToken"
    assert root.findtext("sts:Error/sts:Message", namespaces=NS) == (
        "Request is missing Authentication Token"
    )
    assert root.findtext("sts:RequestId", namespaces=NS) == response.headers["x-amzn-requestid"]


def _signed(url: str, credentials: dict[str, Any], method: str, service: str = "sts") -> AWSRequest:
    """A request signed by botocore's own SigV4 signer."""
    if method == "GET":
        request = AWSRequest(method="GET", url=f"{url}/?{QUERY}")
    else:
        request = AWSRequest(
            method="POST",
            url=f"{url}/",
            data=QUERY,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
    signer_credentials = Credentials(
        credentials["AccessKeyId"], credentials["SecretKey"], credentials["SessionToken"]
    )
    SigV4Auth(signer_credentials, service, "us-east-1").add_auth(request)
    return request


def _send(request: AWSRequest) -> httpx.Response:
    return httpx.request(
        request.method,
        request.url,
        headers=dict(request.headers.items()),
        content=request.body or b"",
    )


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_signed_get_and_post_answer_in_stss_xml(
    local_cognito: LocalCognito, credentials: dict[str, Any], method: str
) -> None:
    response = _send(_signed(local_cognito.url, credentials, method))
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.text)
    assert root.tag == "{https://sts.amazonaws.com/doc/2011-06-15/}GetCallerIdentityResponse"
    result = "sts:GetCallerIdentityResult/sts:"
    assert root.findtext(result + "Account", namespaces=NS) == "123456789012"
    assert root.findtext(result + "Arn", namespaces=NS) == (
        "arn:aws:sts::123456789012:assumed-role/CognitoAuthenticated/CognitoIdentityCredentials"
    )
    assert root.findtext("sts:ResponseMetadata/sts:RequestId", namespaces=NS)


def test_credentials_scoped_to_another_service_do_not_match(
    local_cognito: LocalCognito, credentials: dict[str, Any]
) -> None:
    response = _send(_signed(local_cognito.url, credentials, "POST", service="s3"))
    assert response.status_code == 403
    code = ET.fromstring(response.text).findtext("sts:Error/sts:Code", namespaces=NS)
    assert code == "SignatureDoesNotMatch"


def test_a_changed_body_does_not_match(
    local_cognito: LocalCognito, credentials: dict[str, Any]
) -> None:
    request = _signed(local_cognito.url, credentials, "POST")
    response = httpx.post(
        local_cognito.url, headers=dict(request.headers.items()), content=QUERY + "&Extra=1"
    )
    assert response.status_code == 403
    code = ET.fromstring(response.text).findtext("sts:Error/sts:Code", namespaces=NS)
    assert code == "SignatureDoesNotMatch"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("Action=AssumeRoleWithWebIdentity&Version=2011-06-15", "InvalidAction"),
        ("Action=GetCallerIdentity&Version=1999-01-01", "InvalidAction"),
        ("Version=2011-06-15", "MissingAction"),
    ],
)
def test_unknown_actions(local_cognito: LocalCognito, body: str, code: str) -> None:
    response = httpx.post(
        local_cognito.url,
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert ET.fromstring(response.text).findtext("sts:Error/sts:Code", namespaces=NS) == code


def test_json_calls_and_the_index_still_work(local_cognito: LocalCognito) -> None:
    assert httpx.get(local_cognito.url + "/").json()["service"]
    response = httpx.post(
        local_cognito.url,
        headers={
            "X-Amz-Target": "AWSCognitoIdentityService.GetId",
            "Content-Type": "application/x-amz-json-1.1",
        },
        content='{"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000"}',
    )
    assert response.json()["__type"] == "ResourceNotFoundException"


def test_declared_payload_hash_must_match_the_body(
    local_cognito: LocalCognito, credentials: dict[str, Any]
) -> None:
    request = AWSRequest(
        method="POST",
        url=f"{local_cognito.url}/",
        data=QUERY,
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "X-Amz-Content-SHA256": hashlib.sha256(QUERY.encode()).hexdigest(),
        },
    )
    signer_credentials = Credentials(
        credentials["AccessKeyId"], credentials["SecretKey"], credentials["SessionToken"]
    )
    SigV4Auth(signer_credentials, "sts", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    assert httpx.post(local_cognito.url, headers=headers, content=QUERY).status_code == 200
    altered = httpx.post(local_cognito.url, headers=headers, content=QUERY + "&Extra=1")
    assert altered.status_code == 403
    code = ET.fromstring(altered.text).findtext("sts:Error/sts:Code", namespaces=NS)
    assert code == "SignatureDoesNotMatch"


def _presigned_get(url: str, credentials: dict[str, Any]) -> str:
    """A GET URL presigned by botocore's SigV4QueryAuth (what EKS-style tokens carry)."""
    request = AWSRequest(method="GET", url=f"{url}/?{QUERY}")
    signer_credentials = Credentials(
        credentials["AccessKeyId"], credentials["SecretKey"], credentials["SessionToken"]
    )
    SigV4QueryAuth(signer_credentials, "sts", "us-east-1", expires=60).add_auth(request)
    return str(request.url)


def _arn_or_code(response: httpx.Response) -> str | None:
    root = ET.fromstring(response.text)
    return root.findtext("sts:GetCallerIdentityResult/sts:Arn", namespaces=NS) or root.findtext(
        "sts:Error/sts:Code", namespaces=NS
    )


def test_presigned_get_caller_identity(
    local_cognito: LocalCognito, credentials: dict[str, Any]
) -> None:
    arn = "arn:aws:sts::123456789012:assumed-role/CognitoAuthenticated/CognitoIdentityCredentials"
    url = _presigned_get(local_cognito.url, credentials)
    assert "X-Amz-Signature=" in url and "X-Amz-Security-Token=" in url
    assert _arn_or_code(httpx.get(url)) == arn
    # boto3's generate_presigned_url signs the operation's method, POST (STS verifies the
    # method actually used, so that URL works with POST).
    boto_url = sts_client(local_cognito.url, credentials).generate_presigned_url(
        "get_caller_identity", ExpiresIn=60
    )
    assert _arn_or_code(httpx.post(boto_url)) == arn
    assert _arn_or_code(httpx.get(boto_url)) == "SignatureDoesNotMatch"
    signature = url.rsplit("X-Amz-Signature=", 1)[1]
    forged = url.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:])
    refused = httpx.get(forged)
    assert refused.status_code == 403
    assert _arn_or_code(refused) == "SignatureDoesNotMatch"


def test_presigned_url_lives_fifteen_minutes(
    local_cognito: LocalCognito, cognito_identity: Any, user_pool: Any, clock: ManualClock
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user_pool])  # one-hour credentials
    guest = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    minted = cognito_identity.get_credentials_for_identity(IdentityId=guest)["Credentials"]
    url = _presigned_get(local_cognito.url, minted)  # X-Amz-Expires=60, which STS ignores:
    clock.advance(14 * 60)  # a presigned STS URL works for 15 minutes after X-Amz-Date
    assert httpx.get(url).status_code == 200
    clock.advance(2 * 60)
    late = httpx.get(url)
    assert late.status_code == 403
    assert _arn_or_code(late) == "SignatureDoesNotMatch"


def test_other_registered_query_actions_still_dispatch(local_cognito: LocalCognito) -> None:
    from starlette.responses import PlainTextResponse

    seen: list[tuple[dict[str, str], bool]] = []

    def ping(params: dict[str, str], info: Any) -> Any:
        seen.append((params, info.signed))
        return PlainTextResponse("pong")

    local_cognito.registry.register_query_action("Ping", ping)
    try:
        response = httpx.post(
            local_cognito.url,
            content="Action=Ping&Who=me",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    finally:
        del local_cognito.registry.query_actions["Ping"]
    assert response.text == "pong"
    assert seen == [({"Action": "Ping", "Who": "me"}, False)]
