"""Extension points of the user-pool service: where one feature adds to another's answer.

An operation has exactly one handler (:class:`~pyamplify.local.service.registry.OperationRegistry`
refuses a second). When a feature needs a say in another feature's operation it registers a
*contributor* at one of the named points below, and the operation calls the point at the one
place Cognito would consult that feature:

=======================  ===================================================================
point                    called by, and what a contributor may do
=======================  ===================================================================
``USER_DESCRIPTION``     GetUser, AdminGetUser: add members to the answer (MFA settings)
``SIGN_UP``              SignUp, AdminCreateUser before the user is stored: refuse (raise a
                         ``CognitoError``), or ask for auto-confirmation / verification
``CONFIRMATION``         ConfirmSignUp, AdminConfirmSignUp, ConfirmForgotPassword, after the
                         change is stored (PostConfirmation)
``AUTHENTICATION``       sign-in with a known user, before the password is checked: refuse
                         (PreAuthentication)
``AUTHENTICATED``        a sign-in that will issue tokens, after every factor passed
                         (PostAuthentication)
``TOKEN_GENERATION``     every ID/access token pair, before signing: change claims
                         (PreTokenGeneration)
``SIGN_IN_RESULT``       a sign-in's ``AuthenticationResult``: add members (device metadata)
=======================  ===================================================================

Contributors run in registration order; one that raises a ``CognitoError`` ends the operation
with it. A point with no contributor costs one empty loop, so the sign-in hot path pays nothing
for features that are off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from pyamplify.local.backend import Backend
    from pyamplify.local.store import UserRecord

_C = TypeVar("_C", bound=Callable[..., None])


class ExtensionPoint(Generic[_C]):
    """A named place in an operation where contributors add to its outcome."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._contributors: list[_C] = []

    def register(self, contributor: _C) -> _C:
        """Add ``contributor`` (usable as a decorator); the same function twice is refused."""
        if contributor in self._contributors:
            raise ValueError(f"{contributor.__qualname__} is already registered at {self.name}")
        self._contributors.append(contributor)
        return contributor

    def unregister(self, contributor: _C) -> None:
        """Remove ``contributor`` (for tests that add one for a while)."""
        self._contributors.remove(contributor)

    @contextmanager
    def added(self, contributor: _C) -> Iterator[_C]:
        """Register ``contributor`` for the duration of a ``with`` block."""
        self.register(contributor)
        try:
            yield contributor
        finally:
            self.unregister(contributor)

    def __iter__(self) -> Iterator[_C]:
        return iter(tuple(self._contributors))

    def __bool__(self) -> bool:
        return bool(self._contributors)

    def __repr__(self) -> str:
        return f"ExtensionPoint({self.name!r}, {len(self._contributors)} contributors)"


@dataclass
class SignUp:
    """A user about to be stored by SignUp or AdminCreateUser (Cognito's PreSignUp moment)."""

    pool: dict[str, Any] = field(repr=False)
    user: UserRecord
    #: ``SignUp`` or ``AdminCreateUser`` (the PreSignUp trigger source suffix).
    source: str
    client_id: str | None = None
    validation_data: dict[str, str] = field(default_factory=dict)
    client_metadata: dict[str, str] = field(default_factory=dict)
    #: Set by a contributor: confirm the user without a code (SignUp only, as on AWS).
    auto_confirm: bool = False
    #: Set by a contributor: mark these contact attributes verified (``email``, ``phone_number``).
    auto_verify: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Confirmation:
    """A confirmation that was stored (Cognito's PostConfirmation moment)."""

    pool: dict[str, Any] = field(repr=False)
    user: UserRecord
    #: ``ConfirmSignUp`` (also AdminConfirmSignUp, as on AWS) or ``ConfirmForgotPassword``.
    source: str
    client_id: str | None = None
    client_metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SignIn:
    """One sign-in of a known user by one app client."""

    pool: dict[str, Any] = field(repr=False)
    client: dict[str, Any] = field(repr=False)
    user: UserRecord
    #: The sign-in's ClientMetadata (``validationData`` for the Pre/PostAuthentication triggers).
    client_metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class TokenGeneration:
    """The claims of an ID and access token pair about to be signed."""

    pool: dict[str, Any] = field(repr=False)
    client: dict[str, Any] = field(repr=False)
    user: UserRecord
    #: ``Authentication``, ``NewPasswordChallenge``, ``RefreshTokens``, ... (trigger suffix).
    source: str
    groups: list[dict[str, Any]] = field(repr=False)
    id_claims: dict[str, Any] = field(repr=False)
    access_claims: dict[str, Any] = field(repr=False)


UserDescriber = Callable[["Backend", "UserRecord", dict[str, Any]], None]
SignUpContributor = Callable[["Backend", SignUp], None]
ConfirmationContributor = Callable[["Backend", Confirmation], None]
SignInContributor = Callable[["Backend", SignIn], None]
TokenContributor = Callable[["Backend", TokenGeneration], None]
ResultContributor = Callable[["Backend", SignIn, dict[str, Any]], None]

USER_DESCRIPTION: ExtensionPoint[UserDescriber] = ExtensionPoint("USER_DESCRIPTION")
SIGN_UP: ExtensionPoint[SignUpContributor] = ExtensionPoint("SIGN_UP")
CONFIRMATION: ExtensionPoint[ConfirmationContributor] = ExtensionPoint("CONFIRMATION")
AUTHENTICATION: ExtensionPoint[SignInContributor] = ExtensionPoint("AUTHENTICATION")
AUTHENTICATED: ExtensionPoint[SignInContributor] = ExtensionPoint("AUTHENTICATED")
TOKEN_GENERATION: ExtensionPoint[TokenContributor] = ExtensionPoint("TOKEN_GENERATION")
SIGN_IN_RESULT: ExtensionPoint[ResultContributor] = ExtensionPoint("SIGN_IN_RESULT")


def describe_user(backend: Backend, user: UserRecord, answer: dict[str, Any]) -> dict[str, Any]:
    """GetUser's / AdminGetUser's answer with every ``USER_DESCRIPTION`` contributor's members."""
    for contributor in USER_DESCRIPTION:
        contributor(backend, user, answer)
    return answer


def run_sign_up(backend: Backend, sign_up: SignUp) -> None:
    """Run the ``SIGN_UP`` contributors and apply what they asked for to the unsaved user.

    As on AWS, auto-confirmation and auto-verification apply to SignUp only (AdminCreateUser
    ignores them), and a contact is marked verified only when the user has it.
    """
    for contributor in SIGN_UP:
        contributor(backend, sign_up)
    if sign_up.source != "SignUp":
        return
    if sign_up.auto_confirm:
        sign_up.user.status = "CONFIRMED"
    for attribute in sorted(sign_up.auto_verify):
        if sign_up.user.attributes.get(attribute):
            sign_up.user.attributes[f"{attribute}_verified"] = "true"


def run_confirmation(backend: Backend, confirmation: Confirmation) -> None:
    """Run the ``CONFIRMATION`` contributors."""
    for contributor in CONFIRMATION:
        contributor(backend, confirmation)


#: Every point, by name (for ``pyamplify local`` diagnostics and tests).
POINTS: dict[str, ExtensionPoint[Any]] = {
    point.name: point
    for point in (
        USER_DESCRIPTION,
        SIGN_UP,
        CONFIRMATION,
        AUTHENTICATION,
        AUTHENTICATED,
        TOKEN_GENERATION,
        SIGN_IN_RESULT,
    )
}
