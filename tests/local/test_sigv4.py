"""SigV4 verification checked against botocore's signer (code we did not write)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pyamplify.local.sts.sigv4 import SignatureError, SignedRequest, verify

KEY_ID = "ASIAEXAMPLEKEY000001"
SECRET = "s" * 40


def signed(
    secret: str = SECRET, *, url: str = "http://127.0.0.1:9229/", body: bytes | None = None
) -> SignedRequest:
    payload = body if body is not None else b"Action=GetCallerIdentity&Version=2011-06-15"
    request = AWSRequest(
        method="POST",
        url=url,
        data=payload,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(KEY_ID, secret, "session-token"), "sts", "us-east-1").add_auth(request)
    prepared = request.prepare()
    path, _, query = url.split("://", 1)[1].partition("/")[2].partition("?")
    return SignedRequest(
        method="POST",
        path="/" + path,
        query=query,
        headers=[(name, str(value)) for name, value in prepared.headers.items()]
        + [("host", url.split("://", 1)[1].split("/", 1)[0])],
        body=payload,
    )


def now() -> datetime:
    return datetime.now(timezone.utc)


def test_botocore_signature_verifies() -> None:
    credential = verify(signed(), {KEY_ID: SECRET}, now=now())
    assert (credential.access_key_id, credential.region, credential.service) == (
        KEY_ID,
        "us-east-1",
        "sts",
    )


def test_query_string_requests_verify() -> None:
    request = signed(url="http://127.0.0.1:9229/?Action=GetCallerIdentity&Version=2011-06-15")
    assert verify(request, {KEY_ID: SECRET}, now=now()).access_key_id == KEY_ID


def test_wrong_secret_is_signature_mismatch() -> None:
    with pytest.raises(SignatureError) as error:
        verify(signed(secret="t" * 40), {KEY_ID: SECRET}, now=now())
    assert error.value.code == "SignatureDoesNotMatch"


def test_tampered_body_is_signature_mismatch() -> None:
    request = signed()
    tampered = SignedRequest(
        request.method, request.path, request.query, request.headers, request.body + b"&x=1"
    )
    with pytest.raises(SignatureError) as error:
        verify(tampered, {KEY_ID: SECRET}, now=now())
    assert error.value.code == "SignatureDoesNotMatch"


def test_unknown_key_is_invalid_client_token() -> None:
    with pytest.raises(SignatureError) as error:
        verify(signed(), {}, now=now())
    assert error.value.code == "InvalidClientTokenId"
    assert str(error.value) == "The security token included in the request is invalid."


def test_stale_date_is_refused() -> None:
    with pytest.raises(SignatureError):
        verify(signed(), {KEY_ID: SECRET}, now=now() + timedelta(minutes=20))


def test_missing_authorization_header() -> None:
    request = SignedRequest("POST", "/", "", [("host", "127.0.0.1")], b"")
    with pytest.raises(SignatureError) as error:
        verify(request, {KEY_ID: SECRET}, now=now())
    assert error.value.code == "MissingAuthenticationToken"


def test_content_hash_header_must_match_the_body() -> None:
    request = signed()
    forged_hash = "0" * 64
    tampered = SignedRequest(
        request.method,
        request.path,
        request.query,
        [*request.headers, ("x-amz-content-sha256", forged_hash)],
        request.body,
    )
    with pytest.raises(SignatureError) as error:
        verify(tampered, {KEY_ID: SECRET}, now=now())
    assert error.value.code == "SignatureDoesNotMatch"
