"""``TokenVerifier``: is this a valid ID or access token of this user pool and app client?

What Cognito documents for verifying its tokens, in the spirit of aws-jwt-verify: the RS256
signature with the pool's key named by ``kid`` (from the JWKS), ``iss`` equal to the pool's
issuer, ``token_use``, the app client (``aud`` in ID tokens, ``client_id`` in access tokens),
``exp`` and ``iat`` with a leeway, and optionally scopes and groups. Signature, ``exp``, ``iat``
and ``iss`` are checked by PyJWT; the Cognito-specific claims here. PyJWT loads on first use,
so importing :mod:`pyamplify.verify` costs nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pyamplify.verify.errors import (
    ClaimMismatchError,
    InvalidSignatureError,
    MalformedTokenError,
    TokenExpiredError,
    TokenNotYetValidError,
    TokenVerificationError,
)
from pyamplify.verify.jwks import JwksCache

TokenUse = Literal["id", "access"]
_REQUIRED = ["exp", "iat", "iss", "sub", "token_use"]
#: One cache for every verifier of the process that is not given its own.
SHARED_CACHE = JwksCache()


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


def aws_issuer(user_pool_id: str, region: str | None = None) -> str:
    """``https://cognito-idp.<region>.<partition suffix>/<pool id>``: the ``iss`` of the pool."""
    from pyamplify.config.endpoints import dns_suffix

    region = region or user_pool_id.partition("_")[0]
    return f"https://cognito-idp.{region}.{dns_suffix(region)}/{user_pool_id}"


class TokenVerifier:
    """Verifies tokens of one user pool (see the module docstring).

    ``client_id`` (one id or several) and ``token_use`` (``"id"`` or ``"access"``) must be given
    and are checked; pass ``None`` explicitly to accept any. ``jwks_uri`` defaults to the
    issuer's ``/.well-known/jwks.json``; ``issuer`` to the AWS issuer of the pool (the local
    Cognito issues it too, unless started with ``--issuer local``). ``scope``: the token must
    have at least one of these scopes; ``groups``: the user must be in at least one of these
    groups (both as aws-jwt-verify). ``leeway`` seconds of clock skew are allowed on ``exp`` and
    ``iat``.
    """

    def __init__(
        self,
        user_pool_id: str,
        *,
        client_id: str | Iterable[str] | None,
        token_use: TokenUse | None,
        region: str | None = None,
        jwks_uri: str | None = None,
        issuer: str | None = None,
        scope: str | Iterable[str] | None = None,
        groups: str | Iterable[str] | None = None,
        leeway: float = 0.0,
        cache: JwksCache | None = None,
    ) -> None:
        if token_use not in ("id", "access", None):
            raise ValueError(f"token_use must be 'id', 'access' or None, not {token_use!r}")
        self.user_pool_id = user_pool_id
        self.issuer = issuer or aws_issuer(user_pool_id, region)
        self.jwks_uri = jwks_uri or f"{self.issuer}/.well-known/jwks.json"
        self.client_ids = _as_tuple(client_id)
        self.token_use = token_use
        self.scope = _as_tuple(scope)
        self.groups = _as_tuple(groups)
        self.leeway = leeway
        self.cache = cache or SHARED_CACHE

    def __repr__(self) -> str:
        return (
            f"TokenVerifier({self.user_pool_id!r}, token_use={self.token_use!r}, "
            f"issuer={self.issuer!r}, jwks_uri={self.jwks_uri!r})"
        )

    @classmethod
    def from_config(
        cls,
        config: Any = None,
        *,
        token_use: TokenUse | None,
        client_id: str | Iterable[str] | Literal["configured"] | None = "configured",
        **options: Any,
    ) -> TokenVerifier:
        """A verifier for the user pool of an Amplify configuration (an ``AuthConfig``, a path,
        or ``None`` for the default search). Keys come through the configuration's user pool
        endpoint when it has one (``Endpoint``, or ``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER``:
        a local Cognito serves the pool's JWKS at ``<endpoint>/<pool id>/.well-known/jwks.json``);
        the ``iss`` checked is still the AWS issuer unless ``issuer=`` says otherwise. The app
        client defaults to the configured one."""
        from pyamplify.config import AuthConfig, load_config

        loaded = config if isinstance(config, AuthConfig) else load_config(config)
        pool = loaded.user_pool
        if pool is None:
            raise TokenVerificationError(
                f"{loaded.source or 'the configuration'} has no user pool to verify tokens of"
            )
        if "jwks_uri" not in options:
            endpoint = loaded.resolve_user_pool_endpoint()
            if endpoint.origin != "AWS default":
                base = endpoint.url.rstrip("/")
                options["jwks_uri"] = f"{base}/{pool.pool_id}/.well-known/jwks.json"
        return cls(
            pool.pool_id,
            client_id=pool.app_client_id if client_id == "configured" else client_id,
            token_use=token_use,
            region=pool.region,
            **options,
        )

    # ------------------------------------------------------------------ verifying
    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims if it is valid; else the :class:`TokenVerificationError` saying
        why. May fetch the JWKS (blocking) the first time, or for an unknown ``kid``."""
        kid = _kid(token)
        key = self.cache.cached(self.jwks_uri, kid)
        if key is None:
            key = self.cache.key(self.jwks_uri, kid)
        return self._claims(token, key)

    async def verify_async(self, token: str) -> dict[str, Any]:
        """:meth:`verify` for event loops: a JWKS fetch goes through ``httpx.AsyncClient``."""
        kid = _kid(token)
        key = self.cache.cached(self.jwks_uri, kid)
        if key is None:
            key = await self.cache.key_async(self.jwks_uri, kid)
        return self._claims(token, key)

    def _claims(self, token: str, key: Any) -> dict[str, Any]:
        import jwt

        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": _REQUIRED, "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise TokenExpiredError("the token has expired (exp is in the past)") from None
        except jwt.ImmatureSignatureError:
            raise TokenNotYetValidError(
                "the token is not valid yet (iat is in the future)"
            ) from None
        except jwt.InvalidIssuerError:
            raise ClaimMismatchError(
                "iss", f"the token was not issued by {self.issuer} (iss differs)"
            ) from None
        except jwt.MissingRequiredClaimError as missing:
            raise ClaimMismatchError(
                missing.claim, f"the token has no {missing.claim!r} claim"
            ) from None
        except jwt.InvalidSignatureError:
            raise InvalidSignatureError(
                "the token's signature does not verify with the pool's key"
            ) from None
        except jwt.InvalidAlgorithmError:
            raise InvalidSignatureError("the token is not signed with RS256") from None
        except jwt.PyJWTError as error:
            raise MalformedTokenError(
                f"the token is not a valid JWT ({type(error).__name__})"
            ) from None
        self._check_cognito_claims(claims)
        return claims

    def _check_cognito_claims(self, claims: Mapping[str, Any]) -> None:
        use = claims.get("token_use")
        if self.token_use is not None and use != self.token_use:
            raise ClaimMismatchError(
                "token_use", f"expected an {self.token_use} token, got token_use {str(use)[:20]!r}"
            )
        if self.client_ids is not None:
            claim = "aud" if use == "id" else "client_id"
            client = claims.get(claim)
            if client not in self.client_ids:
                raise ClaimMismatchError(
                    claim,
                    f"the token is for app client {str(client)[:128]!r}, not "
                    f"{' or '.join(self.client_ids)}",
                )
        if self.scope is not None:
            held = str(claims.get("scope", "")).split()
            if not set(held) & set(self.scope):
                raise ClaimMismatchError(
                    "scope", f"the token has none of the scopes {', '.join(self.scope)}"
                )
        if self.groups is not None:
            member = claims.get("cognito:groups") or []
            if not isinstance(member, list) or not set(member) & set(self.groups):
                raise ClaimMismatchError(
                    "cognito:groups", f"the user is in none of the groups {', '.join(self.groups)}"
                )


def _kid(token: str) -> str:
    """The ``kid`` of the token's header, read to pick the key (PyJWT then checks the whole
    token; its own header reader would validate every segment twice per verification)."""
    if not isinstance(token, str):
        raise MalformedTokenError("the token is not a string")
    head, _, rest = token.partition(".")
    if rest.count(".") != 1:
        raise MalformedTokenError("the token is not a JWT (three dot-separated parts)")
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, binascii.Error):
        raise MalformedTokenError("the token's header is not base64url JSON") from None
    if not isinstance(header, dict):
        raise MalformedTokenError("the token's header is not a JSON object")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise MalformedTokenError("the token's header names no key (kid)")
    if header.get("alg") != "RS256":
        raise InvalidSignatureError(
            f"the token is signed with {str(header.get('alg'))[:20]!r}, not RS256"
        )
    return kid


def decode_unverified(token: str) -> dict[str, Any]:
    """``{"header": …, "claims": …}`` of a JWT without checking anything (for display)."""
    import jwt

    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise MalformedTokenError("the token is not a JWT") from None
    return {"header": header, "claims": claims}
