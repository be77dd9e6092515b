"""``AuthConfig`` built in code: the same rules as files, immutability, masking, endpoints."""

from __future__ import annotations

import dataclasses

import pytest

from pyamplify.config import (
    AuthConfig,
    ConfigError,
    IdentityPoolConfig,
    OAuthConfig,
    UserPoolConfig,
    mask_secret,
)
from pyamplify.config.endpoints import GLOBAL_ENV, IDENTITY_POOL_ENV, IGNORE_ENV, USER_POOL_ENV
from pyamplify.errors import PyamplifyError

SECRET = "abcdEFGHijklMNOPqrstUVWX0123456789"
POOL = UserPoolConfig("eu-west-1_AbCdEfGhI", "3n4b5urk1ft4fl3mg5e62d9ado", "eu-west-1")
IDENTITY = IdentityPoolConfig("eu-west-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9", "eu-west-1")


def test_a_config_built_in_code_obeys_the_file_rules() -> None:
    with pytest.raises(ConfigError) as caught:
        UserPoolConfig("[COGNITO USER POOL ID]", "bad id!", "moon-1")
    messages = [f"{p.path}: {p.message}" for p in caught.value.problems]
    assert messages == [
        'UserPoolConfig.pool_id: placeholder "[COGNITO USER POOL ID]" left in; '
        "replace it with your real value",
        'UserPoolConfig.app_client_id: "bad id!" is not an app client id '
        "(1 to 128 characters: letters, digits, '_' and '+')",
        'UserPoolConfig.region: "moon-1" is not an AWS region name',
    ]
    assert all(p.file == "<code>" for p in caught.value.problems)


def test_config_error_is_a_pyamplify_error_listing_every_problem() -> None:
    with pytest.raises(PyamplifyError) as caught:
        AuthConfig(authentication_flow_type="NOPE")
    assert isinstance(caught.value, ConfigError)
    text = str(caught.value)
    assert "2 problems in the configuration" in text
    assert "AuthConfig: needs a user pool, an identity pool, or both" in text
    assert '"NOPE" is not an authentication flow type' in text


def test_region_mismatch_in_code() -> None:
    with pytest.raises(ConfigError, match='belongs to region "eu-west-1"'):
        IdentityPoolConfig("eu-west-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9", "us-east-1")


def test_oauth_without_a_user_pool_is_refused_in_code() -> None:
    oauth = OAuthConfig("d.example.com", "abc", ("myapp://",), ("myapp://",), ("openid",))
    with pytest.raises(ConfigError, match=r"OAuth .* belongs to a user pool"):
        AuthConfig(identity_pool=IDENTITY, oauth=oauth)


def test_lists_become_tuples_and_spellings_are_normalised() -> None:
    config = AuthConfig(
        user_pool=POOL,
        username_attributes=["EMAIL"],  # type: ignore[arg-type]
        mfa_types=["totp"],  # type: ignore[arg-type]
    )
    assert config.username_attributes == ("email",)
    assert config.mfa_types == ("TOTP",)
    oauth = OAuthConfig("d.example.com", "abc", "myapp://a,myapp://b", ["myapp://"], ["openid"])  # type: ignore[arg-type]
    assert oauth.sign_in_redirect_uris == ("myapp://a", "myapp://b")
    assert oauth.scopes == ("openid",)
    hash(config)  # immutable all the way down


def test_configs_are_frozen() -> None:
    config = AuthConfig(user_pool=POOL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.authentication_flow_type = "USER_PASSWORD_AUTH"  # type: ignore[misc]


def test_equality_ignores_where_a_config_came_from() -> None:
    first = AuthConfig(user_pool=POOL, source="a.json", source_format="gen1")
    second = AuthConfig(user_pool=POOL, source="b.json", source_format="gen2")
    assert first == second


def test_secrets_are_masked_in_every_repr() -> None:
    pool = dataclasses.replace(POOL, app_client_secret=SECRET)
    oauth = OAuthConfig("d.example.com", "abc", ("myapp://",), ("myapp://",), (), SECRET)
    config = AuthConfig(user_pool=pool, oauth=oauth)
    for text in (repr(pool), repr(oauth), repr(config), str(config)):
        assert SECRET not in text
        assert SECRET[4:12] not in text
        assert "'abcd…'" in text


def test_mask_secret_shows_four_characters_of_long_secrets_and_nothing_of_short_ones() -> None:
    assert mask_secret(SECRET) == "abcd…"
    assert mask_secret("short") == "…"
    assert mask_secret(None) is None


def test_a_bad_secret_is_reported_without_showing_it() -> None:
    secret = "not a secret with spaces"
    with pytest.raises(ConfigError) as caught:
        dataclasses.replace(POOL, app_client_secret=secret)
    assert secret not in str(caught.value)
    assert "the value is not shown because it is a secret" in str(caught.value)


# -- endpoints ---------------------------------------------------------------------------


def test_default_endpoints_follow_the_region_and_partition() -> None:
    config = AuthConfig(user_pool=POOL, identity_pool=IDENTITY)
    assert config.user_pool_endpoint_url() == "https://cognito-idp.eu-west-1.amazonaws.com/"
    assert config.identity_pool_endpoint_url() == (
        "https://cognito-identity.eu-west-1.amazonaws.com/"
    )
    china = AuthConfig(user_pool=UserPoolConfig("cn-north-1_AbC", "abc", "cn-north-1"))
    assert china.user_pool_endpoint_url() == "https://cognito-idp.cn-north-1.amazonaws.com.cn/"


def test_the_configured_endpoint_beats_the_default() -> None:
    pool = dataclasses.replace(POOL, endpoint="http://127.0.0.1:9229")
    assert AuthConfig(user_pool=pool).user_pool_endpoint_url() == "http://127.0.0.1:9229/"


def test_environment_overrides_are_read_at_call_time_in_boto3_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool = dataclasses.replace(POOL, endpoint="cognito.example.com")
    config = AuthConfig(user_pool=pool, identity_pool=IDENTITY)
    assert config.user_pool_endpoint_url() == "https://cognito.example.com/"
    monkeypatch.setenv(GLOBAL_ENV, "http://localhost:4566")
    assert config.user_pool_endpoint_url() == "http://localhost:4566/"
    assert config.identity_pool_endpoint_url() == "http://localhost:4566/"
    monkeypatch.setenv(USER_POOL_ENV, "http://127.0.0.1:9229")
    monkeypatch.setenv(IDENTITY_POOL_ENV, "http://[::1]:9230")
    assert config.user_pool_endpoint_url() == "http://127.0.0.1:9229/"
    assert config.identity_pool_endpoint_url() == "http://[::1]:9230/"
    assert config.resolve_user_pool_endpoint().origin == f"${USER_POOL_ENV}"
    monkeypatch.setenv(IGNORE_ENV, "true")
    assert config.user_pool_endpoint_url() == "https://cognito.example.com/"


def test_an_unsafe_environment_endpoint_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_POOL_ENV, "http://evil.example.com")
    with pytest.raises(ConfigError) as caught:
        AuthConfig(user_pool=POOL).user_pool_endpoint_url()
    problem = caught.value.problems[0]
    assert (problem.file, problem.path) == ("<environment>", f"${USER_POOL_ENV}")
    assert "plain http to another machine" in problem.message


@pytest.mark.parametrize(
    ("endpoint", "shown"),
    [
        ("https://admin:Hunter2-pw@cognito.example.com", '"https://…@cognito.example.com"'),
        ("admin:Hunter2-pw@cognito.example.com/x", '"…@cognito.example.com/x"'),
        ("http://u:Hunter2-pw@127.0.0.1:9229/", '"http://…@127.0.0.1:9229/"'),
    ],
)
def test_an_endpoint_s_password_is_never_shown(
    endpoint: str, shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError) as caught:
        dataclasses.replace(POOL, endpoint=endpoint)
    assert "Hunter2-pw" not in str(caught.value)
    assert shown in str(caught.value)
    monkeypatch.setenv(GLOBAL_ENV, endpoint)
    with pytest.raises(ConfigError) as from_environment:
        AuthConfig(user_pool=POOL).user_pool_endpoint_url()
    assert "Hunter2-pw" not in str(from_environment.value)


def test_asking_for_an_absent_pool_s_endpoint_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no user pool"):
        AuthConfig(identity_pool=IDENTITY).user_pool_endpoint_url()
    with pytest.raises(ConfigError, match="no identity pool"):
        AuthConfig(user_pool=POOL).identity_pool_endpoint_url()


def test_oauth_base_url() -> None:
    oauth = OAuthConfig("d.auth.eu-west-1.amazoncognito.com", "a", ("x://",), ("x://",), ())
    assert oauth.base_url() == "https://d.auth.eu-west-1.amazoncognito.com"
    local = dataclasses.replace(oauth, web_domain="http://localhost:9229")
    assert local.base_url() == "http://localhost:9229"
