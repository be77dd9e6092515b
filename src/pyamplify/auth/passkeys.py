"""Passkey authenticators: what makes and uses WebAuthn credentials for ``Auth``.

Cognito speaks WebAuthn's JSON forms (PublicKeyCredentialCreationOptions in
StartWebAuthnRegistration, PublicKeyCredentialRequestOptions in the WEB_AUTHN challenge's
``CREDENTIAL_REQUEST_OPTIONS``, RegistrationResponseJSON / AuthenticationResponseJSON back), so
an authenticator here is anything with ``create(options, origin)`` and ``get(options, origin)``
on those JSON documents (:class:`PasskeyAuthenticator`). ``Auth(passkey_authenticator=...)``
takes one (tests give a software key); otherwise :func:`default_authenticator` finds one with
``fido2`` (``pip install 'pyamplify[passkeys]'``, imported only when a passkey is used):

- Windows: the Windows WebAuthn API (Windows Hello, and security keys through it), where present;
- elsewhere: the first CTAP2 security key on USB (HID), else one on an NFC reader (PC/SC, which
  needs ``pyscard``).

The origin a Python program claims is ``https://<rp id>`` (what a native app on the relying
party's domain claims), unless ``Auth(passkey_origin=...)`` says otherwise; the relying party
(Cognito) checks that it belongs to its RP ID. When no authenticator can be found,
:class:`NoPasskeyAuthenticatorError` says so and names the factors to sign in with instead.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol

from pyamplify.auth.errors import NoPasskeyAuthenticatorError, PasskeyError

#: The first factors other than a passkey, as USER_AUTH names them.
OTHER_FACTORS = ("EMAIL_OTP", "SMS_OTP", "PASSWORD", "PASSWORD_SRP")


class PasskeyAuthenticator(Protocol):
    """Something that makes and uses passkeys, in WebAuthn's JSON forms."""

    def create(self, options: Mapping[str, Any], origin: str) -> dict[str, Any]:
        """Make a credential for PublicKeyCredentialCreationOptions (JSON); return the
        RegistrationResponseJSON."""
        ...

    def get(self, options: Mapping[str, Any], origin: str) -> dict[str, Any]:
        """Sign PublicKeyCredentialRequestOptions' challenge (JSON) with a credential; return
        the AuthenticationResponseJSON."""
        ...


def no_authenticator(
    why: str, others: Iterable[str] = OTHER_FACTORS
) -> NoPasskeyAuthenticatorError:
    """The error for a passkey step that found no authenticator, naming the other factors."""
    factors = ", ".join(others) or "none offered"
    return NoPasskeyAuthenticatorError(
        f"no passkey authenticator is available: {why}. Sign in with another first factor "
        f"instead (sign_in(..., flow='USER_AUTH', preferred_challenge=...) with one of: "
        f"{factors})"
    )


def origin_for(options: Mapping[str, Any], configured: str | None) -> str:
    """The origin to claim: the configured one, else ``https://`` on the options' RP ID."""
    if configured:
        return configured
    rp = options.get("rp")
    rp_id = options.get("rpId") or (rp.get("id") if isinstance(rp, Mapping) else None)
    if not rp_id:
        raise PasskeyError("the passkey options name no relying party (rp.id / rpId)")
    return f"https://{rp_id}"


def _fido2(other_factors: Iterable[str] = OTHER_FACTORS) -> None:
    """Import ``fido2``, or say how to install it (and which factors to sign in with instead)."""
    try:
        import fido2.client  # noqa: F401
    except ImportError:
        raise no_authenticator(
            "passkeys need the fido2 library (pip install 'pyamplify[passkeys]')", other_factors
        ) from None


@contextmanager
def _key_failure(what: str) -> Iterator[None]:
    """``fido2``'s ClientError (refused, timed out, no matching credential) as a
    :class:`PasskeyError` saying what the security key did not do."""
    from fido2.client import ClientError

    try:
        yield
    except ClientError as error:
        raise PasskeyError(f"the security key did not {what}: {error!r}") from None


class Fido2Authenticator:
    """A CTAP2 (or U2F) device driven by ``fido2``'s WebAuthn client: a USB or NFC security
    key, or any ``fido2.ctap.CtapDevice`` (a software one in tests)."""

    def __init__(self, device: Any, *, pin: str | None = None) -> None:
        self.device = device
        self._pin = pin

    def __repr__(self) -> str:
        return f"Fido2Authenticator({type(self.device).__name__})"

    def _client(self, origin: str) -> Any:
        _fido2()
        from fido2.client import DefaultClientDataCollector, Fido2Client, UserInteraction

        pin = self._pin

        class _Interaction(UserInteraction):
            def prompt_up(self) -> None:
                print("Touch your security key…", file=sys.stderr)

            def request_pin(self, permissions: Any, rp_id: str | None) -> str | None:
                return pin

        collector = DefaultClientDataCollector(origin)
        return Fido2Client(self.device, collector, user_interaction=_Interaction())

    def create(self, options: Mapping[str, Any], origin: str) -> dict[str, Any]:
        from fido2.webauthn import PublicKeyCredentialCreationOptions

        parsed = PublicKeyCredentialCreationOptions.from_dict(dict(options))
        with _key_failure("make a passkey"):
            credential = self._client(origin).make_credential(parsed)
        return response_json(credential)

    def get(self, options: Mapping[str, Any], origin: str) -> dict[str, Any]:
        from fido2.webauthn import PublicKeyCredentialRequestOptions

        parsed = PublicKeyCredentialRequestOptions.from_dict(dict(options))
        with _key_failure("sign in"):
            selection = self._client(origin).get_assertion(parsed)
        return response_json(selection.get_response(0))


class WindowsHelloAuthenticator:
    """The Windows WebAuthn API (Windows Hello and the security keys Windows manages)."""

    def _client(self, origin: str) -> Any:
        _fido2()
        from fido2.client import DefaultClientDataCollector
        from fido2.client.windows import WindowsClient

        return WindowsClient(DefaultClientDataCollector(origin))

    def create(self, options: Mapping[str, Any], origin: str) -> dict[str, Any]:
        from fido2.webauthn import PublicKeyCredentialCreationOptions

        parsed = PublicKeyCredentialCreationOptions.from_dict(dict(options))
        return response_json(self._client(origin).make_credential(parsed))

    def get(self, options: Mapping[str, Any], origin: str) -> dict[str, Any]:
        from fido2.webauthn import PublicKeyCredentialRequestOptions

        parsed = PublicKeyCredentialRequestOptions.from_dict(dict(options))
        return response_json(self._client(origin).get_assertion(parsed).get_response(0))


def response_json(value: Any) -> dict[str, Any]:
    """``fido2``'s response objects as plain JSON-ready dicts (bytes as base64url)."""
    if isinstance(value, Mapping):
        return {str(key): _json_value(value[key]) for key in value}
    raise PasskeyError("the authenticator answered with something that is not a credential")


def _json_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return response_json(value)
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def default_authenticator(other_factors: Iterable[str] = OTHER_FACTORS) -> PasskeyAuthenticator:
    """The authenticator this machine has (see the module docstring), or the error that says
    there is none and names ``other_factors`` to sign in with instead."""
    _fido2(other_factors)
    if sys.platform == "win32":
        from fido2.client.windows import WindowsClient

        if WindowsClient.is_available():
            return WindowsHelloAuthenticator()
    from fido2.hid import CtapHidDevice

    for device in CtapHidDevice.list_devices():
        return Fido2Authenticator(device)
    try:
        from fido2.pcsc import CtapPcscDevice
    except ImportError:  # pyscard missing: no NFC readers
        pass
    else:
        for reader in CtapPcscDevice.list_devices():
            return Fido2Authenticator(reader)
    windows = ", and Windows Hello is not available" if sys.platform == "win32" else ""
    raise no_authenticator(
        f"no FIDO2 security key is connected over USB or NFC{windows}", other_factors
    )
