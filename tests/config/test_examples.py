"""The shipped examples: the Amplify docs' seed example and its filled-in twins."""

from __future__ import annotations

import re

import pytest

from pyamplify.config import ConfigError, load_config, load_config_with_warnings

from .conftest import EXAMPLES

SEED_PLACEHOLDERS = {
    "CredentialsProvider.CognitoIdentity.Default.PoolId": "[COGNITO IDENTITY POOL ID]",
    "CredentialsProvider.CognitoIdentity.Default.Region": "[REGION]",
    "CognitoUserPool.Default.PoolId": "[COGNITO USER POOL ID]",
    "CognitoUserPool.Default.AppClientId": "[COGNITO USER POOL APP CLIENT ID]",
    "CognitoUserPool.Default.Region": "[REGION]",
    "Auth.Default.OAuth.WebDomain": "[YOUR COGNITO DOMAIN ]",
    "Auth.Default.OAuth.AppClientId": "[COGNITO USER POOL APP CLIENT ID]",
    "Auth.Default.OAuth.SignInRedirectURI": "[CUSTOM REDIRECT SCHEME AFTER SIGN IN, e.g. myapp://]",
    "Auth.Default.OAuth.SignOutRedirectURI": "[CUSTOM REDIRECT SCHEME AFTER SIGN OUT, e.g. myapp://]",
}


def test_the_seed_example_fails_naming_each_placeholder() -> None:
    seed = EXAMPLES / "amplifyconfiguration.seed.json"
    with pytest.raises(ConfigError) as caught:
        load_config(seed)
    problems = caught.value.problems
    assert len(problems) == len(SEED_PLACEHOLDERS)
    text = seed.read_text()
    for problem in problems:
        key = problem.path.removeprefix("$.auth.plugins.awsCognitoAuthPlugin.")
        placeholder = SEED_PLACEHOLDERS[key]
        assert f'placeholder "{placeholder}" left in' in problem.message
        assert problem.file == str(seed)
        assert placeholder in text.splitlines()[problem.line - 1]  # the line is right
        assert problem.example and "[" not in problem.example
    # Its trailing comma is reported too, as a warning beside the errors.
    (warning,) = caught.value.warnings
    assert "trailing comma" in warning.message


def test_the_seed_with_real_values_and_its_trailing_comma_loads_with_one_warning() -> None:
    path = EXAMPLES / "amplifyconfiguration.json"
    config, warnings = load_config_with_warnings(path)
    assert len(warnings) == 1
    comma_line = next(
        number
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.fullmatch(r"\s*},", line) and "}" in path.read_text().splitlines()[number]
    )
    assert warnings[0].line == comma_line
    assert f"trailing comma on line {comma_line}" in warnings[0].message
    assert config.user_pool is not None and config.identity_pool is not None
    assert config.oauth is not None
    assert config.oauth.scopes == (
        "phone",
        "email",
        "openid",
        "profile",
        "aws.cognito.signin.user.admin",
    )
    assert config.authentication_flow_type == "USER_SRP_AUTH"


def test_the_seed_and_the_filled_in_example_have_the_same_shape() -> None:
    seed = (EXAMPLES / "amplifyconfiguration.seed.json").read_text().splitlines()
    real = (EXAMPLES / "amplifyconfiguration.json").read_text().splitlines()
    assert len(seed) == len(real)
    for seed_line, real_line in zip(seed, real, strict=True):
        if "[" not in seed_line:
            assert seed_line == real_line


def test_the_gen2_example_describes_the_same_pools() -> None:
    gen1, _ = load_config_with_warnings(EXAMPLES / "amplifyconfiguration.json")
    gen2, warnings = load_config_with_warnings(EXAMPLES / "amplify_outputs.json")
    assert warnings == []
    assert gen1 == gen2
    assert (gen1.source_format, gen2.source_format) == ("gen1", "gen2")
