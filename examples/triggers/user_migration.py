"""UserMigration: users of a legacy system move into the pool the first time they need to.

Cognito calls this function for a user name it does not know, when someone signs in with a
password (``UserMigration_Authentication``: the app client must use USER_PASSWORD_AUTH, since
SRP never shows Cognito the password) or asks for a password reset
(``UserMigration_ForgotPassword``). Returning the user's attributes creates the user; raising
or returning none leaves the user unknown.

* Sign-in: the password is checked against the legacy store here; Cognito keeps it, without
  applying the pool's password policy. A legacy account flagged for a reset becomes
  RESET_REQUIRED: the client is told to reset the password (PasswordResetRequiredException).
* Forgot password: the user is created and Cognito sends the reset code to the (verified)
  e-mail.

``LEGACY_USERS`` stands in for the old user database: replace ``find_legacy_user`` and
``password_matches`` with your own look-ups. Deploy it as a Lambda function with handler
``user_migration.handler``. Standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

_ITERATIONS = 10_000


def legacy_hash(password: str, salt: str) -> str:
    """How the (imaginary) legacy system stored passwords: PBKDF2-SHA256, hex."""
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), _ITERATIONS).hex()


#: The legacy user store: user name -> record. The demo passwords are "hunter2" for alice (too
#: weak for the pool's policy: migration lets it in all the same) and "Legacy-Passw0rd!" for bob,
#: whose account the legacy system had flagged for a password reset.
LEGACY_USERS: dict[str, dict[str, Any]] = {
    "alice": {
        "email": "alice@legacy.example",
        "name": "Alice Legacy",
        "salt": "alice-salt",
        "password_hash": legacy_hash("hunter2", "alice-salt"),
        "must_reset": False,
    },
    "bob": {
        "email": "bob@legacy.example",
        "name": "Bob Legacy",
        "salt": "bob-salt",
        "password_hash": legacy_hash("Legacy-Passw0rd!", "bob-salt"),
        "must_reset": True,
    },
}


def find_legacy_user(username: str) -> dict[str, Any] | None:
    """The legacy record of ``username``, or ``None``."""
    return LEGACY_USERS.get(username.lower())


def password_matches(record: dict[str, Any], password: str) -> bool:
    """Whether ``password`` is the legacy account's password."""
    return hmac.compare_digest(legacy_hash(password, record["salt"]), record["password_hash"])


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Move a legacy user in (see the module docstring)."""
    record = find_legacy_user(event["userName"])
    if record is None:
        raise ValueError("User does not exist")
    source = event["triggerSource"]
    if source == "UserMigration_Authentication":
        if not password_matches(record, event["request"]["password"]):
            raise ValueError("Bad password")
        status = "RESET_REQUIRED" if record["must_reset"] else "CONFIRMED"
    elif source == "UserMigration_ForgotPassword":
        status = "RESET_REQUIRED"
    else:
        raise ValueError(f"user_migration cannot handle {source}")
    event["response"] = {
        "userAttributes": {
            "email": record["email"],
            "email_verified": "true",
            "name": record["name"],
        },
        "finalUserStatus": status,
        "messageAction": "SUPPRESS",
    }
    return event
