"""Errors the Auth category raises itself (Cognito's own errors live in ``pyamplify.wire``)."""

from __future__ import annotations

from pyamplify.errors import PyamplifyError


class AuthValidationError(PyamplifyError):
    """The call's arguments cannot work (a missing password, an unknown flow); fix the call."""

    exit_code = 2


class SignedOutError(PyamplifyError):
    """The operation needs a signed-in user and there is none on this profile."""


class AlreadySignedInError(PyamplifyError):
    """``sign_in`` was called while a user is signed in on the same profile (as in Amplify)."""


class NoSignInInProgressError(PyamplifyError):
    """``confirm_sign_in`` was called with no sign-in waiting for a next step."""


class UnsupportedChallengeError(PyamplifyError):
    """Cognito asked for a challenge this version of pyamplify cannot answer yet."""


class DeviceNotTrackedError(PyamplifyError):
    """A device call needs this computer's device key, and there is none: the user pool does not
    track devices, ConfirmDevice failed, or the device was forgotten (Amplify's
    ``DeviceNotTrackedException``)."""


class InvalidTokenError(PyamplifyError):
    """A token from Cognito or the store is not a well-formed JWT."""


class NoIdentityPoolError(PyamplifyError):
    """AWS credentials were asked for, but the configuration has no identity pool."""


class SessionExpiredError(PyamplifyError):
    """The user's session ended without a sign-out (refresh token expired or revoked): only
    signing in again brings it back. Guest credentials are withheld until then."""


class GuestAccessDisabledError(PyamplifyError):
    """Nobody is signed in and the configuration turns guest (unauthenticated) access off."""


class MissingDependencyError(PyamplifyError):
    """An optional dependency (an extra such as ``pyamplify[boto3]``) is not installed."""


class NoPasskeyAuthenticatorError(PyamplifyError):
    """No authenticator could make or use a passkey here (no security key, no Windows Hello,
    or the ``fido2`` library is not installed)."""


class PasskeyError(PyamplifyError):
    """The passkey authenticator refused or failed (cancelled, timed out, no matching key)."""


class AutoSignInError(PyamplifyError):
    """``auto_sign_in`` was called with no sign-up waiting to sign in (Amplify's
    AutoSignInException)."""
