"""The configuration built from a selection: flow type, OAuth, domains, providers, secrets."""

from __future__ import annotations

from typing import Any

from pyamplify.config import parse_config, render_config
from pyamplify.provision.build import build_config
from pyamplify.provision.choose import Selection
from pyamplify.provision.inventory import UserPool

from .shapes import OAUTH, TRIGGERS, client, identity_pool, pool

POOL_ID = "us-east-1_Build1"


def _selected(up: UserPool, **extra: Any) -> Selection:
    return Selection(up, up.clients[0], up.clients[-1], **extra)


def test_custom_auth_only_with_all_three_triggers() -> None:
    full = pool(POOL_ID, "p", [client("c1")], LambdaConfig=TRIGGERS)
    assert build_config(_selected(full)).config.authentication_flow_type == "CUSTOM_AUTH"
    two = dict(TRIGGERS)
    del two["VerifyAuthChallengeResponse"]
    partial = pool(POOL_ID, "p", [client("c1")], LambdaConfig=two)
    assert build_config(_selected(partial)).config.authentication_flow_type == "USER_SRP_AUTH"


def test_custom_auth_warns_when_the_client_does_not_allow_it() -> None:
    up = pool(
        POOL_ID,
        "p",
        [client("c1", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])],
        LambdaConfig=TRIGGERS,
    )
    result = build_config(_selected(up))
    assert any("does not allow ALLOW_CUSTOM_AUTH" in warning for warning in result.warnings)


def test_password_only_client_gets_user_password_auth() -> None:
    up = pool(POOL_ID, "p", [client("c1", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])])
    result = build_config(_selected(up))
    assert result.config.authentication_flow_type == "USER_PASSWORD_AUTH"
    assert any("USER_PASSWORD_AUTH" in warning for warning in result.warnings)


def test_oauth_from_client_urls_scopes_and_prefix_domain() -> None:
    up = pool(POOL_ID, "p", [client("c1", **OAUTH)], Domain="myapp")
    oauth = build_config(_selected(up)).config.oauth
    assert oauth is not None
    assert oauth.web_domain == "myapp.auth.us-east-1.amazoncognito.com"
    assert oauth.app_client_id == "c1"
    assert oauth.sign_in_redirect_uris == ("myapp://callback/",)
    assert oauth.sign_out_redirect_uris == ("myapp://signout/",)
    assert oauth.scopes == ("openid", "email")
    assert oauth.response_type == "code"


def test_custom_domain_is_kept() -> None:
    up = pool(
        POOL_ID, "p", [client("c1", **OAUTH)], Domain="myapp", CustomDomain="login.example.com"
    )
    oauth = build_config(_selected(up)).config.oauth
    assert oauth is not None and oauth.web_domain == "login.example.com"


def test_oidc_and_saml_providers_are_kept_with_the_oauth_block() -> None:
    providers = {**OAUTH, "SupportedIdentityProviders": ["Okta", "CorpSAML", "Google"]}
    up = UserPool.from_description(
        {"Id": POOL_ID, "Name": "p", "Domain": "myapp"},
        [client("c1", **providers)],
        [
            {"ProviderName": "Okta", "ProviderType": "OIDC"},
            {"ProviderName": "CorpSAML", "ProviderType": "SAML"},
            {"ProviderName": "Google", "ProviderType": "Google"},
        ],
    )
    result = build_config(_selected(up))
    assert result.config.oauth is not None  # the Amplify CLI writes none here (#11309)
    assert result.identity_providers == {"Okta": "OIDC", "CorpSAML": "SAML", "Google": "social"}
    assert result.config.social_providers == ("GOOGLE",)
    assert any("Okta, CorpSAML" in note for note in result.notes)


def test_incomplete_hosted_ui_setup_leaves_oauth_out_with_the_reason() -> None:
    no_logout = {**OAUTH, "LogoutURLs": []}
    up = pool(POOL_ID, "p", [client("c1", **no_logout)])  # and no domain
    result = build_config(_selected(up))
    assert result.config.oauth is None
    (warning,) = result.warnings
    assert "no sign-out URLs (LogoutURLs)" in warning
    assert f"user pool {POOL_ID} has no domain" in warning


def test_a_client_with_only_providers_names_every_missing_hosted_ui_setting() -> None:
    only = client("c1", SupportedIdentityProviders=["COGNITO"])
    (warning,) = build_config(
        _selected(
            pool(POOL_ID, "p", [only]),
        )
    ).warnings
    missing = warning.split("not fully set up for it: ", 1)[1].split(". Set these", 1)[0]
    assert missing.split("; ") == [
        "OAuth is not enabled on the client (AllowedOAuthFlowsUserPoolClient)",
        "no OAuth grant types (AllowedOAuthFlows: code or implicit)",
        "no OAuth scopes (AllowedOAuthScopes, e.g. openid)",
        "no callback URLs (CallbackURLs)",
        "no sign-out URLs (LogoutURLs)",
        f"user pool {POOL_ID} has no domain (App integration > Domain)",
    ]


def test_native_client_and_its_secret_only_with_include_secret() -> None:
    secret = "q" * 51
    up = pool(POOL_ID, "p", [client("web1"), client("nat1", secret=secret)])
    config = build_config(Selection(up, up.clients[0], up.clients[1])).config
    assert config.user_pool is not None and config.user_pool.app_client_id == "nat1"
    assert secret not in render_config(config, "gen1")
    assert secret in render_config(config, "gen1", include_secret=True)
    assert secret not in repr(config)


def test_identity_pool_and_pool_settings_round_trip_through_both_formats() -> None:
    up = pool(
        POOL_ID,
        "p",
        [client("c1")],
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        MfaConfiguration="OPTIONAL",
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireNumbers": True}},
        SchemaAttributes=[{"Name": "email", "Required": True}],
    )
    ip = identity_pool("us-east-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9", "ids", [], True)
    config = build_config(_selected(up, identity_pool=ip)).config
    for fmt in ("gen1", "gen2"):
        text = render_config(config, fmt)  # type: ignore[arg-type]
        read, warnings = parse_config(text, f"<{fmt}>")
        assert warnings == []
        assert read.user_pool == config.user_pool
        assert read.identity_pool == config.identity_pool
        assert read.username_attributes == ("email",)
        assert read.password_policy is not None and read.password_policy.min_length == 10
    gen2 = parse_config(render_config(config, "gen2"))[0]
    assert gen2.unauthenticated_identities_enabled is True
