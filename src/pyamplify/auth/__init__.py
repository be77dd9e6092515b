"""The Auth category: sign-up, sign-in with next steps, self-refreshing sessions, sign-out.

``Auth`` (blocking) and ``AsyncAuth`` (asyncio) share one set of sans-I/O flows
(:mod:`pyamplify.auth.flows`); results and next steps use Amplify JS v6's names. With an identity
pool in the configuration, sessions also carry AWS credentials (signed-in user or guest).
"""

from __future__ import annotations

from pyamplify.auth.aio import AsyncAuth
from pyamplify.auth.credentials import AWSCredentials
from pyamplify.auth.errors import (
    AlreadySignedInError,
    AuthValidationError,
    GuestAccessDisabledError,
    InvalidTokenError,
    MissingDependencyError,
    NoIdentityPoolError,
    NoSignInInProgressError,
    SessionExpiredError,
    SignedOutError,
    UnsupportedChallengeError,
)
from pyamplify.auth.events import AuthEvent, EventHub
from pyamplify.auth.results import (
    AuthUser,
    CodeDeliveryDetails,
    SignInDetails,
    SignInNextStep,
    SignInResult,
    SignInStep,
    SignOutResult,
    SignUpNextStep,
    SignUpResult,
    SignUpStep,
)
from pyamplify.auth.session import AuthSession
from pyamplify.auth.sync import Auth
from pyamplify.auth.tokens import JWT, AuthTokens

__all__ = [
    "JWT",
    "AWSCredentials",
    "AlreadySignedInError",
    "AsyncAuth",
    "Auth",
    "AuthEvent",
    "AuthSession",
    "AuthTokens",
    "AuthUser",
    "AuthValidationError",
    "CodeDeliveryDetails",
    "EventHub",
    "GuestAccessDisabledError",
    "InvalidTokenError",
    "MissingDependencyError",
    "NoIdentityPoolError",
    "NoSignInInProgressError",
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
    "UnsupportedChallengeError",
]
