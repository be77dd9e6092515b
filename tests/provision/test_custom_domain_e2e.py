"""``pyamplify import auth`` keeps a pool's custom domain as the OAuth WebDomain, end to end.

The pool is set up through boto3 against the local Cognito as it would be in AWS: a Hosted UI
client, a prefix domain and a custom domain (``CustomDomainConfig``). DescribeUserPool reports
them as ``Domain`` and ``CustomDomain``; the Amplify CLI writes the custom one, and so must we.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest

from pyamplify.config import load_config

from .e2e import OAUTH_CLIENT, Runner, make_pool

pytestmark = pytest.mark.e2e

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"


def _hosted_pool(idp: Any, *, prefix: bool) -> tuple[str, str, str | None]:
    """A pool with a Hosted UI client and a custom domain (plus a prefix domain if asked)."""
    tag = secrets.token_hex(4)
    prefix_domain = f"login-{tag}" if prefix else None
    pool = make_pool(idp, {"web": OAUTH_CLIENT}, domain=prefix_domain)
    custom = f"auth-{tag}.example.com"
    idp.create_user_pool_domain(
        UserPoolId=pool.pool_id, Domain=custom, CustomDomainConfig={"CertificateArn": CERTIFICATE}
    )
    return pool.pool_id, custom, prefix_domain


def test_custom_domain_wins_over_the_prefix_domain(idp: Any, cli: Runner) -> None:
    pool_id, custom, prefix = _hosted_pool(idp, prefix=True)
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert (described["Domain"], described["CustomDomain"]) == (prefix, custom)
    code, _, err = cli("import", "auth", "--user-pool-id", pool_id, "--yes")
    assert code == 0, err
    config = load_config("amplifyconfiguration.json")
    assert config.oauth is not None
    # Written for the local Cognito it was imported from: where it serves that domain.
    assert config.oauth.web_domain.startswith("http://127.0.0.1:")
    assert config.oauth.web_domain.endswith(f"/_domain/{custom}")
    assert config.oauth.sign_in_redirect_uris == tuple(OAUTH_CLIENT["CallbackURLs"])
    assert cli("config", "check", "amplifyconfiguration.json")[0] == 0


def test_custom_domain_alone_in_gen2(idp: Any, cli: Runner) -> None:
    pool_id, custom, _ = _hosted_pool(idp, prefix=False)
    code, out, err = cli(
        "import", "auth", "--user-pool-id", pool_id, "--yes", "--json", "--format", "gen2"
    )
    assert code == 0, err
    document = json.loads(out)
    assert document["config"]["auth"]["oauth"]["domain"].endswith(f"/_domain/{custom}")
