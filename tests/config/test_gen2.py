"""Gen 2 ``amplify_outputs.json``: its rules, its mapping, and equality with Gen 1."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Loader, drop, put

Doc = dict[str, Any]
AUTH = ("auth",)
OAUTH = ("auth", "oauth")


def test_gen1_and_gen2_files_describing_the_same_pools_are_equal(
    gen1: Doc, gen2: Doc, load: Loader
) -> None:
    from_gen1, _ = load.ok(gen1)
    from_gen2, warnings = load.ok(gen2)
    assert warnings == []
    assert from_gen1 == from_gen2
    assert (from_gen1.source_format, from_gen2.source_format) == ("gen1", "gen2")


def test_gen2_spellings_map_to_the_model(gen2: Doc, load: Loader) -> None:
    put(gen2, (*AUTH, "mfa_configuration"), "REQUIRED")
    put(gen2, (*OAUTH, "identity_providers"), ["LOGIN_WITH_AMAZON", "FACEBOOK"])
    put(gen2, (*AUTH, "unauthenticated_identities_enabled"), True)
    config, _ = load.ok(gen2)
    assert config.mfa_configuration == "ON"
    assert config.social_providers == ("AMAZON", "FACEBOOK")
    assert config.unauthenticated_identities_enabled is True
    assert config.oauth is not None
    assert config.oauth.app_client_id == "3n4b5urk1ft4fl3mg5e62d9ado"  # the pool's one client


def test_authentication_flow_type_is_honoured(gen2: Doc, load: Loader) -> None:
    config, _ = load.ok(put(gen2, (*AUTH, "authentication_flow_type"), "USER_PASSWORD_AUTH"))
    assert config.authentication_flow_type == "USER_PASSWORD_AUTH"


def test_an_unknown_flow_type_is_an_error(gen2: Doc, load: Loader) -> None:
    problem = load.one_problem(put(gen2, (*AUTH, "authentication_flow_type"), "PASSWORDLESS"))
    assert problem.path == "$.auth.authentication_flow_type"
    assert '"PASSWORDLESS" is not an authentication flow type' in problem.message


def test_placeholders_are_named(gen2: Doc, load: Loader) -> None:
    put(gen2, (*AUTH, "user_pool_id"), "[USER POOL ID]")
    problem = load.one_problem(gen2)
    assert 'placeholder "[USER POOL ID]" left in' in problem.message
    assert problem.path == "$.auth.user_pool_id"


def test_the_region_inside_a_pool_id_must_match_aws_region(gen2: Doc, load: Loader) -> None:
    put(gen2, (*AUTH, "identity_pool_id"), "us-east-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9")
    problem = load.one_problem(gen2)
    assert problem.path == "$.auth.identity_pool_id"
    assert 'belongs to region "us-east-1" but the aws_region beside it is "eu-west-1"' in (
        problem.message
    )


def test_oauth_needs_its_keys_and_at_least_one_redirect(gen2: Doc, load: Loader) -> None:
    drop(gen2, (*OAUTH, "domain"))
    put(gen2, (*OAUTH, "redirect_sign_out_uri"), [])
    problems = load.problems(gen2)
    assert [(p.path, p.message) for p in problems] == [
        ("$.auth.oauth.domain", 'required key "domain" is missing'),
        ("$.auth.oauth.redirect_sign_out_uri", "needs at least one URI"),
    ]


def test_scopes_are_checked(gen2: Doc, load: Loader) -> None:
    problem = load.one_problem(put(gen2, (*OAUTH, "scopes"), ["openid", "admin"]))
    assert problem.path == "$.auth.oauth.scopes[1]"
    assert "neither one of Cognito's reserved scopes" in problem.message


def test_identity_pool_alone_is_a_guest_only_config(gen2: Doc, load: Loader) -> None:
    for key in ("user_pool_id", "user_pool_client_id", "oauth"):
        drop(gen2, (*AUTH, key))
    config, _ = load.ok(gen2)
    assert config.user_pool is None and config.identity_pool is not None


def test_neither_pool_is_an_error(gen2: Doc, load: Loader) -> None:
    for key in ("user_pool_id", "user_pool_client_id", "identity_pool_id", "oauth"):
        drop(gen2, (*AUTH, key))
    problem = load.one_problem(gen2)
    assert problem.path == "$.auth"
    assert "neither a user pool (user_pool_id, user_pool_client_id) nor an identity pool" in (
        problem.message
    )


def test_a_user_pool_needs_its_client_id(gen2: Doc, load: Loader) -> None:
    problem = load.one_problem(drop(gen2, (*AUTH, "user_pool_client_id")))
    assert 'required key "user_pool_client_id" is missing' in problem.message


def test_endpoint_and_secret_extensions(gen2: Doc, load: Loader) -> None:
    put(gen2, (*AUTH, "user_pool_endpoint"), "http://127.0.0.1:9229")
    put(gen2, (*AUTH, "identity_pool_endpoint"), "cognito-identity.example.com")
    put(gen2, (*AUTH, "user_pool_client_secret"), "s3cr3tvalue0123456789")
    config, _ = load.ok(gen2)
    assert config.user_pool_endpoint_url() == "http://127.0.0.1:9229/"
    assert config.identity_pool_endpoint_url() == "https://cognito-identity.example.com/"
    assert config.user_pool is not None
    assert config.user_pool.app_client_secret == "s3cr3tvalue0123456789"
    assert config.oauth is not None and config.oauth.app_client_secret == "s3cr3tvalue0123456789"


def test_plain_http_endpoints_to_other_hosts_are_refused(gen2: Doc, load: Loader) -> None:
    problem = load.one_problem(put(gen2, (*AUTH, "user_pool_endpoint"), "http://example.com"))
    assert "plain http to another machine" in problem.message


def test_unknown_keys_warn_and_known_unused_ones_do_not(gen2: Doc, load: Loader) -> None:
    put(gen2, (*AUTH, "passwordless"), {"email_otp_enabled": True})
    put(gen2, (*AUTH, "user_pool_clientid"), "x")
    put(gen2, ("data",), {"url": "https://example.com/graphql"})
    _, warnings = load.ok(gen2)
    (warning,) = warnings
    assert warning.path == "$.auth.user_pool_clientid"
    assert 'did you mean "user_pool_client_id"?' in warning.message


def test_a_missing_version_only_warns(gen2: Doc, load: Loader) -> None:
    _, warnings = load.ok(drop(gen2, ("version",)))
    assert 'no "version" key' in warnings[0].message


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ((*AUTH, "mfa_configuration"), "OFF", '"OFF" is not one of NONE, OPTIONAL, REQUIRED'),
        ((*AUTH, "password_policy", "min_length"), 100, "100 is not from 6 to 99"),
        # Gen 2 decoders (Flutter's PasswordPolicy: `as int?`) take no numeric string.
        ((*AUTH, "password_policy", "min_length"), "8", "must be a whole number, not a string"),
        ((*AUTH, "password_policy", "require_numbers"), "yes", "must be true or false"),
        ((*AUTH, "unauthenticated_identities_enabled"), 1, "must be true or false"),
        ((*OAUTH, "response_type"), "id_token", '"id_token" is not one of code, token'),
    ],
)
def test_values_are_checked(
    gen2: Doc, load: Loader, path: tuple[str, ...], value: Any, expected: str
) -> None:
    assert expected in load.one_problem(put(gen2, path, value)).message


def test_an_auth_section_of_neither_generation_is_explained(load: Loader) -> None:
    problem = load.one_problem({"auth": {"Cognito": {"userPoolId": "x"}}})
    assert "neither Gen 1 (auth.plugins.awsCognitoAuthPlugin" in problem.message
    assert problem.path == "$.auth"


def test_a_gen2_file_without_auth_is_explained_with_a_gen2_example(load: Loader) -> None:
    problem = load.one_problem({"version": "1.4", "storage": {}})
    assert problem.message.startswith(
        'this amplify_outputs.json (Gen 2) has no "auth" section, so it configures no Cognito '
        "pools: add auth to the backend (defineAuth"
    )
    assert "npx ampx generate outputs" in problem.message
    assert '"user_pool_id": "us-east-1_AbCdEfGhI"' in problem.example  # a Gen 2 example
    assert "plugins" not in problem.example and "case-sensitive" not in problem.message


def test_a_top_level_that_is_not_an_object_is_explained(load: Loader) -> None:
    problem = load.one_problem("[]")
    assert problem.message == "the top level must be a JSON object"
