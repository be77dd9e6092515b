"""Gen 1 ``amplifyconfiguration.json``: one test per rule, each asserting on the message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pyamplify.config import AUTH_FLOW_TYPES, PasswordPolicy

from .conftest import AUTH, IDENTITY_POOL, OAUTH, PLUGIN, USER_POOL, Loader, drop, put

Doc = dict[str, Any]


def test_a_complete_file_loads_every_section(gen1: Doc, load: Loader) -> None:
    config, warnings = load.ok(gen1)
    assert warnings == []
    assert config.user_pool is not None and config.user_pool.pool_id == "eu-west-1_AbCdEfGhI"
    assert config.identity_pool is not None and config.identity_pool.region == "eu-west-1"
    assert config.oauth is not None
    assert config.oauth.sign_in_redirect_uris == ("myapp://", "http://localhost:3000/")
    assert config.username_attributes == ("email",)
    assert config.signup_attributes == ("email", "family_name")
    assert config.password_policy == PasswordPolicy(10, require_numbers=True, require_symbols=True)
    assert config.mfa_configuration == "OPTIONAL" and config.mfa_types == ("TOTP",)
    assert config.verification_mechanisms == ("email",)
    assert config.social_providers == ("GOOGLE", "APPLE")
    assert config.source == "test.json" and config.source_format == "gen1"


# -- invalid JSON and trailing commas -------------------------------------------------------


def test_invalid_json_names_file_line_column_and_the_offending_line(load: Loader) -> None:
    text = '{\n  "auth": {\n    "plugins": {\n      "awsCognitoAuthPlugin": {\n    }\n  }\n'
    problem = load.one_problem(text)
    assert (problem.line, problem.column) == (7, 1)
    assert "invalid JSON at line 7, column 1" in problem.message
    assert "expected ',' or '}' after the value of 'plugins' but found the end of the file" in (
        problem.message
    )


def test_a_trailing_comma_after_the_oauth_object_is_accepted_with_a_warning(
    gen1: Doc, load: Loader
) -> None:
    auth = gen1["auth"]["plugins"]["awsCognitoAuthPlugin"]["Auth"]["Default"]
    gen1["auth"]["plugins"]["awsCognitoAuthPlugin"]["Auth"]["Default"] = {
        "authenticationFlowType": "USER_SRP_AUTH",
        "OAuth": auth["OAuth"],  # last, so that a comma after it is a trailing comma
    }
    end_of_oauth = '"api.example.com/read"\n              ]\n            }'
    text = json.dumps(gen1, indent=2)
    assert text.count(end_of_oauth) == 1
    text = text.replace(end_of_oauth, end_of_oauth + ",")
    config, warnings = load.ok(text)
    assert config.oauth is not None
    (warning,) = warnings
    line = text[: text.index(end_of_oauth + ",")].count("\n") + 3
    assert warning.line == line
    assert f"trailing comma on line {line} before '}}'" in warning.message
    assert warning.path == "$.auth.plugins.awsCognitoAuthPlugin.Auth.Default"


# -- placeholders ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "placeholder"),
    [
        ((*USER_POOL, "PoolId"), "[COGNITO USER POOL ID]"),
        ((*USER_POOL, "Region"), "[REGION]"),
        ((*IDENTITY_POOL, "PoolId"), "[anything in brackets]"),
        ((*OAUTH, "WebDomain"), "[YOUR COGNITO DOMAIN ]"),
        ((*OAUTH, "Scopes"), ["openid", "[SCOPE]"]),
        ((*AUTH, "authenticationFlowType"), "[FLOW]"),
    ],
)
def test_placeholders_are_named_as_such(
    gen1: Doc, load: Loader, path: tuple[str, ...], placeholder: Any
) -> None:
    problem = load.one_problem(put(gen1, path, placeholder))
    shown = placeholder if isinstance(placeholder, str) else placeholder[-1]
    assert f'placeholder "{shown}" left in; replace it with your real value' in problem.message
    assert problem.path.startswith("$." + ".".join(path))


# -- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "expected", "example"),
    [
        ((*USER_POOL, "Region"), "us-east", "is not an AWS region name", '"us-east-1"'),
        ((*USER_POOL, "Region"), "US-EAST-1", "write it in lower case", '"us-east-1"'),
        ((*USER_POOL, "PoolId"), "AbCdEfGhI", "expected <region>_<id>", "us-east-1_"),
        ((*USER_POOL, "PoolId"), "eu-west-1_Ab-Cd", "only letters and digits", "us-east-1_"),
        ((*USER_POOL, "PoolId"), "mars-1_AbCd", '"mars-1" is not a region', "us-east-1_"),
        ((*IDENTITY_POOL, "PoolId"), "eu-west-1_AbCd", "expected <region>:<uuid>", "us-east-1:"),
        ((*IDENTITY_POOL, "PoolId"), "eu-west-1:1234", "after ':' comes a UUID", "us-east-1:"),
        ((*USER_POOL, "AppClientId"), "has space", "is not an app client id", "3n4b5"),
        ((*USER_POOL, "AppClientId"), "a1" * 65, "1 to 128 characters", "3n4b5"),
        ((*OAUTH, "AppClientId"), "a-b", "is not an app client id", "3n4b5"),
    ],
)
def test_ids_and_regions_must_have_their_formats(
    gen1: Doc, load: Loader, path: tuple[str, ...], value: str, expected: str, example: str
) -> None:
    problem = load.one_problem(put(gen1, path, value))
    assert expected in problem.message
    assert example in problem.example
    assert problem.path == "$." + ".".join(path)
    assert problem.line is not None


@pytest.mark.parametrize(
    "region",
    [
        "us-east-1",
        "us-gov-west-1",
        "cn-north-1",
        "cn-northwest-1",
        "eu-central-2",
        "ap-southeast-5",
        "il-central-1",
        "mx-central-1",
        "us-iso-east-1",
        "us-isob-east-1",
        "eu-isoe-west-1",
    ],
)
def test_every_partition_s_regions_are_accepted(gen1: Doc, load: Loader, region: str) -> None:
    put(gen1, (*USER_POOL, "Region"), region)
    put(gen1, (*USER_POOL, "PoolId"), f"{region}_AbCdEfGhI")
    drop(gen1, (*PLUGIN, "CredentialsProvider"))
    config, _ = load.ok(gen1)
    assert config.user_pool is not None and config.user_pool.region == region


def test_moto_style_long_hex_user_pool_ids_are_accepted(gen1: Doc, load: Loader) -> None:
    put(gen1, (*USER_POOL, "PoolId"), "eu-west-1_0123456789abcdef0123456789abcdef")
    config, _ = load.ok(gen1)
    assert config.user_pool is not None


def test_the_region_inside_a_user_pool_id_must_match_its_region(gen1: Doc, load: Loader) -> None:
    problem = load.one_problem(put(gen1, (*USER_POOL, "PoolId"), "us-west-2_AbCdEfGhI"))
    assert problem.path.endswith("CognitoUserPool.Default.Region")
    assert 'belongs to region "us-west-2" but the Region beside it is "eu-west-1"' in (
        problem.message
    )
    assert problem.example == '"us-west-2"'


def test_the_region_inside_an_identity_pool_id_must_match_its_region(
    gen1: Doc, load: Loader
) -> None:
    put(gen1, (*IDENTITY_POOL, "Region"), "eu-west-2")
    problem = load.one_problem(gen1)
    assert problem.path.endswith("CognitoIdentity.Default.Region")
    assert 'belongs to region "eu-west-1" but the Region beside it is "eu-west-2"' in (
        problem.message
    )


def test_wrong_json_types_are_named(gen1: Doc, load: Loader) -> None:
    put(gen1, (*USER_POOL, "PoolId"), 42)
    put(gen1, (*USER_POOL, "Region"), None)
    problems = load.problems(gen1)
    assert [p.message for p in problems] == [
        "must be a string, not a number (42)",
        "must be a string, not null (null)",
    ]


def test_a_secret_of_the_wrong_json_type_is_not_shown(gen1: Doc, load: Loader) -> None:
    put(gen1, (*USER_POOL, "AppClientSecret"), 987654321987654321)
    put(gen1, (*OAUTH, "AppClientSecret"), ["s3cr3tvalue0123456789"])
    problems = load.problems(gen1)
    assert [p.message for p in problems] == [
        "must be a string, not a number",
        "must be a string, not an array",
    ]
    assert "987654321" not in str(problems) and "s3cr3tvalue" not in str(problems)


def test_missing_keys_are_named_with_a_case_hint(gen1: Doc, load: Loader) -> None:
    default = gen1["auth"]["plugins"]["awsCognitoAuthPlugin"]["CognitoUserPool"]["Default"]
    default["poolId"] = default.pop("PoolId")
    problem = load.one_problem(gen1)
    assert problem.path.endswith("CognitoUserPool.Default.PoolId")
    assert 'required key "PoolId" is missing (found "poolId": keys are case-sensitive)' in (
        problem.message
    )
    assert problem.line is not None  # the line of the object it should be in


# -- authenticationFlowType -------------------------------------------------------------------


@pytest.mark.parametrize("flow", AUTH_FLOW_TYPES)
def test_each_amplify_flow_type_is_accepted(gen1: Doc, load: Loader, flow: str) -> None:
    config, _ = load.ok(put(gen1, (*AUTH, "authenticationFlowType"), flow))
    assert config.authentication_flow_type == flow


def test_custom_auth_means_custom_auth_with_srp(gen1: Doc, load: Loader) -> None:
    config, _ = load.ok(put(gen1, (*AUTH, "authenticationFlowType"), "CUSTOM_AUTH"))
    assert config.resolved_flow_type() == "CUSTOM_AUTH_WITH_SRP"


def test_the_flow_type_defaults_to_srp(gen1: Doc, load: Loader) -> None:
    config, _ = load.ok(drop(gen1, (*AUTH, "authenticationFlowType")))
    assert config.authentication_flow_type == "USER_SRP_AUTH"


def test_an_unknown_flow_type_is_an_error_not_a_silent_srp(gen1: Doc, load: Loader) -> None:
    problem = load.one_problem(put(gen1, (*AUTH, "authenticationFlowType"), "USER_SRP"))
    assert '"USER_SRP" is not an authentication flow type' in problem.message
    assert 'did you mean "USER_SRP_AUTH"?' in problem.message
    assert problem.example == '"USER_SRP_AUTH"'


# -- OAuth -------------------------------------------------------------------------------------


def test_oauth_names_all_its_missing_keys_at_once(gen1: Doc, load: Loader) -> None:
    drop(gen1, (*OAUTH, "WebDomain"))
    drop(gen1, (*OAUTH, "Scopes"))
    problem = load.one_problem(gen1)
    assert problem.path.endswith("Auth.Default.OAuth")
    assert "OAuth is missing WebDomain, Scopes; the Hosted UI needs all of WebDomain, " in (
        problem.message
    )


def test_redirect_uris_are_split_on_commas(gen1: Doc, load: Loader) -> None:
    put(gen1, (*OAUTH, "SignOutRedirectURI"), "myapp://out/, https://example.com/bye")
    config, _ = load.ok(gen1)
    assert config.oauth is not None
    assert config.oauth.sign_out_redirect_uris == ("myapp://out/", "https://example.com/bye")


@pytest.mark.parametrize(
    ("uris", "expected"),
    [
        ("myapp://,", "an empty redirect URI (two commas in a row, or a comma at the end?)"),
        ("http://example.com/cb", "Cognito allows http only for localhost"),
        ("https://example.com/#frag", "has a fragment"),
        ("example.com/cb", "has no scheme"),
    ],
)
def test_each_redirect_uri_is_checked(gen1: Doc, load: Loader, uris: str, expected: str) -> None:
    problem = load.one_problem(put(gen1, (*OAUTH, "SignInRedirectURI"), uris))
    assert expected in problem.message
    assert problem.path.endswith("OAuth.SignInRedirectURI")


def test_scopes_are_reserved_or_resource_server_scopes(gen1: Doc, load: Loader) -> None:
    put(gen1, (*OAUTH, "Scopes"), ["openid", "open_id", "srv/", "https://api.example.com/write"])
    problems = load.problems(gen1)
    assert [p.path.rsplit(".", 1)[-1] for p in problems] == ["Scopes[1]", "Scopes[2]"]
    assert 'did you mean "openid"?' in problems[0].message
    assert "nor a custom scope written resource-server/scope" in problems[1].message


def test_oauth_without_a_user_pool_is_an_error(gen1: Doc, load: Loader) -> None:
    problem = load.one_problem(drop(gen1, (*PLUGIN, "CognitoUserPool")))
    assert "OAuth (the Hosted UI) belongs to a user pool" in problem.message


# -- which pools ---------------------------------------------------------------------------


def test_no_credentials_provider_means_a_user_pool_only_config(gen1: Doc, load: Loader) -> None:
    config, _ = load.ok(drop(gen1, (*PLUGIN, "CredentialsProvider")))
    assert config.identity_pool is None and config.user_pool is not None


def test_no_user_pool_but_an_identity_pool_means_guest_only(gen1: Doc, load: Loader) -> None:
    drop(gen1, (*PLUGIN, "CognitoUserPool"))
    drop(gen1, (*AUTH, "OAuth"))
    config, _ = load.ok(gen1)
    assert config.user_pool is None and config.identity_pool is not None


def test_neither_pool_is_an_error(gen1: Doc, load: Loader) -> None:
    drop(gen1, (*PLUGIN, "CognitoUserPool"))
    drop(gen1, (*PLUGIN, "CredentialsProvider"))
    drop(gen1, (*AUTH, "OAuth"))
    problem = load.one_problem(gen1)
    assert problem.path == "$.auth.plugins.awsCognitoAuthPlugin"
    assert "neither a user pool (CognitoUserPool) nor an identity pool" in problem.message


def test_a_half_written_section_is_an_error_not_silently_dropped(gen1: Doc, load: Loader) -> None:
    put(gen1, (*PLUGIN, "CredentialsProvider"), {"CognitoIdentity": {}})
    problem = load.one_problem(gen1)
    assert problem.path.endswith("CredentialsProvider.CognitoIdentity.Default")
    assert 'required key "Default" is missing' in problem.message


# -- endpoints -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        ("cognito.example.com", "https://cognito.example.com/"),
        ("https://cognito.example.com", "https://cognito.example.com/"),
        ("cognito.example.com:8443", "https://cognito.example.com:8443/"),
        ("http://127.0.0.1:9229", "http://127.0.0.1:9229/"),
        ("http://localhost:9229/", "http://localhost:9229/"),
        ("http://[::1]:9229", "http://[::1]:9229/"),
    ],
)
def test_user_pool_endpoints_resolve_like_amplify(
    gen1: Doc, load: Loader, endpoint: str, url: str
) -> None:
    config, _ = load.ok(put(gen1, (*USER_POOL, "Endpoint"), endpoint))
    assert config.user_pool_endpoint_url() == url


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("http://cognito.example.com", "plain http to another machine"),
        ("http://10.0.0.1:9229", "plain http to another machine"),
        ("ftp://cognito.example.com", 'uses the scheme "ftp"; only https is allowed'),
        ("cognito.example.com/path", "no path, query or user name"),
        ("cognito.example.com:99999", '"99999" is not a port number'),
        ("bad_host", '"bad_host" is not a host name'),
    ],
)
def test_bad_endpoints_are_refused_at_load_time(
    gen1: Doc, load: Loader, endpoint: str, expected: str
) -> None:
    problem = load.one_problem(put(gen1, (*USER_POOL, "Endpoint"), endpoint))
    assert expected in problem.message
    assert problem.path.endswith("CognitoUserPool.Default.Endpoint")
    assert "127.0.0.1" in problem.example


def test_the_identity_pool_endpoint_extension(gen1: Doc, load: Loader) -> None:
    config, _ = load.ok(put(gen1, (*IDENTITY_POOL, "Endpoint"), "http://localhost:9229"))
    assert config.identity_pool is not None
    assert config.identity_pool.endpoint == "http://localhost:9229"
    assert config.identity_pool_endpoint_url() == "http://localhost:9229/"


# -- unknown keys and CLI extras ------------------------------------------------------------


def test_unknown_keys_are_warnings_not_errors(gen1: Doc, load: Loader) -> None:
    put(gen1, (*USER_POOL, "Regoin"), "eu-west-1")
    put(gen1, (*PLUGIN, "FutureThing"), {})
    put(gen1, ("analytics",), {"plugins": {}})  # other categories are not ours to judge
    config, warnings = load.ok(gen1)
    assert config.user_pool is not None
    messages = {w.path.rsplit(".", 1)[-1]: w.message for w in warnings}
    assert messages == {
        "Regoin": 'unknown key "Regoin" is ignored; did you mean "Region"?',
        "FutureThing": 'unknown key "FutureThing" is ignored',
    }
    assert all(w.line is not None for w in warnings)


def test_keys_the_cli_writes_for_other_purposes_are_silently_accepted(
    gen1: Doc, load: Loader
) -> None:
    put(gen1, (*PLUGIN, "UserAgent"), "aws-amplify-cli/0.1.0")
    put(gen1, (*PLUGIN, "Version"), "0.1.0")
    put(gen1, (*USER_POOL, "PinpointAppId"), "abc")
    _, warnings = load.ok(gen1)
    assert warnings == []


def test_migration_enabled_warns_that_it_does_not_switch_flows(gen1: Doc, load: Loader) -> None:
    _, warnings = load.ok(put(gen1, (*USER_POOL, "MigrationEnabled"), True))
    (warning,) = warnings
    assert "does not switch flows on MigrationEnabled" in warning.message
    assert "USER_PASSWORD_AUTH" in warning.message


def test_unknown_words_in_informational_lists_only_warn(gen1: Doc, load: Loader) -> None:
    config, warnings = load.ok(put(gen1, (*AUTH, "mfaTypes"), ["TOTP", "PASSKEY"]))
    assert config.mfa_types == ("TOTP", "PASSKEY")
    assert '"PASSKEY" is not one of EMAIL, SMS, TOTP; kept as is' in warnings[0].message


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ((*AUTH, "mfaConfiguration"), "SOMETIMES", '"SOMETIMES" is not one of OFF, ON, OPTIONAL'),
        ((*AUTH, "passwordProtectionSettings", "passwordPolicyMinLength"), 4, "is not from 6"),
        (
            (*AUTH, "passwordProtectionSettings", "passwordPolicyCharacters"),
            ["REQUIRES_EMOJI"],
            '"REQUIRES_EMOJI" is not one of REQUIRES_LOWERCASE',
        ),
    ],
)
def test_cli_extras_are_checked(
    gen1: Doc, load: Loader, path: tuple[str, ...], value: Any, expected: str
) -> None:
    assert expected in load.one_problem(put(gen1, path, value)).message


def test_older_cli_password_rule_spelling_is_understood(gen1: Doc, load: Loader) -> None:
    rules = ["Requires Lowercase", "Requires Uppercase"]
    put(gen1, (*AUTH, "passwordProtectionSettings", "passwordPolicyCharacters"), rules)
    config, _ = load.ok(gen1)
    assert config.password_policy is not None
    assert config.password_policy.characters() == ("REQUIRES_LOWERCASE", "REQUIRES_UPPERCASE")


def test_every_problem_is_reported_not_only_the_first(gen1: Doc, load: Loader) -> None:
    put(gen1, (*USER_POOL, "Region"), "nowhere")
    put(gen1, (*IDENTITY_POOL, "PoolId"), "nope")
    put(gen1, (*AUTH, "authenticationFlowType"), "MAGIC")
    put(gen1, (*OAUTH, "Scopes"), ["nope"])
    problems = load.problems(gen1)
    assert len(problems) == 4
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)


def test_optional_sections_written_as_null_count_as_absent(gen1: Doc, load: Loader) -> None:
    put(gen1, (*PLUGIN, "CognitoUserPool"), None)
    problem = load.one_problem(gen1)  # OAuth now has no user pool to belong to
    assert "OAuth (the Hosted UI) belongs to a user pool" in problem.message
    put(gen1, (*AUTH, "OAuth"), None)
    config, _ = load.ok(gen1)
    assert config.user_pool is None and config.oauth is None


def test_redirect_uris_with_control_characters_are_refused(gen1: Doc, load: Loader) -> None:
    problem = load.one_problem(put(gen1, (*OAUTH, "SignOutRedirectURI"), "myapp://\u0000x"))
    assert "contains a control or unassigned character" in problem.message
    assert "\\u0000" in problem.message and "\x00" not in problem.message


# -- what the Amplify CLI writes (issue 16, part 2, items 1 and 2) ------------------------------

MIN_LENGTH = (*AUTH, "passwordProtectionSettings", "passwordPolicyMinLength")


def test_a_numeric_string_min_length_is_read_with_a_warning_naming_the_key(
    gen1: Doc, load: Loader
) -> None:
    # Some CLI versions wrote "6" (amplify-cli #9655); Flutter and Android read it as 6.
    config, warnings = load.ok(put(gen1, MIN_LENGTH, "6"))
    assert config.password_policy is not None and config.password_policy.min_length == 6
    (warning,) = warnings
    assert warning.path == "$." + ".".join(MIN_LENGTH)
    assert warning.message.startswith(
        'passwordPolicyMinLength is the string "6"; read as the number 6'
    )
    assert warning.line is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("six", 'must be a whole number, not the string "six"'),
        ("6.0", 'must be a whole number, not the string "6.0"'),
        (" 6", 'must be a whole number, not the string " 6"'),
        ("4", "4 is not from 6 to 99"),
    ],
)
def test_a_string_that_is_no_whole_number_is_still_refused(
    gen1: Doc, load: Loader, value: str, expected: str
) -> None:
    assert expected in load.one_problem(put(gen1, MIN_LENGTH, value)).message


# Each key the Amplify CLI writes beside the auth sections: amplify-cli's Android and iOS
# frontends (frontend-config-creator.js) put them in awsconfiguration.json, and
# amplify-config-helper.js copies that whole object into awsCognitoAuthPlugin.
CLI_SIBLINGS: dict[str, Any] = {
    "UserAgent": "aws-amplify-cli/0.1.0",
    "Version": "0.1.0",
    "GoogleSignIn": {"Permissions": "email,profile,openid", "ClientId-WebApp": "x"},
    "FacebookSignIn": {"AppId": "1234", "Permissions": "public_profile"},
    "S3TransferUtility": {"Default": {"Bucket": "photos-dev", "Region": "eu-west-1"}},
    "PinpointAnalytics": {"Default": {"AppId": "abc", "Region": "eu-west-1"}},
    "PinpointTargeting": {"Default": {"Region": "eu-west-1"}},
    "DynamoDBObjectMapper": {"Default": {"Region": "eu-west-1"}},
    "AppSync": {
        "Default": {
            "ApiUrl": "https://abc.appsync-api.eu-west-1.amazonaws.com/graphql",
            "Region": "eu-west-1",
            "AuthMode": "AMAZON_COGNITO_USER_POOLS",
            "ClientDatabasePrefix": "app_AMAZON_COGNITO_USER_POOLS",
        }
    },
    "Lex": {"OrderBot": {"Name": "OrderBot", "Alias": "$LATEST", "Region": "eu-west-1"}},
    "Sumerian": {"scene": {}},
    "DangerouslyConnectToHTTPEndpointForTesting": True,
}


@pytest.mark.parametrize("key", sorted(CLI_SIBLINGS))
def test_each_sibling_the_cli_writes_is_not_a_warning(gen1: Doc, load: Loader, key: str) -> None:
    _, warnings = load.ok(put(gen1, (*PLUGIN, key), CLI_SIBLINGS[key]))
    assert warnings == []


def test_all_of_them_together_are_not_a_warning_either(gen1: Doc, load: Loader) -> None:
    gen1["auth"]["plugins"]["awsCognitoAuthPlugin"].update(CLI_SIBLINGS)
    _, warnings = load.ok(gen1)
    assert warnings == []
