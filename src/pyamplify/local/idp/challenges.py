"""The server side of a challenge's ``Session``: issued with a challenge, checked on the answer.

Every challenge after the first step (NEW_PASSWORD_REQUIRED, the MFA challenges, CUSTOM_CHALLENGE
and the password step of custom auth) answers with a fresh, random ``Session`` that names a row
of sign-in state; the answer must come back with it, from the same pool and client, for the same
user, before the client's ``AuthSessionValidity`` runs out. Anything else is Cognito's
``NotAuthorizedException: Invalid session for the user.``
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp.caller import Caller
from pyamplify.local.idp.common import auth_session_lifetime, find_user
from pyamplify.local.store.userpools import UserRecord

#: Random bytes of a Session (its text is ~128 characters, inside the model's 20..4096).
_SESSION_BYTES = 96


def open_session(caller: Caller, kind: str, username: str, state: dict[str, Any]) -> str:
    """Store sign-in state for challenge ``kind`` and return the ``Session`` that names it."""
    session = secrets.token_urlsafe(_SESSION_BYTES)
    expires_at = caller.backend.now() + auth_session_lifetime(caller.client)
    caller.backend.store.put_session(
        session, kind, caller.pool_id, caller.client_id, username, state, expires_at
    )
    return session


@dataclass(frozen=True)
class OpenChallenge:
    """A challenge's stored sign-in state, checked against its answer."""

    session: str = field(repr=False)
    kind: str
    #: The internal username the state belongs to.
    username: str
    state: dict[str, Any] = field(repr=False)
    #: The user, or ``None`` for a challenge issued to a user who does not exist.
    user: UserRecord | None

    def known_user(self) -> UserRecord:
        """The user the challenge is for; a ghost's state is never an answer here."""
        if self.user is None:
            raise errors.NotAuthorizedException(errors.INVALID_SESSION)
        return self.user

    def close(self, backend: Backend) -> None:
        """Consume the Session: it cannot be answered again."""
        backend.store.delete_session(self.session)


def answered_challenge(
    caller: Caller,
    typed_username: str,
    session: str | None,
    kinds: Collection[str],
    *,
    allow_unknown_user: bool = False,
) -> OpenChallenge:
    """The open challenge ``session`` names, if it is one of ``kinds`` and the answer fits it.

    The Session stays usable (a wrong answer may be retried) until :meth:`OpenChallenge.close`.
    ``allow_unknown_user`` accepts the state of a challenge issued for a user who does not exist
    (PreventUserExistenceErrors: custom auth goes on with a ghost).
    """
    row = caller.backend.store.peek_session(session) if session else None
    if row is None or row[0] not in kinds:
        raise errors.NotAuthorizedException(errors.INVALID_SESSION)
    kind, pool_id, client_id, username, state, expires_at = row
    user = find_user(caller.backend, caller.pool, typed_username)
    ghost = allow_unknown_user and state.get("user_not_found") is True
    matches = (user is not None and user.username == username) or (
        ghost and user is None and typed_username == username
    )
    if (
        pool_id != caller.pool["Id"]
        or client_id != caller.client["ClientId"]
        or not matches
        or caller.backend.now() > expires_at
    ):
        raise errors.NotAuthorizedException(errors.INVALID_SESSION)
    return OpenChallenge(str(session), kind, username, state, user)
