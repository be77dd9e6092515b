"""The interactive walk-through on a real pseudo-terminal (pexpect), as a person meets it.

The module's local Cognito holds only the pools made here, so the lists the walk-through shows
are exactly these: a valid pool with a web client and two native clients (one whose OAuth
settings disagree with the web client's), an invalid pool (no app client without a secret),
and a small valid pool.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import boto3_client

from .e2e import OAUTH_CLIENT, make_identity_pool, make_pool

pexpect = pytest.importorskip("pexpect")
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.name != "posix", reason="needs a pty")]


@dataclass(frozen=True)
class Shop:
    """The pools of this module."""

    url: str
    prod: Any
    staging: Any
    blog: Any
    identity_pool_id: str


@pytest.fixture(scope="module")
def shop(local_cognito: Any) -> Shop:
    idp = boto3_client("cognito-idp", local_cognito.url)
    identity = boto3_client("cognito-identity", local_cognito.url)
    odd_oauth = {**OAUTH_CLIENT, "CallbackURLs": ["https://ios.example.com/callback"]}
    prod = make_pool(
        idp,
        {
            "shop-web": OAUTH_CLIENT,
            "shop-ios": {**odd_oauth, "GenerateSecret": True},
            "shop-android": {**OAUTH_CLIENT, "GenerateSecret": True},
        },
        name="shop-prod",
        domain=f"shopprod{os.getpid()}",
    )
    staging = make_pool(idp, {"staging-app": {"GenerateSecret": True}}, name="shop-staging")
    blog = make_pool(idp, {"blog-app": {}}, name="blog")
    ids = make_identity_pool(
        identity,
        [
            (prod.pool_id, prod.client_id("shop-web")),
            (prod.pool_id, prod.client_id("shop-android")),
            (blog.pool_id, blog.client_id("blog-app")),
        ],
    )
    return Shop(local_cognito.url, prod, staging, blog, ids)


def spawn(shop: Shop, tmp_path: Path, *extra: str) -> Any:
    """``pyamplify import auth`` in a new process on a pseudo-terminal."""
    args = [
        "-m",
        "pyamplify",
        "import",
        "auth",
        "--endpoint-url",
        shop.url,
        "--region",
        "us-east-1",
    ]
    return pexpect.spawn(
        sys.executable,
        [*args, *extra],
        cwd=str(tmp_path),
        env=dict(os.environ),
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
    )


def answer(child: Any, question: str, reply: str) -> None:
    """Wait for ``question`` and its input line, then type ``reply``."""
    child.expect_exact(question)
    child.expect_exact("Type a number or part of a name")
    child.sendline(reply)


def test_choose_among_pools_and_clients_with_the_oauth_loop(shop: Shop, tmp_path: Path) -> None:
    child = spawn(shop, tmp_path)
    answer(child, "What type of auth resource do you want to import?", "1")
    child.expect_exact("Select the User Pool you want to import:")
    for label in (f"blog ({shop.blog.pool_id})", f"shop-prod ({shop.prod.pool_id})"):
        child.expect_exact(label)
    child.expect_exact("Type a number or part of a name")
    child.sendline("staging")  # the invalid pool: refused with the reason, asked again
    child.expect_exact("✖ The selected Cognito User Pool does not have at least 1 Web app client")
    answer(child, "Select the User Pool you want to import:", "prod")
    child.expect_exact("✔ Only one Web app client found: 'shop-web' was automatically selected.")
    child.expect_exact(f"shop-ios ({shop.prod.client_id('shop-ios')}) (has app client secret)")
    child.expect_exact("Type a number or part of a name")
    child.sendline("ios")  # its callback URL differs from the web client's
    child.expect_exact("The following OAuth properties are not matching:")
    child.expect_exact("| Callback URLs")
    child.expect_exact("https://ios.example.com/callback")
    child.expect_exact("Select new app clients")
    answer(child, "Select a Native client to import:", "android")
    child.expect_exact("✔ Only one Identity Pool resource found")
    child.expect_exact(
        "warning: app client 'shop-android' has a client secret, which is not written"
    )
    child.expect_exact("✅ Cognito User Pool 'shop-prod' and Identity Pool")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    plugin = json.loads((tmp_path / "amplifyconfiguration.json").read_text())["auth"]["plugins"][
        "awsCognitoAuthPlugin"
    ]
    assert plugin["CognitoUserPool"]["Default"]["AppClientId"] == shop.prod.client_id(
        "shop-android"
    )
    assert plugin["CredentialsProvider"]["CognitoIdentity"]["Default"]["PoolId"] == (
        shop.identity_pool_id
    )
    oauth = plugin["Auth"]["Default"]["OAuth"]
    assert "/_domain/shopprod" in oauth["WebDomain"] and oauth["Scopes"] == [
        "openid",
        "email",
        "profile",
    ]


def test_user_pool_only_by_number_and_same_client_question(shop: Shop, tmp_path: Path) -> None:
    child = spawn(shop, tmp_path, "--format", "gen2")
    answer(child, "What type of auth resource do you want to import?", "2")
    answer(child, "Select the User Pool you want to import:", "1")  # sorted: blog first
    child.expect_exact("✔ Only one Web app client found: 'blog-app' was automatically selected.")
    child.expect_exact("✔ Only one Native app client found: 'blog-app' was automatically selected.")
    child.expect_exact("It is recommended to use different app client for web and native")
    child.expect_exact("✅ Cognito User Pool 'blog' was successfully imported.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    outputs = json.loads((tmp_path / "amplify_outputs.json").read_text())
    assert outputs["auth"]["user_pool_id"] == shop.blog.pool_id
    assert "identity_pool_id" not in outputs["auth"]


def test_end_of_input_stops_cleanly(shop: Shop, tmp_path: Path) -> None:
    child = spawn(shop, tmp_path)
    child.expect_exact("What type of auth resource do you want to import?")
    child.expect_exact("Type a number or part of a name")
    child.sendeof()
    child.expect_exact("the input ended before the walk-through finished")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert not (tmp_path / "amplifyconfiguration.json").exists()
