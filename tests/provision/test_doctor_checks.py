"""Doctor's checks as pure functions over plain data (the e2e tests plant the same faults)."""

from __future__ import annotations

from pyamplify.config import AuthConfig, IdentityPoolConfig, OAuthConfig, UserPoolConfig
from pyamplify.provision import doctor
from pyamplify.provision.inventory import AppClient

from .shapes import client, identity_pool, pool

UP = "us-east-1_Checks1"
IP = "us-east-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"


def test_endpoint_in_another_region() -> None:
    config = AuthConfig(
        user_pool=UserPoolConfig(
            UP, "c1", "us-east-1", endpoint="cognito-idp.eu-west-1.amazonaws.com"
        )
    )
    (finding,) = doctor.check_regions(config)
    assert finding.check == "regions" and "is in region eu-west-1" in finding.message
    fine = AuthConfig(user_pool=UserPoolConfig(UP, "c1", "us-east-1", endpoint="auth.example.com"))
    assert doctor.check_regions(fine) == []


def test_every_flow_type_names_its_explicit_auth_flow() -> None:
    up = pool(
        UP,
        "p",
        [client("c1", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])],
    )
    app = up.clients[0]
    for flow, needed in doctor.FLOW_NEEDS.items():
        config = AuthConfig(
            user_pool=UserPoolConfig(UP, "c1", "us-east-1"), authentication_flow_type=flow
        )
        found = doctor.check_auth_flows(config, up, app)
        assert bool(found) == (needed != "ALLOW_USER_SRP_AUTH"), flow
        assert all(needed in item.message for item in found)


def test_guest_only_configuration_expects_guests_and_the_unauthenticated_role() -> None:
    guests_only = AuthConfig(identity_pool=IdentityPoolConfig(IP, "us-east-1"))
    assert doctor.guest_expected(guests_only)
    closed = identity_pool(IP, "ids", [], allow_guests=False)
    assert doctor.check_guest_access(guests_only, closed)[0].message.startswith(
        "the configuration has no user pool (guest access only)"
    )
    (finding,) = doctor.check_roles(guests_only, closed, {})  # no user pool: no signed-in users
    assert "has no unauthenticated role, so guests get no AWS credentials" in finding.message


def test_role_that_is_not_an_arn() -> None:
    config = AuthConfig(user_pool=UserPoolConfig(UP, "c1", "us-east-1"))
    ip = identity_pool(IP, "ids", [(UP, "c1")])
    found = doctor.check_roles(config, ip, {"authenticated": "undefined"})
    (finding,) = found
    assert finding.message.startswith("Cannot parse arn: 'undefined'.")
    assert finding.fix.startswith("Set a real role")


def test_oauth_response_type_needs_its_grant() -> None:
    up = pool(UP, "p", [])
    app = AppClient.from_description(
        client(
            "c1",
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            CallbackURLs=["myapp://cb/"],
            LogoutURLs=["myapp://out/"],
            AllowedOAuthScopes=["openid"],
        )
    )
    oauth = OAuthConfig(
        "x.auth.us-east-1.amazoncognito.com",
        "c1",
        ("myapp://cb/",),
        ("myapp://out/",),
        ("openid",),
        response_type="token",
    )
    (finding,) = doctor.check_oauth_client(oauth, up, app)
    assert "does not allow the implicit grant" in finding.message


def test_social_providers_must_exist_on_the_pool_and_be_offered_by_the_client() -> None:
    from pyamplify.provision.inventory import UserPool

    config = AuthConfig(
        user_pool=UserPoolConfig(UP, "web", "us-east-1"), social_providers=("GOOGLE", "APPLE")
    )
    description = {"Id": UP, "Name": "p"}
    web = client("web", SupportedIdentityProviders=["COGNITO", "Google"])
    google = [{"ProviderName": "Google", "ProviderType": "Google"}]
    without = UserPool.from_description(description, [web], providers=[])
    missing = doctor.check_oauth_providers(config, without, without.clients[0])
    assert [f.message.split(",")[0] for f in missing] == [
        "the configuration offers GOOGLE sign-in",
        "the configuration offers APPLE sign-in",
    ]
    assert "has no Google identity provider" in missing[0].message
    assert missing[0].fix.startswith("Add the Google identity provider")
    with_google = UserPool.from_description(description, [web], providers=google)
    (apple,) = doctor.check_oauth_providers(config, with_google, with_google.clients[0])
    assert "no SignInWithApple identity provider" in apple.message
    not_offered = UserPool.from_description(
        description, [client("web", SupportedIdentityProviders=["COGNITO"])], providers=google
    )
    only_google = AuthConfig(
        user_pool=UserPoolConfig(UP, "web", "us-east-1"), social_providers=("GOOGLE",)
    )
    (finding,) = doctor.check_oauth_providers(only_google, not_offered, not_offered.clients[0])
    assert "does not list Google" in finding.message and "COGNITO" in finding.message
    assert doctor.check_oauth_providers(only_google, with_google, with_google.clients[0]) == []


def test_refresh_token_rotation_without_a_grace_period_is_a_finding() -> None:
    """Defect 7: with a 0 s grace, a client that dies between Cognito's rotation and its own
    store write has lost the session; doctor recommends a grace period."""
    config = AuthConfig(user_pool=UserPoolConfig(UP, "c1", "us-east-1"))

    def rotation(**settings: object) -> AppClient:
        return pool(UP, "p", [client("c1", RefreshTokenRotation=settings)]).clients[0]

    (finding,) = doctor.check_refresh_rotation(
        config, rotation(Feature="ENABLED", RetryGracePeriodSeconds=0)
    )
    assert finding.check == "refresh-rotation"
    assert "RetryGracePeriodSeconds" in finding.fix and "grace" in finding.message
    assert doctor.check_refresh_rotation(config, rotation(Feature="ENABLED")) != []
    graced = rotation(Feature="ENABLED", RetryGracePeriodSeconds=30)
    assert doctor.check_refresh_rotation(config, graced) == []
    assert doctor.check_refresh_rotation(config, rotation(Feature="DISABLED")) == []
    assert doctor.check_refresh_rotation(config, client_without_rotation()) == []


def client_without_rotation() -> AppClient:
    return pool(UP, "p", [client("c1")]).clients[0]
