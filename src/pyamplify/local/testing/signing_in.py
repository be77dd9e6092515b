"""Signing a known test user in with :class:`pyamplify.Auth`, software-token MFA included.

The fixtures hand tests an ``Auth`` that is already signed in; in a pool with MFA that means
enrolling the user's software token once (through ``Auth``, as an app would) and answering the
TOTP step of every later sign-in with a code made from the known secret at the server's time.
A code is good once, as on a real authenticator: a second sign-in within the same 30 s answers
with the next step's code (still inside the server's window); a third needs the clock moved.
Imports happen on use: the pytest plugin imports this module in every pytest run.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyamplify.auth import Auth, SignInResult
    from pyamplify.local.testing.provisioning import CognitoUser


class SignInIncomplete(AssertionError):
    """Sign-in stopped at a step the helper cannot answer for this user."""


def sign_in(auth: Auth, user: CognitoUser) -> SignInResult:
    """Sign ``user`` in, answering a TOTP code step from ``user.totp_secret``; must end DONE."""
    from pyamplify.auth import SignInStep

    result = auth.sign_in(user.username, user.password)
    step = result.next_step.sign_in_step
    if step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE and user.totp_secret is not None:
        result = _answer_totp(auth, user)
        step = result.next_step.sign_in_step
    if not result.is_signed_in:
        hint = (
            " (in an MFA pool give the user a software token: cognito_user(totp=True))"
            if "TOTP" in step.value or "MFA" in step.value
            else ""
        )
        raise SignInIncomplete(f"signing {user.username!r} in stopped at {step.value}{hint}")
    return result


def _answer_totp(auth: Auth, user: CognitoUser) -> SignInResult:
    """Answer the TOTP step with the code of now, else (it was used already: a code is good
    once) with the next time step's, which the server's window still accepts."""
    from pyamplify.local.idp.totp import STEP_SECONDS
    from pyamplify.wire.errors import CodeMismatchException

    try:
        return auth.confirm_sign_in(user.totp_code())
    except CodeMismatchException:
        pass  # the Session survives a refused code
    try:
        return auth.confirm_sign_in(user.totp_code(user.clock() + STEP_SECONDS))
    except CodeMismatchException:
        raise SignInIncomplete(
            f"the TOTP codes of {user.username!r} for now and the next 30 s were used already "
            "(a code is good once): sign in at most twice per 30 s, or move the server's clock "
            "on with cognito_clock.advance(30)"
        ) from None


def enroll_totp(auth: Auth, user: CognitoUser) -> CognitoUser:
    """Give ``user`` a verified software token, preferred for MFA; returns it with the secret.

    Signs in with ``auth`` (in an ``MFA=ON`` pool that is the sign-in's TOTP setup step, else a
    plain sign-in followed by ``set_up_totp``), leaving ``auth`` signed in.
    """
    from pyamplify.auth import SignInStep

    result = auth.sign_in(user.username, user.password)
    step = result.next_step
    if step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION:
        step = auth.confirm_sign_in("TOTP").next_step
    if step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP:
        assert step.totp_setup_details is not None
        enrolled = replace(user, totp_secret=step.totp_setup_details.shared_secret)
        result = auth.confirm_sign_in(enrolled.totp_code(), friendly_device_name="pytest")
        if not result.is_signed_in:
            raise SignInIncomplete(
                f"TOTP setup of {user.username!r} ended at {result.next_step.sign_in_step.value}"
            )
        return enrolled
    if not result.is_signed_in:
        raise SignInIncomplete(f"signing {user.username!r} in stopped at {step.sign_in_step.value}")
    details = auth.set_up_totp()
    enrolled = replace(user, totp_secret=details.shared_secret)
    auth.verify_totp_setup(enrolled.totp_code(), friendly_device_name="pytest")
    auth.update_mfa_preference(totp="PREFERRED")
    return enrolled
