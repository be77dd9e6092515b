"""Passkeys in the local Cognito over loopback HTTP: registration, listing, deletion and the
WEB_AUTHN sign-in challenge, with boto3.

The authenticator is a software CTAP2 key (``tests/passkey_device.py``) driven by ``fido2``'s
real WebAuthn client (through pyamplify's ``Fido2Authenticator``); the local Cognito verifies
with py_webauthn. Refusals are made the way an attacker would: a signature changed after the
fact, a client claiming another origin, an old assertion sent to a new challenge, a cloned key
whose counter went back.
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import PoolClient
from passkey_device import SoftAuthenticator, lying_client
from pyamplify.auth.passkeys import Fido2Authenticator, response_json
from pyamplify.local.clock import ManualClock
from pyamplify.local.store import DB_FILENAME, Store
from pyamplify.local.store.webauthn import StoredCredential

from .trigger_support import error_of

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-9-battery"
RP_ID = "passkeys.example.com"
ORIGIN = f"https://{RP_ID}"
FLOWS = {
    "ExplicitAuthFlows": [
        "ALLOW_USER_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
}


@pytest.fixture
def passkey_pool(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> Callable[..., PoolClient]:
    """``passkey_pool(rp_id=RP_ID, verification="preferred", factors=[...], **pool)``."""

    def make(
        rp_id: str | None = RP_ID,
        verification: str = "preferred",
        factors: tuple[str, ...] = ("PASSWORD", "WEB_AUTHN"),
        **pool: Any,
    ) -> PoolClient:
        policies = {"SignInPolicy": {"AllowedFirstAuthFactors": list(factors)}}
        made = new_user_pool(pool={"Policies": policies, **pool}, client=FLOWS)
        if rp_id is not None:
            config = {"RelyingPartyId": rp_id, "UserVerification": verification}
            cognito_idp.set_user_pool_mfa_config(
                UserPoolId=made.pool_id, WebAuthnConfiguration=config
            )
        return made

    return make


def _signed_in(
    cognito_idp: Any, new_user: Callable[..., str], made: PoolClient, client_id: str | None = None
) -> tuple[str, str]:
    """A new user of ``made`` and an access token (of ``client_id``, default the pool's)."""
    name = new_user(made.pool_id, f"pk-{secrets.token_hex(4)}", PASSWORD, {})
    result = cognito_idp.admin_initiate_auth(
        UserPoolId=made.pool_id,
        ClientId=client_id or made.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
    )
    return name, result["AuthenticationResult"]["AccessToken"]


def _register(
    cognito_idp: Any, token: str, device: SoftAuthenticator, origin: str = ORIGIN
) -> dict[str, Any]:
    options = cognito_idp.start_web_authn_registration(AccessToken=token)[
        "CredentialCreationOptions"
    ]
    credential = Fido2Authenticator(device).create(options, origin)
    cognito_idp.complete_web_authn_registration(AccessToken=token, Credential=credential)
    return credential


def _passkey_challenge(cognito_idp: Any, made: PoolClient, name: str) -> dict[str, Any]:
    started: dict[str, Any] = cognito_idp.initiate_auth(
        ClientId=made.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": name, "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )
    assert started["ChallengeName"] == "WEB_AUTHN"
    return started


def _answer(
    cognito_idp: Any, made: PoolClient, name: str, session: str, credential: dict[str, Any]
) -> dict[str, Any]:
    result: dict[str, Any] = cognito_idp.respond_to_auth_challenge(
        ClientId=made.client_id,
        ChallengeName="WEB_AUTHN",
        Session=session,
        ChallengeResponses={"USERNAME": name, "CREDENTIAL": json.dumps(credential)},
    )
    return result


def _assertion(started: dict[str, Any], device: SoftAuthenticator, origin: str = ORIGIN) -> Any:
    options = json.loads(started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    return Fido2Authenticator(device).get(options, origin)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---------------------------------------------------------------------- end to end


def test_a_passkey_is_registered_listed_used_to_sign_in_and_deleted(
    cognito_idp: Any, passkey_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = passkey_pool()
    name, token = _signed_in(cognito_idp, new_user, made)
    device = SoftAuthenticator()
    options = cognito_idp.start_web_authn_registration(AccessToken=token)[
        "CredentialCreationOptions"
    ]
    assert options["rp"] == {"id": RP_ID, "name": RP_ID}
    assert options["user"]["name"] == name
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert {p["alg"] for p in options["pubKeyCredParams"]} == {-7, -257}
    credential = Fido2Authenticator(device).create(options, ORIGIN)
    cognito_idp.complete_web_authn_registration(AccessToken=token, Credential=credential)

    listed = cognito_idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert [c["CredentialId"] for c in listed] == [credential["id"]]
    assert listed[0]["RelyingPartyId"] == RP_ID

    for expected_count in (1, 2):  # the key's counter goes up with every sign-in
        started = _passkey_challenge(cognito_idp, made, name)
        options = json.loads(started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
        assert options["rpId"] == RP_ID
        assert [c["id"] for c in options["allowCredentials"]] == [credential["id"]]
        done = _answer(cognito_idp, made, name, started["Session"], _assertion(started, device))
        assert "AccessToken" in done["AuthenticationResult"]
        assert device.credentials[0].counter == expected_count

    cognito_idp.delete_web_authn_credential(AccessToken=token, CredentialId=credential["id"])
    assert cognito_idp.list_web_authn_credentials(AccessToken=token)["Credentials"] == []
    with pytest.raises(ClientError) as caught:
        cognito_idp.delete_web_authn_credential(AccessToken=token, CredentialId=credential["id"])
    assert error_of(caught)[0] == "ResourceNotFoundException"
    offered = cognito_idp.initiate_auth(
        ClientId=made.client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": name}
    )
    assert "WEB_AUTHN" not in offered["AvailableChallenges"]


def test_passkeys_are_listed_a_page_at_a_time_and_a_second_one_excludes_the_first(
    cognito_idp: Any, passkey_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = passkey_pool()
    _name, token = _signed_in(cognito_idp, new_user, made)
    device = SoftAuthenticator()
    first = _register(cognito_idp, token, device)
    options = cognito_idp.start_web_authn_registration(AccessToken=token)[
        "CredentialCreationOptions"
    ]
    assert [c["id"] for c in options["excludeCredentials"]] == [first["id"]]
    second = _register(cognito_idp, token, SoftAuthenticator())
    page = cognito_idp.list_web_authn_credentials(AccessToken=token, MaxResults=1)
    assert [c["CredentialId"] for c in page["Credentials"]] == [first["id"]]
    rest = cognito_idp.list_web_authn_credentials(AccessToken=token, NextToken=page["NextToken"])
    assert [c["CredentialId"] for c in rest["Credentials"]] == [second["id"]]
    assert "NextToken" not in rest


# ---------------------------------------------------------------------- registration refusals


def test_registration_from_another_origin_is_refused(
    cognito_idp: Any, passkey_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = passkey_pool()
    _name, token = _signed_in(cognito_idp, new_user, made)
    options = cognito_idp.start_web_authn_registration(AccessToken=token)[
        "CredentialCreationOptions"
    ]
    made_elsewhere = lying_client(SoftAuthenticator(), "https://phish.example.net")
    from fido2.webauthn import PublicKeyCredentialCreationOptions

    credential = response_json(
        made_elsewhere.make_credential(PublicKeyCredentialCreationOptions.from_dict(options))
    )
    with pytest.raises(ClientError) as caught:
        cognito_idp.complete_web_authn_registration(AccessToken=token, Credential=credential)
    assert error_of(caught)[0] == "WebAuthnOriginNotAllowedException"


def test_a_passkey_for_another_relying_party_is_refused(
    cognito_idp: Any, passkey_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = passkey_pool()
    _name, token = _signed_in(cognito_idp, new_user, made)
    options = cognito_idp.start_web_authn_registration(AccessToken=token)[
        "CredentialCreationOptions"
    ]
    options["rp"] = {"id": "example.org", "name": "example.org"}
    from fido2.webauthn import PublicKeyCredentialCreationOptions

    client = lying_client(SoftAuthenticator(), ORIGIN)
    credential = response_json(
        client.make_credential(PublicKeyCredentialCreationOptions.from_dict(options))
    )
    with pytest.raises(ClientError) as caught:
        cognito_idp.complete_web_authn_registration(AccessToken=token, Credential=credential)
    assert error_of(caught)[0] == "WebAuthnRelyingPartyMismatchException"


def test_a_registration_is_completed_once_in_time_by_the_client_that_started_it(
    cognito_idp: Any,
    passkey_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    made = passkey_pool()
    name, token = _signed_in(cognito_idp, new_user, made)
    device = SoftAuthenticator()
    credential = _register(cognito_idp, token, device)
    with pytest.raises(ClientError) as caught:  # the same response again: its challenge is spent
        cognito_idp.complete_web_authn_registration(AccessToken=token, Credential=credential)
    assert error_of(caught)[0] == "WebAuthnChallengeNotFoundException"

    options = cognito_idp.start_web_authn_registration(AccessToken=token)[
        "CredentialCreationOptions"
    ]
    clock.advance(301)
    late = Fido2Authenticator(SoftAuthenticator()).create(options, ORIGIN)
    with pytest.raises(ClientError) as caught:
        cognito_idp.complete_web_authn_registration(AccessToken=token, Credential=late)
    assert error_of(caught)[0] == "WebAuthnChallengeNotFoundException"

    other_client = cognito_idp.create_user_pool_client(
        UserPoolId=made.pool_id, ClientName="other", **FLOWS
    )["UserPoolClient"]["ClientId"]
    other = cognito_idp.admin_initiate_auth(
        UserPoolId=made.pool_id,
        ClientId=other_client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    options = cognito_idp.start_web_authn_registration(AccessToken=token)[
        "CredentialCreationOptions"
    ]
    response = Fido2Authenticator(SoftAuthenticator()).create(options, ORIGIN)
    with pytest.raises(ClientError) as caught:
        cognito_idp.complete_web_authn_registration(AccessToken=other, Credential=response)
    assert error_of(caught)[0] == "WebAuthnClientMismatchException"


def test_an_unsupported_key_type_is_refused(
    cognito_idp: Any, passkey_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = passkey_pool()
    _name, token = _signed_in(cognito_idp, new_user, made)
    with pytest.raises(ClientError) as caught:
        _register(cognito_idp, token, SoftAuthenticator(force_algorithm=-8))  # Ed25519
    assert error_of(caught)[0] == "WebAuthnCredentialNotSupportedException"


def test_required_user_verification_is_enforced(
    cognito_idp: Any, passkey_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = passkey_pool(verification="required")
    _name, token = _signed_in(cognito_idp, new_user, made)
    with pytest.raises(ClientError) as caught:
        _register(cognito_idp, token, SoftAuthenticator(sets_uv_flag=False))
    assert error_of(caught)[0] == "InvalidParameterException"
    assert "verif" in error_of(caught)[1].lower()
    _register(cognito_idp, token, SoftAuthenticator())


def test_passkeys_need_the_factor_and_a_relying_party(
    cognito_idp: Any, passkey_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    off = passkey_pool(factors=("PASSWORD",))
    _name, token = _signed_in(cognito_idp, new_user, off)
    with pytest.raises(ClientError) as caught:
        cognito_idp.start_web_authn_registration(AccessToken=token)
    assert error_of(caught)[0] == "WebAuthnNotEnabledException"

    no_party = passkey_pool(rp_id=None)
    _name, token = _signed_in(cognito_idp, new_user, no_party)
    with pytest.raises(ClientError) as caught:
        cognito_idp.start_web_authn_registration(AccessToken=token)
    assert error_of(caught)[0] == "WebAuthnConfigurationMissingException"
    prefix = f"pk{secrets.token_hex(4)}"
    cognito_idp.create_user_pool_domain(UserPoolId=no_party.pool_id, Domain=prefix)
    options = cognito_idp.start_web_authn_registration(AccessToken=token)[
        "CredentialCreationOptions"
    ]
    assert options["rp"]["id"] == f"{prefix}.auth.us-east-1.amazoncognito.com"


# ---------------------------------------------------------------------- sign-in refusals


@pytest.fixture
def registered(
    cognito_idp: Any, passkey_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> tuple[PoolClient, str, SoftAuthenticator]:
    made = passkey_pool()
    name, token = _signed_in(cognito_idp, new_user, made)
    device = SoftAuthenticator()
    _register(cognito_idp, token, device)
    return made, name, device


def test_a_tampered_assertion_is_refused(
    cognito_idp: Any, registered: tuple[PoolClient, str, SoftAuthenticator]
) -> None:
    made, name, device = registered
    started = _passkey_challenge(cognito_idp, made, name)
    assertion = _assertion(started, device)
    signature = bytearray(_unb64(assertion["response"]["signature"]))
    signature[-1] ^= 0x01
    tampered = copy.deepcopy(assertion)
    tampered["response"]["signature"] = _b64(bytes(signature))
    with pytest.raises(ClientError) as caught:
        _answer(cognito_idp, made, name, started["Session"], tampered)
    code, message = error_of(caught)
    assert code == "NotAuthorizedException" and "signature" in message


def test_an_assertion_made_for_another_origin_is_refused(
    cognito_idp: Any, registered: tuple[PoolClient, str, SoftAuthenticator]
) -> None:
    made, name, device = registered
    started = _passkey_challenge(cognito_idp, made, name)
    options = json.loads(started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    from fido2.webauthn import PublicKeyCredentialRequestOptions

    phished = lying_client(device, "https://phish.example.net").get_assertion(
        PublicKeyCredentialRequestOptions.from_dict(options)
    )
    with pytest.raises(ClientError) as caught:
        _answer(cognito_idp, made, name, started["Session"], response_json(phished.get_response(0)))
    code, message = error_of(caught)
    assert code == "NotAuthorizedException" and "phish.example.net" in message


def test_a_replayed_assertion_is_refused(
    cognito_idp: Any, registered: tuple[PoolClient, str, SoftAuthenticator]
) -> None:
    made, name, device = registered
    started = _passkey_challenge(cognito_idp, made, name)
    assertion = _assertion(started, device)
    assert "AuthenticationResult" in _answer(cognito_idp, made, name, started["Session"], assertion)
    with pytest.raises(ClientError) as caught:  # the same answer to the spent challenge
        _answer(cognito_idp, made, name, started["Session"], assertion)
    assert error_of(caught) == ("NotAuthorizedException", "Invalid session for the user.")
    fresh = _passkey_challenge(cognito_idp, made, name)
    with pytest.raises(ClientError) as caught:  # the old answer to a new challenge
        _answer(cognito_idp, made, name, fresh["Session"], assertion)
    code, message = error_of(caught)
    assert code == "NotAuthorizedException" and "challenge" in message


def test_a_cloned_key_whose_counter_went_back_is_refused(
    cognito_idp: Any, registered: tuple[PoolClient, str, SoftAuthenticator]
) -> None:
    made, name, device = registered
    clone = copy.deepcopy(device)  # the key copied before the next sign-in
    started = _passkey_challenge(cognito_idp, made, name)
    _answer(cognito_idp, made, name, started["Session"], _assertion(started, device))
    started = _passkey_challenge(cognito_idp, made, name)
    with pytest.raises(ClientError) as caught:
        _answer(cognito_idp, made, name, started["Session"], _assertion(started, clone))
    code, message = error_of(caught)
    assert code == "NotAuthorizedException" and "sign count" in message


def test_another_users_passkey_is_refused(
    cognito_idp: Any,
    registered: tuple[PoolClient, str, SoftAuthenticator],
    new_user: Callable[..., str],
) -> None:
    made, _name, device = registered
    other, token = _signed_in(cognito_idp, new_user, made)
    _register(cognito_idp, token, SoftAuthenticator())
    started = _passkey_challenge(cognito_idp, made, other)
    options = json.loads(started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    options["allowCredentials"] = []  # the first user's key answers instead
    with pytest.raises(ClientError) as caught:
        _answer(
            cognito_idp,
            made,
            other,
            started["Session"],
            Fido2Authenticator(device).get(options, ORIGIN),
        )
    assert error_of(caught)[0] == "NotAuthorizedException"


def test_required_mfa_takes_passkeys_only_as_multi_factor(
    cognito_idp: Any, registered: tuple[PoolClient, str, SoftAuthenticator]
) -> None:
    made, name, device = registered
    sms = {"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/CognitoSms"}}

    def require_mfa(factor: str) -> list[str]:
        cognito_idp.set_user_pool_mfa_config(
            UserPoolId=made.pool_id,
            MfaConfiguration="ON",
            SmsMfaConfiguration=sms,
            WebAuthnConfiguration={
                "RelyingPartyId": RP_ID,
                "UserVerification": "required",
                "FactorConfiguration": factor,
            },
        )
        offered = cognito_idp.initiate_auth(
            ClientId=made.client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": name}
        )
        return list(offered["AvailableChallenges"])

    assert require_mfa("SINGLE_FACTOR") == ["PASSWORD", "PASSWORD_SRP"]
    assert require_mfa("MULTI_FACTOR_WITH_USER_VERIFICATION") == [
        "PASSWORD",
        "PASSWORD_SRP",
        "WEB_AUTHN",
    ]
    started = _passkey_challenge(cognito_idp, made, name)
    done = _answer(cognito_idp, made, name, started["Session"], _assertion(started, device))
    assert "AccessToken" in done["AuthenticationResult"]  # the verified passkey was the MFA


def test_migration_5_on_the_v0_fixture_keeps_passkeys(tmp_path: Path) -> None:
    import sqlite3

    dump = Path(__file__).parent.parent / "data" / "local_cognito_v0.sql"
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    db = sqlite3.connect(data_dir / DB_FILENAME)
    db.executescript(dump.read_text())
    db.close()
    store = Store(str(data_dir))
    try:
        credential = StoredCredential(
            credential_id="Y3JlZA",
            sub="sub-1",
            public_key="a2V5",
            sign_count=3,
            rp_id=RP_ID,
            friendly_name="Security key",
            attachment="cross-platform",
            transports=("usb",),
            created=1.0,
        )
        store.add_webauthn_credential("us-east-1_pool", credential)
        store.record_webauthn_use("us-east-1_pool", "Y3JlZA", 4, 2.0)
        (kept,) = store.webauthn_credentials_of("us-east-1_pool", "sub-1")
        assert (kept.sign_count, kept.last_used, kept.transports) == (4, 2.0, ("usb",))
    finally:
        store.close()
