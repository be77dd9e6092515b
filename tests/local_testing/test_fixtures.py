"""The pytest plugin's fixtures and each of their options, used as a user's test would use them.

``local_cognito`` here is ``tests/conftest.py``'s module-scoped override (built on the plugin's
``serve_local_cognito``); the plugin's own session-scoped one is exercised by the fresh project
in ``test_outside_project.py``. Everything is checked through the Cognito API (boto3) and the
tokens with PyJWT against the pool's JWKS, not through the fixtures' own code.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest

from pyamplify.auth import Auth, SignInStep
from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock
from pyamplify.local.testing import DEFAULT_PASSWORD, CognitoUser, LocalPool
from pyamplify.storage import MemoryStore

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def idp(local_cognito: LocalCognito, make_boto3_client: Callable[..., Any]) -> Any:
    """boto3 against the module's local Cognito: the independent view of what was made."""
    return make_boto3_client("cognito-idp", local_cognito.url)


def verified_claims(local_cognito: LocalCognito, pool: LocalPool, token: str) -> dict[str, Any]:
    """An ID token's claims, verified with PyJWT against the pool's published JWKS."""
    keys = httpx.get(f"{local_cognito.url}/{pool.pool_id}/.well-known/jwks.json").json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(jwt.PyJWK(k) for k in keys if k["kid"] == kid)
    claims: dict[str, Any] = jwt.decode(
        token, key.key, ["RS256"], audience=pool.client_id, options={"verify_iat": False}
    )
    return claims


# ---------------------------------------------------------------------- user_pool


@pytest.fixture
def deleted_afterwards(idp: Any) -> Iterator[list[LocalPool]]:
    """Requested before ``user_pool``, so its check runs after ``user_pool``'s teardown."""
    pools: list[LocalPool] = []
    yield pools
    for pool in pools:
        with pytest.raises(idp.exceptions.ResourceNotFoundException):
            idp.describe_user_pool(UserPoolId=pool.pool_id)


def test_user_pool_is_a_fresh_pool_and_client_deleted_afterwards(
    deleted_afterwards: list[LocalPool], user_pool: LocalPool, idp: Any, local_cognito: Any
) -> None:
    deleted_afterwards.append(user_pool)
    described = idp.describe_user_pool_client(
        UserPoolId=user_pool.pool_id, ClientId=user_pool.client_id
    )["UserPoolClient"]
    assert "ClientSecret" not in described and user_pool.client_secret is None
    assert {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"} <= set(
        described["ExplicitAuthFlows"]
    )
    assert user_pool.config.user_pool is not None
    assert user_pool.config.user_pool.endpoint == local_cognito.url
    assert user_pool.config.identity_pool is None and user_pool.identity_pool_id is None
    assert user_pool.mfa == "OFF"
    mfa = idp.get_user_pool_mfa_config(UserPoolId=user_pool.pool_id)
    assert mfa["MfaConfiguration"] == "OFF"


def test_each_test_gets_its_own_pool(user_pool: LocalPool, idp: Any) -> None:
    names = [p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    # The previous tests' pools are gone: only this test's pool is on the module's server.
    assert names == [idp.describe_user_pool(UserPoolId=user_pool.pool_id)["UserPool"]["Name"]]


@pytest.mark.user_pool(secret=True)
def test_secret_option_makes_a_client_with_a_secret_that_signs_in(
    user_pool: LocalPool, idp: Any, signed_in_auth: Auth
) -> None:
    described = idp.describe_user_pool_client(
        UserPoolId=user_pool.pool_id, ClientId=user_pool.client_id
    )["UserPoolClient"]
    assert user_pool.client_secret and described["ClientSecret"] == user_pool.client_secret
    assert user_pool.config.user_pool is not None
    assert user_pool.config.user_pool.app_client_secret == user_pool.client_secret
    assert "<client secret>" in repr(user_pool) and user_pool.client_secret not in repr(user_pool)
    assert signed_in_auth.fetch_auth_session(force_refresh=True).is_signed_in


@pytest.mark.parametrize("user_pool", [{}, {"secret": True}], indirect=True, ids=["no", "secret"])
def test_options_as_an_indirect_parameter(user_pool: LocalPool, signed_in_auth: Auth) -> None:
    assert signed_in_auth.get_current_user().username == "tester"
    assert user_pool.config.user_pool is not None
    assert (user_pool.client_secret is not None) == (
        user_pool.config.user_pool.app_client_secret is not None
    )


@pytest.mark.user_pool(secret=False)
@pytest.mark.parametrize("user_pool", [{"secret": True}], indirect=True)
def test_an_indirect_parameter_overrides_the_marker(user_pool: LocalPool) -> None:
    assert user_pool.client_secret


@pytest.mark.user_pool(
    access_token_minutes=5,
    pool={"UserPoolTags": {"team": "qa"}},
    client={"ClientName": "custom-client"},
)
def test_token_lifetime_and_extra_create_arguments(
    user_pool: LocalPool, idp: Any, signed_in_auth: Auth
) -> None:
    tokens = signed_in_auth.fetch_auth_session().tokens
    assert tokens is not None
    assert tokens.expires_at - tokens.access_token.issued_at == 300
    pool = idp.describe_user_pool(UserPoolId=user_pool.pool_id)["UserPool"]
    assert pool["UserPoolTags"] == {"team": "qa"}
    client = idp.describe_user_pool_client(
        UserPoolId=user_pool.pool_id, ClientId=user_pool.client_id
    )["UserPoolClient"]
    assert client["ClientName"] == "custom-client"


@pytest.mark.user_pool(identity_pool=True)
def test_identity_pool_option_gives_signed_in_aws_credentials(
    user_pool: LocalPool, signed_in_auth: Auth, local_cognito: LocalCognito
) -> None:
    assert user_pool.identity_pool_id is not None
    assert user_pool.config.identity_pool is not None
    assert user_pool.config.identity_pool.pool_id == user_pool.identity_pool_id
    session = signed_in_auth.fetch_auth_session()
    assert session.credentials is not None, session.credentials_error
    assert session.identity_id and session.identity_id.startswith("us-east-1:")
    guest = Auth(user_pool.config, store=MemoryStore())
    try:
        assert guest.fetch_auth_session().credentials is not None  # guests allowed by default
    finally:
        guest.close()


@pytest.mark.user_pool(identity_pool=True, guests=False)
def test_identity_pool_without_guests(user_pool: LocalPool) -> None:
    guest = Auth(user_pool.config, store=MemoryStore())
    try:
        session = guest.fetch_auth_session()
    finally:
        guest.close()
    assert session.credentials is None and session.credentials_error is not None


# ---------------------------------------------------------------------- MFA


@pytest.mark.user_pool(mfa="OPTIONAL")
def test_optional_mfa_pool_user_signs_in_without_a_factor(
    user_pool: LocalPool, cognito_user: CognitoUser, signed_in_auth: Auth, idp: Any
) -> None:
    config = idp.get_user_pool_mfa_config(UserPoolId=user_pool.pool_id)
    assert config["MfaConfiguration"] == "OPTIONAL"
    assert config["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert cognito_user.totp_secret is None
    assert signed_in_auth.fetch_mfa_preference().enabled == ()


@pytest.mark.user_pool(mfa="OPTIONAL")
@pytest.mark.cognito_user(totp=True)
def test_optional_mfa_pool_user_with_a_software_token(
    user_pool: LocalPool, cognito_user: CognitoUser, signed_in_auth: Auth, cognito_clock: Any
) -> None:
    assert cognito_user.totp_secret
    assert signed_in_auth.fetch_mfa_preference().preferred == "TOTP"
    cognito_clock.advance(30)  # enrolment and sign-in used this step's and the next's codes
    assert_totp_challenged(user_pool, cognito_user)


@pytest.mark.user_pool(mfa="ON", secret=True)
def test_required_mfa_pool_user_is_enrolled_and_signed_in(
    user_pool: LocalPool, cognito_user: CognitoUser, signed_in_auth: Auth, cognito_clock: Any
) -> None:
    assert cognito_user.totp_secret is not None
    assert cognito_user.totp_secret not in repr(cognito_user)
    assert signed_in_auth.fetch_auth_session().is_signed_in
    cognito_clock.advance(30)  # enrolment and sign-in used this step's and the next's codes
    assert_totp_challenged(user_pool, cognito_user)


def assert_totp_challenged(pool: LocalPool, user: CognitoUser) -> None:
    """A second device signing in is asked for a TOTP code, and the user's code answers it."""
    other = Auth(pool.config, store=MemoryStore())
    try:
        result = other.sign_in(user.username, user.password)
        assert result.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
        # The next step's code (the server's window accepts it): the current one is used up.
        assert other.confirm_sign_in(user.totp_code(user.clock() + 30)).is_signed_in
    finally:
        other.close()


# ---------------------------------------------------------------------- cognito_user


def test_cognito_user_is_confirmed_with_a_known_password(
    user_pool: LocalPool, cognito_user: CognitoUser, idp: Any, local_cognito: LocalCognito
) -> None:
    assert cognito_user.username == "tester"
    assert cognito_user.password == DEFAULT_PASSWORD
    assert DEFAULT_PASSWORD not in repr(cognito_user)
    assert dict(cognito_user.attributes) == {
        "email": "tester@example.com",
        "email_verified": "true",
    }
    user = idp.admin_get_user(UserPoolId=user_pool.pool_id, Username="tester")
    assert user["UserStatus"] == "CONFIRMED"
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["sub"] == cognito_user.sub and attributes["email_verified"] == "true"
    tokens = idp.initiate_auth(
        ClientId=user_pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "tester", "PASSWORD": cognito_user.password},
    )["AuthenticationResult"]
    claims = verified_claims(local_cognito, user_pool, tokens["IdToken"])
    assert claims["cognito:username"] == "tester" and claims["sub"] == cognito_user.sub


@pytest.mark.cognito_user(
    username="grace", password="Another-Passw0rd!", attributes={"email": "g@example.org"}
)
def test_cognito_user_options(cognito_user: CognitoUser, signed_in_auth: Auth) -> None:
    assert cognito_user.username == "grace" and cognito_user.password == "Another-Passw0rd!"
    assert signed_in_auth.get_current_user().username == "grace"
    assert signed_in_auth.fetch_user_attributes()["email"] == "g@example.org"


def test_totp_code_without_a_token_says_so(cognito_user: CognitoUser) -> None:
    with pytest.raises(ValueError, match="no software token"):
        cognito_user.totp_code()


# ---------------------------------------------------------------------- signed_in_auth


def test_signed_in_auth_holds_real_tokens_in_memory(
    signed_in_auth: Auth,
    user_pool: LocalPool,
    cognito_user: CognitoUser,
    local_cognito: LocalCognito,
) -> None:
    session = signed_in_auth.fetch_auth_session()
    assert session.is_signed_in and session.tokens is not None
    claims = verified_claims(local_cognito, user_pool, session.tokens.id_token.token)
    assert claims["sub"] == cognito_user.sub
    assert claims["email"] == cognito_user.attributes["email"]
    assert isinstance(signed_in_auth._core.store, MemoryStore)
    assert signed_in_auth.get_current_user().sign_in_details.auth_flow_type == "USER_SRP_AUTH"


# ---------------------------------------------------------------------- cognito_clock


@pytest.fixture
def own_clock_afterwards(local_cognito: LocalCognito) -> Iterator[None]:
    """Requested before ``cognito_clock``: checks after its teardown that the clock is back."""
    own = local_cognito.clock
    yield
    assert local_cognito.clock is own


def test_cognito_clock_expires_tokens_on_both_sides(
    own_clock_afterwards: None,
    cognito_clock: ManualClock,
    signed_in_auth: Auth,
    local_cognito: LocalCognito,
) -> None:
    assert local_cognito.clock is cognito_clock
    assert abs(cognito_clock() - time.time()) < 5
    first = signed_in_auth.fetch_auth_session().tokens
    assert first is not None
    events: list[str] = []
    signed_in_auth.events.subscribe(lambda event: events.append(event.name))
    cognito_clock.advance(2 * 3600)  # past the one-hour tokens, for the server and the client
    second = signed_in_auth.fetch_auth_session().tokens
    assert second is not None and events == ["token_refresh"]
    assert second.access_token.issued_at >= first.access_token.issued_at + 2 * 3600
