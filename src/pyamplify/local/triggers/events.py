"""The envelope every Cognito trigger event shares, and the user as triggers see it.

Shape (reference §3)::

    {"version": "1", "triggerSource": "PreSignUp_SignUp", "region": "us-east-1",
     "userPoolId": "us-east-1_x", "userName": "<username>",
     "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "<id>"},
     "request": {...}, "response": {...}}

``userAttributes`` carry ``sub``, the user's attributes (all strings, ``email_verified`` as
``"true"``/``"false"``) and ``cognito:user_status``, as a real DefineAuthChallenge event shows
(aws-amplify/amplify-js#5834).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyamplify.local.backend import Backend
from pyamplify.local.store.userpools import UserRecord

#: What Cognito puts in ``callerContext.awsSdkVersion`` for calls it cannot attribute.
SDK_VERSION = "aws-sdk-unknown-unknown"
#: ``callerContext.clientId`` when no app client is involved (AdminCreateUser, ...).
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"


def user_attributes(user: UserRecord | None) -> dict[str, str]:
    """The ``userAttributes`` of an event: ``sub``, the attributes, ``cognito:user_status``."""
    if user is None:
        return {}
    return {**user.all_attributes(), "cognito:user_status": user.status}


def event(
    backend: Backend,
    pool: Mapping[str, Any],
    source: str,
    *,
    username: str,
    client_id: str | None,
    request: dict[str, Any],
    response: dict[str, Any] | None = None,
    version: str = "1",
) -> dict[str, Any]:
    """A trigger event: the envelope around ``request`` and an empty (or given) ``response``."""
    return {
        "version": version,
        "triggerSource": source,
        "region": backend.region,
        "userPoolId": pool["Id"],
        "userName": username,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": client_id or NO_CLIENT},
        "request": request,
        "response": response if response is not None else {},
    }
