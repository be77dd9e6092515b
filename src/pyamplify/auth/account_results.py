"""Results of the account calls (passwords, attributes), named as in Amplify JS v6.

Amplify's ``resetPassword`` answers ``{isPasswordReset, nextStep: {resetPasswordStep,
codeDeliveryDetails}}`` and ``updateUserAttributes`` one ``{isUpdated, nextStep:
{updateAttributeStep, codeDeliveryDetails}}`` per attribute; these are the same values in
snake_case, as :mod:`pyamplify.auth.results` does for sign-up and sign-in (``…Result`` where
Amplify says ``…Output``, like ``SignInResult``). The calls that Amplify types as ``void``
(``confirmResetPassword``, ``updatePassword``, ``confirmUserAttribute``,
``deleteUserAttributes``, ``deleteUser``) return ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pyamplify.auth.results import CodeDeliveryDetails, StepEnum, empty_mapping


class ResetPasswordStep(StepEnum):
    """Amplify JS v6's ``resetPasswordStep`` values."""

    CONFIRM_RESET_PASSWORD_WITH_CODE = "CONFIRM_RESET_PASSWORD_WITH_CODE"
    DONE = "DONE"


class UpdateAttributeStep(StepEnum):
    """Amplify JS v6's ``updateAttributeStep`` values."""

    CONFIRM_ATTRIBUTE_WITH_CODE = "CONFIRM_ATTRIBUTE_WITH_CODE"
    DONE = "DONE"


@dataclass(frozen=True)
class ResetPasswordNextStep:
    """What to do after ``reset_password``: enter the code that was sent, with a new password."""

    reset_password_step: ResetPasswordStep
    code_delivery_details: CodeDeliveryDetails | None = None
    additional_info: Mapping[str, str] = field(default_factory=empty_mapping)


@dataclass(frozen=True)
class ResetPasswordResult:
    """The result of ``reset_password`` (Amplify's ``ResetPasswordOutput``)."""

    is_password_reset: bool
    next_step: ResetPasswordNextStep


@dataclass(frozen=True)
class UpdateUserAttributeNextStep:
    """What to do for one attribute after ``update_user_attributes``: nothing, or confirm it
    with the code that was sent (``confirm_user_attribute``)."""

    update_attribute_step: UpdateAttributeStep
    code_delivery_details: CodeDeliveryDetails | None = None


@dataclass(frozen=True)
class UpdateUserAttributeResult:
    """One attribute's outcome (Amplify's ``UpdateUserAttributeOutput``). ``is_updated`` is
    false when Cognito sent a verification code for it, as in Amplify: depending on the pool's
    ``AttributesRequireVerificationBeforeUpdate`` the new value is either held back until it is
    verified or stored unverified."""

    is_updated: bool
    next_step: UpdateUserAttributeNextStep


#: ``update_attribute_step == DONE``.
ATTRIBUTE_UPDATED = UpdateUserAttributeResult(
    True, UpdateUserAttributeNextStep(UpdateAttributeStep.DONE)
)
