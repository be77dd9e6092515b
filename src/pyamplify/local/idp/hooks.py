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
``MESSAGE``              a code or invitation about to be sent: change its text
                         (CustomMessage)
=======================  ===================================================================

Contributors run in registration order; one that raises a ``CognitoError`` ends the operation
with it. A point with no contributor costs one empty loop, so the sign-in hot path pays nothing
for features that are off.

Two more points are *providers* (at most one each), for what another feature decides rather than
adds to: ``CUSTOM_AUTH`` (the Define/Create/Verify engine behind CUSTOM_AUTH sign-ins) and
``USER_MIGRATION`` (a user moved in from a legacy store at sign-in or ForgotPassword). The
request's ``ClientMetadata`` reaches them through :func:`current_request`, with the operation it
came with, because Cognito passes it to some triggers only from some operations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from pyamplify.local.backend import Backend
    from pyamplify.local.store import UserRecord

_C = TypeVar("_C", bound=Callable[..., None])
_P = TypeVar("_P")


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
class UserEvent:
    """Something that happened to one user of a pool, as a trigger hears of it."""

    pool: dict[str, Any] = field(repr=False)
    user: UserRecord
    #: The trigger source suffix: ``SignUp``, ``AdminCreateUser``, ``ConfirmSignUp``, ...
    source: str
    client_id: str | None = None
    client_metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class SignUp(UserEvent):
    """A user about to be stored by SignUp or AdminCreateUser (Cognito's PreSignUp moment)."""

    validation_data: dict[str, str] = field(default_factory=dict)
    #: Set by a contributor: confirm the user without a code (SignUp only, as on AWS).
    auto_confirm: bool = False
    #: Set by a contributor: mark these contact attributes verified (``email``, ``phone_number``).
    auto_verify: set[str] = field(default_factory=set)


@dataclass
class Confirmation(UserEvent):
    """A confirmation that was stored (``ConfirmSignUp``, also AdminConfirmSignUp as on AWS,
    or ``ConfirmForgotPassword``: Cognito's PostConfirmation moment)."""


@dataclass(frozen=True)
class SignIn:
    """One sign-in of a known user by one app client."""

    pool: dict[str, Any] = field(repr=False)
    client: dict[str, Any] = field(repr=False)
    user: UserRecord
    #: The sign-in's ClientMetadata (``validationData`` for the Pre/PostAuthentication triggers).
    client_metadata: Mapping[str, str] = field(default_factory=dict)


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


@dataclass
class Message:
    """A code or invitation about to go out (Cognito's CustomMessage moment).

    The texts hold Cognito's placeholders, ``{####}`` for the code and ``{username}``; a
    contributor may rewrite ``sms_message``, ``email_message`` and ``email_subject`` (keeping
    the code placeholder), and the outbox records what results.
    """

    pool: dict[str, Any] = field(repr=False)
    user: UserRecord
    #: ``SignUp``, ``ResendCode``, ``ForgotPassword``, ``UpdateUserAttribute``,
    #: ``VerifyUserAttribute``, ``AdminCreateUser``, ``Authentication`` (trigger suffix).
    source: str
    sms_message: str
    email_message: str
    email_subject: str
    client_metadata: Mapping[str, str] = field(default_factory=dict)
    #: The app client of the call that sends it (``None`` for admin calls).
    client_id: str | None = None


@dataclass(frozen=True)
class RequestMetadata:
    """The ClientMetadata of the operation being served, and which operation that is."""

    operation: str = ""
    client_metadata: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def answers_challenge(self) -> bool:
        """Whether it is (Admin)RespondToAuthChallenge, whose ClientMetadata reaches the
        post-authentication, token-generation and custom-auth triggers (InitiateAuth's does not)."""
        return self.operation in ("RespondToAuthChallenge", "AdminRespondToAuthChallenge")


_REQUEST: ContextVar[RequestMetadata] = ContextVar("pyamplify_local_request")


@contextmanager
def serving(operation: str, client_metadata: Mapping[str, str]) -> Iterator[RequestMetadata]:
    """Make ``client_metadata`` of ``operation`` visible to the contributors it reaches."""
    request = RequestMetadata(operation, MappingProxyType(dict(client_metadata)))
    token = _REQUEST.set(request)
    try:
        yield request
    finally:
        _REQUEST.reset(token)


def current_request() -> RequestMetadata:
    """What :func:`serving` set for the operation being served (empty outside one)."""
    return _REQUEST.get(RequestMetadata())


class Provider(Generic[_P]):
    """A named place where one feature decides for another; at most one provider at a time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._provider: _P | None = None

    def register(self, provider: _P) -> _P:
        """Become the provider (usable as a decorator); a second one is refused."""
        if self._provider is not None:
            raise ValueError(f"{self.name} already has a provider: {self._provider!r}")
        self._provider = provider
        return provider

    def unregister(self, provider: _P) -> None:
        """Stop being the provider."""
        if self._provider is provider:
            self._provider = None

    @contextmanager
    def replaced(self, provider: _P) -> Iterator[_P]:
        """Use ``provider`` instead of the registered one for a ``with`` block (tests)."""
        previous, self._provider = self._provider, provider
        try:
            yield provider
        finally:
            self._provider = previous

    def get(self) -> _P | None:
        """The provider, or ``None``."""
        return self._provider


@dataclass
class CustomAttempt:
    """A CUSTOM_AUTH sign-in as its engine sees it: who, and the challenges so far."""

    pool: dict[str, Any] = field(repr=False)
    client: dict[str, Any] = field(repr=False)
    #: ``None`` when the user does not exist (PreventUserExistenceErrors ENABLED).
    user: UserRecord | None
    #: The user name the event names: the internal one, or the typed one for an unknown user.
    username: str
    #: ``[{"challengeName", "challengeResult", "challengeMetadata"}, ...]``, oldest first.
    sessions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def user_not_found(self) -> bool:
        """Whether the user does not exist (the events' ``userNotFound``)."""
        return self.user is None


@dataclass(frozen=True)
class Definition:
    """DefineAuthChallenge's decision."""

    challenge_name: str | None
    issue_tokens: bool
    fail_authentication: bool


@dataclass(frozen=True, repr=False)
class CreatedChallenge:
    """CreateAuthChallenge's answer: what the client sees, what only Verify sees, a note."""

    public: Mapping[str, str]
    private: Mapping[str, Any]
    metadata: str | None

    def __repr__(self) -> str:
        return f"CreatedChallenge(public={sorted(self.public)})"


class CustomAuthEngine(Protocol):
    """What decides a CUSTOM_AUTH sign-in (the pool's Define/Create/Verify triggers)."""

    def define(self, backend: Backend, attempt: CustomAttempt) -> Definition:
        """The next step, given the challenges so far."""
        ...

    def create(self, backend: Backend, attempt: CustomAttempt, name: str) -> CreatedChallenge:
        """The challenge called ``name`` (CUSTOM_CHALLENGE)."""
        ...

    def verify(
        self, backend: Backend, attempt: CustomAttempt, private: Mapping[str, Any], answer: str
    ) -> bool:
        """Whether ``answer`` answers the challenge whose private parameters are ``private``."""
        ...


@dataclass(frozen=True, repr=False)
class Migration:
    """A user name this pool does not know, at sign-in or ForgotPassword (UserMigration)."""

    pool: dict[str, Any]
    client: dict[str, Any]
    username: str
    #: The password typed at sign-in; ``None`` for ForgotPassword.
    password: str | None
    #: ``Authentication`` or ``ForgotPassword`` (trigger suffix).
    source: str

    def __repr__(self) -> str:
        return f"Migration({self.username!r}, {self.source})"


@dataclass(frozen=True)
class MigratedUser:
    """What UserMigration says about the user to create."""

    attributes: Mapping[str, str]
    #: ``CONFIRMED`` or ``RESET_REQUIRED``.
    final_status: str
    #: ``SUPPRESS`` or ``RESEND`` (the welcome message), or ``None``.
    message_action: str | None = None
    force_alias_creation: bool = False


UserMigrator = Callable[["Backend", Migration], "MigratedUser | None"]
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
MESSAGE: ExtensionPoint[Callable[[Backend, Message], None]] = ExtensionPoint("MESSAGE")
CUSTOM_AUTH: Provider[CustomAuthEngine] = Provider("CUSTOM_AUTH")
USER_MIGRATION: Provider[UserMigrator] = Provider("USER_MIGRATION")


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
        MESSAGE,
    )
}
