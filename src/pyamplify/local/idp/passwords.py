"""Passwords without storing them: the pool's policy, SRP verifiers and checks, lockout.

A password is turned into an SRP salt and verifier (``v = g^x mod N`` with the internal username
as SRP identity) the moment it arrives; USER_PASSWORD_AUTH and ChangePassword check a typed
password by recomputing the verifier with the stored salt.

Lockout follows the developer guide: after five failures the user is locked for one second,
doubling with each further failure up to about 15 minutes; attempts during a lockout fail with
``Password attempts exceeded`` and do not extend it; 15 quiet minutes forget the failures.
"""

from __future__ import annotations

import hmac
import secrets
import string
from typing import Any

from pyamplify import srp
from pyamplify.local import errors
from pyamplify.local.idp.srp_server import make_verifier
from pyamplify.local.store.userpools import UserRecord

SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")
DEFAULT_POLICY: dict[str, Any] = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}
FREE_ATTEMPTS = 5
MAX_LOCKOUT_SECONDS = 900.0
FORGET_FAILURES_AFTER = 900.0


def policy_of(pool: dict[str, Any]) -> dict[str, Any]:
    """The pool's password policy with Cognito's defaults filled in."""
    policy = dict(DEFAULT_POLICY)
    policy.update((pool.get("Policies") or {}).get("PasswordPolicy") or {})
    return policy


def check_policy(pool: dict[str, Any], password: str) -> None:
    """Raise InvalidPasswordException naming the first rule the password breaks."""
    policy = policy_of(pool)
    prefix = "Password did not conform with policy: "
    if len(password) < int(policy["MinimumLength"]):
        raise errors.InvalidPasswordException(prefix + "Password not long enough")
    if policy["RequireLowercase"] and not any(c.islower() for c in password):
        raise errors.InvalidPasswordException(prefix + "Password must have lowercase characters")
    if policy["RequireUppercase"] and not any(c.isupper() for c in password):
        raise errors.InvalidPasswordException(prefix + "Password must have uppercase characters")
    if policy["RequireNumbers"] and not any(c.isdigit() for c in password):
        raise errors.InvalidPasswordException(prefix + "Password must have numeric characters")
    if policy["RequireSymbols"] and not any(c in SYMBOLS for c in password):
        raise errors.InvalidPasswordException(prefix + "Password must have symbol characters")


def generate_password(pool: dict[str, Any]) -> str:
    """A random temporary password that satisfies the pool's policy."""
    length = max(12, int(policy_of(pool)["MinimumLength"]))
    alphabet = string.ascii_letters + string.digits
    body = [secrets.choice(alphabet) for _ in range(length - 4)]
    body += [
        secrets.choice(string.ascii_lowercase),
        secrets.choice(string.ascii_uppercase),
        secrets.choice(string.digits),
        secrets.choice("^$*.!@#%&"),
    ]
    return "".join(body)


def set_password(pool_id: str, user: UserRecord, password: str, now: float) -> None:
    """Replace the user's salt and verifier; the password itself is dropped here."""
    salt = srp.new_salt_hex()
    verifier = make_verifier(srp.pool_name_of(pool_id), user.username, password, salt)
    user.salt = salt
    user.verifier = format(verifier, "x")
    user.password_set_at = now
    user.modified = now


def password_matches(pool_id: str, user: UserRecord, password: str) -> bool:
    """Whether ``password`` is the user's, by recomputing the verifier (constant-time compare)."""
    if user.salt is None or user.verifier is None:
        return False
    verifier = make_verifier(srp.pool_name_of(pool_id), user.username, password, user.salt)
    return hmac.compare_digest(format(verifier, "x").encode(), user.verifier.encode())


def verifier_of(user: UserRecord) -> int | None:
    """The stored verifier as an integer."""
    return int(user.verifier, 16) if user.verifier else None


def is_locked_out(user: UserRecord, now: float) -> bool:
    """Whether the user is inside a lockout window."""
    return user.locked_until is not None and now < user.locked_until


def record_failure(user: UserRecord, now: float) -> None:
    """Count a failed sign-in and start a lockout from the fifth one."""
    if user.last_failure is not None and now - user.last_failure >= FORGET_FAILURES_AFTER:
        user.failed_attempts = 0
    user.failed_attempts += 1
    user.last_failure = now
    if user.failed_attempts >= FREE_ATTEMPTS:
        seconds = min(2.0 ** (user.failed_attempts - FREE_ATTEMPTS), MAX_LOCKOUT_SECONDS)
        user.locked_until = now + seconds


def record_success(user: UserRecord) -> None:
    """Forget failures after a successful sign-in."""
    user.failed_attempts = 0
    user.last_failure = None
    user.locked_until = None
