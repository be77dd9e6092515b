"""The AWS Mobile SDK's awsconfiguration.json: the Gen 1 plugin body without its wrapper, read by
the same rules, its problems located at the top-level paths."""

from __future__ import annotations

from typing import Any

from .conftest import Loader, drop, put

Doc = dict[str, Any]
USER_POOL = ("CognitoUserPool", "Default")


def test_the_same_pools_as_gen1_load_equal(gen1: Doc, mobile: Doc, load: Loader) -> None:
    from_gen1, _ = load.ok(gen1)
    from_mobile, warnings = load.ok(mobile)
    assert warnings == []
    assert from_mobile == from_gen1
    assert from_mobile.source_format == "awsconfiguration"


def test_problems_are_located_at_top_level_paths(mobile: Doc, load: Loader) -> None:
    problem = load.one_problem(put(mobile, (*USER_POOL, "PoolId"), "<your-user-pool-id>"))
    assert problem.path == "$.CognitoUserPool.Default.PoolId"
    assert 'placeholder "<your-user-pool-id>" left in' in problem.message
    assert problem.line is not None


def test_an_identity_pool_alone_is_read(mobile: Doc, load: Loader) -> None:
    drop(mobile, ("CognitoUserPool",))
    drop(mobile, ("Auth",))
    config, _ = load.ok(mobile)
    assert config.user_pool is None and config.identity_pool is not None


def test_a_file_with_only_the_identity_manager_names_what_is_missing(load: Loader) -> None:
    problem = load.one_problem({"UserAgent": "aws-amplify/cli", "IdentityManager": {"Default": {}}})
    assert problem.path == "$"
    assert "neither a user pool (CognitoUserPool) nor an identity pool" in problem.message


def test_the_other_services_the_cli_writes_are_silent(mobile: Doc, load: Loader) -> None:
    mobile["S3TransferUtility"] = {"Default": {"Bucket": "b", "Region": "eu-west-1"}}
    mobile["GoogleSignIn"] = {"Permissions": "email,profile,openid", "ClientId-WebApp": "x"}
    mobile["Lex"] = {"Bot": {"Name": "Bot", "Alias": "$LATEST", "Region": "eu-west-1"}}
    _, warnings = load.ok(mobile)
    assert warnings == []
