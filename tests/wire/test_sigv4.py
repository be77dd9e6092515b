"""Our SigV4 signer agrees with botocore's (an independent implementation) byte for byte."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pyamplify.wire.call import idp
from pyamplify.wire.sigv4 import AwsCredentials, sign

botocore_auth = pytest.importorskip("botocore.auth")
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402


@pytest.mark.parametrize("token", [None, "session-token-xyz"])
@pytest.mark.parametrize(
    "url", ["https://cognito-idp.eu-west-1.amazonaws.com/", "http://127.0.0.1:9229/"]
)
def test_signature_matches_botocore(token: str | None, url: str) -> None:
    call = idp("CreateUserPool", {"PoolName": "demo", "Policies": {}})
    body = call.body()
    request = AWSRequest(method="POST", url=url, data=body, headers=dict(call.headers()))
    signer = botocore_auth.SigV4Auth(
        Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", token), "cognito-idp", "eu-west-1"
    )
    signer.add_auth(request)
    # Sign at the instant botocore chose, then both must agree byte for byte.
    moment = datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
        tzinfo=timezone.utc
    )
    ours = sign(
        url,
        call.headers(),
        body,
        credentials=AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", token),
        region="eu-west-1",
        service="cognito-idp",
        now=moment,
    )
    assert ours["Authorization"] == request.headers["Authorization"]
    assert ours["X-Amz-Date"] == request.headers["X-Amz-Date"]


def test_repr_hides_the_secret() -> None:
    credentials = AwsCredentials("AKIDEXAMPLE", "very-secret-key", "tok")
    assert "very-secret" not in repr(credentials) and "tok" not in repr(credentials)
