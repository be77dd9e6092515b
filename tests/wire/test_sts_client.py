"""``pyamplify.wire.sts``: GetCallerIdentity signed by our SigV4 signer, verified by the local
STS (which recomputes the signature), with boto3's answer as the reference."""

from __future__ import annotations

from typing import Any

import pytest

from pyamplify.auth import Auth
from pyamplify.local.testing import UNAUTH_ROLE_ARN, provision_identity_pool, provision_pool
from pyamplify.storage import MemoryStore
from pyamplify.wire.errors import ProtocolError
from pyamplify.wire.sigv4 import AwsCredentials
from pyamplify.wire.sts import StsError, get_caller_identity, sts_endpoint

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def guest_credentials(local_cognito: Any) -> AwsCredentials:
    pool = provision_pool(local_cognito.url, name="sts-client")
    _, config = provision_identity_pool(local_cognito.url, pool)
    with Auth(config, store=MemoryStore()) as auth:
        creds = auth.fetch_aws_credentials()
    return AwsCredentials(creds.access_key_id, creds.secret_access_key, creds.session_token)


def test_caller_identity_is_the_guest_role_and_matches_boto3(
    local_cognito: Any, guest_credentials: AwsCredentials
) -> None:
    ours = get_caller_identity(guest_credentials, region="us-east-1", url=local_cognito.url)
    role = UNAUTH_ROLE_ARN.rsplit("/", 1)[1]
    assert ours.arn == f"arn:aws:sts::123456789012:assumed-role/{role}/CognitoIdentityCredentials"
    boto3 = pytest.importorskip("boto3")
    reference = boto3.client(
        "sts",
        endpoint_url=local_cognito.url,
        region_name="us-east-1",
        aws_access_key_id=guest_credentials.access_key_id,
        aws_secret_access_key=guest_credentials.secret_access_key,
        aws_session_token=guest_credentials.session_token,
    ).get_caller_identity()
    assert (ours.arn, ours.user_id, ours.account) == (
        reference["Arn"],
        reference["UserId"],
        reference["Account"],
    )


def test_a_tampered_secret_or_token_is_refused(
    local_cognito: Any, guest_credentials: AwsCredentials
) -> None:
    secret = guest_credentials.secret_access_key
    tampered = AwsCredentials(
        guest_credentials.access_key_id, secret[::-1], guest_credentials.session_token
    )
    with pytest.raises(StsError) as caught:
        get_caller_identity(tampered, region="us-east-1", url=local_cognito.url)
    assert (caught.value.code, caught.value.status) == ("SignatureDoesNotMatch", 403)
    no_token = AwsCredentials(guest_credentials.access_key_id, secret, None)
    with pytest.raises(StsError, match="InvalidClientTokenId"):
        get_caller_identity(no_token, region="us-east-1", url=local_cognito.url)
    assert secret not in str(caught.value)


def test_a_non_sts_answer_is_a_protocol_error(
    local_cognito: Any, guest_credentials: AwsCredentials
) -> None:
    with pytest.raises(ProtocolError):
        get_caller_identity(
            guest_credentials, region="us-east-1", url=local_cognito.url + "/_local/outbox"
        )
    assert sts_endpoint("eu-west-1") == "https://sts.eu-west-1.amazonaws.com/"


def test_a_token_httpx_refuses_to_send_is_not_quoted(local_cognito: Any) -> None:
    from pyamplify.wire.errors import ConnectError

    token = "token-line\nSECRET-PART-OF-THE-TOKEN"
    credentials = AwsCredentials("ASIAEXAMPLE", "secret-key", token)
    with pytest.raises(ConnectError, match="LocalProtocolError") as caught:
        get_caller_identity(credentials, region="us-east-1", url=local_cognito.url)
    assert "SECRET-PART-OF-THE-TOKEN" not in str(caught.value)
