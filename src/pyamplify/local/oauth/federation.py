"""Sign-in through an OIDC identity provider of the pool ("Sign in with <provider>").

``/oauth2/authorize?identity_provider=<name>`` (or the page's button, or ``idp_identifier``)
sends the browser to the provider's authorize URL with the domain's ``/oauth2/idpresponse`` as
redirect URI and a single-use state handle; the provider's answer there is redeemed at its
token URL (in-process for the built-in test provider, :mod:`.test_idp`, else over HTTP), its ID
token checked (RS256 against the provider's keys, ``iss``, ``aud``, ``exp``, ``nonce``), and the
user pool's user ``<provider>_<sub>`` created (status ``EXTERNAL_PROVIDER``, the ``identities``
attribute, PreSignUp with source ``ExternalProvider`` at the ``SIGN_UP`` extension point) or
updated with the mapped attributes, as Cognito does at every federated sign-in.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from starlette.responses import Response

from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.idp.provider_store import load_provider
from pyamplify.local.idp.providers import is_test_issuer
from pyamplify.local.oauth import test_idp
from pyamplify.local.oauth.grant import AuthorizeRequest, ErrorRedirect
from pyamplify.local.oauth.web import DomainContext, digest, redirect, with_params
from pyamplify.local.signing import JwtError, b64url_decode, unverified_parts, verify_jwt_signature
from pyamplify.local.store.userpools import UserRecord

_STATE_SECONDS = 600.0


class FederationError(Exception):
    """The provider's answer could not be used; the message says why (shown to the client)."""


def chosen_provider(ctx: DomainContext, request: AuthorizeRequest) -> dict[str, Any] | None:
    """The provider an authorization request goes straight to, or ``None`` for /login."""
    name = request.identity_provider
    pool_id = ctx.pool["Id"]
    if name is None and request.idp_identifier:
        for candidate in request.providers():
            provider = load_provider(ctx.backend, pool_id, candidate)
            if provider and request.idp_identifier in (provider.get("IdpIdentifiers") or []):
                return provider
        raise ErrorRedirect(request, "invalid_request", "no provider has that idp_identifier")
    if name is None:
        providers = request.providers()
        if len(providers) == 1 and providers[0] != "COGNITO":
            name = providers[0]  # nothing to choose: straight to the only provider
    if name is None or name == "COGNITO":
        return None
    provider = load_provider(ctx.backend, pool_id, name)
    if provider is None:
        raise ErrorRedirect(request, "invalid_request", f"{name} is not a provider of this pool")
    return provider


def start(ctx: DomainContext, request: AuthorizeRequest, provider: dict[str, Any]) -> Response:
    """Send the browser to the provider's sign-in."""
    details = provider.get("ProviderDetails") or {}
    if provider.get("ProviderType") != "OIDC" or not details.get("authorize_url"):
        raise ErrorRedirect(
            request,
            "invalid_request",
            f"{provider['ProviderName']} cannot be signed in to locally (only OIDC providers "
            "with known endpoints federate)",
        )
    handle = secrets.token_urlsafe(24)
    nonce = secrets.token_urlsafe(16)
    ctx.backend.store.put_oauth_state(
        digest(handle),
        "federation",
        {"query": request.query, "provider": provider["ProviderName"], "nonce": nonce},
        ctx.backend.now() + _STATE_SECONDS,
    )
    authorize_url = str(details["authorize_url"])
    if is_test_issuer(str(details.get("oidc_issuer", ""))):
        authorize_url = f"{test_idp.issuer(ctx.backend)}/authorize"
    params = {
        "client_id": str(details["client_id"]),
        "redirect_uri": f"{ctx.base_url}/oauth2/idpresponse",
        "response_type": "code",
        "scope": str(details.get("authorize_scopes", "openid")),
        "state": handle,
        "nonce": nonce,
    }
    return redirect(ctx, with_params(authorize_url, params))


def take_state(ctx: DomainContext, handle: str) -> dict[str, Any] | None:
    """The federation state a provider's answer brings back (single use), or ``None``."""
    taken = ctx.backend.store.take_oauth_state(digest(handle), "federation")
    if taken is None or taken[1] < ctx.backend.now():
        return None
    return taken[0]


def _redeem(ctx: DomainContext, details: dict[str, Any], code: str) -> str:
    """The provider's ID token for ``code``."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": f"{ctx.base_url}/oauth2/idpresponse",
        "client_id": str(details["client_id"]),
    }
    if details.get("client_secret"):
        form["client_secret"] = str(details["client_secret"])
    if is_test_issuer(str(details.get("oidc_issuer", ""))):
        status, answer = test_idp.redeem(ctx.backend, form, None)
    else:
        import httpx

        try:
            response = httpx.post(str(details["token_url"]), data=form, timeout=10)
            status, answer = response.status_code, response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise FederationError(f"the provider's token endpoint failed: {error}") from None
    if status != 200 or not isinstance(answer, dict) or not answer.get("id_token"):
        raise FederationError(f"the provider refused the code: {answer!r:.200}")
    return str(answer["id_token"])


def _verify_remote(details: dict[str, Any], token: str, kid: str | None) -> None:
    import httpx
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        keys = httpx.get(str(details["jwks_uri"]), timeout=10).json().get("keys", [])
    except (httpx.HTTPError, ValueError, AttributeError) as error:
        raise FederationError(f"the provider's keys could not be read: {error}") from None
    jwk = next((k for k in keys if k.get("kid") == kid), None)
    if jwk is None:
        raise FederationError("the provider's ID token names a key it does not publish")
    numbers = rsa.RSAPublicNumbers(
        int.from_bytes(b64url_decode(jwk["e"]), "big"),
        int.from_bytes(b64url_decode(jwk["n"]), "big"),
    )
    signed, _, signature = token.rpartition(".")
    try:
        numbers.public_key().verify(
            b64url_decode(signature), signed.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature:
        raise FederationError("the provider's ID token signature is wrong") from None


def verified_claims(
    ctx: DomainContext, provider: dict[str, Any], code: str, nonce: str
) -> dict[str, Any]:
    """Redeem ``code`` and check the ID token as an OIDC relying party must."""
    details = provider.get("ProviderDetails") or {}
    token = _redeem(ctx, details, code)
    try:
        header, claims = unverified_parts(token)
    except JwtError as error:
        raise FederationError(f"the provider's ID token is malformed: {error}") from None
    test = is_test_issuer(str(details.get("oidc_issuer", "")))
    expected_issuer = test_idp.issuer(ctx.backend) if test else str(details.get("oidc_issuer"))
    if header.get("alg") != "RS256":
        raise FederationError("the provider's ID token is not RS256")
    if test:
        try:
            verify_jwt_signature(test_idp.key(ctx.backend), token)
        except JwtError:
            raise FederationError("the provider's ID token signature is wrong") from None
    else:
        _verify_remote(details, token, header.get("kid"))
    if claims.get("iss") != expected_issuer:
        raise FederationError("the provider's ID token has another issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if str(details.get("client_id")) not in audiences:
        raise FederationError("the provider's ID token is for another client")
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= ctx.backend.now():
        raise FederationError("the provider's ID token has expired")
    if claims.get("nonce") != nonce:
        raise FederationError("the provider's ID token has the wrong nonce")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise FederationError("the provider's ID token has no sub")
    return claims


def _as_attribute(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def link_user(
    backend: Backend,
    pool: dict[str, Any],
    client: dict[str, Any],
    provider: dict[str, Any],
    claims: dict[str, Any],
) -> UserRecord:
    """The pool's user for a federated sign-in: created on first sign-in, mapped every time."""
    name = str(provider["ProviderName"])
    subject = str(claims["sub"])
    mapped: dict[str, str] = {}
    for attribute, claim in (provider.get("AttributeMapping") or {}).items():
        if attribute != "username" and claim in claims:
            mapped[attribute] = _as_attribute(claims[claim])
    username = f"{name}_{subject}"
    user = backend.store.get_user(pool["Id"], username)
    now = backend.now()
    if user is not None:
        user.attributes.update(mapped)
        user.modified = now
        backend.store.save_user(user)
        return user
    identity = {
        "userId": subject,
        "providerName": name,
        "providerType": str(provider.get("ProviderType")),
        "issuer": None,
        "primary": "true",
        "dateCreated": str(int(time.time() * 1000)),
    }
    import uuid

    user = UserRecord(
        pool_id=pool["Id"],
        username=username,
        sub=str(uuid.uuid4()),
        status="EXTERNAL_PROVIDER",
        enabled=True,
        attributes={**mapped, "identities": json.dumps([identity])},
        created=now,
        modified=now,
    )
    hooks.run_sign_up(
        backend, hooks.SignUp(pool, user, "ExternalProvider", str(client["ClientId"]))
    )
    backend.store.insert_user(user)
    return user
