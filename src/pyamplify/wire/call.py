"""One request of the Cognito JSON 1.1 protocol, as a value.

Every Cognito operation is ``POST /`` with ``X-Amz-Target: <prefix>.<Operation>`` and a JSON body
(``Content-Type: application/x-amz-json-1.1``). Flows build ``Call`` values and never touch HTTP;
a transport turns them into requests. The payload usually holds secrets (passwords, tokens, the
SRP claim), so a ``Call``'s repr names only the operation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The user-pool service (``cognito-idp``).
IDP = "cognito-idp"
#: The identity-pool service (``cognito-identity``).
IDENTITY = "cognito-identity"

#: ``X-Amz-Target`` prefixes per service (botocore's ``targetPrefix`` metadata).
TARGET_PREFIXES: Mapping[str, str] = {
    IDP: "AWSCognitoIdentityProviderService",
    IDENTITY: "AWSCognitoIdentityService",
}
CONTENT_TYPE = "application/x-amz-json-1.1"

#: Payload keys whose values are never secret; every other string value of 8 or more characters
#: (passwords, tokens, SRP values, SECRET_HASH, Logins, Session) counts as one.
_PUBLIC_KEYS = frozenset(
    {
        "AuthFlow",
        "ChallengeName",
        "ClientId",
        "IdentityId",
        "IdentityPoolId",
        "Name",
        "TIMESTAMP",
        "USERNAME",
        "USER_ID_FOR_SRP",
        "UserPoolId",
        "Username",
    }
)
_SHORTEST_SECRET = 8


@dataclass(frozen=True, repr=False)
class Call:
    """A Cognito operation to perform: which service, which operation, and its JSON payload."""

    service: str
    operation: str
    payload: Mapping[str, Any]

    def __post_init__(self) -> None:
        if self.service not in TARGET_PREFIXES:
            known = ", ".join(sorted(TARGET_PREFIXES))
            raise ValueError(f"unknown service {self.service!r}; expected one of: {known}")

    @property
    def target(self) -> str:
        """The ``X-Amz-Target`` header value, e.g. ``AWSCognitoIdentityProviderService.SignUp``."""
        return f"{TARGET_PREFIXES[self.service]}.{self.operation}"

    def headers(self) -> dict[str, str]:
        """The protocol headers for this call (the same ones botocore and Amplify send)."""
        return {
            "Content-Type": CONTENT_TYPE,
            "X-Amz-Target": self.target,
            "Cache-Control": "no-store",
        }

    def body(self) -> bytes:
        """The JSON body, compact and UTF-8 encoded."""
        return json.dumps(self.payload, separators=(",", ":"), ensure_ascii=False).encode()

    def secret_values(self) -> frozenset[str]:
        """The payload's values that must not appear in an error (an echoing server's body)."""
        found: set[str] = set()
        _collect_secrets(self.payload, found)
        return frozenset(found)

    def __repr__(self) -> str:
        return f"Call({self.service}.{self.operation})"


def _collect_secrets(value: object, found: set[str], key: str = "") -> None:
    if isinstance(value, str):
        if key not in _PUBLIC_KEYS and len(value) >= _SHORTEST_SECRET:
            found.add(value)
    elif isinstance(value, Mapping):
        for name, item in value.items():
            _collect_secrets(item, found, str(name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect_secrets(item, found, key)


def idp(operation: str, payload: Mapping[str, Any]) -> Call:
    """Shorthand for a user-pool (``cognito-idp``) call."""
    return Call(IDP, operation, payload)


def identity_call(operation: str, payload: Mapping[str, Any]) -> Call:
    """Shorthand for an identity-pool (``cognito-identity``) call."""
    return Call(IDENTITY, operation, payload)
