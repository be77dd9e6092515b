"""The Auth category: sign-up, sign-in with next steps, self-refreshing sessions, sign-out, and
the account (passwords, attributes, MFA settings, deletion).

``Auth`` (blocking) and ``AsyncAuth`` (asyncio) share one set of sans-I/O flows
(:mod:`pyamplify.auth.flows`, :mod:`pyamplify.auth.mfa_flows`,
:mod:`pyamplify.auth.account_flows`); results and next steps use Amplify JS v6's names. With an
identity pool in the configuration, sessions also carry AWS credentials (signed-in user or
guest).

``AsyncAuth`` loads on first use (PEP 562), so blocking users and the CLI never import asyncio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyamplify.auth.account_results import (
    ResetPasswordNextStep,
    ResetPasswordResult,
    ResetPasswordStep,
    UpdateAttributeStep,
    UpdateUserAttributeNextStep,
    UpdateUserAttributeResult,
)
from pyamplify.auth.credentials import AWSCredentials
from pyamplify.auth.device_results import AuthDevice
from pyamplify.auth.errors import (
    AlreadySignedInError,
    AuthValidationError,
    AutoSignInError,
    DeviceNotTrackedError,
    GuestAccessDisabledError,
    InvalidTokenError,
    MissingDependencyError,
    NoIdentityPoolError,
    NoPasskeyAuthenticatorError,
    NoSignInInProgressError,
    PasskeyError,
    SessionExpiredError,
    SignedOutError,
    UnsupportedChallengeError,
)
from pyamplify.auth.events import AuthEvent, EventHub
from pyamplify.auth.results import (
    AuthUser,
    CodeDeliveryDetails,
    MFAPreference,
    SignInDetails,
    SignInNextStep,
    SignInResult,
    SignInStep,
    SignOutResult,
    SignUpNextStep,
    SignUpResult,
    SignUpStep,
    TOTPSetupDetails,
)
from pyamplify.auth.session import AuthSession
from pyamplify.auth.sync import Auth
from pyamplify.auth.tokens import JWT, AuthTokens

if TYPE_CHECKING:
    from pyamplify.auth.aio import AsyncAuth

__all__ = [
    "JWT",
    "AWSCredentials",
    "AlreadySignedInError",
    "AsyncAuth",
    "Auth",
    "AuthDevice",
    "AuthEvent",
    "AuthSession",
    "AuthTokens",
    "AuthUser",
    "AuthValidationError",
    "AutoSignInError",
    "CodeDeliveryDetails",
    "DeviceNotTrackedError",
    "EventHub",
    "GuestAccessDisabledError",
    "InvalidTokenError",
    "MFAPreference",
    "MissingDependencyError",
    "NoIdentityPoolError",
    "NoPasskeyAuthenticatorError",
    "NoSignInInProgressError",
    "PasskeyError",
    "ResetPasswordNextStep",
    "ResetPasswordResult",
    "ResetPasswordStep",
    "SessionExpiredError",
    "SignInDetails",
    "SignInNextStep",
    "SignInResult",
    "SignInStep",
    "SignOutResult",
    "SignUpNextStep",
    "SignUpResult",
    "SignUpStep",
    "SignedOutError",
    "TOTPSetupDetails",
    "UnsupportedChallengeError",
    "UpdateAttributeStep",
    "UpdateUserAttributeNextStep",
    "UpdateUserAttributeResult",
]


def __getattr__(name: str) -> object:
    """Load ``AsyncAuth`` (and with it asyncio) only when someone asks for it."""
    if name == "AsyncAuth":
        from pyamplify.auth.aio import AsyncAuth

        globals()["AsyncAuth"] = AsyncAuth  # later lookups skip this function
        return AsyncAuth
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, ``AsyncAuth`` included before it is loaded."""
    return sorted({*globals(), "AsyncAuth"})
