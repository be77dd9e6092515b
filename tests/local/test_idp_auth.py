"""Sign-in against the local Cognito: real SRP (pycognito and our own client), password flows,
lockout, SECRET_HASH, PreventUserExistenceErrors and NEW_PASSWORD_REQUIRED."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pycognito import Cognito

from pyamplify import srp
from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock

from . import srp_client

if TYPE_CHECKING:
    from tests.conftest import PoolClient

pytestmark = pytest.mark.e2e

PASSWORD = "Sup3r-secret!"
VECTOR = json.loads(
    (Path(__file__).parent.parent / "data" / "amplify_android_srp_vector.json").read_text()
)


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(autouse=True)
def wall_time(clock: ManualClock) -> None:
    """Each test starts on the wall clock: pycognito stamps its TIMESTAMP with real time."""
    clock.set(time.time())


@pytest.fixture(scope="module")
def local_cognito(clock: ManualClock) -> Iterator[LocalCognito]:
    """This module's local Cognito: a manual clock, and the local issuer for pycognito."""
    with LocalCognito(issuer="local", clock=clock) as cognito:
        yield cognito


def pycognito_user(cognito: LocalCognito, pool: PoolClient, username: str) -> Cognito:
    return Cognito(
        pool.pool_id,
        pool.client_id,
        username=username,
        client_secret=pool.client_secret,
        boto3_client_kwargs={
            "endpoint_url": cognito.url,
            "aws_access_key_id": "AKIDLOCALTEST",
            "aws_secret_access_key": "local-secret",
        },
    )


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


# ---------------------------------------------------------------------- SRP with pycognito


def test_pycognito_signs_in_and_verifies_the_tokens(
    local_cognito: LocalCognito,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "alice", PASSWORD, {"email": "alice@example.com"})
    user = pycognito_user(local_cognito, pool, "alice")
    user.authenticate(password=PASSWORD)  # pycognito verifies both tokens against our JWKS
    assert user.id_claims["cognito:username"] == "alice"
    assert user.access_claims["username"] == "alice"
    assert user.refresh_token


def test_pycognito_wrong_password_is_not_authorized(
    local_cognito: LocalCognito,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "bob", PASSWORD)
    user = pycognito_user(local_cognito, pool, "bob")
    with pytest.raises(Exception) as caught:
        user.authenticate(password="Wrong-passw0rd")
    assert error_of(caught) == ("NotAuthorizedException", "Incorrect username or password.")


def test_pycognito_with_a_client_secret(
    local_cognito: LocalCognito,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool(client={"GenerateSecret": True})
    new_user(pool.pool_id, "sam", PASSWORD)
    user = pycognito_user(local_cognito, pool, "sam")
    user.authenticate(password=PASSWORD)
    assert user.id_claims["aud"] == pool.client_id


# ---------------------------------------------------------------------- SRP details


def test_password_verifier_challenge_has_aws_shape_and_no_session(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "carl", PASSWORD)
    _, started = srp_client.start(cognito_idp, pool.client_id, "carl")
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    assert "Session" not in started
    params = started["ChallengeParameters"]
    assert set(params) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    assert params["USERNAME"] == params["USER_ID_FOR_SRP"] == "carl"
    int(params["SALT"], 16), int(params["SRP_B"], 16)


def test_server_side_srp_verifies_the_amplify_android_vector(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    """The vector's salt, identity, password and private a, through our server over HTTP."""
    pool = new_user_pool(pool={"Policies": {"PasswordPolicy": {"RequireSymbols": False}}})
    new_user(pool.pool_id, VECTOR["user_id"], VECTOR["password"])
    store = local_cognito.backend.store
    record = store.get_user(pool.pool_id, VECTOR["user_id"])
    assert record is not None
    record.salt = VECTOR["salt_hex"]
    verifier = srp.make_verifier(
        srp.pool_name_of(pool.pool_id), VECTOR["user_id"], VECTOR["password"], record.salt
    )
    record.verifier = format(verifier, "x")
    store.save_user(record)
    private_a = int(VECTOR["private_a_decimal"])
    eph = srp.ClientEphemeral(a=private_a, big_a=pow(srp.G, private_a, srp.N))
    _, started = srp_client.start(cognito_idp, pool.client_id, VECTOR["user_id"], ephemeral=eph)
    challenge = started["ChallengeParameters"]
    assert challenge["SALT"] == VECTOR["salt_hex"]
    responses = srp_client.answer(
        eph, challenge, pool.pool_id, VECTOR["password"], now=now_of(local_cognito)
    )
    result = srp_client.respond(cognito_idp, pool.client_id, responses)
    assert result["AuthenticationResult"]["TokenType"] == "Bearer"


def now_of(cognito: LocalCognito) -> datetime:
    return datetime.fromtimestamp(cognito.clock(), timezone.utc)


def test_secret_block_is_single_use_and_bound_to_the_client(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool()
    other_client = cognito_idp.create_user_pool_client(UserPoolId=pool.pool_id, ClientName="other")[
        "UserPoolClient"
    ]["ClientId"]
    new_user(pool.pool_id, "dora", PASSWORD)
    eph, started = srp_client.start(cognito_idp, pool.client_id, "dora")
    responses = srp_client.answer(
        eph, started["ChallengeParameters"], pool.pool_id, PASSWORD, now=now_of(local_cognito)
    )
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException):
        srp_client.respond(cognito_idp, other_client, responses)
    # The failed attempt consumed the block: the right client cannot use it any more.
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException):
        srp_client.respond(cognito_idp, pool.client_id, responses)
    eph, started = srp_client.start(cognito_idp, pool.client_id, "dora")
    responses = srp_client.answer(
        eph, started["ChallengeParameters"], pool.pool_id, PASSWORD, now=now_of(local_cognito)
    )
    assert "AuthenticationResult" in srp_client.respond(cognito_idp, pool.client_id, responses)
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        srp_client.respond(cognito_idp, pool.client_id, responses)
    assert error_of(caught) == ("NotAuthorizedException", "Incorrect username or password.")


@pytest.mark.parametrize(
    "stamp",
    [
        "Wed Sep 01 06:40:48 UTC 2021",  # zero-padded day: AWS refuses it
        "Thu Sep 29 06:40:48 UTC 2021",  # wrong weekday
        "stale",  # a well-formed timestamp an hour away from the clock
    ],
)
def test_bad_timestamps_are_refused(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    stamp: str,
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "eve", PASSWORD)
    if stamp == "stale":
        stamp = srp.format_timestamp(now_of(local_cognito) - timedelta(hours=1))
    else:  # put the clock on that (otherwise fresh) moment so only the format is wrong
        local_cognito.clock.set(datetime(2021, 9, 1, 6, 40, 48, tzinfo=timezone.utc).timestamp())
    try:
        eph, started = srp_client.start(cognito_idp, pool.client_id, "eve")
        responses = srp_client.answer(
            eph, started["ChallengeParameters"], pool.pool_id, PASSWORD, timestamp=stamp
        )
        with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
            srp_client.respond(cognito_idp, pool.client_id, responses)
        assert error_of(caught)[1] == "Incorrect username or password."
    finally:
        local_cognito.clock.set(datetime.now(timezone.utc).timestamp())


def test_expired_secret_block_is_an_invalid_session(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "fred", PASSWORD)
    eph, started = srp_client.start(cognito_idp, pool.client_id, "fred")
    clock.advance(181)  # AuthSessionValidity defaults to 3 minutes
    responses = srp_client.answer(
        eph, started["ChallengeParameters"], pool.pool_id, PASSWORD, now=now_of(local_cognito)
    )
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        srp_client.respond(cognito_idp, pool.client_id, responses)
    assert error_of(caught)[1] == "Invalid session for the user."


def test_email_username_pool_uses_the_sub_for_srp(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool(pool={"UsernameAttributes": ["email"]})
    new_user(pool.pool_id, "gail@example.com", PASSWORD)
    sub = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="gail@example.com")[
        "Username"
    ]
    eph, started = srp_client.start(cognito_idp, pool.client_id, "gail@example.com")
    challenge = started["ChallengeParameters"]
    assert challenge["USER_ID_FOR_SRP"] == challenge["USERNAME"] == sub
    responses = srp_client.answer(eph, challenge, pool.pool_id, PASSWORD, now=now_of(local_cognito))
    assert "AuthenticationResult" in srp_client.respond(cognito_idp, pool.client_id, responses)


# ---------------------------------------------------------------------- policy around sign-in


def password_auth(idp: Any, client_id: str, username: str, password: str, **extra: str) -> Any:
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password, **extra},
    )


def test_lockout_after_five_failures_doubles_and_does_not_extend(
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "hank", PASSWORD)
    for _ in range(5):
        with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
            password_auth(cognito_idp, pool.client_id, "hank", "Wrong-passw0rd")
        assert error_of(caught)[1] == "Incorrect username or password."
    # Locked for 1 s: even the right password is refused, and that does not extend the lock.
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        password_auth(cognito_idp, pool.client_id, "hank", PASSWORD)
    assert error_of(caught)[1] == "Password attempts exceeded"
    clock.advance(1.01)
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException):
        password_auth(cognito_idp, pool.client_id, "hank", "Wrong-passw0rd")  # 6th: 2 s
    clock.advance(1.5)
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        password_auth(cognito_idp, pool.client_id, "hank", PASSWORD)
    assert error_of(caught)[1] == "Password attempts exceeded"
    clock.advance(0.6)
    assert "AuthenticationResult" in password_auth(cognito_idp, pool.client_id, "hank", PASSWORD)


def test_flows_not_allowed_by_the_client_are_refused(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool(client={"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]})
    new_user(pool.pool_id, "ida", PASSWORD)
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException) as caught:
        password_auth(cognito_idp, pool.client_id, "ida", PASSWORD)
    assert error_of(caught)[1] == "USER_PASSWORD_AUTH flow not enabled for this client"
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException) as caught:
        cognito_idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ida", "PASSWORD": PASSWORD},
        )


def test_secret_hash_is_required_and_checked(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool(client={"GenerateSecret": True})
    assert pool.client_secret is not None
    new_user(pool.pool_id, "jack", PASSWORD)
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        password_auth(cognito_idp, pool.client_id, "jack", PASSWORD)
    assert error_of(caught)[1] == (
        f"Client {pool.client_id} is configured with secret but SECRET_HASH was not received"
    )
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        password_auth(cognito_idp, pool.client_id, "jack", PASSWORD, SECRET_HASH="bm9wZQ==")
    assert error_of(caught)[1] == f"Unable to verify secret hash for client {pool.client_id}"
    good = srp.compute_secret_hash("jack", pool.client_id, pool.client_secret)
    result = password_auth(cognito_idp, pool.client_id, "jack", PASSWORD, SECRET_HASH=good)
    assert "AuthenticationResult" in result


def test_unknown_users_legacy_vs_prevent_user_existence_errors(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
) -> None:
    legacy = new_user_pool()
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException) as caught:
        srp_client.start(cognito_idp, legacy.client_id, "nobody")
    assert error_of(caught)[1] == "User does not exist."
    hidden = new_user_pool(client={"PreventUserExistenceErrors": "ENABLED"})
    _, first = srp_client.start(cognito_idp, hidden.client_id, "nobody")
    eph, second = srp_client.start(cognito_idp, hidden.client_id, "nobody")
    assert first["ChallengeParameters"]["SALT"] == second["ChallengeParameters"]["SALT"]
    assert first["ChallengeParameters"]["SRP_B"] != second["ChallengeParameters"]["SRP_B"]
    responses = srp_client.answer(
        eph, second["ChallengeParameters"], hidden.pool_id, PASSWORD, now=now_of(local_cognito)
    )
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        srp_client.respond(cognito_idp, hidden.client_id, responses)
    assert error_of(caught)[1] == "Incorrect username or password."
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException):
        password_auth(cognito_idp, hidden.client_id, "nobody", PASSWORD)


def test_unconfirmed_user_is_refused_before_the_password_check(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool()
    cognito_idp.sign_up(ClientId=pool.client_id, Username="kim", Password=PASSWORD)
    with pytest.raises(cognito_idp.exceptions.UserNotConfirmedException) as caught:
        password_auth(cognito_idp, pool.client_id, "kim", "Wrong-passw0rd")
    assert error_of(caught)[1] == "User is not confirmed."


def test_new_password_required_with_required_attributes(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], clock: ManualClock
) -> None:
    pool = new_user_pool(pool={"Schema": [{"Name": "name", "Required": True}]})
    cognito_idp.admin_create_user(
        UserPoolId=pool.pool_id,
        Username="lee",
        TemporaryPassword="Temp-0rary",
        MessageAction="SUPPRESS",
    )
    started = password_auth(cognito_idp, pool.client_id, "lee", "Temp-0rary")
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    params = started["ChallengeParameters"]
    assert json.loads(params["requiredAttributes"]) == ["userAttributes.name"]
    assert params["USER_ID_FOR_SRP"] == "lee"

    def respond(new_password: str, **attributes: str) -> Any:
        return cognito_idp.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=started["Session"],
            ChallengeResponses={
                "USERNAME": "lee",
                "NEW_PASSWORD": new_password,
                **{f"userAttributes.{k}": v for k, v in attributes.items()},
            },
        )

    with pytest.raises(cognito_idp.exceptions.InvalidPasswordException):
        respond("weak")
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException):
        respond(PASSWORD)
    assert "AuthenticationResult" in respond(PASSWORD, name="Lee Smith")
    user = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="lee")
    assert user["UserStatus"] == "CONFIRMED"
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        respond(PASSWORD, name="again")  # the session was consumed
    assert error_of(caught)[1] == "Invalid session for the user."
    # The temporary password is gone; the new one works.
    assert "AuthenticationResult" in password_auth(cognito_idp, pool.client_id, "lee", PASSWORD)


def test_temporary_password_expires(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], clock: ManualClock
) -> None:
    pool = new_user_pool()
    cognito_idp.admin_create_user(
        UserPoolId=pool.pool_id,
        Username="max",
        TemporaryPassword="Temp-0rary",
        MessageAction="SUPPRESS",
    )
    clock.advance(8 * 86400)
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        password_auth(cognito_idp, pool.client_id, "max", "Temp-0rary")
    assert error_of(caught)[1] == (
        "Temporary password has expired and must be reset by an administrator."
    )


def test_admin_initiate_auth_with_password(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "ned", PASSWORD)
    result = cognito_idp.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ned", "PASSWORD": PASSWORD},
    )
    assert result["AuthenticationResult"]["ExpiresIn"] == 3600


def test_boto3_fixture_factory_is_usable_directly(
    local_cognito: LocalCognito, make_boto3_client: Callable[..., Any]
) -> None:
    idp = make_boto3_client("cognito-idp", local_cognito.url)
    assert "UserPools" in idp.list_user_pools(MaxResults=1)


def test_pycognito_account_life_cycle(
    local_cognito: LocalCognito, new_user_pool: Callable[..., PoolClient]
) -> None:
    """pycognito's own calls, end to end: register, confirm, SRP, profile, refresh, sign-out."""
    pool = new_user_pool(
        pool={"AutoVerifiedAttributes": ["email"]},
        client={"GenerateSecret": True},
    )
    user = pycognito_user(local_cognito, pool, "pat")
    user.set_base_attributes(email="pat@example.com", name="Pat")
    user.register("pat", PASSWORD)
    user.confirm_sign_up(local_cognito.outbox("pat")[-1]["code"], username="pat")
    user.authenticate(password=PASSWORD)
    profile = user.get_user()
    assert profile.username == "pat" and profile.email == "pat@example.com"
    user.update_profile({"name": "Patricia"})
    assert user.get_user()._data["name"] == "Patricia"
    before = user.access_token
    user.renew_access_token()  # REFRESH_TOKEN_AUTH with SECRET_HASH; tokens re-verified
    assert user.access_token != before  # a new jti at least
    user.change_password(PASSWORD, "Ch4nged-secret!")
    user.logout()  # GlobalSignOut
    with pytest.raises(Exception) as caught:
        user.client.get_user(AccessToken=before)
    assert error_of(caught) == ("NotAuthorizedException", "Access Token has been revoked")
    again = pycognito_user(local_cognito, pool, "pat")
    again.authenticate(password="Ch4nged-secret!")
    assert again.id_claims["name"] == "Patricia"
