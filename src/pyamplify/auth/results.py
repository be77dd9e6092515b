"""Results and next steps, named as in Amplify JS v6 (``signInStep: 'DONE'`` -> ``"DONE"``).

Every outcome of sign-up and sign-in is a value with an explicit next step that carries the data
the caller needs to take it (where a code went, which attributes are missing). Sign-out reports
partial failures as a value, as Amplify Swift and Android do: the local session is cleared in
every case, and the result says what could not be done on the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from pyamplify.errors import PyamplifyError


class StepEnum(str, Enum):
    """The base of every next-step enum: its members equal, and print as, Amplify's strings."""

    _value_: str

    def __str__(self) -> str:
        return self.value


def empty_mapping() -> Mapping[str, str]:
    """A read-only empty mapping: the default of a next step's ``additional_info``."""
    return MappingProxyType({})


def epoch_datetime(value: Any) -> datetime | None:
    """A date Cognito sends as epoch seconds, as an aware UTC datetime (``None`` when absent)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return datetime.fromtimestamp(float(value), timezone.utc)


class SignInStep(StepEnum):
    """Amplify JS v6's ``signInStep`` values (equal to their strings)."""

    DONE = "DONE"
    CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED = "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
    CONFIRM_SIGN_IN_WITH_SMS_CODE = "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    CONFIRM_SIGN_IN_WITH_EMAIL_CODE = "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    CONFIRM_SIGN_IN_WITH_TOTP_CODE = "CONFIRM_SIGN_IN_WITH_TOTP_CODE"
    CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE = "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
    CONTINUE_SIGN_IN_WITH_MFA_SELECTION = "CONTINUE_SIGN_IN_WITH_MFA_SELECTION"
    CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION = "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
    CONTINUE_SIGN_IN_WITH_TOTP_SETUP = "CONTINUE_SIGN_IN_WITH_TOTP_SETUP"
    CONTINUE_SIGN_IN_WITH_EMAIL_SETUP = "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP"
    CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION = "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    CONFIRM_SIGN_IN_WITH_PASSWORD = "CONFIRM_SIGN_IN_WITH_PASSWORD"
    #: pyamplify's own: Cognito's WEB_AUTHN challenge, which ``sign_in`` / ``confirm_sign_in``
    #: answer with the passkey authenticator themselves (as Amplify JS does); a caller sees it
    #: only when the authenticator failed, and may answer it with an AuthenticationResponseJSON.
    CONFIRM_SIGN_IN_WITH_PASSKEY = "CONFIRM_SIGN_IN_WITH_PASSKEY"
    CONFIRM_SIGN_UP = "CONFIRM_SIGN_UP"
    RESET_PASSWORD = "RESET_PASSWORD"


class SignUpStep(StepEnum):
    """Amplify JS v6's ``signUpStep`` values."""

    CONFIRM_SIGN_UP = "CONFIRM_SIGN_UP"
    #: ``sign_up(..., auto_sign_in=True)``: call ``auto_sign_in()`` (after ``confirm_sign_up``).
    COMPLETE_AUTO_SIGN_IN = "COMPLETE_AUTO_SIGN_IN"
    DONE = "DONE"


@dataclass(frozen=True)
class CodeDeliveryDetails:
    """Where Cognito sent a code: ``destination`` is masked by Cognito (``a***@e***``)."""

    destination: str | None = None
    delivery_medium: str | None = None
    attribute_name: str | None = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any] | None) -> CodeDeliveryDetails | None:
        """Read Cognito's ``CodeDeliveryDetails`` object (``None`` when absent)."""
        if not data:
            return None
        return cls(
            destination=data.get("Destination"),
            delivery_medium=data.get("DeliveryMedium"),
            attribute_name=data.get("AttributeName"),
        )


@dataclass(frozen=True)
class SignUpNextStep:
    """What to do after ``sign_up`` / ``confirm_sign_up``."""

    sign_up_step: SignUpStep
    code_delivery_details: CodeDeliveryDetails | None = None


@dataclass(frozen=True)
class SignUpResult:
    """The result of ``sign_up`` and ``confirm_sign_up``."""

    is_sign_up_complete: bool
    next_step: SignUpNextStep
    user_id: str | None = None


#: Amplify's MFA type names, in the order Amplify lists them.
MFA_TYPES = ("SMS", "TOTP", "EMAIL")
#: Cognito's names for Amplify's MFA types (``UserMFASettingList``, SELECT_MFA_TYPE answers).
COGNITO_MFA_NAMES = {"SMS": "SMS_MFA", "TOTP": "SOFTWARE_TOKEN_MFA", "EMAIL": "EMAIL_OTP"}
#: Cognito's MFA names -> Amplify's (``EMAIL_MFA`` is the older spelling of ``EMAIL_OTP``).
AMPLIFY_MFA_NAMES = {
    **{cognito: amplify for amplify, cognito in COGNITO_MFA_NAMES.items()},
    "EMAIL_MFA": "EMAIL",
}


@dataclass(frozen=True, repr=False)
class TOTPSetupDetails:
    """A software token waiting for its first code (Amplify's ``TOTPSetupDetails``).

    The shared secret is what the authenticator app needs; it stays out of the repr so that a
    logged next step or result never leaks it.
    """

    shared_secret: str
    #: The user the token is for: the default account name of the setup URI.
    username: str

    def get_setup_uri(self, app_name: str, account_name: str | None = None) -> str:
        """The ``otpauth://totp/…`` URI (for a QR code) that authenticator apps import."""
        issuer = quote(app_name, safe="")
        account = quote(account_name or self.username, safe="@")
        return f"otpauth://totp/{issuer}:{account}?secret={self.shared_secret}&issuer={issuer}"

    def __repr__(self) -> str:
        return f"TOTPSetupDetails(username={self.username!r}, shared_secret=<secret>)"


@dataclass(frozen=True)
class MFAPreference:
    """The user's MFA settings (Amplify's ``fetchMFAPreference``): the switched-on types and
    the preferred one, as ``SMS`` / ``TOTP`` / ``EMAIL``."""

    enabled: tuple[str, ...] = ()
    preferred: str | None = None


@dataclass(frozen=True)
class SignInNextStep:
    """What to do after ``sign_in`` / ``confirm_sign_in``, with the data needed to do it."""

    sign_in_step: SignInStep
    #: NEW_PASSWORD_REQUIRED: required attributes the user has no value for (no prefix).
    missing_attributes: tuple[str, ...] = ()
    code_delivery_details: CodeDeliveryDetails | None = None
    #: CUSTOM_CHALLENGE: the challenge's public parameters.
    additional_info: Mapping[str, str] = field(default_factory=empty_mapping)
    #: MFA selection / setup: the allowed types (``SMS``, ``TOTP``, ``EMAIL``).
    allowed_mfa_types: tuple[str, ...] = ()
    #: CONTINUE_SIGN_IN_WITH_TOTP_SETUP: the new shared secret and its ``otpauth://`` URI.
    totp_setup_details: TOTPSetupDetails | None = None
    #: CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION: the first factors to choose from
    #: (``PASSWORD``, ``PASSWORD_SRP``, ``EMAIL_OTP``, ``SMS_OTP``, ``WEB_AUTHN``).
    available_challenges: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignInResult:
    """The result of ``sign_in`` and ``confirm_sign_in``."""

    is_signed_in: bool
    next_step: SignInNextStep


DONE = SignInResult(is_signed_in=True, next_step=SignInNextStep(SignInStep.DONE))


@dataclass(frozen=True)
class SignInDetails:
    """How the current user signed in (Amplify JS's ``signInDetails``)."""

    login_id: str
    auth_flow_type: str


@dataclass(frozen=True)
class AuthUser:
    """The result of ``get_current_user``: ``username`` is the internal name, ``user_id`` the
    ``sub``."""

    username: str
    user_id: str
    sign_in_details: SignInDetails | None = None


@dataclass(frozen=True)
class SignOutResult:
    """What ``sign_out`` did. The local session is always cleared (a store that cannot remove
    it, e.g. a locked keyring, raises instead: no result claims a removal that did not happen);
    server-side steps that failed are reported here instead of raised (as ``.partial`` in
    Amplify Swift/Android)."""

    signed_out_locally: bool = True
    revoke_token_error: PyamplifyError | None = None
    global_sign_out_error: PyamplifyError | None = None

    @property
    def is_complete(self) -> bool:
        """Whether every step (local, revoke or global sign-out) succeeded."""
        return self.revoke_token_error is None and self.global_sign_out_error is None

    @property
    def status(self) -> str:
        """``"complete"`` or ``"partial"``."""
        return "complete" if self.is_complete else "partial"
