"""The user plane besides sign-in: sign-up, codes, the signed-in user's own account, sign-out.

These calls are unsigned. Calls that name a user by ``ClientId`` + ``Username`` check
SECRET_HASH and hide unknown users when the client has PreventUserExistenceErrors ENABLED;
calls that take an ``AccessToken`` accept only a valid, unrevoked access token with the
``aws.cognito.signin.user.admin`` scope.
"""

from __future__ import annotations

from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks, outbox, passwords, pending, user_auth
from pyamplify.local.idp.accounts import (
    apply_attribute_update,
    check_attribute_values,
    check_required,
    create_user,
)
from pyamplify.local.idp.admin import send_verification_codes
from pyamplify.local.idp.caller import Caller
from pyamplify.local.idp.common import (
    attributes_from_list,
    attributes_to_list,
    authenticate_access_token,
    check_attributes_exist,
    check_client_secret,
    check_mutable,
    check_secret_hash,
    client_or_error,
    find_user,
    opt_str,
    pool_or_error,
    prevents_user_existence_errors,
    str_map,
    str_param,
)
from pyamplify.local.idp.registry import OPERATIONS
from pyamplify.local.idp.tokens import family_of_refresh_token
from pyamplify.local.idp.webauthn import first_factors
from pyamplify.local.signing import JwtError, unverified_parts
from pyamplify.local.store.userpools import UserRecord

_CONTACTS = ("email", "phone_number")
_PASSWORD_NEEDED = (
    "A password is required: this user pool has no passwordless sign-in (its "
    "SignInPolicy.AllowedFirstAuthFactors has only PASSWORD)."
)
_NO_RECOVERY = (
    "Cannot reset password for the user as there is no registered/verified email or phone_number"
)


def _client_pool(backend: Backend, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    client = client_or_error(backend, str_param(body, "ClientId"))
    return client, pool_or_error(backend, client["UserPoolId"])


def _signup_channel(pool: dict[str, Any], user: UserRecord) -> str | None:
    """The attribute a sign-up code goes to: the first auto-verified contact the user has."""
    for attribute in pool.get("AutoVerifiedAttributes") or []:
        if user.attributes.get(attribute):
            return str(attribute)
    return None


def _simulated_delivery(typed: str) -> dict[str, str]:
    """CodeDeliveryDetails for a user who does not exist (PreventUserExistenceErrors)."""
    attribute = "phone_number" if typed.startswith("+") else "email"
    value = typed if "@" in typed or attribute == "phone_number" else f"{typed}@example.com"
    return outbox.delivery_details(attribute, value)


# ---------------------------------------------------------------------- sign-up


@OPERATIONS.operation("SignUp")
def sign_up(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """SignUp: an UNCONFIRMED user and, if the pool auto-verifies a contact, a code.

    The password may be left out when the pool offers a passwordless first factor ("You can
    only create a passwordless user when passwordless sign-in is available", SignUp.Password).
    """
    client, pool = _client_pool(backend, body)
    typed = str_param(body, "Username")
    password = opt_str(body, "Password") or None
    if password is None and first_factors(pool) == ["PASSWORD"]:
        raise errors.InvalidParameterException(_PASSWORD_NEEDED)
    check_secret_hash(client, typed, body.get("SecretHash"))
    if (pool.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
        raise errors.NotAuthorizedException("SignUp is not permitted for this user pool")
    user = create_user(
        backend,
        pool,
        typed,
        attributes_from_list(body.get("UserAttributes")),
        status="UNCONFIRMED",
        existing_message=errors.USER_EXISTS,
    )
    check_required(pool, user.attributes)
    if password is not None:
        passwords.check_policy(pool, password)
        passwords.set_password(pool["Id"], user, password, backend.now())
    sign_up_event = hooks.SignUp(
        pool,
        user,
        "SignUp",
        client["ClientId"],
        validation_data=attributes_from_list(body.get("ValidationData")),
        client_metadata=str_map(body, "ClientMetadata"),
    )
    hooks.run_sign_up(backend, sign_up_event)
    backend.store.insert_user(user)
    result: dict[str, Any] = {"UserConfirmed": user.status == "CONFIRMED", "UserSub": user.sub}
    if sign_up_event.auto_confirm:
        # SignUp's ClientMetadata goes to PostConfirmation too (AWS: "pre sign-up, custom
        # message, and post confirmation").
        hooks.run_confirmation(
            backend,
            hooks.Confirmation(
                pool, user, "ConfirmSignUp", client["ClientId"], sign_up_event.client_metadata
            ),
        )
        return result
    channel = _signup_channel(pool, user)
    if channel is not None:
        result["CodeDeliveryDetails"] = outbox.deliver_code(
            backend,
            pool,
            user,
            code_key="confirm_signup",
            purpose="SignUp",
            attribute=channel,
            client_id=client["ClientId"],
        )
    return result


def _user_for_code(
    backend: Backend, client: dict[str, Any], pool: dict[str, Any], typed: str
) -> UserRecord:
    user = find_user(backend, pool, typed)
    if user is None:
        if prevents_user_existence_errors(client):
            raise errors.CodeMismatchException(errors.CODE_MISMATCH)
        raise errors.UserNotFoundException(errors.USERNAME_CLIENT_NOT_FOUND)
    return user


def _code_recipient(
    backend: Backend, body: dict[str, Any], *, migrate: bool = False
) -> tuple[dict[str, Any], dict[str, Any], str, UserRecord | None]:
    """Client, pool, typed name and user for a call that sends a code (resend, forgot password).

    The user is ``None`` only when it does not exist and the client hides that
    (PreventUserExistenceErrors): the caller then answers with a simulated delivery, as AWS does.
    With ``migrate`` (ForgotPassword) an unknown user may first be moved in by the
    ``USER_MIGRATION`` provider, waiting for the reset this code starts.
    """
    client, pool = _client_pool(backend, body)
    typed = str_param(body, "Username")
    check_secret_hash(client, typed, body.get("SecretHash"))
    user = find_user(backend, pool, typed)
    if user is None and migrate:
        user = _migrated_for_reset(backend, pool, client, typed)
    if user is None and not prevents_user_existence_errors(client):
        raise errors.UserNotFoundException(errors.USERNAME_CLIENT_NOT_FOUND)
    return client, pool, typed, user


def _migrated_for_reset(
    backend: Backend, pool: dict[str, Any], client: dict[str, Any], typed: str
) -> UserRecord | None:
    migrator = hooks.USER_MIGRATION.get()
    if migrator is None:
        return None
    migrated = migrator(backend, hooks.Migration(pool, client, typed, None, "ForgotPassword"))
    if migrated is None:
        return None
    moved_in = find_user(backend, pool, typed)  # by a concurrent call while the function ran
    if moved_in is not None:
        return moved_in
    user = create_user(
        backend,
        pool,
        typed,
        dict(migrated.attributes),
        status="RESET_REQUIRED",
        existing_message=errors.USER_EXISTS,
    )
    backend.store.insert_user(user)
    return user


@OPERATIONS.operation("ConfirmSignUp")
def confirm_sign_up(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ConfirmSignUp: the code from the outbox confirms the user and verifies the contact; the
    answer's Session signs the user in once with USER_AUTH (:mod:`.user_auth`)."""
    client, pool = _client_pool(backend, body)
    typed = str_param(body, "Username")
    code = str_param(body, "ConfirmationCode")
    check_secret_hash(client, typed, body.get("SecretHash"))
    user = _user_for_code(backend, client, pool, typed)
    if user.status != "UNCONFIRMED":
        raise errors.NotAuthorizedException(errors.CANNOT_CONFIRM)
    outbox.check_code(backend, pool["Id"], user, "confirm_signup", code)
    user.status = "CONFIRMED"
    channel = _signup_channel(pool, user)
    if channel is not None:
        user.attributes[f"{channel}_verified"] = "true"
    user.modified = backend.now()
    backend.store.save_user(user)
    hooks.run_confirmation(
        backend,
        hooks.Confirmation(
            pool, user, "ConfirmSignUp", client["ClientId"], str_map(body, "ClientMetadata")
        ),
    )
    return {"Session": user_auth.sign_up_session(Caller(backend, pool, client), user)}


@OPERATIONS.operation("ResendConfirmationCode")
def resend_confirmation_code(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ResendConfirmationCode."""
    client, pool, typed, user = _code_recipient(backend, body)
    if user is None:  # unknown user, hidden by PreventUserExistenceErrors
        return {"CodeDeliveryDetails": _simulated_delivery(typed)}
    if user.status != "UNCONFIRMED":
        raise errors.InvalidParameterException("User is already confirmed.")
    channel = _signup_channel(pool, user)
    if channel is None:
        raise errors.InvalidParameterException(
            "Auto verification not turned on: the pool has no AutoVerifiedAttributes "
            "that this user has, so there is nowhere to send a code."
        )
    details = outbox.deliver_code(
        backend,
        pool,
        user,
        code_key="confirm_signup",
        purpose="ResendCode",
        attribute=channel,
        client_id=client["ClientId"],
    )
    return {"CodeDeliveryDetails": details}


# ---------------------------------------------------------------------- forgotten passwords


def _recovery_channel(pool: dict[str, Any], user: UserRecord) -> str | None:
    setting = pool.get("AccountRecoverySetting") or {}
    mechanisms = sorted(
        setting.get("RecoveryMechanisms") or [],
        key=lambda m: m.get("Priority", 0) if isinstance(m, dict) else 0,
    )
    order = [
        {"verified_email": "email", "verified_phone_number": "phone_number"}.get(
            str(m.get("Name")), ""
        )
        for m in mechanisms
        if isinstance(m, dict)
    ] or list(_CONTACTS)
    for attribute in order:
        if attribute and user.attributes.get(f"{attribute}_verified") == "true":
            return attribute
    return None


@OPERATIONS.operation("ForgotPassword")
def forgot_password(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ForgotPassword: a reset code to the user's verified email or phone."""
    client, pool, typed, user = _code_recipient(backend, body, migrate=True)
    if user is None:  # unknown user, hidden by PreventUserExistenceErrors
        return {"CodeDeliveryDetails": _simulated_delivery(typed)}
    if not user.enabled:
        raise errors.NotAuthorizedException(errors.USER_DISABLED)
    channel = _recovery_channel(pool, user)
    if channel is None:
        raise errors.InvalidParameterException(_NO_RECOVERY)
    details = outbox.deliver_code(
        backend,
        pool,
        user,
        code_key="forgot_password",
        purpose="ForgotPassword",
        attribute=channel,
        client_id=client["ClientId"],
        lifetime=outbox.RESET_CODE_LIFETIME,
    )
    return {"CodeDeliveryDetails": details}


@OPERATIONS.operation("ConfirmForgotPassword")
def confirm_forgot_password(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ConfirmForgotPassword: code plus a new password that meets the policy."""
    client, pool = _client_pool(backend, body)
    typed = str_param(body, "Username")
    code = str_param(body, "ConfirmationCode")
    password = str_param(body, "Password")
    check_secret_hash(client, typed, body.get("SecretHash"))
    user = _user_for_code(backend, client, pool, typed)
    passwords.check_policy(pool, password)
    outbox.check_code(backend, pool["Id"], user, "forgot_password", code)
    passwords.set_password(pool["Id"], user, password, backend.now())
    passwords.record_success(user)
    if user.status in ("RESET_REQUIRED", "FORCE_CHANGE_PASSWORD"):
        user.status = "CONFIRMED"
    backend.store.save_user(user)
    hooks.run_confirmation(
        backend,
        hooks.Confirmation(
            pool, user, "ConfirmForgotPassword", client["ClientId"], str_map(body, "ClientMetadata")
        ),
    )
    return {}


# ---------------------------------------------------------------------- the signed-in user


@OPERATIONS.operation("GetUser")
def get_user(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """GetUser."""
    _, user, _ = authenticate_access_token(backend, str_param(body, "AccessToken"))
    answer = {
        "Username": user.username,
        "UserAttributes": attributes_to_list(user.all_attributes()),
    }
    return hooks.describe_user(backend, user, answer)


def _check_user_writable(client: dict[str, Any] | None, names: list[str]) -> None:
    writable = (client or {}).get("WriteAttributes")
    for name in names:
        if name.endswith("_verified") or (writable and name not in writable):
            raise errors.NotAuthorizedException(
                f"A client attempted to write unauthorized attribute {name}"
            )


@OPERATIONS.operation("UpdateUserAttributes")
def update_user_attributes(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """UpdateUserAttributes: changed auto-verified contacts get a code and become unverified."""
    pool, user, claims = authenticate_access_token(backend, str_param(body, "AccessToken"))
    changes = attributes_from_list(body.get("UserAttributes"))
    client = backend.store.get_client(str(claims.get("client_id")))
    check_attributes_exist(pool, changes)
    _check_user_writable(client, list(changes))
    check_mutable(pool, changes)
    check_attribute_values(changes)
    held = pending.hold_changes(backend, pool, user, changes, admin=False)
    changed = apply_attribute_update(user, changes, backend.now(), admin=False)
    backend.store.save_user(user)
    client_id = claims.get("client_id")
    details = send_verification_codes(backend, pool, user, changed, client_id)
    details += pending.send_codes(backend, pool, user, held, client_id)
    return {"CodeDeliveryDetailsList": details}


@OPERATIONS.operation("DeleteUserAttributes")
def delete_user_attributes(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DeleteUserAttributes."""
    pool, user, claims = authenticate_access_token(backend, str_param(body, "AccessToken"))
    names = [n for n in body.get("UserAttributeNames") or [] if isinstance(n, str)]
    check_attributes_exist(pool, dict.fromkeys(names, ""))
    _check_user_writable(backend.store.get_client(str(claims.get("client_id"))), names)
    check_mutable(pool, dict.fromkeys(names, ""))
    apply_attribute_update(user, dict.fromkeys(names, ""), backend.now(), admin=False)
    backend.store.save_user(user)
    return {}


@OPERATIONS.operation("GetUserAttributeVerificationCode")
def get_user_attribute_verification_code(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """GetUserAttributeVerificationCode (email or phone_number)."""
    pool, user, claims = authenticate_access_token(backend, str_param(body, "AccessToken"))
    attribute = str_param(body, "AttributeName")
    if attribute not in _CONTACTS or not user.attributes.get(attribute):
        raise errors.InvalidParameterException(
            f"The user has no {attribute} to verify; only email and phone_number can be verified."
        )
    details = outbox.deliver_code(
        backend,
        pool,
        user,
        code_key=f"verify:{attribute}",
        purpose="VerifyUserAttribute",
        attribute=attribute,
        client_id=claims.get("client_id"),
        destination=pending.held_value(backend, pool, user, attribute),
    )
    return {"CodeDeliveryDetails": details}


@OPERATIONS.operation("VerifyUserAttribute")
def verify_user_attribute(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """VerifyUserAttribute."""
    pool, user, _ = authenticate_access_token(backend, str_param(body, "AccessToken"))
    attribute = str_param(body, "AttributeName")
    code = str_param(body, "Code")
    if attribute not in _CONTACTS:
        raise errors.InvalidParameterException(
            f"{attribute} cannot be verified; only email and phone_number can."
        )
    outbox.check_code(backend, pool["Id"], user, f"verify:{attribute}", code)
    pending.apply_verified(backend, pool, user, attribute)
    user.attributes[f"{attribute}_verified"] = "true"
    user.modified = backend.now()
    backend.store.save_user(user)
    return {}


@OPERATIONS.operation("ChangePassword")
def change_password(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ChangePassword: the previous password counts toward lockout like a sign-in."""
    pool, user, _ = authenticate_access_token(backend, str_param(body, "AccessToken"))
    proposed = str_param(body, "ProposedPassword")
    previous = body.get("PreviousPassword")
    now = backend.now()
    if passwords.is_locked_out(user, now):
        raise errors.NotAuthorizedException(errors.PASSWORD_ATTEMPTS_EXCEEDED)
    if not isinstance(previous, str) or not passwords.password_matches(pool["Id"], user, previous):
        passwords.record_failure(user, now)
        backend.store.save_user(user)
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    passwords.check_policy(pool, proposed)
    passwords.set_password(pool["Id"], user, proposed, now)
    passwords.record_success(user)
    backend.store.save_user(user)
    return {}


@OPERATIONS.operation("GlobalSignOut")
def global_sign_out(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """GlobalSignOut: all of the user's refresh tokens and their access tokens are revoked."""
    pool, user, _ = authenticate_access_token(backend, str_param(body, "AccessToken"))
    backend.store.revoke_user_families(pool["Id"], user.username, backend.now())
    return {}


@OPERATIONS.operation("DeleteUser")
def delete_user(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DeleteUser: the signed-in user deletes their own account."""
    pool, user, _ = authenticate_access_token(backend, str_param(body, "AccessToken"))
    backend.store.delete_user(pool["Id"], user.username)
    return {}


@OPERATIONS.operation("RevokeToken")
def revoke_token(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """RevokeToken: the refresh token and every token issued from it stop working."""
    client, _pool = _client_pool(backend, body)
    token = str_param(body, "Token")
    if client.get("EnableTokenRevocation") is False:
        raise errors.UnsupportedOperationException(
            "Token revocation is not enabled for this app client."
        )
    secret = body.get("ClientSecret")
    try:
        check_client_secret(client, secret if isinstance(secret, str) else None)
    except errors.NotAuthorizedException:
        raise errors.UnauthorizedException("Invalid client secret.") from None
    if token.count(".") == 2:
        try:
            unverified_parts(token)
        except JwtError:
            pass
        else:
            raise errors.UnsupportedTokenTypeException(
                "Only refresh tokens can be revoked; this is an ID or access token."
            )
    origin = family_of_refresh_token(backend, token)
    family = backend.store.get_family(origin) if origin else None
    if family is not None and family[1] == client["ClientId"]:
        backend.store.revoke_family(str(origin), backend.now())
    return {}
