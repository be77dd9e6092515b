"""Codes that Cognito would e-mail or text, kept in an outbox instead of being sent.

A code is stored (one live code per user and purpose) and an outbox item records what the
message would have said; ``GET /_local/outbox`` and ``pyamplify local outbox`` read it. The
``CodeDeliveryDetails`` returned to the client carry the destination masked the way Cognito
masks it (``j****@e****``).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks, messages
from pyamplify.local.store.userpools import UserRecord

#: Confirmation and attribute verification codes live 24 hours (reference §1).
CODE_LIFETIME = 24 * 3600.0
#: Forgot-password codes live one hour.
RESET_CODE_LIFETIME = 3600.0
#: Wrong guesses allowed per code before LimitExceededException (Cognito keeps its number private).
MAX_CODE_FAILURES = 5

MEDIUM_OF = {"email": "EMAIL", "phone_number": "SMS"}
#: The operations whose ClientMetadata CustomMessage does not see (BC InitiateAuth docs).
_NO_METADATA_FOR_MESSAGES = frozenset({"InitiateAuth", "AdminInitiateAuth"})


def mask(attribute: str, value: str) -> str:
    """Mask a destination like Cognito: ``j****@e****`` or ``+*******1234``."""
    if attribute == "email" and "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}****@{domain[:1]}****"
    return "+" + "*" * max(len(value) - 5, 0) + value[-4:]


def delivery_details(attribute: str, value: str) -> dict[str, str]:
    """``CodeDeliveryDetails`` for a code sent to ``attribute``."""
    return {
        "Destination": mask(attribute, value),
        "DeliveryMedium": MEDIUM_OF.get(attribute, "EMAIL"),
        "AttributeName": attribute,
    }


def new_code() -> str:
    """A six-digit code."""
    return f"{secrets.randbelow(1_000_000):06d}"


def deliver_code(
    backend: Backend,
    pool: dict[str, Any],
    user: UserRecord,
    *,
    code_key: str,
    purpose: str,
    attribute: str,
    client_id: str | None,
    lifetime: float = CODE_LIFETIME,
    destination: str | None = None,
) -> dict[str, str]:
    """Issue a code for ``code_key``, record it in the outbox, return CodeDeliveryDetails.
    The code goes to the user's ``attribute``, or to ``destination`` (a new value waiting to be
    verified)."""
    now = backend.now()
    code = new_code()
    value = destination if destination is not None else user.attributes.get(attribute, "")
    backend.store.put_code(pool["Id"], user.username, code_key, code, now + lifetime)
    record(backend, pool, user, attribute, code, purpose, client_id, destination=value)
    return delivery_details(attribute, value)


def record(
    backend: Backend,
    pool: dict[str, Any],
    user: UserRecord,
    attribute: str,
    code: str,
    purpose: str,
    client_id: str | None,
    destination: str | None = None,
) -> None:
    """Add one outbox item: the code, and the message the user would have read (sent to the
    user's ``attribute``, or to ``destination`` when a new value waits for this code).

    ``purpose`` is the occasion (CustomMessage's trigger source suffix): ``SignUp``,
    ``ResendCode``, ``ForgotPassword``, ``UpdateUserAttribute``, ``VerifyUserAttribute``,
    ``AdminCreateUser`` (the code is the temporary password) or ``Authentication``.
    """
    medium = MEDIUM_OF.get(attribute)
    served = hooks.current_request()
    # AWS passes InitiateAuth's ClientMetadata to PreAuthentication and UserMigration only,
    # not to CustomMessage (an MFA code sent at sign-in); every other call's reaches it.
    metadata = {} if served.operation in _NO_METADATA_FOR_MESSAGES else dict(served.client_metadata)
    rendered = messages.render(
        backend,
        pool,
        user,
        source=purpose,
        medium=medium,
        code=code,
        client_metadata=metadata,
        client_id=client_id,
    )
    backend.store.add_outbox(
        {
            "user_pool_id": pool["Id"],
            "username": user.username,
            "destination": destination
            if destination is not None
            else user.attributes.get(attribute),
            "delivery_medium": medium,
            "code": code,
            "purpose": purpose,
            "attribute_name": attribute,
            "client_id": client_id,
            "created_at": backend.now(),
            "subject": rendered.subject,
            "message": rendered.text,
        }
    )


def check_code(backend: Backend, pool_id: str, user: UserRecord, code_key: str, code: Any) -> None:
    """Accept and consume a code, or raise CodeMismatch / ExpiredCode / LimitExceeded."""
    live = backend.store.get_code(pool_id, user.username, code_key)
    if live is None:
        raise errors.ExpiredCodeException(errors.CODE_EXPIRED)
    expected, expires_at, failures = live
    if failures >= MAX_CODE_FAILURES:
        raise errors.LimitExceededException(errors.ATTEMPT_LIMIT)
    if backend.now() > expires_at:
        raise errors.ExpiredCodeException(errors.CODE_EXPIRED)
    if not isinstance(code, str) or not hmac.compare_digest(expected.encode(), code.encode()):
        backend.store.count_code_failure(pool_id, user.username, code_key)
        raise errors.CodeMismatchException(errors.CODE_MISMATCH)
    backend.store.delete_code(pool_id, user.username, code_key)
