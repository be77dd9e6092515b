"""The identity-pool conversation as a sans-I/O generator (see :mod:`pyamplify.auth.flows`).

Amplify Swift and Android do it in two calls: ``GetId`` (skipped when the identity id of this
login, or the guest's, is already known) and ``GetCredentialsForIdentity``. The ``Logins`` map of
a signed-in user is ``{"cognito-idp.<region>.amazonaws.com/<userPoolId>": <ID token>}``; a guest
sends none. A remembered identity id can go stale (the identity pool was recreated, the guest
identity was linked to a login elsewhere): Cognito then answers ``ResourceNotFoundException`` or
``NotAuthorizedException``, and the flow asks ``GetId`` for a current id once and tries again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pyamplify.auth.credentials import AWSCredentials
from pyamplify.auth.flows import Flow
from pyamplify.wire.call import identity_call
from pyamplify.wire.errors import (
    NotAuthorizedException,
    ProtocolError,
    ResourceNotFoundException,
)


@dataclass(frozen=True, repr=False)
class IdentityAnswer:
    """The identity id Cognito used (it may differ from the one sent) and its credentials."""

    identity_id: str
    credentials: AWSCredentials

    def __repr__(self) -> str:
        return f"IdentityAnswer({self.identity_id!r}, {self.credentials!r})"


def provider_name(region: str, user_pool_id: str) -> str:
    """The ``Logins`` key of a user pool: ``cognito-idp.<region>.amazonaws.com/<poolId>``."""
    return f"cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def get_id_flow(identity_pool_id: str, logins: Mapping[str, str]) -> Flow[str]:
    """GetId: the identity of these logins (a new guest identity when there are none)."""
    payload: dict[str, Any] = {"IdentityPoolId": identity_pool_id}
    if logins:
        payload["Logins"] = dict(logins)
    response = yield identity_call("GetId", payload)
    identity_id = response.get("IdentityId")
    if not isinstance(identity_id, str) or not identity_id:
        raise ProtocolError("GetId answered without an IdentityId")
    return identity_id


def credentials_flow(
    identity_pool_id: str, logins: Mapping[str, str], known_identity_id: str | None
) -> Flow[IdentityAnswer]:
    """GetId when needed, then GetCredentialsForIdentity (see the module docstring)."""
    identity_id = known_identity_id
    if identity_id is None:
        identity_id = yield from get_id_flow(identity_pool_id, logins)
    try:
        response = yield _get_credentials(identity_id, logins)
    except (ResourceNotFoundException, NotAuthorizedException):
        if known_identity_id is None:
            raise
        identity_id = yield from get_id_flow(identity_pool_id, logins)
        response = yield _get_credentials(identity_id, logins)
    return IdentityAnswer(
        identity_id=str(response.get("IdentityId") or identity_id),
        credentials=parse_credentials(response.get("Credentials")),
    )


def _get_credentials(identity_id: str, logins: Mapping[str, str]) -> Any:
    payload: dict[str, Any] = {"IdentityId": identity_id}
    if logins:
        payload["Logins"] = dict(logins)
    return identity_call("GetCredentialsForIdentity", payload)


def parse_credentials(wire: object) -> AWSCredentials:
    """Cognito's ``Credentials`` member (``Expiration`` in epoch seconds on the JSON wire)."""
    if not isinstance(wire, Mapping):
        raise ProtocolError("GetCredentialsForIdentity answered without Credentials")
    try:
        expiration = wire["Expiration"]
        if isinstance(expiration, (int, float)) and not isinstance(expiration, bool):
            moment = datetime.fromtimestamp(float(expiration), timezone.utc)
        else:
            moment = datetime.fromisoformat(str(expiration).replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
        parts = (wire["AccessKeyId"], wire["SecretKey"], wire["SessionToken"])
    except (KeyError, ValueError, OverflowError, OSError):
        raise ProtocolError(
            "GetCredentialsForIdentity answered with incomplete Credentials"
        ) from None
    if not all(isinstance(part, str) and part for part in parts):
        raise ProtocolError("GetCredentialsForIdentity answered with incomplete Credentials")
    return AWSCredentials(parts[0], parts[1], parts[2], moment.astimezone(timezone.utc))
