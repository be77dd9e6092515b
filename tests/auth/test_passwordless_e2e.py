"""Choice-based sign-in, one-time codes, passkeys and auto sign-in through ``Auth`` and
``AsyncAuth`` against the local Cognito over loopback HTTP.

Every test runs for both twins (``make_auth``) and, where a SECRET_HASH could go wrong, with and
without a client secret. Codes come from the local outbox; passkeys are made by a software
CTAP2 key (``tests/passkey_device.py``) through ``fido2``'s client, and verified by the local
Cognito with py_webauthn. Tokens are checked with PyJWT against the pool's JWKS.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from passkey_device import SoftAuthenticator
from pyamplify.auth import (
    AutoSignInError,
    NoPasskeyAuthenticatorError,
    SignInStep,
    SignUpStep,
)
from pyamplify.auth.errors import AuthValidationError
from pyamplify.auth.passkeys import Fido2Authenticator
from pyamplify.local.testing import LocalPool, provision_user
from pyamplify.wire.errors import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedException,
)

from .conftest import AuthFactory, latest_code

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-9-battery"
PHONE = "+15555550123"
RP_ID = "passkeys.example.com"
FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
FLOWS = [
    "ALLOW_USER_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]
SECRET = pytest.mark.parametrize("client_secret", [False, True], ids=["public", "secret"])


@pytest.fixture
def user_auth_pool(make_pool: Callable[..., LocalPool], cognito: Any) -> Callable[..., LocalPool]:
    """``user_auth_pool(client_secret=False, factors=FACTORS, **extra_pool)``."""

    def make(
        client_secret: bool = False,
        factors: list[str] | None = None,
        session_minutes: int = 3,
        **extra: Any,
    ) -> LocalPool:
        policies = {"SignInPolicy": {"AllowedFirstAuthFactors": factors or FACTORS}}
        made = make_pool(
            client_secret=client_secret,
            extra_pool={"Policies": policies, **extra},
            extra_client={"ExplicitAuthFlows": FLOWS, "AuthSessionValidity": session_minutes},
        )
        from pyamplify.local.testing import LocalAdmin

        with LocalAdmin(cognito.url) as admin:
            admin.send(
                "SetUserPoolMfaConfig",
                {
                    "UserPoolId": made.pool_id,
                    "WebAuthnConfiguration": {"RelyingPartyId": RP_ID},
                },
            )
        return made

    return make


def _user(cognito: Any, pool: LocalPool, **attributes: str) -> str:
    name = f"u{secrets.token_hex(4)}"
    provision_user(cognito.url, pool, name, PASSWORD, attributes)
    return name


def _verified_claims(cognito: Any, pool: LocalPool, auth: Any) -> dict[str, Any]:
    """The ID token's claims, checked with PyJWT against the pool's JWKS."""
    session = auth.fetch_auth_session()
    token = session.tokens.id_token.token
    jwks = jwt.PyJWKClient(f"{cognito.url}/{pool.pool_id}/.well-known/jwks.json")
    key = jwks.get_signing_key_from_jwt(token)
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool.pool_id}"
    claims: dict[str, Any] = jwt.decode(
        token, key.key, algorithms=["RS256"], audience=pool.client_id, issuer=issuer
    )
    return claims


# ---------------------------------------------------------------------- one-time codes


@SECRET
def test_email_code_sign_in(
    make_auth: AuthFactory,
    user_auth_pool: Callable[..., LocalPool],
    cognito: Any,
    client_secret: bool,
) -> None:
    pool = user_auth_pool(client_secret)
    name = _user(cognito, pool, email="code@example.com")
    auth = make_auth(pool)
    started = auth.sign_in(name, flow="USER_AUTH", preferred_challenge="EMAIL_OTP")
    step = started.next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    assert step.code_delivery_details is not None
    assert step.code_delivery_details.destination == "c****@e****"
    done = auth.confirm_sign_in(latest_code(cognito, pool.pool_id, name))
    assert done.is_signed_in
    assert _verified_claims(cognito, pool, auth)["cognito:username"] == name
    user = auth.get_current_user()
    assert user.sign_in_details is not None
    assert user.sign_in_details.auth_flow_type == "USER_AUTH"


@SECRET
def test_sms_code_sign_in_with_a_wrong_code_first(
    make_auth: AuthFactory,
    user_auth_pool: Callable[..., LocalPool],
    cognito: Any,
    client_secret: bool,
) -> None:
    sms = {"SnsCallerArn": "arn:aws:iam::123456789012:role/CognitoSms"}
    pool = user_auth_pool(client_secret, SmsConfiguration=sms)
    name = _user(cognito, pool, phone_number=PHONE)
    auth = make_auth(pool)
    started = auth.sign_in(name, preferred_challenge="sms")  # implies USER_AUTH
    assert started.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE
    code = latest_code(cognito, pool.pool_id, name)
    with pytest.raises(CodeMismatchException):
        auth.confirm_sign_in("000000" if code != "000000" else "111111")
    assert auth.confirm_sign_in(code).is_signed_in
    assert auth.fetch_user_attributes()["phone_number_verified"] == "true"


def test_an_expired_code_is_refused(
    make_auth: AuthFactory, user_auth_pool: Callable[..., LocalPool], cognito: Any
) -> None:
    from pyamplify.local.clock import ManualClock

    pool = user_auth_pool(session_minutes=15)  # the code dies first, the Session lives on
    name = _user(cognito, pool, email="late@example.com")
    auth = make_auth(pool)
    manual = ManualClock()
    previous, cognito.clock = cognito.clock, manual
    try:
        auth.sign_in(name, preferred_challenge="EMAIL_OTP")
        manual.advance(181)
        with pytest.raises(ExpiredCodeException):
            auth.confirm_sign_in(latest_code(cognito, pool.pool_id, name))
    finally:
        cognito.clock = previous


# ---------------------------------------------------------------------- the selection


@SECRET
def test_first_factor_selection_then_a_code(
    make_auth: AuthFactory,
    user_auth_pool: Callable[..., LocalPool],
    cognito: Any,
    client_secret: bool,
) -> None:
    pool = user_auth_pool(client_secret)
    name = _user(cognito, pool, email="pick@example.com")
    auth = make_auth(pool)
    started = auth.sign_in(name, flow="USER_AUTH")
    step = started.next_step
    assert step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION
    assert step.available_challenges == ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP")
    with pytest.raises(AuthValidationError, match="SMS_OTP"):
        auth.confirm_sign_in("SMS_OTP")
    coded = auth.confirm_sign_in("EMAIL_OTP")
    assert coded.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    assert auth.confirm_sign_in(latest_code(cognito, pool.pool_id, name)).is_signed_in


@SECRET
@pytest.mark.parametrize("factor", ["PASSWORD", "PASSWORD_SRP"])
def test_first_factor_selection_then_a_password(
    make_auth: AuthFactory,
    user_auth_pool: Callable[..., LocalPool],
    cognito: Any,
    client_secret: bool,
    factor: str,
) -> None:
    pool = user_auth_pool(client_secret)
    name = _user(cognito, pool, email="pw@example.com")
    auth = make_auth(pool)
    auth.sign_in(name, flow="USER_AUTH")
    asked = auth.confirm_sign_in(factor)
    assert asked.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_PASSWORD
    assert auth.confirm_sign_in(PASSWORD).is_signed_in
    assert _verified_claims(cognito, pool, auth)["cognito:username"] == name


@SECRET
@pytest.mark.parametrize("factor", ["PASSWORD", "PASSWORD_SRP"])
def test_preferred_password_factors(
    make_auth: AuthFactory,
    user_auth_pool: Callable[..., LocalPool],
    cognito: Any,
    client_secret: bool,
    factor: str,
) -> None:
    pool = user_auth_pool(client_secret)
    name = _user(cognito, pool)
    auth = make_auth(pool)
    with pytest.raises(NotAuthorizedException):
        auth.sign_in(name, "Wrong-pass-1", flow="USER_AUTH", preferred_challenge=factor)
    assert auth.sign_in(name, PASSWORD, flow="USER_AUTH", preferred_challenge=factor).is_signed_in


def test_factors_the_pool_does_not_allow(
    make_auth: AuthFactory,
    user_auth_pool: Callable[..., LocalPool],
    make_pool: Callable[..., LocalPool],
    cognito: Any,
) -> None:
    pool = user_auth_pool(factors=["PASSWORD", "EMAIL_OTP"])
    name = _user(cognito, pool, email="a@example.com", phone_number=PHONE)
    auth = make_auth(pool)
    fallback = auth.sign_in(name, preferred_challenge="SMS_OTP")
    step = fallback.next_step
    assert step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION
    assert "SMS_OTP" not in step.available_challenges
    with pytest.raises(AuthValidationError):
        make_auth(pool).sign_in(name, preferred_challenge="MAGIC_LINK")
    plain = make_pool()  # its client lacks ALLOW_USER_AUTH
    other = _user(cognito, plain)
    with pytest.raises(InvalidParameterException, match="USER_AUTH flow not enabled"):
        make_auth(plain).sign_in(other, flow="USER_AUTH")


# ---------------------------------------------------------------------- auto sign-in


@SECRET
def test_passwordless_sign_up_then_auto_sign_in_with_confirm_sign_ups_session(
    make_auth: AuthFactory,
    user_auth_pool: Callable[..., LocalPool],
    cognito: Any,
    client_secret: bool,
) -> None:
    pool = user_auth_pool(client_secret)
    auth = make_auth(pool)
    name = f"new{secrets.token_hex(4)}"
    signed_up = auth.sign_up(name, attributes={"email": f"{name}@example.com"}, auto_sign_in=True)
    assert signed_up.next_step.sign_up_step is SignUpStep.CONFIRM_SIGN_UP
    confirmed = auth.confirm_sign_up(name, latest_code(cognito, pool.pool_id, name))
    assert confirmed.next_step.sign_up_step is SignUpStep.COMPLETE_AUTO_SIGN_IN
    codes_before = len(cognito.outbox(name))
    done = auth.auto_sign_in()
    assert done.is_signed_in
    assert len(cognito.outbox(name)) == codes_before  # no second code was needed
    assert _verified_claims(cognito, pool, auth)["cognito:username"] == name
    with pytest.raises(AutoSignInError):  # once
        auth.auto_sign_in()


def test_auto_sign_in_with_a_password_uses_the_configured_flow(
    make_auth: AuthFactory, user_auth_pool: Callable[..., LocalPool], cognito: Any
) -> None:
    pool = user_auth_pool()
    auth = make_auth(pool)
    name = f"pw{secrets.token_hex(4)}"
    auth.sign_up(name, PASSWORD, attributes={"email": f"{name}@example.com"}, auto_sign_in=True)
    auth.confirm_sign_up(name, latest_code(cognito, pool.pool_id, name))
    assert auth.auto_sign_in().is_signed_in
    assert auth.get_current_user().sign_in_details.auth_flow_type == "USER_SRP_AUTH"


def test_auto_sign_in_without_a_sign_up_is_an_error(
    make_auth: AuthFactory, user_auth_pool: Callable[..., LocalPool]
) -> None:
    with pytest.raises(AutoSignInError, match="has not started"):
        make_auth(user_auth_pool()).auto_sign_in()


# ---------------------------------------------------------------------- passkeys


def _register(make_auth: AuthFactory, pool: LocalPool, name: str, key: SoftAuthenticator) -> None:
    """Sign ``name`` in with the password, register a passkey on ``key``, sign out."""
    auth = make_auth(pool, passkey_authenticator=Fido2Authenticator(key))
    auth.sign_in(name, PASSWORD)
    auth.associate_webauthn_credential()
    auth.sign_out()


def _pending_options(auth: Any) -> str:
    """The request options of the WEB_AUTHN challenge a sign-in is waiting on."""
    twin = getattr(auth, "inner", auth)
    pending = twin._core.pending
    assert pending is not None and pending.name == "WEB_AUTHN"
    return str(pending.parameters["CREDENTIAL_REQUEST_OPTIONS"])


@SECRET
def test_a_passkey_is_registered_and_signs_in(
    make_auth: AuthFactory,
    user_auth_pool: Callable[..., LocalPool],
    cognito: Any,
    client_secret: bool,
) -> None:
    pool = user_auth_pool(client_secret)
    name = _user(cognito, pool, email="pk@example.com")
    key = SoftAuthenticator()
    auth = make_auth(pool, passkey_authenticator=Fido2Authenticator(key))
    auth.sign_in(name, PASSWORD)
    auth.associate_webauthn_credential()
    (listed,) = auth.list_webauthn_credentials().credentials
    assert listed.relying_party_id == RP_ID and listed.created_at is not None
    auth.sign_out()

    assert auth.sign_in(name, preferred_challenge="WEB_AUTHN").is_signed_in
    assert key.credentials[0].counter == 1
    assert _verified_claims(cognito, pool, auth)["cognito:username"] == name
    auth.sign_out()

    chose = auth.sign_in(name, flow="USER_AUTH")
    assert "WEB_AUTHN" in chose.next_step.available_challenges
    assert auth.confirm_sign_in("WEB_AUTHN").is_signed_in  # the key answers by itself

    auth.delete_webauthn_credential(listed.credential_id)
    assert auth.list_webauthn_credentials().credentials == ()


def test_without_an_authenticator_the_error_names_the_other_factors(
    make_auth: AuthFactory,
    user_auth_pool: Callable[..., LocalPool],
    cognito: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool = user_auth_pool()
    name = _user(cognito, pool, email="nokey@example.com")
    _register(make_auth, pool, name, SoftAuthenticator())
    auth = make_auth(pool)  # no authenticator given: the machine's is looked for
    from fido2.hid import CtapHidDevice

    monkeypatch.setattr(CtapHidDevice, "list_devices", classmethod(lambda cls: iter(())))
    auth.sign_in(name, flow="USER_AUTH")
    with pytest.raises(NoPasskeyAuthenticatorError) as caught:
        auth.confirm_sign_in("WEB_AUTHN")
    message = str(caught.value)
    assert "no FIDO2 security key" in message
    assert "PASSWORD, PASSWORD_SRP, EMAIL_OTP" in message and "WEB_AUTHN" not in message


def test_a_passkey_answer_can_be_given_by_hand(
    make_auth: AuthFactory, user_auth_pool: Callable[..., LocalPool], cognito: Any
) -> None:
    """A caller whose authenticator failed answers CONFIRM_SIGN_IN_WITH_PASSKEY with the
    AuthenticationResponseJSON it got elsewhere (e.g. from a browser)."""
    pool = user_auth_pool()
    name = _user(cognito, pool)
    key = SoftAuthenticator()
    _register(make_auth, pool, name, key)

    class Refusing:
        def create(self, options: Any, origin: str) -> dict[str, Any]:
            raise AssertionError("not used")

        def get(self, options: Any, origin: str) -> dict[str, Any]:
            from pyamplify.auth import PasskeyError

            raise PasskeyError("the user cancelled")

    from pyamplify.auth import PasskeyError

    auth = make_auth(pool, passkey_authenticator=Refusing())
    with pytest.raises(PasskeyError, match="cancelled"):
        auth.sign_in(name, preferred_challenge="WEB_AUTHN")
    options = json.loads(_pending_options(auth))
    answer = Fido2Authenticator(key).get(options, f"https://{RP_ID}")
    assert auth.confirm_sign_in(json.dumps(answer)).is_signed_in
