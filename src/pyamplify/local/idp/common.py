"""What the user-pool operations share: lookups, attributes, SECRET_HASH, access tokens.

Each lookup raises the exception real Cognito raises when the thing is missing, with its
message, so an operation reads as a list of Cognito's checks in Cognito's order.
"""

from __future__ import annotations

import base64
import hmac
from typing import Any

from pyamplify import srp
from pyamplify.local import errors
from pyamplify.local.backend import Backend, TokenVerificationError
from pyamplify.local.store.userpools import UserRecord

#: The standard attributes of every pool: name -> (type, mutable, required-capable).
STANDARD_ATTRIBUTES: dict[str, str] = {
    "sub": "String",
    "name": "String",
    "given_name": "String",
    "family_name": "String",
    "middle_name": "String",
    "nickname": "String",
    "preferred_username": "String",
    "profile": "String",
    "picture": "String",
    "website": "String",
    "email": "String",
    "email_verified": "Boolean",
    "gender": "String",
    "birthdate": "String",
    "zoneinfo": "String",
    "locale": "String",
    "phone_number": "String",
    "phone_number_verified": "Boolean",
    "address": "String",
    "updated_at": "Number",
}


def str_param(body: dict[str, Any], name: str) -> str:
    """A required string member (validation already checked presence when the model exists)."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise errors.InvalidParameterException(
            f"1 validation error detected: Value at '{name[:1].lower() + name[1:]}' failed to "
            "satisfy constraint: Member must not be null"
        )
    return value


def required_answer(params: dict[str, str], name: str) -> str:
    """A required AuthParameters / ChallengeResponses entry, with Cognito's refusal."""
    value = params.get(name)
    if not value:
        raise errors.InvalidParameterException(f"Missing required parameter {name}")
    return value


def opt_str(body: dict[str, Any], name: str) -> str | None:
    """An optional string member."""
    value = body.get(name)
    return value if isinstance(value, str) else None


def int_param(body: dict[str, Any], name: str, default: int) -> int:
    """An optional integer member (``Limit``, ``MaxResults``) with a default for absent/0."""
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return default
    return value


def str_map(body: dict[str, Any], name: str) -> dict[str, str]:
    """A map of strings (AuthParameters, ChallengeResponses, ClientMetadata).

    ``null`` values are dropped, as Cognito does (``DEVICE_KEY: null`` is a common client habit).
    """
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    ):
        raise errors.InvalidParameterException(f"{name} must be a map of strings.")
    return {key: item for key, item in value.items() if item is not None}


# ---------------------------------------------------------------------- List* operations


def paginate(items: list[Any], token: Any, limit: int) -> tuple[list[Any], str | None]:
    """One page of ``items`` after the opaque ``token``, and the token of the next page."""
    start = 0
    if token is not None:
        try:
            start = int(base64.urlsafe_b64decode(str(token).encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise errors.InvalidParameterException("The pagination token is not valid.") from None
    page = items[start : start + limit]
    following = start + limit
    next_token = (
        base64.urlsafe_b64encode(str(following).encode()).decode()
        if following < len(items)
        else None
    )
    return page, next_token


def list_page(
    body: dict[str, Any], items: list[Any], member: str, limit: int, *, token: str = "NextToken"
) -> dict[str, Any]:
    """A List* operation's answer: the page of ``items`` that follows the request's ``token``,
    as ``member``, and ``token`` for the next page only when more follow (Cognito leaves it
    out on the last page)."""
    page, next_token = paginate(items, body.get(token), limit)
    result: dict[str, Any] = {member: page}
    if next_token:
        result[token] = next_token
    return result


# ---------------------------------------------------------------------- pools and clients


def pool_or_error(backend: Backend, pool_id: str) -> dict[str, Any]:
    """The pool, or Cognito's ResourceNotFoundException."""
    pool = backend.store.get_pool(pool_id)
    if pool is None:
        raise errors.ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool


def client_or_error(backend: Backend, client_id: str) -> dict[str, Any]:
    """The app client, or Cognito's ResourceNotFoundException."""
    client = backend.store.get_client(client_id)
    if client is None:
        raise errors.ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client


def pool_client_or_error(
    backend: Backend, pool_id: str, client_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A pool and one of its clients (management calls name both)."""
    pool = pool_or_error(backend, pool_id)
    client = backend.store.get_client(client_id)
    if client is None or client["UserPoolId"] != pool_id:
        raise errors.ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return pool, client


def check_secret_hash(client: dict[str, Any], username: str, secret_hash: str | None) -> None:
    """Enforce SECRET_HASH for clients with a secret, with Cognito's two messages."""
    secret = client.get("ClientSecret")
    if not secret:
        return
    client_id = client["ClientId"]
    if not secret_hash:
        raise errors.NotAuthorizedException(errors.secret_hash_missing(client_id))
    expected = srp.compute_secret_hash(username, client_id, secret)
    if not hmac.compare_digest(expected.encode(), secret_hash.encode("utf-8", "replace")):
        raise errors.NotAuthorizedException(errors.secret_hash_mismatch(client_id))


def check_client_secret(client: dict[str, Any], secret: str | None) -> None:
    """Enforce ``ClientSecret`` (RevokeToken, GetTokensFromRefreshToken)."""
    expected = client.get("ClientSecret")
    if not expected:
        return
    if not secret or not hmac.compare_digest(expected.encode(), secret.encode("utf-8", "replace")):
        raise errors.NotAuthorizedException(errors.secret_hash_mismatch(client["ClientId"]))


def auth_session_lifetime(client: dict[str, Any]) -> float:
    """Seconds a sign-in Session or SECRET_BLOCK lives: the client's AuthSessionValidity
    (minutes, default 3)."""
    return float(client.get("AuthSessionValidity") or 3) * 60.0


def prevents_user_existence_errors(client: dict[str, Any]) -> bool:
    """Whether the client hides unknown users (PreventUserExistenceErrors = ENABLED)."""
    return client.get("PreventUserExistenceErrors") == "ENABLED"


# ---------------------------------------------------------------------- users


def username_attributes(pool: dict[str, Any]) -> list[str]:
    """The pool's UsernameAttributes (email and/or phone_number used as the username)."""
    return list(pool.get("UsernameAttributes") or [])


def case_insensitive(pool: dict[str, Any]) -> bool:
    """Whether usernames (and username-like attributes) compare case-insensitively."""
    config = pool.get("UsernameConfiguration") or {}
    return config.get("CaseSensitive") is False


def normalise_username(pool: dict[str, Any], name: str) -> str:
    """The stored form of a username: lowercased in case-insensitive pools."""
    return name.lower() if case_insensitive(pool) else name


def find_user(backend: Backend, pool: dict[str, Any], name: str) -> UserRecord | None:
    """Resolve what a person typed to a user: the username, or an alias Cognito accepts.

    Pools with UsernameAttributes accept the email / phone number (their internal username is
    the ``sub``); pools with AliasAttributes accept a *verified* email or phone number, or the
    preferred_username.
    """
    store = backend.store
    pool_id = pool["Id"]
    user = store.get_user(pool_id, normalise_username(pool, name))
    if user is not None:
        return user
    for attribute in username_attributes(pool):
        # Emails used as usernames are stored lowercased and match whatever case is typed.
        value = name.lower() if attribute == "email" else name
        matches = store.find_users_by_attribute(pool_id, attribute, value)
        if matches:
            return matches[0]
    for attribute in pool.get("AliasAttributes") or []:
        matches = store.find_users_by_attribute(pool_id, attribute, _attr_value(pool, name))
        for match in matches:
            verified = match.attributes.get(f"{attribute}_verified") == "true"
            if attribute == "preferred_username" or verified:
                return match
    return None


def _attr_value(pool: dict[str, Any], value: str) -> str:
    return value.lower() if case_insensitive(pool) else value


def user_or_error(backend: Backend, pool: dict[str, Any], name: str) -> UserRecord:
    """The user, or ``UserNotFoundException: User does not exist.``."""
    user = find_user(backend, pool, name)
    if user is None:
        raise errors.UserNotFoundException(errors.USER_DOES_NOT_EXIST)
    return user


def attributes_to_list(attributes: dict[str, str]) -> list[dict[str, str]]:
    """``{"email": "x"}`` -> ``[{"Name": "email", "Value": "x"}]``."""
    return [{"Name": name, "Value": value} for name, value in attributes.items()]


def attributes_from_list(items: Any) -> dict[str, str]:
    """``[{"Name", "Value"}]`` -> dict; a missing Value means the empty string."""
    result: dict[str, str] = {}
    if not isinstance(items, list):
        return result
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("Name"), str):
            value = item.get("Value")
            result[item["Name"]] = value if isinstance(value, str) else ""
    return result


def schema_names(pool: dict[str, Any]) -> set[str]:
    """Every attribute name the pool's schema knows (standard and custom)."""
    return {attribute["Name"] for attribute in pool.get("SchemaAttributes", [])}


def check_attributes_exist(pool: dict[str, Any], attributes: dict[str, str]) -> None:
    """Refuse attribute names outside the schema, as Cognito does."""
    known = schema_names(pool)
    for name in attributes:
        if name not in known:
            raise errors.InvalidParameterException(
                "Attributes did not conform to the schema: Type for attribute {"
                + name
                + "} could not be determined"
            )


def attributes_to_delete(pool: dict[str, Any], body: dict[str, Any]) -> dict[str, str]:
    """The request's ``UserAttributeNames`` as the update that deletes them (each set to the
    empty string), once each is known to the pool's schema (the Delete*UserAttributes calls)."""
    names = [name for name in body.get("UserAttributeNames") or [] if isinstance(name, str)]
    deleting = dict.fromkeys(names, "")
    check_attributes_exist(pool, deleting)
    return deleting


def check_mutable(pool: dict[str, Any], attributes: dict[str, str]) -> None:
    """Refuse changes to immutable attributes (``sub`` and custom ones created immutable)."""
    by_name = {attribute["Name"]: attribute for attribute in pool.get("SchemaAttributes", [])}
    for name in attributes:
        if by_name.get(name, {}).get("Mutable") is False:
            raise errors.NotAuthorizedException(
                f"A client attempted to write unauthorized attribute {name}"
            )


def user_type(user: UserRecord, *, attributes_key: str = "Attributes") -> dict[str, Any]:
    """A user as ``UserType`` (ListUsers, AdminCreateUser)."""
    return {
        "Username": user.username,
        attributes_key: attributes_to_list(user.all_attributes()),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    }


# ---------------------------------------------------------------------- access tokens


def authenticate_access_token(
    backend: Backend, token: str
) -> tuple[dict[str, Any], UserRecord, dict[str, Any]]:
    """Check an AccessToken the way GetUser & co. do; return ``(pool, user, claims)``."""
    try:
        claims = backend.verify_token(token, token_use="access", check_revoked=False)
    except TokenVerificationError as error:
        if error.reason == "expired":
            raise errors.NotAuthorizedException(errors.ACCESS_TOKEN_EXPIRED) from None
        raise errors.NotAuthorizedException(errors.INVALID_ACCESS_TOKEN) from None
    scope = str(claims.get("scope", "")).split()
    if "aws.cognito.signin.user.admin" not in scope:
        raise errors.NotAuthorizedException(errors.INVALID_ACCESS_TOKEN)
    pool = pool_or_error(backend, claims["iss"].rsplit("/", 1)[1])
    user = backend.store.get_user(pool["Id"], str(claims.get("username")))
    if user is None or user.sub != claims.get("sub"):
        raise errors.UserNotFoundException(errors.USER_DOES_NOT_EXIST)
    if backend.is_revoked(claims):
        raise errors.NotAuthorizedException(errors.ACCESS_TOKEN_REVOKED)
    if not user.enabled:
        raise errors.NotAuthorizedException(errors.USER_DISABLED)
    return pool, user, claims
