"""``Auth``: the Amplify Auth category for ordinary (blocking) Python.

A thin driver: every method runs a flow (:mod:`pyamplify.auth.flows`) or an operation
(:mod:`pyamplify.auth.operations`, shared with ``AsyncAuth``) with :func:`run_sync`, performing
its effects where it stands: calls over the pooled httpx transport, store work in the calling
thread, the object's locks as ``threading.Lock`` objects and the store's lock as a ``with`` block.
``fetch_auth_session`` answers from memory while the tokens are fresh (one clock read); otherwise
the operation refreshes them in a single flight across threads, objects and processes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pyamplify.auth import account_operations as acct
from pyamplify.auth import device_operations as devices
from pyamplify.auth import operations as ops
from pyamplify.auth import passkey_operations as passkeys
from pyamplify.auth import user_auth_operations as user_auth
from pyamplify.auth import web_operations as web
from pyamplify.auth._base import AuthBase
from pyamplify.auth._core import AuthCore
from pyamplify.auth.account_results import ResetPasswordResult, UpdateUserAttributeResult
from pyamplify.auth.credentials import AWSCredentials
from pyamplify.auth.device_results import AuthDevice
from pyamplify.auth.drivers import run_sync
from pyamplify.auth.effects import IDENTITY, REFRESH, Blocking, Effect, Exclusive, Op
from pyamplify.auth.results import (
    AuthUser,
    CodeDeliveryDetails,
    MFAPreference,
    SignInResult,
    SignOutResult,
    SignUpResult,
    TOTPSetupDetails,
)
from pyamplify.auth.session import AuthSession
from pyamplify.wire.call import Call

if TYPE_CHECKING:
    from pyamplify.auth.passkey_flows import ListWebAuthnCredentialsResult
    from pyamplify.auth.passkeys import PasskeyAuthenticator
    from pyamplify.config import AuthConfig
    from pyamplify.storage import CredentialStore
    from pyamplify.wire.transport import SyncTransport

T = TypeVar("T")


class Auth(AuthBase):
    """Sign users in to one Cognito user pool and keep their session (blocking API)."""

    _public_name = "Auth"

    def __init__(
        self,
        config: AuthConfig | str | os.PathLike[str] | None = None,
        *,
        store: CredentialStore | None = None,
        profile: str = "default",
        clock: Callable[[], float] | None = None,
        transport: SyncTransport | None = None,
        passkey_authenticator: PasskeyAuthenticator | None = None,
        passkey_origin: str | None = None,
    ) -> None:
        super().__init__(AuthCore(config, store=store, profile=profile, clock=clock))
        self._core.passkey_authenticator = passkey_authenticator
        self._core.passkey_origin = passkey_origin
        self._transport = transport
        self._locks = {REFRESH: threading.Lock(), IDENTITY: threading.Lock()}
        self._transport_lock = threading.Lock()

    # ------------------------------------------------------------------ plumbing
    def _send(self, call: Call) -> dict[str, Any]:
        transport = self._transport
        if transport is None:
            with self._transport_lock:
                if self._transport is None:
                    from pyamplify.wire.transport import SyncTransport

                    self._transport = SyncTransport(self._core.endpoints())
                transport = self._transport
        return transport.send(call)

    def _perform(self, effect: Effect) -> Any:
        """Carry out one effect of an operation, here in the calling thread."""
        if isinstance(effect, Call):
            return self._send(effect)
        if isinstance(effect, Blocking):
            return effect.fn(*effect.args)
        if isinstance(effect, Exclusive):
            with self._locks[effect.name]:
                return self._run(effect.body)
        with self._core.store.lock(effect.key):
            return self._run(effect.body)

    def _run(self, op: Op[T]) -> T:
        """Run a flow or an operation to its result."""
        return run_sync(op, self._perform)

    def close(self) -> None:
        """Close the HTTP connections (the session stays in the store)."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def __enter__(self) -> Auth:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ sign-up
    def sign_up(
        self,
        username: str,
        password: str | None = None,
        *,
        attributes: Mapping[str, str] | None = None,
        validation_data: Mapping[str, str] | None = None,
        client_metadata: Mapping[str, str] | None = None,
        auto_sign_in: bool | str = False,
    ) -> SignUpResult:
        """Register a new user; the result's next step says whether a code must be confirmed.
        Without ``password`` the user is passwordless (the pool must offer a passwordless first
        factor). ``auto_sign_in`` (true, or a flow name such as ``"USER_AUTH"``): after
        ``confirm_sign_up``, :meth:`auto_sign_in` signs the user in."""
        core = self._core
        op = ops.sign_up_op(
            core, username, password, attributes, validation_data, client_metadata, auto_sign_in
        )
        return self._run(op)

    def confirm_sign_up(
        self,
        username: str,
        code: str,
        *,
        force_alias_creation: bool = False,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignUpResult:
        """Confirm a sign-up with the code the user received."""
        core = self._core
        op = user_auth.confirm_sign_up_op(
            core, username, code, force_alias_creation, client_metadata
        )
        return self._run(op)

    def resend_sign_up_code(
        self, username: str, *, client_metadata: Mapping[str, str] | None = None
    ) -> CodeDeliveryDetails | None:
        """Send the sign-up confirmation code again; returns where it went."""
        return self._run(ops.resend_sign_up_code_op(self._core, username, client_metadata))

    # ------------------------------------------------------------------ sign-in
    def sign_in(
        self,
        username: str,
        password: str | None = None,
        *,
        flow: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
        preferred_challenge: str | None = None,
    ) -> SignInResult:
        """Start signing in; ``result.next_step`` says what (if anything) comes next.

        ``flow="USER_AUTH"`` is choice-based sign-in: ``preferred_challenge`` names the first
        factor (``EMAIL_OTP``, ``SMS_OTP``, ``WEB_AUTHN``, ``PASSWORD``, ``PASSWORD_SRP``; it
        implies USER_AUTH), else the next step offers the available ones. A passkey is asked of
        the ``passkey_authenticator`` (or the machine's security key / Windows Hello)."""
        op = ops.sign_in_op(
            self._core,
            self._identity,
            username,
            password,
            flow,
            client_metadata,
            preferred_challenge,
        )
        return self._run(op)

    def auto_sign_in(self, *, client_metadata: Mapping[str, str] | None = None) -> SignInResult:
        """Sign in the user of ``sign_up(..., auto_sign_in=True)`` once it is confirmed (with
        ConfirmSignUp's Session under USER_AUTH, else with the sign-up's password)."""
        op = user_auth.auto_sign_in_op(self._core, self._identity, client_metadata)
        return self._run(op)

    def confirm_sign_in(
        self,
        challenge_response: str,
        *,
        attributes: Mapping[str, str] | None = None,
        client_metadata: Mapping[str, str] | None = None,
        friendly_device_name: str | None = None,
    ) -> SignInResult:
        """Answer the pending next step (a new password, a code, a challenge answer, an MFA
        type); ``friendly_device_name`` names a software token set up during sign-in."""
        op = ops.confirm_sign_in_op(
            self._core,
            self._identity,
            challenge_response,
            attributes,
            client_metadata,
            friendly_device_name,
        )
        return self._run(op)

    # ------------------------------------------------------------------ passkeys
    def associate_webauthn_credential(self) -> None:
        """Register a new passkey for the signed-in user with the passkey authenticator (a
        security key or Windows Hello; ``pip install 'pyamplify[passkeys]'``)."""
        return self._run(passkeys.associate_op(self._core))

    def list_webauthn_credentials(
        self, *, page_size: int | None = None, next_token: str | None = None
    ) -> ListWebAuthnCredentialsResult:
        """A page of the signed-in user's passkeys (``next_token`` of the result: the next)."""
        return self._run(passkeys.list_op(self._core, page_size, next_token))

    def delete_webauthn_credential(self, credential_id: str) -> None:
        """Delete one of the signed-in user's passkeys."""
        return self._run(passkeys.delete_op(self._core, credential_id))

    # ------------------------------------------------------------------ MFA settings
    def set_up_totp(self) -> TOTPSetupDetails:
        """Start a software token for the signed-in user: its shared secret and setup URI."""
        return self._run(ops.set_up_totp_op(self._core))

    def verify_totp_setup(self, code: str, friendly_device_name: str | None = None) -> None:
        """Finish :meth:`set_up_totp` with the app's first code; TOTP is then switched on."""
        return self._run(ops.verify_totp_setup_op(self._core, code, friendly_device_name))

    def update_mfa_preference(
        self, *, sms: str | None = None, totp: str | None = None, email: str | None = None
    ) -> None:
        """Set each given MFA type to ENABLED, DISABLED, PREFERRED or NOT_PREFERRED."""
        return self._run(ops.update_mfa_preference_op(self._core, sms, totp, email))

    def fetch_mfa_preference(self) -> MFAPreference:
        """The MFA types switched on for the signed-in user and the preferred one."""
        return self._run(ops.fetch_mfa_preference_op(self._core))

    # ------------------------------------------------------------------ devices
    def remember_device(self) -> None:
        """Have Cognito remember this computer's device, so that (where the user pool allows)
        later sign-ins prove the device instead of asking for an MFA code. Needed only in pools
        that remember devices when the user says so; raises ``DeviceNotTrackedError`` when this
        computer has no device key."""
        return self._run(devices.remember_device_op(self._core))

    def forget_device(self, device: AuthDevice | str | None = None) -> None:
        """Have Cognito forget ``device`` (an ``AuthDevice`` from :meth:`fetch_devices`, or its
        id), else this computer's device, whose local copy goes too: the next sign-in here is a
        new device (MFA again), and the current session stops refreshing once its tokens
        expire, as Cognito refuses a forgotten device's refresh."""
        return self._run(devices.forget_device_op(self._core, device))

    def current_device_key(self) -> str | None:
        """This computer's device key for the signed-in user (the one :meth:`remember_device`
        and :meth:`forget_device` act on by default), or ``None``; no network call."""
        return self._run(devices.this_device_op(self._core))

    def fetch_devices(self) -> list[AuthDevice]:
        """The signed-in user's devices Cognito knows, oldest first."""
        return self._run(devices.fetch_devices_op(self._core))

    # ------------------------------------------------------------------ account
    def reset_password(
        self, username: str, *, client_metadata: Mapping[str, str] | None = None
    ) -> ResetPasswordResult:
        """Start resetting a forgotten password: Cognito sends a code to the user's verified
        email or phone (``next_step.code_delivery_details`` says where); finish with
        :meth:`confirm_reset_password`."""
        return self._run(acct.reset_password_op(self._core, username, client_metadata))

    def confirm_reset_password(
        self,
        username: str,
        confirmation_code: str,
        new_password: str,
        *,
        client_metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Set a new password with the code :meth:`reset_password` sent."""
        op = acct.confirm_reset_password_op(
            self._core, username, confirmation_code, new_password, client_metadata
        )
        return self._run(op)

    def update_password(self, old_password: str, new_password: str) -> None:
        """Change the signed-in user's password (the current one is checked by Cognito)."""
        return self._run(acct.update_password_op(self._core, old_password, new_password))

    def update_user_attributes(
        self,
        attributes: Mapping[str, str],
        *,
        client_metadata: Mapping[str, str] | None = None,
    ) -> dict[str, UpdateUserAttributeResult]:
        """Update the signed-in user's attributes; one result per attribute, whose next step
        is CONFIRM_ATTRIBUTE_WITH_CODE when Cognito sent a code to verify it."""
        op = acct.update_user_attributes_op(self._core, attributes, client_metadata)
        return self._run(op)

    def update_user_attribute(
        self, key: str, value: str, *, client_metadata: Mapping[str, str] | None = None
    ) -> UpdateUserAttributeResult:
        """Update one attribute of the signed-in user (see :meth:`update_user_attributes`)."""
        op = acct.update_user_attribute_op(self._core, key, value, client_metadata)
        return self._run(op)

    def send_user_attribute_verification_code(
        self, key: str, *, client_metadata: Mapping[str, str] | None = None
    ) -> CodeDeliveryDetails | None:
        """Send a code to verify ``email`` or ``phone_number``; returns where it went."""
        op = acct.send_user_attribute_verification_code_op(self._core, key, client_metadata)
        return self._run(op)

    def confirm_user_attribute(self, key: str, confirmation_code: str) -> None:
        """Verify ``email`` or ``phone_number`` with the code that was sent."""
        return self._run(acct.confirm_user_attribute_op(self._core, key, confirmation_code))

    def delete_user_attributes(self, keys: Iterable[str]) -> None:
        """Remove these attributes from the signed-in user."""
        return self._run(acct.delete_user_attributes_op(self._core, list(keys)))

    def delete_user(self) -> None:
        """Delete the signed-in user's account; the session is then cleared (as by a sign-out)
        and ``user_deleted`` is announced."""
        return self._run(acct.delete_user_op(self._core, self._identity))

    # ------------------------------------------------------------------ session
    def fetch_auth_session(self, force_refresh: bool = False) -> AuthSession:
        """The current session, refreshed first when it is (nearly) expired or when forced.

        With an identity pool in the configuration it also holds the identity id and AWS
        credentials (the signed-in user's, else a guest's), fetched and refreshed in the same
        single-flight way; identity-pool failures come back as ``credentials_error``.
        """
        known = ops.answer_from_memory(self._core, self._identity, force_refresh)
        if known is not None:
            return known
        return self._run(ops.session_op(self._core, self._identity, force_refresh))

    def fetch_aws_credentials(self, force_refresh: bool = False) -> AWSCredentials:
        """The AWS credentials of the signed-in user, else of a guest; raises the reason
        (Cognito's typed error, ``SessionExpiredError``, ``NoIdentityPoolError``…) when there
        are none."""
        return self._run(ops.aws_credentials_op(self._core, self._identity, force_refresh))

    def boto3_session(self, region_name: str | None = None) -> Any:
        """A ``boto3.Session`` whose credentials are this object's identity-pool credentials
        (the signed-in user's, else a guest's), refreshed through botocore's refreshable
        credentials; ``region_name`` defaults to the identity pool's. Needs
        ``pip install 'pyamplify[boto3]'``."""
        from pyamplify.aws.boto3_session import boto3_session

        return boto3_session(self, region_name)

    def get_current_user(self) -> AuthUser:
        """The signed-in user (refreshing the session first if it is due)."""
        return self._run(ops.current_user_op(self._core))

    def fetch_user_attributes(self) -> dict[str, str]:
        """The user's attributes as Cognito holds them now (GetUser)."""
        return self._run(ops.user_attributes_op(self._core))

    # ------------------------------------------------------------------ sign-out
    def sign_out(
        self,
        global_sign_out: bool = False,
        *,
        open_browser: bool = True,
        open_url: Callable[[str], bool] | None = None,
    ) -> SignOutResult:
        """Sign out: revoke the refresh token (or sign out everywhere with ``global_sign_out``)
        and clear the local session, which happens even when the server steps fail. After a
        web sign-in the browser's Hosted UI session is ended too: ``/logout`` is opened in the
        browser (``open_url``, default ``webbrowser.open``), or printed with
        ``open_browser=False``."""
        op = ops.sign_out_op(self._core, self._identity, global_sign_out, open_browser, open_url)
        return self._run(op)

    # ------------------------------------------------------------------ Hosted UI
    def sign_in_with_web_ui(
        self,
        provider: str | None = None,
        scopes: Sequence[str] | None = None,
        prompt: str | None = None,
        open_browser: bool = True,
        *,
        timeout: float = web.DEFAULT_TIMEOUT,
        open_url: Callable[[str], bool] | None = None,
        show_url: Callable[[str], None] | None = None,
        read_redirect: Callable[[], str] | None = None,
    ) -> SignInResult:
        """Sign in through the Hosted UI (the configuration's OAuth block) in the system
        browser, with PKCE, state and nonce, and a loopback listener on the
        ``http://localhost:PORT/...`` or ``http://127.0.0.1:PORT/...`` SignInRedirectURI.
        Without a browser (``open_browser=False``, or none could be opened) the URL is shown
        (``show_url``, default: printed to stderr) and the redirect URL the browser ended on is
        read back (``read_redirect``, default: ``input()``), as ``gcloud auth login
        --no-browser`` does. ``provider`` goes straight to that identity provider; ``prompt``
        is OIDC's (``login``, ``consent``, ``select_account``, ``none``)."""
        op = web.sign_in_with_web_ui_op(
            self._core,
            self._identity,
            provider=provider,
            scopes=scopes,
            prompt=prompt,
            open_browser=open_browser,
            timeout=timeout,
            open_url=open_url,
            show_url=show_url,
            read_redirect=read_redirect,
        )
        return self._run(op)

    def fetch_client_credentials_token(
        self,
        scopes: Sequence[str] = (),
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        force_refresh: bool = False,
    ) -> web.ClientCredentialsToken:
        """An access token of the client-credentials grant for a back-end job (the OAuth
        block's client and secret unless given), cached in memory and the store until a
        minute before it expires, fetched once for concurrent callers."""
        op = web.client_credentials_op(self._core, scopes, client_id, client_secret, force_refresh)
        return self._run(op)
