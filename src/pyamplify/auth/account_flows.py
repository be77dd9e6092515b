"""The account's conversations with Cognito as sans-I/O flows: passwords, attributes, deletion.

Named after Amplify JS v6's functions: ``reset_password`` (ForgotPassword),
``confirm_reset_password`` (ConfirmForgotPassword), ``update_password`` (ChangePassword),
``update_user_attributes`` (UpdateUserAttributes), ``send_user_attribute_verification_code``
(GetUserAttributeVerificationCode), ``confirm_user_attribute`` (VerifyUserAttribute),
``delete_user_attributes`` (DeleteUserAttributes) and ``delete_user`` (DeleteUser). The first two
name the user and so carry SECRET_HASH for an app client with a secret; the others carry the
signed-in user's access token, which the operations (:mod:`pyamplify.auth.account_operations`)
supply fresh. ``ClientMetadata`` goes wherever Cognito takes it (for the Lambda triggers).
Like :mod:`pyamplify.auth.flows` they only yield :class:`~pyamplify.wire.Call` values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pyamplify.auth.account_results import (
    ATTRIBUTE_UPDATED,
    ResetPasswordNextStep,
    ResetPasswordResult,
    ResetPasswordStep,
    UpdateAttributeStep,
    UpdateUserAttributeNextStep,
    UpdateUserAttributeResult,
)
from pyamplify.auth.errors import AuthValidationError
from pyamplify.auth.flows import ClientContext, Flow
from pyamplify.auth.results import CodeDeliveryDetails
from pyamplify.wire.call import idp


def _required(value: str | None, what: str, call: str) -> str:
    """``value`` when it has text, else the error that names what ``call`` is missing."""
    if not value or not value.strip():
        raise AuthValidationError(f"{call} needs {what}")
    return value


def _metadata(client_metadata: Mapping[str, str] | None) -> dict[str, Any]:
    """``{"ClientMetadata": …}`` when there is any (Cognito passes it to the Lambda triggers)."""
    return {"ClientMetadata": dict(client_metadata)} if client_metadata else {}


def _secret_hash(ctx: ClientContext, username: str) -> dict[str, str]:
    """``{"SecretHash": …}`` for an app client with a secret (these calls name it so)."""
    hashed = ctx.secret_hash(username).get("SECRET_HASH")
    return {"SecretHash": hashed} if hashed else {}


# --------------------------------------------------------------------------- passwords


def reset_password_flow(
    ctx: ClientContext, username: str, *, client_metadata: Mapping[str, str] | None = None
) -> Flow[ResetPasswordResult]:
    """ForgotPassword: Cognito sends a code to the user's verified email or phone number."""
    username = _required(username, "a username", "reset_password")
    payload: dict[str, Any] = {
        "ClientId": ctx.client_id,
        "Username": username,
        **_secret_hash(ctx, username),
        **_metadata(client_metadata),
    }
    response = yield idp("ForgotPassword", payload)
    details = CodeDeliveryDetails.from_wire(response.get("CodeDeliveryDetails"))
    step = ResetPasswordNextStep(ResetPasswordStep.CONFIRM_RESET_PASSWORD_WITH_CODE, details)
    return ResetPasswordResult(is_password_reset=False, next_step=step)


def confirm_reset_password_flow(
    ctx: ClientContext,
    username: str,
    confirmation_code: str,
    new_password: str,
    *,
    client_metadata: Mapping[str, str] | None = None,
) -> Flow[None]:
    """ConfirmForgotPassword: the code that was sent and the new password."""
    username = _required(username, "a username", "confirm_reset_password")
    code = _required(confirmation_code, "the code that was sent", "confirm_reset_password")
    password = _required(new_password, "a new password", "confirm_reset_password")
    payload: dict[str, Any] = {
        "ClientId": ctx.client_id,
        "Username": username,
        "ConfirmationCode": code.strip(),
        "Password": password,
        **_secret_hash(ctx, username),
        **_metadata(client_metadata),
    }
    yield idp("ConfirmForgotPassword", payload)


def change_password_flow(access_token: str, old_password: str, new_password: str) -> Flow[None]:
    """ChangePassword: the signed-in user's current password and the new one."""
    previous = _required(old_password, "the current password", "update_password")
    proposed = _required(new_password, "a new password", "update_password")
    payload = {"AccessToken": access_token, "PreviousPassword": previous}
    yield idp("ChangePassword", {**payload, "ProposedPassword": proposed})


# --------------------------------------------------------------------------- attributes


def update_user_attributes_flow(
    access_token: str,
    attributes: Mapping[str, str],
    *,
    client_metadata: Mapping[str, str] | None = None,
) -> Flow[dict[str, UpdateUserAttributeResult]]:
    """UpdateUserAttributes; each attribute is DONE, or CONFIRM_ATTRIBUTE_WITH_CODE when
    Cognito sent a verification code for it (its ``CodeDeliveryDetailsList``), as Amplify
    reads it."""
    if not attributes:
        raise AuthValidationError("update_user_attributes needs at least one attribute")
    for name in attributes:
        _required(name, "attribute names", "update_user_attributes")
    payload: dict[str, Any] = {
        "AccessToken": access_token,
        "UserAttributes": [{"Name": name, "Value": str(v)} for name, v in attributes.items()],
        **_metadata(client_metadata),
    }
    response = yield idp("UpdateUserAttributes", payload)
    results = dict.fromkeys(attributes, ATTRIBUTE_UPDATED)
    for item in response.get("CodeDeliveryDetailsList") or ():
        details = CodeDeliveryDetails.from_wire(item)
        if details is None or not details.attribute_name:
            continue
        step = UpdateUserAttributeNextStep(UpdateAttributeStep.CONFIRM_ATTRIBUTE_WITH_CODE, details)
        results[details.attribute_name] = UpdateUserAttributeResult(False, step)
    return results


def send_user_attribute_verification_code_flow(
    access_token: str,
    attribute_key: str,
    *,
    client_metadata: Mapping[str, str] | None = None,
) -> Flow[CodeDeliveryDetails | None]:
    """GetUserAttributeVerificationCode: a code to verify ``email`` or ``phone_number``."""
    key = _required(attribute_key, "an attribute name", "send_user_attribute_verification_code")
    payload = {"AccessToken": access_token, "AttributeName": key, **_metadata(client_metadata)}
    response = yield idp("GetUserAttributeVerificationCode", payload)
    return CodeDeliveryDetails.from_wire(response.get("CodeDeliveryDetails"))


def verify_user_attribute_flow(
    access_token: str, attribute_key: str, confirmation_code: str
) -> Flow[None]:
    """VerifyUserAttribute: the code that was sent for ``attribute_key``."""
    key = _required(attribute_key, "an attribute name", "confirm_user_attribute")
    code = _required(confirmation_code, "the code that was sent", "confirm_user_attribute")
    yield idp(
        "VerifyUserAttribute", {"AccessToken": access_token, "AttributeName": key, "Code": code}
    )


def delete_user_attributes_flow(access_token: str, attribute_keys: Iterable[str]) -> Flow[None]:
    """DeleteUserAttributes: remove these attributes from the signed-in user."""
    keys = [_required(key, "attribute names", "delete_user_attributes") for key in attribute_keys]
    if not keys:
        raise AuthValidationError("delete_user_attributes needs at least one attribute name")
    yield idp("DeleteUserAttributes", {"AccessToken": access_token, "UserAttributeNames": keys})


# --------------------------------------------------------------------------- the account


def delete_user_flow(access_token: str) -> Flow[None]:
    """DeleteUser: the signed-in user deletes their own account."""
    yield idp("DeleteUser", {"AccessToken": access_token})
