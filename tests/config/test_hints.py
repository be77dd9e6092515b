"""Messages that used to mislead (issue 16, part 2, item 4): each test names the old message and
asserts the new one, which says what the file is and what to do."""

from __future__ import annotations

from typing import Any

import pytest

from pyamplify.config import parse_config

from .conftest import OAUTH, USER_POOL, WEB, Loader, put, to_js

Doc = dict[str, Any]


def test_oauth_is_not_taken_for_a_misspelt_auth(load: Loader) -> None:
    # Before: 'required key "auth" is missing (found "oauth": keys are case-sensitive)'.
    config, _ = load.ok(WEB)  # the web amplifyconfiguration.json now loads
    assert config.oauth is not None
    problem = load.one_problem({"oauth": {"domain": "x"}, "region": "us-east-1"})
    assert "case-sensitive" not in problem.message and "oauth" not in problem.message
    assert problem.message.startswith("this is none of the configuration files pyamplify reads")
    assert "aws-exports.js has aws_* keys" in problem.message


def test_a_truly_miscased_auth_still_gets_the_case_hint(load: Loader) -> None:
    problem = load.one_problem({"Auth": {"plugins": {}}})
    assert 'required key "auth" is missing (found "Auth": keys are case-sensitive)' in (
        problem.message
    )


def test_a_near_miss_that_is_not_a_case_difference_is_called_a_misspelling(
    gen1: Doc, load: Loader
) -> None:
    default = gen1["auth"]["plugins"]["awsCognitoAuthPlugin"]["CognitoUserPool"]["Default"]
    default["Regoin"] = default.pop("Region")
    problem = next(p for p in load.problems(gen1) if p.path.endswith(".Region"))
    assert 'required key "Region" is missing (found "Regoin": misspelt?)' in problem.message


def test_an_awsconfiguration_file_is_read_not_told_to_fix_its_auth_case(
    mobile: Doc, load: Loader
) -> None:
    # Before: 'required key "auth" is missing (found "Auth": keys are case-sensitive)'.
    config, warnings = load.ok(mobile)
    assert config.source_format == "awsconfiguration" and warnings == []


@pytest.mark.parametrize("source", ["src/aws-exports.js", "aws-exports.json"])
def test_an_aws_exports_file_is_read_not_called_invalid_json(source: str) -> None:
    # Before: 'invalid JSON at line 1, column 1: unexpected '/' where a value was expected
    # (JSON has no comments)', with the example '"Region": "us-east-1"'.
    config, _ = parse_config(to_js(WEB), source)
    assert config.source_syntax == "javascript"


def test_a_gen1_file_without_auth_gets_a_gen1_explanation(load: Loader) -> None:
    document = {"UserAgent": "aws-amplify-cli/2.0", "Version": "1.0", "api": {"plugins": {}}}
    problem = load.one_problem(document)
    assert problem.message.startswith(
        'this amplifyconfiguration.json (Gen 1) has no "auth" category, so it configures no '
        "Cognito pools: add it (amplify add auth, then amplify push)"
    )
    assert "pyamplify import auth" in problem.message
    assert "awsCognitoAuthPlugin" in problem.example


# A Gen 2 file without auth is in test_gen2 (it used to get a Gen 1 example).


@pytest.mark.parametrize(
    "placeholder",
    [
        "<your-user-pool-id>",
        "<USER_POOL_ID>",
        "{{USER_POOL_ID}}",
        "${USER_POOL_ID}",
        "YOUR_USER_POOL_ID",
        "us-east-1_XXXXXXXXX",
        "eu-west-1_xxxxxxxx",
    ],
)
def test_every_common_placeholder_is_called_a_placeholder(
    gen1: Doc, load: Loader, placeholder: str
) -> None:
    # Before, for "<your-user-pool-id>": '"<your-user-pool-id>" is not a user pool id
    # (expected <region>_<id>)'; only "[...]" got the placeholder message.
    problem = load.one_problem(put(gen1, (*USER_POOL, "PoolId"), placeholder))
    assert problem.message == (
        f'placeholder "{placeholder}" left in; replace it with your real value'
    )
    assert problem.example == '"us-east-1_AbCdEfGhI"'


def test_a_bad_host_name_is_not_printed_like_a_json_member(gen1: Doc, load: Loader) -> None:
    # Before: '"oauth_domain": "oauth_domain" is not a host name'.
    problem = load.one_problem(put(gen1, (*OAUTH, "WebDomain"), "oauth_domain"))
    assert problem.message == '"oauth_domain" is not a host name (a host name has no "_")'
    assert problem.path.endswith("OAuth.WebDomain")


def test_a_bad_host_inside_a_url_says_which_part_is_wrong(gen1: Doc, load: Loader) -> None:
    problem = load.one_problem(put(gen1, (*USER_POOL, "Endpoint"), "https://bad_host:9229"))
    assert problem.message == (
        'in "https://bad_host:9229", "bad_host" is not a host name (a host name has no "_")'
    )
