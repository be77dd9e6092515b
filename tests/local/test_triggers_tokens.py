"""PreTokenGeneration V1_0 and V2_0 over real HTTP: the event Cognito sends (field by field),
and what the answer does to the tokens, read back with PyJWT against the served JWKS: claims
added, overridden and suppressed, scopes, group overrides, and the claims Cognito protects left
as they were whatever the function says.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from pyamplify.local import LocalCognito
from pyamplify.local.testing.plugin import serve_local_cognito

from .trigger_support import RECORD, Recorder, envelope, error_of, secret_hash, verify_token

if TYPE_CHECKING:
    from tests.conftest import PoolClient

pytestmark = pytest.mark.e2e

PASSWORD = "Token-Passw0rd!"
RECORDER = Recorder()
ADMIN_ROLE = "arn:aws:iam::123456789012:role/admins"
READER_ROLE = "arn:aws:iam::123456789012:role/readers"
SIGNIN_SCOPE = "aws.cognito.signin.user.admin"


@pytest.fixture(scope="module")
def local_cognito(request: pytest.FixtureRequest) -> Iterator[LocalCognito]:
    """This module's local Cognito, with the recorder mapped to :data:`RECORD`."""
    yield from serve_local_cognito(request, triggers={RECORD: RECORDER})


@pytest.fixture(autouse=True)
def recorder() -> Iterator[Recorder]:
    RECORDER.reset()
    yield RECORDER
    RECORDER.reset()


#: How each case names the function in LambdaConfig, and the event version it implies.
CONFIGS = {
    "V1_0-legacy-key": ({"PreTokenGeneration": RECORD}, "1"),
    "V1_0": ({"PreTokenGenerationConfig": {"LambdaVersion": "V1_0", "LambdaArn": RECORD}}, "1"),
    "V2_0": ({"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": RECORD}}, "2"),
}


@pytest.fixture
def token_pool(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> Callable[..., tuple[PoolClient, str]]:
    """``token_pool(version_key, secret=False)``: a pool naming the recorder for
    PreTokenGeneration, and a user in groups ``admins`` (with a role) and ``staff``."""

    def make(key: str, secret: bool = False) -> tuple[PoolClient, str]:
        config, _version = CONFIGS[key]
        pool = new_user_pool(pool={"LambdaConfig": config}, client={"GenerateSecret": secret})
        username = new_user(
            pool.pool_id,
            f"user-{secrets.token_hex(4)}",
            PASSWORD,
            {"email": "tok@example.com", "email_verified": "true"},
        )
        cognito_idp.create_group(
            UserPoolId=pool.pool_id, GroupName="admins", RoleArn=ADMIN_ROLE, Precedence=1
        )
        cognito_idp.create_group(UserPoolId=pool.pool_id, GroupName="staff", Precedence=2)
        for group in ("admins", "staff"):
            cognito_idp.admin_add_user_to_group(
                UserPoolId=pool.pool_id, Username=username, GroupName=group
            )
        return pool, username

    return make


def _sign_in(idp: Any, pool: PoolClient, username: str, **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": username,
            "PASSWORD": PASSWORD,
            **secret_hash(username, pool.client_id, pool.client_secret),
        },
        **kwargs,
    )
    return result["AuthenticationResult"]  # type: ignore[no-any-return]


def _claims(
    local_cognito: LocalCognito, pool: PoolClient, tokens: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    id_claims = verify_token(local_cognito.url, pool.pool_id, tokens["IdToken"], pool.client_id)
    access = verify_token(local_cognito.url, pool.pool_id, tokens["AccessToken"])
    return id_claims, access


@pytest.mark.parametrize("key", list(CONFIGS))
def test_the_event_carries_attributes_groups_and_for_v2_scopes(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    token_pool: Callable[..., tuple[PoolClient, str]],
    recorder: Recorder,
    key: str,
) -> None:
    pool, username = token_pool(key, secret=key == "V2_0")
    tokens = _sign_in(cognito_idp, pool, username, ClientMetadata={"not": "passed"})
    (event,) = recorder.of("PreTokenGeneration")
    version = CONFIGS[key][1]
    envelope(
        {**event, "version": "1"},
        "TokenGeneration_Authentication",
        pool.pool_id,
        username,
        pool.client_id,
    )
    assert event["version"] == version
    sub = verify_token(local_cognito.url, pool.pool_id, tokens["IdToken"])["sub"]
    expected: dict[str, Any] = {
        "userAttributes": {
            "sub": sub,
            "email": "tok@example.com",
            "email_verified": "true",
            "cognito:user_status": "CONFIRMED",
        },
        "groupConfiguration": {
            "groupsToOverride": ["admins", "staff"],
            "iamRolesToOverride": [ADMIN_ROLE],
            "preferredRole": ADMIN_ROLE,
        },
    }
    if version == "2":
        expected["scopes"] = [SIGNIN_SCOPE]
    # InitiateAuth's ClientMetadata is not passed to PreTokenGeneration.
    assert event["request"] == expected
    assert event["response"] == {}
    # Left unchanged, the tokens are the usual ones.
    id_claims, access = _claims(local_cognito, pool, tokens)
    assert id_claims["cognito:groups"] == access["cognito:groups"] == ["admins", "staff"]
    assert access["scope"] == SIGNIN_SCOPE


@pytest.mark.parametrize("key", ["V1_0-legacy-key", "V1_0"])
def test_v1_changes_id_token_claims_and_groups_but_not_protected_claims(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    token_pool: Callable[..., tuple[PoolClient, str]],
    recorder: Recorder,
    key: str,
) -> None:
    pool, username = token_pool(key)
    before_id, before_access = _claims(local_cognito, pool, _sign_in(cognito_idp, pool, username))

    def customise(event: dict[str, Any]) -> None:
        event["response"]["claimsOverrideDetails"] = {
            "claimsToAddOrOverride": {
                "tier": "gold",
                "email": "shown@example.com",
                "gone": "added then suppressed",
                # Protected: Cognito keeps its own values.
                "sub": "forged",
                "token_use": "access",
                "cognito:username": "someone-else",
                "aud": "another-client",
                "iss": "https://evil.example",
            },
            "claimsToSuppress": ["email_verified", "gone", "exp", "auth_time"],
            "groupOverrideDetails": {
                "groupsToOverride": ["readers"],
                "iamRolesToOverride": [READER_ROLE],
                "preferredRole": READER_ROLE,
            },
        }

    recorder.answers["PreTokenGeneration"] = customise
    id_claims, access = _claims(local_cognito, pool, _sign_in(cognito_idp, pool, username))
    assert id_claims["tier"] == "gold"
    assert id_claims["email"] == "shown@example.com"
    assert "email_verified" not in id_claims
    assert "gone" not in id_claims  # suppression wins over override
    for protected in ("sub", "token_use", "cognito:username", "aud", "iss"):
        assert id_claims[protected] == before_id[protected], protected
    assert "exp" in id_claims and "auth_time" in id_claims
    assert id_claims["cognito:groups"] == ["readers"]
    assert id_claims["cognito:roles"] == [READER_ROLE]
    assert id_claims["cognito:preferred_role"] == READER_ROLE
    # V1_0 touches the access token only through the group override.
    assert access["cognito:groups"] == ["readers"]
    assert "tier" not in access and "cognito:roles" not in access
    per_sign_in = {"cognito:groups", "exp", "iat", "jti", "auth_time", "origin_jti", "event_id"}
    assert set(access) == set(before_access)
    assert {k: v for k, v in access.items() if k not in per_sign_in} == {
        k: v for k, v in before_access.items() if k not in per_sign_in
    }


def test_v1_an_empty_group_override_removes_the_groups(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    token_pool: Callable[..., tuple[PoolClient, str]],
    recorder: Recorder,
) -> None:
    pool, username = token_pool("V1_0")

    def no_groups(event: dict[str, Any]) -> None:
        event["response"]["claimsOverrideDetails"] = {
            "groupOverrideDetails": {"groupsToOverride": []}
        }

    recorder.answers["PreTokenGeneration"] = no_groups
    id_claims, access = _claims(local_cognito, pool, _sign_in(cognito_idp, pool, username))
    assert "cognito:groups" not in id_claims
    assert "cognito:groups" not in access


def test_v2_changes_both_tokens_with_any_json_and_scopes(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    token_pool: Callable[..., tuple[PoolClient, str]],
    recorder: Recorder,
) -> None:
    pool, username = token_pool("V2_0", secret=True)
    before_id, before_access = _claims(local_cognito, pool, _sign_in(cognito_idp, pool, username))

    def customise(event: dict[str, Any]) -> None:
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "idTokenGeneration": {
                "claimsToAddOrOverride": {
                    "plan": {"name": "pro", "seats": 5},
                    "roles": ["editor", "viewer"],
                    "age": 42,
                    "active": True,
                    "sub": "forged",
                },
                "claimsToSuppress": ["email", "cognito:username"],
            },
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {
                    "tenant": "acme",
                    "client_id": "another-client",
                    "username": "someone-else",
                    "token_use": "id",
                },
                "claimsToSuppress": ["jti"],
                "scopesToAdd": ["orders/read", "orders/write"],
                "scopesToSuppress": [SIGNIN_SCOPE, "orders/write"],
            },
            "groupOverrideDetails": {"groupsToOverride": ["vip"]},
        }

    recorder.answers["PreTokenGeneration"] = customise
    tokens = _sign_in(cognito_idp, pool, username)
    id_claims, access = _claims(local_cognito, pool, tokens)
    assert id_claims["plan"] == {"name": "pro", "seats": 5}
    assert id_claims["roles"] == ["editor", "viewer"]
    assert id_claims["age"] == 42 and id_claims["active"] is True
    assert "email" not in id_claims
    assert id_claims["sub"] == before_id["sub"]
    assert id_claims["cognito:username"] == before_id["cognito:username"]  # protected
    assert "tenant" not in id_claims
    assert access["tenant"] == "acme"
    for protected in ("client_id", "username", "token_use", "sub", "iss"):
        assert access[protected] == before_access[protected], protected
    assert "jti" in access
    assert access["scope"] == "orders/read"  # added, then suppressed ones removed
    assert id_claims["cognito:groups"] == access["cognito:groups"] == ["vip"]
    assert "plan" not in access
    # Without the sign-in scope the access token no longer opens GetUser.
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException):
        cognito_idp.get_user(AccessToken=tokens["AccessToken"])


def test_sources_refresh_and_new_password_with_respond_client_metadata(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    token_pool: Callable[..., tuple[PoolClient, str]],
    recorder: Recorder,
) -> None:
    pool, username = token_pool("V2_0")

    def stamp(event: dict[str, Any]) -> None:
        source = event["triggerSource"]
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "idTokenGeneration": {"claimsToAddOrOverride": {"source": source}}
        }

    recorder.answers["PreTokenGeneration"] = stamp
    tokens = _sign_in(cognito_idp, pool, username)
    refreshed = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    id_claims = verify_token(local_cognito.url, pool.pool_id, refreshed["IdToken"])
    assert id_claims["source"] == "TokenGeneration_RefreshTokens"

    newcomer = f"new-{secrets.token_hex(4)}"
    cognito_idp.admin_create_user(
        UserPoolId=pool.pool_id,
        Username=newcomer,
        TemporaryPassword="Temp-Passw0rd!",
        MessageAction="SUPPRESS",
    )
    challenge = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": newcomer, "PASSWORD": "Temp-Passw0rd!"},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = cognito_idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": newcomer, "NEW_PASSWORD": "Chosen-Passw0rd!"},
        ClientMetadata={"screen": "first-login"},
    )["AuthenticationResult"]
    id_claims = verify_token(local_cognito.url, pool.pool_id, done["IdToken"])
    assert id_claims["source"] == "TokenGeneration_NewPasswordChallenge"
    event = recorder.of("TokenGeneration_NewPasswordChallenge")[0]
    # RespondToAuthChallenge's ClientMetadata reaches PreTokenGeneration.
    assert event["request"]["clientMetadata"] == {"screen": "first-login"}
    assert recorder.sources() == [
        "TokenGeneration_Authentication",
        "TokenGeneration_RefreshTokens",
        "TokenGeneration_NewPasswordChallenge",
    ]


def test_failures_are_cognitos_errors_and_the_next_sign_in_works(
    cognito_idp: Any, token_pool: Callable[..., tuple[PoolClient, str]], recorder: Recorder
) -> None:
    pool, username = token_pool("V2_0")

    def raising(event: dict[str, Any]) -> None:
        raise ValueError("claims service down")

    recorder.answers["PreTokenGeneration"] = raising
    with pytest.raises(ClientError) as caught:
        _sign_in(cognito_idp, pool, username)
    assert error_of(caught) == (
        "UserLambdaValidationException",
        "PreTokenGeneration failed with error claims service down.",
    )
    for bad in (
        {"claimsAndScopeOverrideDetails": "everything"},
        {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"scopesToAdd": "a b"}}},
    ):
        recorder.answers["PreTokenGeneration"] = lambda event, bad=bad: {**event, "response": bad}
        with pytest.raises(ClientError) as caught:
            _sign_in(cognito_idp, pool, username)
        assert error_of(caught) == (
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        )
    recorder.answers.clear()
    assert "AccessToken" in _sign_in(cognito_idp, pool, username)
