"""MFA_SETUP answered with a contact: set up email or SMS MFA during sign-in.

A pool that requires MFA sends MFA_SETUP to a user with no method it can use. A software token
is set up through AssociateSoftwareToken / VerifySoftwareToken (:mod:`.mfa`). Email MFA is set
up by answering MFA_SETUP with ``EMAIL`` = an address, which is what Amplify JS v6 sends for
CONTINUE_SIGN_IN_WITH_EMAIL_SETUP (``handleMFASetupChallenge``): the answer is an EMAIL_OTP
challenge whose code went to that address, and the right code makes the address the user's
``email`` (verified) with email MFA switched on, then the sign-in goes on to tokens. SMS MFA is
set up the same way with ``PHONE_NUMBER`` = a number in E.164 form and an SMS_MFA code. That
spelling is this emulator's (no Amplify library offers SMS setup during sign-in, and no AWS
answer for it was found); it mirrors the email one.

The contact must be one of the factors MFA_SETUP offered (``MFAS_CAN_SETUP``), well formed, and,
in a pool that signs in with it (alias or username attribute), nobody else's.
"""

from __future__ import annotations

from typing import Any

from pyamplify.local import errors
from pyamplify.local.idp import mfa as idp_mfa
from pyamplify.local.idp.accounts import check_attribute_values
from pyamplify.local.idp.caller import Caller
from pyamplify.local.idp.challenges import answered_challenge
from pyamplify.local.idp.common import check_secret_hash, find_user, required_answer

#: ChallengeResponses key of MFA_SETUP -> (the method it sets up, the attribute it fills).
CONTACTS = {
    "EMAIL": (idp_mfa.EMAIL_OTP, "email"),
    "PHONE_NUMBER": (idp_mfa.SMS_MFA, "phone_number"),
}


def contact_of(responses: dict[str, str]) -> str | None:
    """The contact key an MFA_SETUP answer carries (``EMAIL`` / ``PHONE_NUMBER``), if any."""
    given = [key for key in CONTACTS if responses.get(key)]
    if len(given) > 1:
        raise errors.InvalidParameterException(
            "Answer MFA_SETUP with one of EMAIL or PHONE_NUMBER, not both."
        )
    return given[0] if given else None


def answer(caller: Caller, responses: dict[str, str], session_id: str | None) -> dict[str, Any]:
    """MFA_SETUP answered with ``EMAIL`` or ``PHONE_NUMBER``: the code challenge for it."""
    typed = required_answer(responses, "USERNAME")
    check_secret_hash(caller.client, typed, responses.get("SECRET_HASH"))
    challenge = answered_challenge(caller, typed, session_id, (idp_mfa.MFA_SETUP,))
    user = challenge.known_user()
    if not user.enabled:
        raise errors.NotAuthorizedException(errors.USER_DISABLED)
    key = contact_of(responses)
    if key is None:  # pragma: no cover - the caller dispatches here only with a contact
        raise errors.InvalidParameterException("Missing required parameter EMAIL")
    method, attribute = CONTACTS[key]
    if method not in challenge.state.get("options", []):
        raise errors.MFAMethodNotFoundException(
            f"{method} cannot be set up for this user: the pool does not offer it."
        )
    value = responses[key].strip()
    if attribute == "email":
        value = value.lower()
    check_attribute_values({attribute: value})
    _check_not_taken(caller, user.username, attribute, value)
    challenge.close(caller.backend)
    carry = challenge.state.get("carry")
    return idp_mfa.code_challenge(
        caller,
        user,
        method,
        enrol=(attribute, value),
        carry=carry if isinstance(carry, dict) else None,
    )


def _check_not_taken(caller: Caller, username: str, attribute: str, value: str) -> None:
    """In a pool that signs in with ``attribute``, another user's value cannot be set up."""
    pool = caller.pool
    signs_in_with = list(pool.get("AliasAttributes") or []) + list(
        pool.get("UsernameAttributes") or []
    )
    if attribute not in signs_in_with:
        return
    owner = find_user(caller.backend, pool, value)
    if owner is not None and owner.username != username:
        kind = "email" if attribute == "email" else "phone number"
        raise errors.AliasExistsException(f"An account with the given {kind} already exists.")
