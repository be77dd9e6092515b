"""PreSignUp, PostConfirmation, PreAuthentication and PostAuthentication.

Where each is called and what its answer changes (reference §3):

* **PreSignUp** (``_SignUp``, ``_AdminCreateUser``, ``_ExternalProvider``): before the user is
  stored, with the attributes, ``validationData`` and ``clientMetadata`` the call carried.
  Raising refuses the sign-up; ``autoConfirmUser``, ``autoVerifyEmail`` and ``autoVerifyPhone``
  confirm and verify (SignUp only: AWS ignores them for AdminCreateUser; auto-verification
  needs the attribute). An auto-confirmed user still reaches PostConfirmation.
* **PostConfirmation** (``_ConfirmSignUp``, also for AdminConfirmSignUp, and
  ``_ConfirmForgotPassword``): after the change is stored, with ``clientMetadata``.
* **PreAuthentication** (``_Authentication``): a known user, before the password is checked;
  InitiateAuth's ClientMetadata arrives as ``validationData``. Raising refuses the sign-in.
* **PostAuthentication** (``_Authentication``): every factor passed, before the tokens;
  ``newDeviceUsed`` and RespondToAuthChallenge's ClientMetadata as ``clientMetadata``.
"""

from __future__ import annotations

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.idp.common import find_user, username_attributes
from pyamplify.local.triggers import events
from pyamplify.local.triggers.invoke import Subject, about, challenge_metadata, flag

_AUTO_VERIFY = {"autoVerifyEmail": "email", "autoVerifyPhone": "phone_number"}


@hooks.SIGN_UP.register
def pre_sign_up(backend: Backend, sign_up: hooks.SignUp) -> None:
    """PreSignUp: may refuse, or confirm and verify the new user."""
    response = about(sign_up).run(
        backend,
        "PreSignUp",
        f"PreSignUp_{sign_up.source}",
        lambda: {
            "userAttributes": dict(sign_up.user.attributes),
            "validationData": dict(sign_up.validation_data) or None,
        },
        metadata=sign_up.client_metadata,
        response={"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    )
    if response is None:
        return
    _still_free(backend, sign_up)
    sign_up.auto_confirm = flag(response, "autoConfirmUser")
    for name, attribute in _AUTO_VERIFY.items():
        if flag(response, name):
            sign_up.auto_verify.add(attribute)


#: UsernameExistsException's message per PreSignUp source (as the operations word it).
_TAKEN = {"SignUp": errors.USER_EXISTS, "AdminCreateUser": "User account already exists"}


def _still_free(backend: Backend, sign_up: hooks.SignUp) -> None:
    """Cognito's uniqueness checks again: the server served other calls while the function
    ran, and one may have taken the name (or an alias) the operation checked before it. From
    here the operation holds the gate until the user is stored."""
    user = sign_up.user
    if backend.store.get_user(user.pool_id, user.username) is not None:
        raise errors.UsernameExistsException(_TAKEN.get(sign_up.source, errors.USER_EXISTS))
    for attribute in username_attributes(sign_up.pool):
        value = user.attributes.get(attribute)
        if value and find_user(backend, sign_up.pool, value) is not None:
            raise errors.UsernameExistsException(
                f"An account with the given {attribute} already exists."
            )


@hooks.CONFIRMATION.register
def post_confirmation(backend: Backend, confirmation: hooks.Confirmation) -> None:
    """PostConfirmation: told, after the fact; it cannot undo the confirmation."""
    about(confirmation).run(
        backend,
        "PostConfirmation",
        f"PostConfirmation_{confirmation.source}",
        lambda: {"userAttributes": events.user_attributes(confirmation.user)},
        metadata=confirmation.client_metadata,
    )


def _signing_in(sign_in: hooks.SignIn) -> Subject:
    return Subject(sign_in.pool, sign_in.user.username, sign_in.client["ClientId"])


@hooks.AUTHENTICATION.register
def pre_authentication(backend: Backend, sign_in: hooks.SignIn) -> None:
    """PreAuthentication: may refuse a known user before the password is checked."""
    _signing_in(sign_in).run(
        backend,
        "PreAuthentication",
        "PreAuthentication_Authentication",
        lambda: {
            "userAttributes": events.user_attributes(sign_in.user),
            "validationData": dict(sign_in.client_metadata) or None,
        },
    )


@hooks.AUTHENTICATED.register
def post_authentication(backend: Backend, sign_in: hooks.SignIn) -> None:
    """PostAuthentication: told before the tokens; raising still refuses the sign-in."""
    _signing_in(sign_in).run(
        backend,
        "PostAuthentication",
        "PostAuthentication_Authentication",
        lambda: {"userAttributes": events.user_attributes(sign_in.user), "newDeviceUsed": False},
        metadata=challenge_metadata(),
    )
