"""Every Auth method end to end against the local Cognito over HTTP, for ``Auth`` and
``AsyncAuth`` (the ``make_auth`` fixture runs each test with both), with and without an app
client secret. Tests about sign-up register their users themselves; the others start from the
pyamplify plugin's ``user_pool`` and ``cognito_user`` (options by marker or indirect parameter)."""

from __future__ import annotations

from typing import Any

import pytest

from pyamplify.auth import (
    AlreadySignedInError,
    NoSignInInProgressError,
    SignedOutError,
    SignInStep,
    SignUpStep,
)
from pyamplify.auth.drivers import run_sync
from pyamplify.auth.flows import ClientContext, get_user_flow, refresh_flow
from pyamplify.local.testing import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, CognitoUser, LocalPool
from pyamplify.storage import MemoryStore
from pyamplify.wire.call import idp
from pyamplify.wire.errors import (
    CodeMismatchException,
    NotAuthorizedException,
    RefreshTokenReuseException,
    UsernameExistsException,
)
from pyamplify.wire.sigv4 import AwsCredentials
from pyamplify.wire.transport import Signer, SyncTransport

from .conftest import AuthFactory, ClientClock, latest_code, register_user

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-Horse-Battery"
#: The refresh call all three Amplify libraries (and pyamplify) make.
REFRESH_OP = "GetTokensFromRefreshToken"


def _events(auth: Any) -> list[str]:
    seen: list[str] = []
    auth.events.subscribe(lambda event: seen.append(event.name))
    return seen


def _direct(cognito: Any) -> SyncTransport:
    return SyncTransport(cognito.url)


def _admin(cognito: Any) -> SyncTransport:
    return SyncTransport(
        cognito.url,
        signer=Signer(AwsCredentials(LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY), "us-east-1"),
    )


@pytest.mark.parametrize("client_secret", [False, True], ids=["no-secret", "secret"])
def test_full_life_cycle(
    cognito: Any, make_pool: Any, make_auth: AuthFactory, client_secret: bool
) -> None:
    pool: LocalPool = make_pool(client_secret=client_secret)
    assert (pool.client_secret is not None) is client_secret
    auth = make_auth(pool)
    events = _events(auth)

    signed_up = auth.sign_up("grace", PASSWORD, attributes={"email": "grace@example.com"})
    assert not signed_up.is_sign_up_complete
    assert signed_up.next_step.sign_up_step is SignUpStep.CONFIRM_SIGN_UP
    assert signed_up.next_step.code_delivery_details.delivery_medium == "EMAIL"
    assert signed_up.user_id

    # A resent code replaces the first one; a wrong code is Cognito's typed error.
    first = latest_code(cognito, pool.pool_id, "grace")
    details = auth.resend_sign_up_code("grace")
    assert details is not None and details.attribute_name == "email"
    with pytest.raises(CodeMismatchException):
        auth.confirm_sign_up("grace", "000000" if first != "000000" else "111111")
    confirmed = auth.confirm_sign_up("grace", latest_code(cognito, pool.pool_id, "grace"))
    assert confirmed.is_sign_up_complete

    with pytest.raises(NotAuthorizedException, match=r"Incorrect username or password\."):
        auth.sign_in("grace", "not-the-password")
    assert not auth.fetch_auth_session().is_signed_in

    result = auth.sign_in("grace", PASSWORD)
    assert result.is_signed_in and result.next_step.sign_in_step is SignInStep.DONE
    assert events == ["signed_in"]
    with pytest.raises(AlreadySignedInError, match="already signed in"):
        auth.sign_in("grace", PASSWORD)

    session = auth.fetch_auth_session()
    assert session.is_signed_in
    assert session.user_sub == signed_up.user_id
    assert session.tokens.id_token.claims["email"] == "grace@example.com"
    assert session.tokens.access_token.claims["token_use"] == "access"
    assert session.tokens.refresh_token

    user = auth.get_current_user()
    assert (user.username, user.user_id) == ("grace", signed_up.user_id)
    assert user.sign_in_details.auth_flow_type == "USER_SRP_AUTH"
    attributes = auth.fetch_user_attributes()
    assert attributes["email"] == "grace@example.com"
    assert attributes["sub"] == signed_up.user_id

    # Refresh with SECRET_HASH when the client has a secret (pycognito #18 fails here).
    refreshed = auth.fetch_auth_session(force_refresh=True)
    assert refreshed.tokens.access_token.token != session.tokens.access_token.token
    assert events == ["signed_in", "token_refresh"]

    outcome = auth.sign_out()
    assert outcome.is_complete and outcome.signed_out_locally
    assert events[-1] == "signed_out"
    assert not auth.fetch_auth_session().is_signed_in
    with pytest.raises(SignedOutError):
        auth.get_current_user()
    with pytest.raises(SignedOutError):
        auth.fetch_user_attributes()
    assert auth.sign_out().is_complete  # signing out twice is harmless


def test_sign_up_errors_are_cognitos(cognito: Any, make_pool: Any, make_auth: AuthFactory) -> None:
    pool = make_pool()
    auth = make_auth(pool)
    register_user(auth, cognito, "linus", PASSWORD)
    with pytest.raises(UsernameExistsException) as caught:
        auth.sign_up("linus", PASSWORD, attributes={"email": "l@example.com"})
    assert caught.value.message  # Cognito's own words, kept verbatim


def test_unconfirmed_user_gets_the_confirm_sign_up_step(
    cognito: Any, make_pool: Any, make_auth: AuthFactory
) -> None:
    auth = make_auth(make_pool())
    auth.sign_up("barbara", PASSWORD, attributes={"email": "b@example.com"})
    result = auth.sign_in("barbara", PASSWORD)
    assert not result.is_signed_in
    assert result.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_UP
    with pytest.raises(NoSignInInProgressError):
        auth.confirm_sign_in("anything")


@pytest.mark.parametrize(
    "user_pool", [{}, {"secret": True}], indirect=True, ids=["no-secret", "secret"]
)
def test_user_password_auth_flow(
    user_pool: LocalPool, cognito_user: CognitoUser, make_auth: AuthFactory
) -> None:
    auth = make_auth(user_pool)
    result = auth.sign_in(cognito_user.username, cognito_user.password, flow="USER_PASSWORD_AUTH")
    assert result.is_signed_in
    assert auth.get_current_user().sign_in_details.auth_flow_type == "USER_PASSWORD_AUTH"
    assert auth.fetch_auth_session(force_refresh=True).is_signed_in


@pytest.mark.parametrize("client_secret", [False, True], ids=["no-secret", "secret"])
def test_new_password_required_for_an_admin_created_user(
    cognito: Any, make_pool: Any, make_auth: AuthFactory, client_secret: bool
) -> None:
    pool = make_pool(client_secret=client_secret)
    admin = _admin(cognito)
    admin.send(
        idp(
            "AdminCreateUser",
            {
                "UserPoolId": pool.pool_id,
                "Username": "margaret",
                "TemporaryPassword": "Temp-Passw0rd!",
                "MessageAction": "SUPPRESS",
                "UserAttributes": [{"Name": "email", "Value": "m@example.com"}],
            },
        )
    )
    admin.close()
    auth = make_auth(pool)
    result = auth.sign_in("margaret", "Temp-Passw0rd!")
    assert not result.is_signed_in
    step = result.next_step.sign_in_step
    assert step is SignInStep.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED
    assert not auth.fetch_auth_session().is_signed_in
    done = auth.confirm_sign_in("Brand-New-Passw0rd!")
    assert done.is_signed_in and done.next_step.sign_in_step is SignInStep.DONE
    assert auth.get_current_user().username == "margaret"
    auth.sign_out()
    # The new password is the password now.
    assert auth.sign_in("margaret", "Brand-New-Passw0rd!").is_signed_in


@pytest.mark.user_pool(secret=True, access_token_minutes=5)
def test_refresh_by_expiry_corrects_clock_drift(
    cognito: Any,
    user_pool: LocalPool,
    cognito_user: CognitoUser,
    make_auth: AuthFactory,
    clock: ClientClock,
) -> None:
    auth = make_auth(user_pool, clock=clock)
    events = _events(auth)
    auth.sign_in(cognito_user.username, cognito_user.password)
    first = auth.fetch_auth_session()
    lifetime = first.tokens.expires_at - first.tokens.access_token.issued_at
    assert lifetime == 300
    before = cognito.calls[REFRESH_OP]

    clock.offset = 200  # 100 s before expiry: still fresh (refresh 75 s ahead)
    assert auth.fetch_auth_session().tokens.access_token.token == first.tokens.access_token.token
    assert cognito.calls[REFRESH_OP] == before

    clock.offset = 240  # within the refresh margin: refreshed ahead of expiry
    second = auth.fetch_auth_session()
    assert second.tokens.access_token.token != first.tokens.access_token.token
    assert cognito.calls[REFRESH_OP] == before + 1
    assert events[-1] == "token_refresh"

    # Our clock is now 240 s ahead of the server's: the drift is measured from the new
    # tokens' iat, so they count as fresh instead of being refreshed on every call.
    for _ in range(5):
        assert auth.fetch_auth_session().tokens is second.tokens
    assert cognito.calls[REFRESH_OP] == before + 1


@pytest.mark.user_pool(
    secret=True,
    client={"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}},
)
def test_rotated_refresh_tokens_are_stored_and_the_old_one_dies(
    cognito: Any, user_pool: LocalPool, cognito_user: CognitoUser, make_auth: AuthFactory
) -> None:
    pool = user_pool
    store = MemoryStore()
    auth = make_auth(pool, store=store)
    auth.sign_in(cognito_user.username, cognito_user.password)
    first = auth.fetch_auth_session().tokens
    before = cognito.calls[REFRESH_OP]
    second = auth.fetch_auth_session(force_refresh=True).tokens
    assert cognito.calls[REFRESH_OP] == before + 1
    assert second.refresh_token and second.refresh_token != first.refresh_token
    assert store.load(auth._core.key)["refresh_token"] == second.refresh_token
    third = auth.fetch_auth_session(force_refresh=True).tokens  # the stored new one works
    assert third.access_token.token != second.access_token.token
    ctx = ClientContext(pool.pool_id, pool.client_id, pool.client_secret)
    transport = _direct(cognito)
    try:
        with pytest.raises(RefreshTokenReuseException):
            run_sync(refresh_flow(ctx, str(first.refresh_token)), transport.send)
    finally:
        transport.close()


def test_transient_refresh_failure_keeps_the_session(
    user_pool: LocalPool, cognito_user: CognitoUser, make_auth: AuthFactory, clock: ClientClock
) -> None:
    import dataclasses
    import socket

    from pyamplify.wire.errors import ConnectError, RetryableError

    pool = user_pool
    store = MemoryStore()
    auth = make_auth(pool, store=store, clock=clock)
    auth.sign_in(cognito_user.username, cognito_user.password)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    unreachable = pool._replace(
        config=dataclasses.replace(
            pool.config,
            user_pool=dataclasses.replace(pool.config.user_pool, endpoint=dead),
        ),
    )
    offline = make_auth(unreachable, store=store, clock=clock)
    events = _events(offline)
    clock.offset = 3600
    with pytest.raises(ConnectError) as caught:
        offline.fetch_auth_session()
    assert isinstance(caught.value, RetryableError)
    assert events == ["token_refresh_failure"]  # and no session_expired
    assert store.load(auth._core.key) is not None  # still stored: back online, it refreshes
    assert auth.fetch_auth_session().is_signed_in


@pytest.mark.user_pool(secret=True)
def test_revocation_after_sign_out(
    cognito: Any, user_pool: LocalPool, cognito_user: CognitoUser, make_auth: AuthFactory
) -> None:
    pool = user_pool
    auth = make_auth(pool)
    auth.sign_in(cognito_user.username, cognito_user.password)
    tokens = auth.fetch_auth_session().tokens
    before = cognito.calls["RevokeToken"]
    assert auth.sign_out().is_complete
    assert cognito.calls["RevokeToken"] == before + 1
    transport = _direct(cognito)
    ctx = ClientContext(pool.pool_id, pool.client_id, pool.client_secret)
    with pytest.raises(NotAuthorizedException, match="revoked"):
        run_sync(refresh_flow(ctx, tokens.refresh_token), transport.send)
    with pytest.raises(NotAuthorizedException, match="revoked"):
        run_sync(get_user_flow(tokens.access_token.token), transport.send)
    transport.close()


def test_global_sign_out_ends_other_sessions(
    cognito: Any, user_pool: LocalPool, cognito_user: CognitoUser, make_auth: AuthFactory
) -> None:
    laptop = make_auth(user_pool, store=MemoryStore())
    phone = make_auth(user_pool, store=MemoryStore())
    laptop.sign_in(cognito_user.username, cognito_user.password)
    phone.sign_in(cognito_user.username, cognito_user.password)
    phone_events = _events(phone)
    before = cognito.calls["GlobalSignOut"]
    assert laptop.sign_out(global_sign_out=True).is_complete
    assert cognito.calls["GlobalSignOut"] == before + 1
    # The phone's refresh token is dead: the session ends, with session_expired.
    assert not phone.fetch_auth_session(force_refresh=True).is_signed_in
    assert phone_events == ["token_refresh_failure", "session_expired"]
    with pytest.raises(SignedOutError):
        phone.get_current_user()


def test_email_as_username_with_a_secret_refreshes(
    cognito: Any, make_pool: Any, make_auth: AuthFactory
) -> None:
    # The typed name is an email but Cognito's username is a generated id: SECRET_HASH must
    # use that id in the SRP answer (the case pycognito #18 gets wrong); refresh sends the
    # client secret itself (GetTokensFromRefreshToken).
    pool = make_pool(client_secret=True, extra_pool={"UsernameAttributes": ["email"]})
    auth = make_auth(pool)
    email = "alias.user@example.com"
    auth.sign_up(email, PASSWORD, attributes={"email": email})
    items = [i for i in cognito.outbox() if i["user_pool_id"] == pool.pool_id]
    internal = items[-1]["username"]
    auth.confirm_sign_up(email, str(items[-1]["code"]))
    assert auth.sign_in(email, PASSWORD).is_signed_in
    user = auth.get_current_user()
    assert user.username != email and user.username == internal
    assert user.sign_in_details.login_id == email
    before = auth.fetch_auth_session().tokens.access_token.token
    after = auth.fetch_auth_session(force_refresh=True)
    assert after.is_signed_in and after.tokens.access_token.token != before
    # The client secret really is checked on refresh: a wrong one is refused.
    transport = _direct(cognito)
    ctx = ClientContext(pool.pool_id, pool.client_id, "wrong" + str(pool.client_secret))
    with pytest.raises(NotAuthorizedException, match="secret hash"):
        run_sync(refresh_flow(ctx, after.tokens.refresh_token), transport.send)
    transport.close()
