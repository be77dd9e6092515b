"""The Amplify JS keys (aws-exports.js, the web amplifyconfiguration.json), read the way Amplify
JS v6's ``parseAWSExports`` reads them, with the same located problems as the other formats."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pyamplify.config import ConfigError, PasswordPolicy, parse_config

from .conftest import Loader, drop, put, to_js

Doc = dict[str, Any]
OAUTH = ("oauth",)


def test_the_same_pools_as_gen1_load_equal_from_json_and_from_javascript(
    gen1: Doc, web: Doc, load: Loader
) -> None:
    from_gen1, _ = load.ok(gen1)
    from_json, warnings = load.ok(web)
    assert warnings == []
    assert from_json == from_gen1
    assert (from_json.source_format, from_json.source_syntax) == ("aws-exports", "json")
    from_js, warnings = parse_config(to_js(web, style="prettier"), "src/aws-exports.js")
    assert warnings == []
    assert from_js == from_gen1
    assert (from_js.source_format, from_js.source_syntax) == ("aws-exports", "javascript")


def test_the_mapping_is_parse_aws_exports(web: Doc, load: Loader) -> None:
    config, _ = load.ok(web)
    assert config.user_pool is not None and config.oauth is not None
    assert config.user_pool.app_client_id == "3n4b5urk1ft4fl3mg5e62d9ado"
    assert config.oauth.app_client_id == config.user_pool.app_client_id  # the web client
    assert config.oauth.sign_in_redirect_uris == ("myapp://", "http://localhost:3000/")
    assert config.oauth.scopes == ("openid", "email", "api.example.com/read")
    assert config.password_policy == PasswordPolicy(10, require_numbers=True, require_symbols=True)
    assert config.social_providers == ("GOOGLE", "APPLE")
    assert config.authentication_flow_type == "USER_SRP_AUTH"  # Amplify JS's default


def test_regions_come_from_the_pool_ids_and_a_different_cognito_region_only_warns(
    web: Doc, load: Loader
) -> None:
    put(web, ("aws_cognito_region",), "us-east-1")
    config, warnings = load.ok(web)
    assert config.user_pool is not None and config.user_pool.region == "eu-west-1"
    assert config.identity_pool is not None and config.identity_pool.region == "eu-west-1"
    assert [w.path for w in warnings] == ["$.aws_cognito_region", "$.aws_cognito_region"]
    assert (
        'aws_cognito_region is "us-east-1" but aws_user_pools_id "eu-west-1_AbCdEfGhI" is in'
        in (warnings[0].message)
    )
    assert "Amplify JS and pyamplify use the region inside the id" in warnings[0].message


def test_aws_project_region_is_required_as_amplify_js_requires_it(web: Doc, load: Loader) -> None:
    problem = load.one_problem(drop(web, ("aws_project_region",)))
    assert problem.path == "$.aws_project_region"
    assert 'Amplify JS refuses a file with aws_* keys without it ("Invalid config parameter")' in (
        problem.message
    )


def test_an_empty_oauth_means_no_hosted_ui(web: Doc, load: Loader) -> None:
    config, warnings = load.ok(put(web, OAUTH, {}))
    assert config.oauth is None and warnings == []


def test_an_oauth_with_only_a_domain_warns_and_is_ignored(web: Doc, load: Loader) -> None:
    put(web, OAUTH, {"domain": "demo.auth.eu-west-1.amazoncognito.com"})
    config, warnings = load.ok(web)
    assert config.oauth is None
    (warning,) = warnings
    assert warning.path == "$.oauth"
    assert "no scope, redirectSignIn or redirectSignOut" in warning.message


def test_a_half_written_oauth_is_an_error(web: Doc, load: Loader) -> None:
    problem = load.one_problem(drop(web, (*OAUTH, "redirectSignOut")))
    assert problem.path == "$.oauth"
    assert "oauth is missing redirectSignOut; the Hosted UI needs all of domain, scope" in (
        problem.message
    )


def test_oauth_values_are_checked_at_their_paths(web: Doc, load: Loader) -> None:
    put(web, (*OAUTH, "scope"), ["openid", "open_id"])
    put(web, (*OAUTH, "responseType"), "id_token")
    problems = load.problems(web)
    assert [p.path for p in problems] == ["$.oauth.scope[1]", "$.oauth.responseType"]


def test_an_identity_pool_alone_is_a_guest_only_configuration(web: Doc, load: Loader) -> None:
    for key in ("aws_user_pools_id", "aws_user_pools_web_client_id"):
        drop(web, (key,))
    put(web, OAUTH, {})
    config, _ = load.ok(web)
    assert config.user_pool is None and config.identity_pool is not None


def test_no_pool_at_all_is_an_error(web: Doc, load: Loader) -> None:
    for key in (
        "aws_user_pools_id",
        "aws_user_pools_web_client_id",
        "aws_cognito_identity_pool_id",
    ):
        drop(web, (key,))
    put(web, OAUTH, {})
    problem = load.one_problem(web)
    assert problem.path == "$"
    assert "so Amplify JS configures no Auth from this file" in problem.message


def test_a_user_pool_needs_its_web_client(web: Doc, load: Loader) -> None:
    problem = load.one_problem(drop(web, ("aws_user_pools_web_client_id",)))
    assert problem.path == "$.aws_user_pools_web_client_id"
    assert 'required key "aws_user_pools_web_client_id" is missing' in problem.message


def test_oauth_without_a_user_pool_is_an_error(web: Doc, load: Loader) -> None:
    for key in ("aws_user_pools_id", "aws_user_pools_web_client_id"):
        drop(web, (key,))
    problem = load.one_problem(web)
    assert "oauth (the Hosted UI) belongs to a user pool" in problem.message


@pytest.mark.parametrize(("value", "guests"), [("enable", False), ("disable", True)])
def test_mandatory_sign_in_is_guest_access_turned_off(
    web: Doc, load: Loader, value: str, guests: bool
) -> None:
    config, _ = load.ok(put(web, ("aws_mandatory_sign_in",), value))
    assert config.unauthenticated_identities_enabled is guests


def test_other_categories_are_silent_and_auth_like_unknown_keys_warn(
    web: Doc, load: Loader
) -> None:
    put(web, ("aws_user_files_s3_bucket",), "bucket")
    put(web, ("geo",), {"amazon_location_service": {}})
    put(web, ("aws_cognito_new_thing",), True)
    put(web, ("aws_user_pools_idd",), "x")
    _, warnings = load.ok(web)
    assert {w.path: w.message for w in warnings} == {
        "$.aws_cognito_new_thing": 'unknown key "aws_cognito_new_thing" is ignored',
        "$.aws_user_pools_idd": 'unknown key "aws_user_pools_idd" is ignored; '
        'did you mean "aws_user_pools_id"?',
    }


def test_a_v5_auth_section_beside_the_keys_is_ignored_with_a_warning(
    web: Doc, load: Loader
) -> None:
    put(web, ("Auth",), {"userPoolId": "us-west-2_Other", "userPoolWebClientId": "x"})
    config, warnings = load.ok(web)
    assert config.user_pool is not None and config.user_pool.pool_id == "eu-west-1_AbCdEfGhI"
    (warning,) = warnings
    assert warning.path == "$.Auth"
    assert "Amplify JS v6 ignores an Auth section" in warning.message


def test_problems_in_a_javascript_file_name_its_lines(web: Doc) -> None:
    put(web, ("aws_user_pools_id",), "<your-user-pool-id>")
    text = to_js(web)
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "src/aws-exports.js")
    (problem,) = caught.value.problems
    assert caught.value.source_format == "aws-exports"
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "<your-user-pool-id>" in row)
    assert (problem.file, problem.line, problem.path) == (
        "src/aws-exports.js",
        line,
        "$.aws_user_pools_id",
    )
    assert 'placeholder "<your-user-pool-id>" left in' in problem.message


def test_the_web_json_file_is_the_same_object(web: Doc, load: Loader) -> None:
    """Amplify CLI 12+ writes src/amplifyconfiguration.json beside aws-exports.js."""
    from_json, _ = load.ok(json.dumps(web, indent=4))
    from_js, _ = parse_config(to_js(web), "aws-exports.js")
    assert from_json == from_js


def test_an_empty_id_is_absent_as_in_amplify_js(web: Doc, load: Loader) -> None:
    """Mobile Hub templates shipped ``'aws_cognito_identity_pool_id': ''``."""
    config, warnings = load.ok(put(web, ("aws_cognito_identity_pool_id",), ""))
    assert config.identity_pool is None and config.user_pool is not None
    (warning,) = warnings
    assert warning.path == "$.aws_cognito_identity_pool_id"
    assert warning.message == (
        "aws_cognito_identity_pool_id is empty; read as absent, as Amplify JS does"
    )


def test_mobile_hub_keys_are_not_warnings(web: Doc, load: Loader) -> None:
    for key, value in {
        "aws_user_pools": "enable",
        "aws_user_pools_mfa_type": "OFF",
        "aws_sign_in_enabled": "enable",
        "aws_project_name": "legacy",
    }.items():
        put(web, (key,), value)
    _, warnings = load.ok(web)
    assert warnings == []
