"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps make them.

Cognito's software tokens are the authenticator-app defaults: HMAC-SHA-1, 6 digits, a 30-second
step, the shared secret handed out as unpadded base32 (``AssociateSoftwareToken``'s
``SecretCode``). A code is accepted one step either side of the current one (Cognito accepts a
code "for a short time after its defined time window", RFC 6238 §5.2), so a clock a few seconds
off or a slow typist still signs in; :func:`matching_step` says which step a code belongs to, so
that the caller accepts each code once. Pure functions, no I/O; the caller passes the time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct

#: RFC 6238 defaults, which Cognito and every authenticator app use.
DIGITS = 6
STEP_SECONDS = 30
#: Steps accepted either side of the current one.
WINDOW = 1
#: 32 random bytes: 52 base32 characters, the length of Cognito's SecretCode.
SECRET_BYTES = 32

_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def new_secret() -> str:
    """A fresh shared secret as unpadded upper-case base32 (what authenticator apps take)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def decode_secret(secret: str) -> bytes:
    """The key bytes of a base32 secret; case, spaces and missing padding are forgiven."""
    text = secret.replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    """RFC 4226 HOTP: dynamic truncation of HMAC(key, counter), ``digits`` decimal digits."""
    digest = hmac.new(key, struct.pack(">Q", counter), _ALGORITHMS[algorithm]).digest()
    offset = digest[-1] & 0x0F
    binary = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def time_step(at: float, *, step: int = STEP_SECONDS) -> int:
    """The RFC 6238 counter ``T`` for the Unix time ``at``."""
    return int(at // step)


def totp(
    key: bytes,
    at: float,
    *,
    digits: int = DIGITS,
    step: int = STEP_SECONDS,
    algorithm: str = "sha1",
) -> str:
    """RFC 6238 TOTP of raw ``key`` bytes at Unix time ``at``."""
    return hotp(key, time_step(at, step=step), digits=digits, algorithm=algorithm)


def code_at(secret: str, at: float) -> str:
    """The 6-digit code an authenticator app shows for a base32 ``secret`` at time ``at``."""
    return totp(decode_secret(secret), at)


def matching_step(secret: str, code: str, at: float, *, window: int = WINDOW) -> int | None:
    """The time step whose code ``code`` is, among the step of ``at`` and ``window`` steps around
    it, or ``None``. The caller makes codes single use by accepting only steps later than the
    last one it accepted (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the
    OTP after the successful validation has been issued for the first OTP").

    Every candidate is compared in constant time, and all of them are computed, so the answer
    takes as long for a near miss as for a wild guess.
    """
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    key = decode_secret(secret)
    now = time_step(at)
    matched: int | None = None
    for counter in range(now - window, now + window + 1):
        if counter >= 0 and hmac.compare_digest(hotp(key, counter).encode(), code.encode()):
            matched = counter
    return matched


def verify(secret: str, code: str, at: float, *, window: int = WINDOW) -> bool:
    """Whether ``code`` is the secret's code for the step of ``at`` or ``window`` steps around it
    (see :func:`matching_step`, which also says which step)."""
    return matching_step(secret, code, at, window=window) is not None
