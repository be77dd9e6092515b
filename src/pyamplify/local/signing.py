"""JWTs as Cognito issues them: RS256 with a key pair per pool and purpose, JWKS, discovery.

Signing uses ``cryptography`` directly (RSASSA-PKCS1-v1_5 with SHA-256 over
``base64url(header) "." base64url(payload)``), not a JWT library, so the tests' PyJWT
verification is an independent check of the encoding. ID and access tokens are signed with
different keys (different ``kid``), as on AWS. Keys come from :mod:`pyamplify.local.key_supply`
(made ahead of need) on first use and are kept in the store, so tokens stay valid across restarts
of a persistent local Cognito.

Refresh tokens are opaque, as on AWS: random bytes wrapped to look like the JWE Cognito sends;
the store keeps only their SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from pyamplify.local.key_supply import KeyPair, KeySupply, default_supply
from pyamplify.local.store.userpools import Store

KEY_PURPOSES = ("id", "access")
_REFRESH_HEADER = {"cty": "JWT", "enc": "A256GCM", "alg": "RSA-OAEP"}


def b64url(data: bytes) -> str:
    """Unpadded base64url, as JOSE uses."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; raises ``ValueError`` on bad input."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True, repr=False)
class SigningKey:
    """One RSA key of a pool with its ``kid``."""

    kid: str
    private_key: rsa.RSAPrivateKey

    def jwk(self) -> dict[str, str]:
        """The public half as a JWK, the way Cognito's JWKS lists it."""
        numbers = self.private_key.public_key().public_numbers()
        return {
            "alg": "RS256",
            "e": _int_b64(numbers.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": _int_b64(numbers.n),
            "use": "sig",
        }

    def __repr__(self) -> str:
        return f"SigningKey(kid={self.kid!r})"


class KeyRing:
    """The pools' signing keys: taken from the key supply on first use, stored, and cached.

    An in-memory store makes this an *ephemeral* ring: its keys may come from the cross-run test
    key cache and go back to it when the server stops (:meth:`close`). A data-dir store only
    ever gets fresh keys, which nothing else holds (see :mod:`pyamplify.local.key_supply`).
    """

    def __init__(self, store: Store, supply: KeySupply | None = None) -> None:
        self._store = store
        self._supply = supply if supply is not None else default_supply()
        self._ephemeral = store.path is None
        self._cache: dict[tuple[str, str], SigningKey] = {}
        self._taken: list[KeyPair] = []
        self._lock = threading.Lock()
        self._supply.prepare(ephemeral=self._ephemeral)

    def key(self, pool_id: str, purpose: str) -> SigningKey:
        """The key a pool signs ``purpose`` tokens with, made on first use."""
        cached = self._cache.get((pool_id, purpose))
        if cached is not None:
            return cached
        with self._lock:
            cached = self._cache.get((pool_id, purpose))
            if cached is not None:
                return cached
            stored = self._store.get_signing_key(pool_id, purpose)
            if stored is None:
                new = self._supply.take(ephemeral=self._ephemeral)
                self._taken.append(new)
                self._store.put_signing_key(pool_id, purpose, new.kid, new.pem())
                stored = self._store.get_signing_key(pool_id, purpose)
                assert stored is not None
                if stored[0] == new.kid:  # first writer: no need to parse what we hold
                    signing_key = SigningKey(kid=new.kid, private_key=new.private_key)
                    self._cache[(pool_id, purpose)] = signing_key
                    return signing_key
            kid, pem = stored
            # Keys this code made and stored: the RSA consistency check costs ~60 ms a key.
            loaded = serialization.load_pem_private_key(
                pem, password=None, unsafe_skip_rsa_key_validation=True
            )
            assert isinstance(loaded, rsa.RSAPrivateKey)
            signing_key = SigningKey(kid=kid, private_key=loaded)
            self._cache[(pool_id, purpose)] = signing_key
            return signing_key

    def by_kid(self, pool_id: str, kid: str) -> SigningKey | None:
        """The pool's key with this ``kid`` (only keys that exist; none are made)."""
        for purpose in KEY_PURPOSES:
            cached = self._cache.get((pool_id, purpose))
            if cached is not None and cached.kid == kid:
                return cached
        for purpose in KEY_PURPOSES:
            if self._store.get_signing_key(pool_id, purpose) is None:
                continue
            candidate = self.key(pool_id, purpose)
            if candidate.kid == kid:
                return candidate
        return None

    def jwks(self, pool_id: str) -> dict[str, list[dict[str, str]]]:
        """``{"keys": [...]}`` with the pool's two public keys."""
        return {"keys": [self.key(pool_id, purpose).jwk() for purpose in KEY_PURPOSES]}

    def forget(self, pool_id: str) -> None:
        """Drop cached keys of a deleted pool (they are not handed out again while we run)."""
        with self._lock:
            for purpose in KEY_PURPOSES:
                self._cache.pop((pool_id, purpose), None)

    def close(self) -> None:
        """The server stopped: an ephemeral ring's keys may serve other in-memory pools now."""
        with self._lock:
            taken, self._taken = self._taken, []
            self._cache.clear()
        if self._ephemeral:
            self._supply.give_back(taken)


def sign_jwt(key: SigningKey, claims: dict[str, Any]) -> str:
    """An RS256 JWS in compact form with ``kid`` in the header."""
    header = {"kid": key.kid, "alg": "RS256"}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(claims, separators=(",", ":")).encode())
    )
    signature = key.private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(signature)


class JwtError(ValueError):
    """A token that is not a well-formed RS256 JWT signed by a known key."""


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a compact JWS, parsed but not verified."""
    if not isinstance(token, str):
        raise JwtError("token is not a string")
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("not a compact JWS")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except ValueError:
        raise JwtError("header or payload is not base64url JSON") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JwtError("header and payload must be JSON objects")
    return header, claims


def verify_jwt_signature(key: SigningKey, token: str) -> None:
    """Check the RS256 signature of ``token`` with ``key``; raise :class:`JwtError` if bad."""
    signing_input, _, signature = token.rpartition(".")
    try:
        key.private_key.public_key().verify(
            b64url_decode(signature), signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError):
        raise JwtError("signature does not verify") from None


def new_refresh_token() -> str:
    """An opaque refresh token shaped like Cognito's JWE (five base64url parts)."""
    header = b64url(json.dumps(_REFRESH_HEADER, separators=(",", ":")).encode())
    parts = [secrets.token_bytes(n) for n in (256, 12, 384, 16)]
    return ".".join([header, *(b64url(part) for part in parts)])


def token_hash(token: str) -> str:
    """The key under which the store remembers an opaque token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
