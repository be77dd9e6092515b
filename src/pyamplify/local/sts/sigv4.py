"""Verification of AWS Signature Version 4, so the local STS can prove minted credentials work.

The local Cognito mints temporary credentials for identity-pool users. To show that they are
usable end to end with real signing code (botocore's), its STS ``GetCallerIdentity`` must check
the signature exactly as AWS does: rebuild the canonical request from what arrived, derive the
signing key from the secret it minted, and compare in constant time. The algorithm is AWS's
published SigV4 (canonical request, string to sign, HMAC key chain); nothing here trusts the
client beyond what the signature covers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"
#: How far the request's X-Amz-Date may be from the server's clock (AWS allows 15 minutes).
MAX_CLOCK_SKEW = timedelta(minutes=15)

_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-f]{64})\s*"
)


class SignatureError(Exception):
    """The request's signature does not verify; ``code`` and ``str()`` are STS's error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


INVALID_TOKEN = (
    "InvalidClientTokenId",
    "The security token included in the request is invalid.",
)
SIGNATURE_MISMATCH = (
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details.",
)
EXPIRED_TOKEN = ("ExpiredToken", "The security token included in the request is expired")
MISSING_AUTH = (
    "MissingAuthenticationToken",
    "Request is missing Authentication Token",
)


@dataclass(frozen=True)
class SignedRequest:
    """The parts of an HTTP request that SigV4 covers."""

    method: str
    path: str
    query: str
    headers: Sequence[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Credential:
    """What the request claims: its access key id and credential scope."""

    access_key_id: str
    date: str
    region: str
    service: str


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """The SigV4 key chain: ``HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service),
    "aws4_request")``."""
    k_date = _hmac(("AWS4" + secret_key).encode(), date)
    return _hmac(_hmac(_hmac(k_date, region), service), "aws4_request")


def _canonical_query(query: str) -> str:
    pairs: list[tuple[str, str]] = []
    for part in query.split("&") if query else []:
        key, _, value = part.partition("=")
        pairs.append(
            (quote(unquote(key), safe="-_.~"), quote(unquote(value.replace("+", " ")), safe="-_.~"))
        )
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def _header_map(headers: Sequence[tuple[str, str]]) -> dict[str, str]:
    merged: dict[str, list[str]] = {}
    for name, value in headers:
        merged.setdefault(name.lower(), []).append(" ".join(value.strip().split()))
    return {name: ",".join(values) for name, values in merged.items()}


def canonical_request(request: SignedRequest, signed_headers: Sequence[str]) -> str:
    """Build the canonical request string exactly as the signer must have."""
    headers = _header_map(request.headers)
    canonical_headers = "".join(f"{name}:{headers.get(name, '')}\n" for name in signed_headers)
    # The hash of what actually arrived, never the X-Amz-Content-SHA256 header's claim: a
    # header that disagrees with the body must not let a changed body verify (see verify()).
    payload_hash = hashlib.sha256(request.body).hexdigest()
    return "\n".join(
        [
            request.method.upper(),
            quote(request.path or "/", safe="/~"),
            _canonical_query(request.query),
            canonical_headers,
            ";".join(signed_headers),
            payload_hash,
        ]
    )


def parse_authorization(headers: Sequence[tuple[str, str]]) -> tuple[Credential, list[str], str]:
    """Read the Authorization header: the credential, the signed header names, the signature."""
    header = _header_map(headers).get("authorization")
    if not header:
        raise SignatureError(*MISSING_AUTH)
    match = _AUTH_RE.fullmatch(header)
    if match is None:
        raise SignatureError(*INVALID_TOKEN)
    parts = match["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise SignatureError(*INVALID_TOKEN)
    credential = Credential(
        access_key_id=parts[0], date=parts[1], region=parts[2], service=parts[3]
    )
    return credential, match["signed"].split(";"), match["signature"]


def verify(
    request: SignedRequest,
    secrets_by_key: Mapping[str, str],
    *,
    now: datetime,
) -> Credential:
    """Verify a SigV4-signed request against the secret of the access key it names.

    Returns the verified credential; raises :class:`SignatureError` carrying STS's error code
    and message when the key is unknown, the date is off by more than 15 minutes, or the
    signature does not match.
    """
    credential, signed_headers, signature = parse_authorization(request.headers)
    secret = secrets_by_key.get(credential.access_key_id)
    if secret is None:
        raise SignatureError(*INVALID_TOKEN)
    headers = _header_map(request.headers)
    amz_date = headers.get("x-amz-date", "")
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise SignatureError(*SIGNATURE_MISMATCH) from None
    if not amz_date.startswith(credential.date) or abs(now - signed_at) > MAX_CLOCK_SKEW:
        raise SignatureError(*SIGNATURE_MISMATCH)
    if "host" not in signed_headers:
        raise SignatureError(*SIGNATURE_MISMATCH)
    declared_hash = headers.get("x-amz-content-sha256")
    if declared_hash is not None and declared_hash != hashlib.sha256(request.body).hexdigest():
        raise SignatureError(*SIGNATURE_MISMATCH)
    scope = f"{credential.date}/{credential.region}/{credential.service}/aws4_request"
    string_to_sign = "\n".join(
        [
            ALGORITHM,
            amz_date,
            scope,
            hashlib.sha256(canonical_request(request, signed_headers).encode()).hexdigest(),
        ]
    )
    key = signing_key(secret, credential.date, credential.region, credential.service)
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise SignatureError(*SIGNATURE_MISMATCH)
    return credential
