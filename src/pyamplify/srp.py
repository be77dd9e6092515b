"""Cognito's SRP-6a variant, for both sides: the client that signs in and the local Cognito.

Pure functions, no I/O. The maths follows what Cognito, amplify-js, amplify-android and
pycognito agree on (see ``shared/reference/python-anchors.md`` §3):

* group: the RFC 5054 3072-bit prime ``N``, ``g = 2``, ``H = SHA-256``;
* ``PAD(x)``: Java ``BigInteger.toByteArray()`` hex (even length, ``00`` prefix when the top
  nibble is 8-f); ``k = H(PAD(N) || PAD(g))``;
* ``u = H(PAD(A) || PAD(B))``; ``x = H(PAD(salt) || H(poolName || userId || ":" || password))``;
* client ``S = (B - k*g^x)^(a + u*x)``, server ``S = (A * v^u)^b``;
* ``K = HKDF-SHA256(ikm=PAD(S), salt=PAD(u), info="Caldera Derived Key")[:16]``;
* signature ``= Base64(HMAC-SHA256(K, poolName || userId || SECRET_BLOCK bytes || TIMESTAMP))``.

Private exponents are 256 bits (NIST SP 800-56A's minimum for a 3072-bit group) instead of
Amplify's 1024: the server cannot tell the difference and sign-in costs a third of the CPU.
Modular exponentiation uses the fastest engine at hand: the system's OpenSSL, else gmpy2, else
``pow`` (:mod:`pyamplify.modexp`).
Device SRP is the same maths with poolName := DeviceGroupKey and userId := DeviceKey.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pyamplify import modexp

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
#: Size in bits of the random private exponents a and b.
PRIVATE_EXPONENT_BITS = 256
_HKDF_INFO = b"Caldera Derived Key\x01"


class SrpError(ValueError):
    """A value received from the other side is unsafe (``A mod N == 0``, ``B mod N == 0``,
    ``u == 0``) or malformed; the exchange must be abandoned."""


_python_powmod = modexp.python_powmod

#: ``powmod(base, exponent, modulus)``: the fastest engine at hand (OpenSSL, gmpy2 or ``pow``;
#: see :mod:`pyamplify.modexp`). A module attribute, so that benchmarks can swap it.
powmod: Callable[[int, int, int], int] = modexp.powmod


def pad_hex(value: int | str) -> str:
    """Hex of a non-negative integer as Java's ``BigInteger.toByteArray()`` would give it.

    A hex string is parsed first, so redundant leading zero bytes are normalised (amplify-js
    behaviour; pycognito keeps them, which only matters for salts no server sends).
    """
    number = int(value, 16) if isinstance(value, str) else value
    if number < 0:
        raise SrpError("pad_hex takes non-negative values only")
    return number.to_bytes(number.bit_length() // 8 + 1, "big").hex()


def hash_hex(hex_data: str) -> str:
    """SHA-256 of the bytes spelled by ``hex_data``, as 64 lowercase hex digits."""
    return hashlib.sha256(bytes.fromhex(hex_data)).hexdigest()


K = int(hash_hex(pad_hex(N) + pad_hex(G)), 16)


def pool_name_of(user_pool_id: str) -> str:
    """The part of a user pool id after ``_`` (``us-east-1_AbC`` -> ``AbC``) that enters SRP."""
    _, sep, name = user_pool_id.partition("_")
    if not sep or not name:
        raise SrpError(f"not a user pool id: {user_pool_id!r} (expected REGION_ID)")
    return name


def compute_secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """``SECRET_HASH = Base64(HMAC-SHA256(key=secret, msg=username + client_id))``."""
    digest = hmac.new(
        client_secret.encode(), (username + client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TIMESTAMP_RE = re.compile(
    r"(?P<wd>[A-Z][a-z]{2}) (?P<mon>[A-Z][a-z]{2}) (?P<day>[1-9]|[12][0-9]|3[01]) "
    r"(?P<h>[01][0-9]|2[0-3]):(?P<m>[0-5][0-9]):(?P<s>[0-5][0-9]) UTC (?P<y>[0-9]{4})"
)


def format_timestamp(moment: datetime) -> str:
    """Cognito's TIMESTAMP: ``Wed Apr 5 22:42:34 UTC 2017`` (English, UTC, day not padded)."""
    utc = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    return (
        f"{_WEEKDAYS[utc.weekday()]} {_MONTHS[utc.month - 1]} {utc.day} "
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d} UTC {utc.year}"
    )


def parse_timestamp(text: str) -> datetime:
    """Parse a TIMESTAMP strictly, as Cognito does: a padded day or a wrong weekday fails."""
    match = _TIMESTAMP_RE.fullmatch(text)
    if match is None or match["mon"] not in _MONTHS or match["wd"] not in _WEEKDAYS:
        raise SrpError("TIMESTAMP is not in the form 'Wed Apr 5 22:42:34 UTC 2017'")
    try:
        moment = datetime(
            int(match["y"]),
            _MONTHS.index(match["mon"]) + 1,
            int(match["day"]),
            int(match["h"]),
            int(match["m"]),
            int(match["s"]),
            tzinfo=timezone.utc,
        )
    except ValueError as error:
        raise SrpError(f"TIMESTAMP names no real date: {error}") from None
    if _WEEKDAYS[moment.weekday()] != match["wd"]:
        raise SrpError("TIMESTAMP weekday does not match its date")
    return moment


def timestamp_is_fresh(moment: datetime, now: datetime, tolerance: timedelta) -> bool:
    """Whether a parsed TIMESTAMP lies within ``tolerance`` of ``now`` (either direction)."""
    return abs(now - moment) <= tolerance


def compute_u(big_a: int, big_b: int) -> int:
    """The scrambling parameter ``u = H(PAD(A) || PAD(B))``."""
    return int(hash_hex(pad_hex(big_a) + pad_hex(big_b)), 16)


def compute_x(salt_hex: str, pool_name: str, user_id: str, password: str) -> int:
    """The private key ``x = H(PAD(salt) || H(poolName || userId || ":" || password))``."""
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return int(hash_hex(pad_hex(salt_hex) + inner), 16)


def derive_key(shared_secret: int, u: int) -> bytes:
    """The 16-byte session key: one block of HKDF-SHA256 with Cognito's info string."""
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(shared_secret)), "sha256")
    return hmac.new(prk.digest(), _HKDF_INFO, hashlib.sha256).digest()[:16]


def compute_signature(
    key: bytes, pool_name: str, user_id: str, secret_block_b64: str, timestamp: str
) -> str:
    """``PASSWORD_CLAIM_SIGNATURE`` over poolName, userId, the SECRET_BLOCK bytes, TIMESTAMP."""
    try:
        block = base64.b64decode(secret_block_b64, validate=True)
    except ValueError:
        raise SrpError("SECRET_BLOCK is not valid base64") from None
    message = pool_name.encode() + user_id.encode() + block + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def _random_exponent() -> int:
    return secrets.randbits(PRIVATE_EXPONENT_BITS) | (1 << (PRIVATE_EXPONENT_BITS - 1))


# --------------------------------------------------------------------------- client side


@dataclass(frozen=True, repr=False)
class ClientEphemeral:
    """The client's one-time key pair ``a`` (secret) and ``A = g^a mod N`` (sent as SRP_A)."""

    a: int
    big_a: int

    @property
    def srp_a(self) -> str:
        """``SRP_A`` as sent on the wire: unpadded lowercase hex."""
        return format(self.big_a, "x")

    def __repr__(self) -> str:
        return "ClientEphemeral(a=<secret>)"


def new_client_ephemeral() -> ClientEphemeral:
    """Pick a fresh private ``a`` and compute ``A``."""
    a = _random_exponent()
    return ClientEphemeral(a=a, big_a=powmod(G, a, N))


def client_shared_secret(a: int, big_b: int, u: int, x: int) -> int:
    """The client's premaster secret ``S = (B - k*g^x)^(a + u*x) mod N`` (no safety checks:
    callers validate ``B`` and ``u`` first, as :func:`client_session_key` does)."""
    base = (big_b - K * powmod(G, x, N)) % N
    return powmod(base, a + u * x, N)


def client_session_key(
    ephemeral: ClientEphemeral,
    srp_b_hex: str,
    salt_hex: str,
    pool_name: str,
    user_id: str,
    password: str,
) -> bytes:
    """The client's session key ``K`` for the server's ``SRP_B`` and ``SALT``."""
    try:
        big_b = int(srp_b_hex, 16)
        int(salt_hex, 16)
    except ValueError:
        raise SrpError("SRP_B and SALT must be hex") from None
    if big_b % N == 0:
        raise SrpError("the server sent B = 0 mod N; refusing to continue")
    u = compute_u(ephemeral.big_a, big_b)
    if u == 0:
        raise SrpError("u = 0; refusing to continue")
    x = compute_x(salt_hex, pool_name, user_id, password)
    return derive_key(client_shared_secret(ephemeral.a, big_b, u, x), u)


@dataclass(frozen=True, repr=False)
class PasswordClaim:
    """The answer to PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER."""

    timestamp: str
    signature: str

    def __repr__(self) -> str:
        return f"PasswordClaim(timestamp={self.timestamp!r}, signature=<secret>)"


def password_claim(
    ephemeral: ClientEphemeral,
    *,
    pool_name: str,
    user_id: str,
    password: str,
    srp_b_hex: str,
    salt_hex: str,
    secret_block_b64: str,
    now: datetime,
) -> PasswordClaim:
    """Compute TIMESTAMP and PASSWORD_CLAIM_SIGNATURE for a PASSWORD_VERIFIER challenge.

    ``user_id`` is the challenge's ``USER_ID_FOR_SRP`` (for devices: the DeviceKey), never the
    name the user typed; ``pool_name`` is :func:`pool_name_of` (for devices: DeviceGroupKey).
    """
    key = client_session_key(ephemeral, srp_b_hex, salt_hex, pool_name, user_id, password)
    timestamp = format_timestamp(now)
    signature = compute_signature(key, pool_name, user_id, secret_block_b64, timestamp)
    return PasswordClaim(timestamp=timestamp, signature=signature)


# --------------------------------------------------------------------------- server side


def new_salt_hex() -> str:
    """A fresh 16-byte salt, already in PAD form so every client hashes it the same way."""
    return pad_hex(int.from_bytes(secrets.token_bytes(16), "big") or 1)


def make_verifier(pool_name: str, user_id: str, password: str, salt_hex: str) -> int:
    """The password verifier ``v = g^x mod N``: all the server ever stores of a password."""
    return powmod(G, compute_x(salt_hex, pool_name, user_id, password), N)


@dataclass(frozen=True, repr=False)
class ServerEphemeral:
    """The server's one-time ``b`` (secret) and ``B = (k*v + g^b) mod N`` (sent as SRP_B)."""

    b: int
    big_b: int

    @property
    def srp_b(self) -> str:
        """``SRP_B`` as sent on the wire: unpadded lowercase hex."""
        return format(self.big_b, "x")

    def __repr__(self) -> str:
        return "ServerEphemeral(b=<secret>)"


def new_server_ephemeral(verifier: int) -> ServerEphemeral:
    """Pick a fresh private ``b`` and compute ``B`` for this verifier."""
    while True:
        b = _random_exponent()
        big_b = (K * verifier + powmod(G, b, N)) % N
        if big_b != 0:
            return ServerEphemeral(b=b, big_b=big_b)


def server_session_key(srp_a_hex: str, ephemeral: ServerEphemeral, verifier: int) -> bytes:
    """The server's session key ``K`` for the client's ``SRP_A``; checks ``A mod N`` and ``u``."""
    try:
        big_a = int(srp_a_hex, 16)
    except ValueError:
        raise SrpError("SRP_A must be hex") from None
    if big_a % N == 0:
        raise SrpError("SRP_A is 0 mod N")
    u = compute_u(big_a, ephemeral.big_b)
    if u == 0:
        raise SrpError("u = 0")
    shared = powmod(big_a * powmod(verifier, u, N) % N, ephemeral.b, N)
    return derive_key(shared, u)


def verify_signature(
    expected_key: bytes,
    claim: PasswordClaim,
    *,
    pool_name: str,
    user_id: str,
    secret_block_b64: str,
) -> bool:
    """Check a PASSWORD_CLAIM_SIGNATURE in constant time."""
    expected = compute_signature(
        expected_key, pool_name, user_id, secret_block_b64, claim.timestamp
    )
    return hmac.compare_digest(expected.encode(), claim.signature.encode())


# --------------------------------------------------------------------------- devices


@dataclass(frozen=True, repr=False)
class DeviceSecret:
    """What ConfirmDevice needs: the device's random password (kept by the client) and the
    salt and verifier (sent to Cognito, base64)."""

    password: str
    salt_b64: str
    verifier_b64: str

    def __repr__(self) -> str:
        return "DeviceSecret(password=<secret>)"


def new_device_secret(device_group_key: str, device_key: str) -> DeviceSecret:
    """Generate a device password and its verifier config for ConfirmDevice."""
    password = base64.b64encode(secrets.token_bytes(40)).decode()
    salt_hex = new_salt_hex()
    verifier = make_verifier(device_group_key, device_key, password, salt_hex)
    return DeviceSecret(
        password=password,
        salt_b64=base64.b64encode(bytes.fromhex(salt_hex)).decode(),
        verifier_b64=base64.b64encode(bytes.fromhex(pad_hex(verifier))).decode(),
    )
