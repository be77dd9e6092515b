"""The signed-in user's MFA settings as sans-I/O flows, named after Amplify JS v6's functions.

``set_up_totp`` / ``verify_totp_setup`` (AssociateSoftwareToken / VerifySoftwareToken with the
access token), ``update_mfa_preference`` (SetUserMFAPreference) and ``fetch_mfa_preference``
(GetUser's ``UserMFASettingList`` / ``PreferredMfaSetting``). Like :mod:`pyamplify.auth.flows`
they yield :class:`~pyamplify.wire.Call` values, so ``Auth`` and ``AsyncAuth`` share them; the
operations in :mod:`pyamplify.auth.operations` supply a fresh access token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyamplify.auth.errors import AuthValidationError
from pyamplify.auth.flows import Flow
from pyamplify.auth.results import AMPLIFY_MFA_NAMES, MFAPreference, TOTPSetupDetails
from pyamplify.wire.call import idp
from pyamplify.wire.errors import ProtocolError

#: Amplify's ``MFAPreference`` values -> Cognito's ``*MfaSettings`` objects (``getMFASettings``).
PREFERENCES: Mapping[str, Mapping[str, bool]] = {
    "ENABLED": {"Enabled": True},
    "DISABLED": {"Enabled": False},
    "PREFERRED": {"Enabled": True, "PreferredMfa": True},
    "NOT_PREFERRED": {"Enabled": True, "PreferredMfa": False},
}
#: Amplify's argument names -> SetUserMFAPreference's members.
_SETTINGS = {
    "sms": "SMSMfaSettings",
    "totp": "SoftwareTokenMfaSettings",
    "email": "EmailMfaSettings",
}


def set_up_totp_flow(access_token: str, username: str) -> Flow[TOTPSetupDetails]:
    """AssociateSoftwareToken: a new, not yet verified shared secret for the user."""
    response = yield idp("AssociateSoftwareToken", {"AccessToken": access_token})
    secret = response.get("SecretCode")
    if not secret:
        raise ProtocolError("AssociateSoftwareToken answered without a SecretCode")
    return TOTPSetupDetails(shared_secret=str(secret), username=username)


def verify_totp_setup_flow(
    access_token: str, code: str, friendly_device_name: str | None = None
) -> Flow[None]:
    """VerifySoftwareToken: prove the app holds the secret; TOTP is then on for the user."""
    if not code or not code.strip():
        raise AuthValidationError("verify_totp_setup needs the code the authenticator app shows")
    payload: dict[str, Any] = {"AccessToken": access_token, "UserCode": code.strip()}
    if friendly_device_name:
        payload["FriendlyDeviceName"] = friendly_device_name
    response = yield idp("VerifySoftwareToken", payload)
    if response.get("Status") == "ERROR":
        raise ProtocolError("VerifySoftwareToken answered Status ERROR without an error code")


def mfa_settings(**preferences: str | None) -> dict[str, Any]:
    """SetUserMFAPreference's members for ``sms=`` / ``totp=`` / ``email=`` preferences (those
    left ``None`` are not sent, so Cognito keeps them)."""
    settings: dict[str, Any] = {}
    for name, value in preferences.items():
        if value is None:
            continue
        wire = PREFERENCES.get(str(value).upper())
        if wire is None:
            raise AuthValidationError(
                f"{name}={value!r} is not an MFA preference; use one of: {', '.join(PREFERENCES)}"
            )
        settings[_SETTINGS[name]] = dict(wire)
    return settings


def update_mfa_preference_flow(
    access_token: str, *, sms: str | None, totp: str | None, email: str | None
) -> Flow[None]:
    """SetUserMFAPreference with Amplify's ENABLED / DISABLED / PREFERRED / NOT_PREFERRED."""
    settings = mfa_settings(sms=sms, totp=totp, email=email)
    if not settings:
        raise AuthValidationError("update_mfa_preference needs at least one of sms, totp, email")
    yield idp("SetUserMFAPreference", {"AccessToken": access_token, **settings})


def mfa_preference_of(user: Mapping[str, Any]) -> MFAPreference:
    """Amplify's ``fetchMFAPreference`` answer from a GetUser response."""
    enabled = tuple(
        AMPLIFY_MFA_NAMES.get(str(item), str(item)) for item in user.get("UserMFASettingList") or ()
    )
    preferred = user.get("PreferredMfaSetting")
    return MFAPreference(
        enabled=enabled,
        preferred=AMPLIFY_MFA_NAMES.get(str(preferred), str(preferred)) if preferred else None,
    )


def fetch_mfa_preference_flow(access_token: str) -> Flow[MFAPreference]:
    """GetUser, read as the enabled MFA types and the preferred one."""
    response = yield idp("GetUser", {"AccessToken": access_token})
    return mfa_preference_of(response)
