"""Inventory values from boto3-shaped dicts: flows, domains, providers, identity pools."""

from __future__ import annotations

from pyamplify.provision.inventory import AppClient, IdentityProvider, UserPool

from .shapes import TRIGGERS, client, identity_pool, pool


def test_client_secret_is_never_in_the_repr() -> None:
    secret = "s3cr3t" * 8
    app = AppClient.from_description(client("c1", "native", secret=secret))
    assert app.has_secret and secret not in repr(app)


def test_allowed_flows_defaults_and_legacy_names() -> None:
    assert AppClient.from_description(client("a")).allowed_flows() == {
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    legacy = AppClient.from_description(client("b", ExplicitAuthFlows=["USER_PASSWORD_AUTH"]))
    assert "ALLOW_USER_PASSWORD_AUTH" in legacy.allowed_flows()
    assert "ALLOW_USER_SRP_AUTH" in legacy.allowed_flows()
    only = AppClient.from_description(client("c", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]))
    assert only.allowed_flows() == {"ALLOW_USER_PASSWORD_AUTH"}


def test_domains_prefix_and_custom() -> None:
    prefix = pool("eu-west-1_Abc", "p", [], Domain="myapp")
    assert prefix.web_domain() == "myapp.auth.eu-west-1.amazoncognito.com"
    custom = pool("eu-west-1_Abc", "p", [], Domain="myapp", CustomDomain="auth.example.com")
    assert custom.web_domain() == "auth.example.com"
    assert custom.web_domains() == ("auth.example.com", "myapp.auth.eu-west-1.amazoncognito.com")
    dotted = pool("eu-west-1_Abc", "p", [], Domain="login.example.com")  # a custom domain
    assert dotted.web_domain() == "login.example.com"
    assert pool("eu-west-1_Abc", "p", []).web_domain() is None


def test_custom_auth_triggers_and_required_attributes() -> None:
    full = pool(
        "us-east-1_X",
        "p",
        [],
        LambdaConfig=TRIGGERS,
        SchemaAttributes=[
            {"Name": "email", "Required": True},
            {"Name": "custom:tier", "Required": True},
            {"Name": "name", "Required": False},
        ],
    )
    assert full.missing_custom_auth_triggers() == ()
    assert full.required_attributes == ("email",)
    partial = pool("us-east-1_X", "p", [], LambdaConfig={"DefineAuthChallenge": "arn:x"})
    assert partial.missing_custom_auth_triggers() == (
        "CreateAuthChallenge",
        "VerifyAuthChallengeResponse",
    )


def test_provider_types_fall_back_to_names() -> None:
    clients = [client("c", SupportedIdentityProviders=["COGNITO", "Google", "Corp"])]
    unlisted = UserPool.from_description({"Id": "us-east-1_X", "Name": "p"}, clients)
    assert unlisted.provider_types() == {"Google": "social", "Corp": "OIDC or SAML"}
    listed = UserPool.from_description(
        {"Id": "us-east-1_X", "Name": "p"},
        clients,
        [{"ProviderName": "Corp", "ProviderType": "SAML"}],
    )
    assert listed.provider_types()["Corp"] == "SAML"
    assert IdentityProvider("Okta", "OIDC").kind == "OIDC"


def test_provider_name_uses_the_partition_suffix() -> None:
    assert pool("cn-north-1_X", "p", []).provider_name == (
        "cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_X"
    )


def test_identity_pool_accepts_clients() -> None:
    ip = identity_pool("us-east-1:1", "ids", [("us-east-1_A", "c1"), ("us-east-1_B", None)])
    assert ip.accepts_client("us-east-1_A", "c1")
    assert not ip.accepts_client("us-east-1_A", "c2")
    assert ip.accepts_client("us-east-1_B", "anything")  # no ClientId: any client
    assert ip.providers[0].region == "us-east-1"
