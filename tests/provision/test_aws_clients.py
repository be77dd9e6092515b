"""AWS errors become instructions naming the call and the IAM action; boto3 is optional.

Permission errors are produced by a real HTTP server on loopback that denies one operation
(as IAM would) and forwards every other call to the local Cognito, so botocore's real error
parsing is what the translation sees.
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from conftest import boto3_client
from pyamplify.provision.aws_clients import (
    IDP,
    AwsSettings,
    CognitoApi,
    method_name,
    translate_client_error,
)
from pyamplify.provision.errors import AwsAccessDenied, ProvisionError

from .e2e import make_identity_pool, make_pool, run

DENIED = "GetIdentityPoolRoles"


def _handler(upstream: str) -> type[BaseHTTPRequestHandler]:
    class DenyingProxy(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            target = self.headers.get("x-amz-target", "")
            if target.endswith("." + DENIED):
                payload = json.dumps(
                    {
                        "__type": "AccessDeniedException",
                        "message": "User: arn:aws:iam::123456789012:user/dev is not authorized "
                        f"to perform: cognito-identity:{DENIED} on resource: identitypool",
                    }
                ).encode()
                self.send_response(400)
                self.send_header("content-type", "application/x-amz-json-1.1")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            request = urllib.request.Request(upstream, body, headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, data = response.status, response.read()
            except urllib.error.HTTPError as error:
                status, data = error.code, error.read()
            self.send_response(status)
            self.send_header("content-type", "application/x-amz-json-1.1")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return DenyingProxy


@pytest.fixture(scope="module")
def denying_proxy(local_cognito: Any) -> Iterator[str]:
    """A loopback URL that denies GetIdentityPoolRoles and forwards everything else."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(local_cognito.url))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def pools(local_cognito: Any) -> tuple[str, str]:
    """A user pool with a web client, and an identity pool that accepts it."""
    idp = boto3_client("cognito-idp", local_cognito.url)
    identity = boto3_client("cognito-identity", local_cognito.url)
    pool = make_pool(idp, {"web": {}})
    return pool.pool_id, make_identity_pool(
        identity, [(pool.pool_id, pool.client_id("web"))], guests=True
    )


@pytest.mark.e2e
def test_import_names_the_missing_iam_action(
    denying_proxy: str, pools: tuple[str, str], monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    user_pool, identity_pool = pools
    code, _, err = run(
        monkeypatch,
        capsys,
        "import",
        "auth",
        "--endpoint-url",
        denying_proxy,
        "--yes",
        "--user-pool-id",
        user_pool,
        "--identity-pool-id",
        identity_pool,
    )
    assert code == 1
    assert "AWS denied the GetIdentityPoolRoles call" in err
    assert "lacks the permission cognito-identity:GetIdentityPoolRoles" in err
    assert '"Action": "cognito-identity:GetIdentityPoolRoles"' in err
    assert not (tmp_path / "amplifyconfiguration.json").exists()


@pytest.mark.e2e
def test_doctor_reports_a_denied_check_as_a_finding(
    denying_proxy: str, pools: tuple[str, str], monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    from pyamplify.config import AuthConfig, IdentityPoolConfig, write_config

    path = tmp_path / "amplify_outputs.json"
    write_config(AuthConfig(identity_pool=IdentityPoolConfig(pools[1], "us-east-1")), path, "gen2")
    code, out, _ = run(
        monkeypatch,
        capsys,
        "doctor",
        "--config",
        str(path),
        "--json",
        "--endpoint-url",
        denying_proxy,
    )
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "DoctorFindings"
    (finding,) = error["report"]["findings"]
    assert error["fix"] == finding["fix"]
    assert finding["check"] == "identity-pool-roles"
    assert "cognito-identity:GetIdentityPoolRoles" in finding["fix"]


def test_credentials_errors_and_throttling_are_explained() -> None:
    settings = AwsSettings(profile="dev")
    bad = translate_client_error(
        {
            "Error": {
                "Code": "UnrecognizedClientException",
                "Message": "The security token is invalid.",
            }
        },
        "cognito-idp:ListUserPools",
        settings,
    )
    assert "rejected the credentials of profile 'dev' on the ListUserPools call" in str(bad)
    assert "aws sso login" in str(bad)
    denied = translate_client_error(
        {"Error": {"Code": "AccessDeniedException", "Message": "nope"}},
        "cognito-idp:DescribeUserPoolClient",
        AwsSettings(),
    )
    assert isinstance(denied, AwsAccessDenied)
    assert (
        "your default AWS credentials lacks the permission cognito-idp:DescribeUserPoolClient"
        in str(denied)
    )
    slow = translate_client_error(
        {"Error": {"Code": "TooManyRequestsException"}}, "cognito-idp:ListUserPools", settings
    )
    assert "throttled" in str(slow)
    assert method_name("GetIdentityPoolRoles") == "get_identity_pool_roles"


def test_no_credentials_for_aws_is_explained() -> None:
    api = CognitoApi(AwsSettings(region="us-east-1", endpoint_url="https://cognito.invalid"))
    with pytest.raises(
        ProvisionError, match="no AWS credentials found for cognito-idp:ListUserPools"
    ):
        api.call(IDP, "ListUserPools", MaxResults=1)


def test_unknown_profile_is_explained() -> None:
    with pytest.raises(ProvisionError, match="the AWS profile 'nosuch' does not exist"):
        CognitoApi(AwsSettings(profile="nosuch"))


def test_missing_boto3_says_what_to_install(monkeypatch: Any, capsys: Any, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # `import boto3` now raises ImportError
    code, _, err = run(monkeypatch, capsys, "import", "auth", "--yes", "--region", "us-east-1")
    assert code == 1 and "install pyamplify[boto3]" in err
    path = tmp_path / "amplifyconfiguration.json"
    path.write_text(
        '{"auth": {"plugins": {"awsCognitoAuthPlugin": {"CognitoUserPool": {"Default": '
        '{"PoolId": "us-east-1_AbC", "AppClientId": "abc123", "Region": "us-east-1"}}}}}}'
    )
    code, _, err = run(monkeypatch, capsys, "doctor", "--config", str(path))
    assert code == 1 and "install pyamplify[boto3]" in err and "--offline" in err
    code, out, _ = run(monkeypatch, capsys, "doctor", "--config", str(path), "--offline")
    assert code == 0 and "No findings" in out
