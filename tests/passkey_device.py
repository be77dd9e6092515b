"""A software CTAP2 authenticator for the tests: a security key made of ``cryptography`` keys.

Test scaffolding, not verification: it is what a USB security key is to ``fido2``'s client
(getInfo, makeCredential, getAssertion over CBOR), so the library's real client code builds the
client data and the WebAuthn JSON, and the local Cognito verifies the results with py_webauthn.
It keeps its credentials in memory (resident: the key remembers the user), signs with P-256
(ES256), counts signatures per credential (``counter_step=0`` acts like a synced passkey, which
always reports 0), performs "user verification" unless told not to (or lies about it), and can be
told to make an Ed25519 key whatever the relying party asked for (a key type the pool refuses).
:func:`lying_client` is a WebAuthn client that claims any origin (what a phishing page's own
client would do), for the relying party's origin checks.
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from threading import Event
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from fido2 import cbor
from fido2.ctap import CtapDevice, CtapError
from fido2.hid import CAPABILITY, CTAPHID

AAGUID = bytes.fromhex("7a1c2bd5d3f14b2e8ef29a8d1f6a0c11")
_MAKE_CREDENTIAL, _GET_ASSERTION, _GET_INFO = 0x01, 0x02, 0x04
_UP, _UV, _AT = 0x01, 0x04, 0x40
_ES256, _EDDSA = -7, -8


@dataclass
class SoftCredential:
    """One credential the software key holds."""

    credential_id: bytes
    rp_id: str
    user_id: bytes
    key: Any = field(repr=False)
    algorithm: int = _ES256
    counter: int = 0


def _cose_key(key: Any, algorithm: int) -> dict[int, Any]:
    if algorithm == _EDDSA:
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return {1: 1, 3: _EDDSA, -1: 6, -2: raw}
    numbers = key.public_key().public_numbers()
    return {
        1: 2,
        3: _ES256,
        -1: 1,
        -2: numbers.x.to_bytes(32, "big"),
        -3: numbers.y.to_bytes(32, "big"),
    }


class SoftAuthenticator(CtapDevice):
    """A CTAP2 device in memory (see the module docstring)."""

    def __init__(
        self,
        *,
        counter_step: int = 1,
        verifies_user: bool = True,
        force_algorithm: int | None = None,
        sets_uv_flag: bool = True,
    ) -> None:
        self.credentials: list[SoftCredential] = []
        self.counter_step = counter_step
        self.verifies_user = verifies_user
        #: ``False``: claims built-in user verification but never sets the UV flag (a faulty or
        #: lying key, for the relying party's checks).
        self.sets_uv_flag = sets_uv_flag
        self.force_algorithm = force_algorithm
        #: How many times a user "touched" the key (makeCredential, getAssertion with UP).
        self.touches = 0

    @property
    def capabilities(self) -> int:
        return int(CAPABILITY.CBOR)

    @classmethod
    def list_devices(cls) -> Iterator[SoftAuthenticator]:
        """No software key is ever "plugged in": tests hand theirs over."""
        return iter(())

    def call(
        self,
        cmd: int,
        data: bytes = b"",
        event: Event | None = None,
        on_keepalive: Any = None,
    ) -> bytes:
        if cmd != CTAPHID.CBOR:
            raise CtapError(CtapError.ERR.INVALID_COMMAND)
        command = data[0]
        params = cbor.decode(data[1:]) if len(data) > 1 else {}
        try:
            if command == _GET_INFO:
                answer = self._info()
            elif command == _MAKE_CREDENTIAL:
                answer = self._make_credential(params)
            elif command == _GET_ASSERTION:
                answer = self._get_assertion(params)
            else:
                return bytes([CtapError.ERR.INVALID_COMMAND])
        except CtapError as error:
            return bytes([error.code])
        return b"\x00" + cbor.encode(answer)

    # ------------------------------------------------------------------ commands

    def _info(self) -> dict[int, Any]:
        options = {"rk": True, "up": True, "uv": self.verifies_user}
        return {1: ["FIDO_2_0"], 3: AAGUID, 4: options, 5: 4096, 6: [1], 7: 8, 8: 128}

    def _flags(self, options: dict[str, Any], *, attested: bool = False) -> int:
        flags = _UP if options.get("up", True) else 0
        if options.get("uv") and self.verifies_user and self.sets_uv_flag:
            flags |= _UV
        return flags | (_AT if attested else 0)

    def _make_credential(self, params: dict[int, Any]) -> dict[int, Any]:
        client_data_hash, rp, user = params[1], params[2], params[3]
        algorithms = [p["alg"] for p in params[4]]
        for excluded in params.get(5) or []:
            if any(c.credential_id == excluded["id"] for c in self.credentials):
                raise CtapError(CtapError.ERR.CREDENTIAL_EXCLUDED)
        algorithm = self.force_algorithm or (_ES256 if _ES256 in algorithms else None)
        if algorithm is None:
            raise CtapError(CtapError.ERR.UNSUPPORTED_ALGORITHM)
        key: Any = (
            ed25519.Ed25519PrivateKey.generate()
            if algorithm == _EDDSA
            else ec.generate_private_key(ec.SECP256R1())
        )
        credential = SoftCredential(secrets.token_bytes(32), rp["id"], user["id"], key, algorithm)
        self.credentials.append(credential)
        self.touches += 1
        options = dict(params.get(7) or {})
        auth_data = (
            hashlib.sha256(rp["id"].encode()).digest()
            + bytes([self._flags(options, attested=True)])
            + struct.pack(">I", credential.counter)
            + AAGUID
            + struct.pack(">H", len(credential.credential_id))
            + credential.credential_id
            + cbor.encode(_cose_key(key, algorithm))
        )
        del client_data_hash  # "none" attestation signs nothing
        return {1: "none", 2: auth_data, 3: {}}

    def _get_assertion(self, params: dict[int, Any]) -> dict[int, Any]:
        rp_id, client_data_hash = params[1], params[2]
        allowed = [c["id"] for c in params.get(3) or []]
        options = dict(params.get(5) or {})
        mine = [c for c in self.credentials if c.rp_id == rp_id]
        if allowed:
            mine = [c for c in mine if c.credential_id in allowed]
        if not mine:
            raise CtapError(CtapError.ERR.NO_CREDENTIALS)
        credential = mine[0]
        if options.get("up", True):
            credential.counter += self.counter_step
            self.touches += 1
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(options)])
            + struct.pack(">I", credential.counter)
        )
        signed = auth_data + client_data_hash
        if credential.algorithm == _EDDSA:
            signature = credential.key.sign(signed)
        else:
            signature = credential.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return {
            1: {"type": "public-key", "id": credential.credential_id},
            2: auth_data,
            3: signature,
            4: {"id": credential.user_id},
        }


def lying_client(device: CtapDevice, origin: str) -> Any:
    """``fido2``'s WebAuthn client with its RP ID / origin check switched off."""
    from fido2.client import DefaultClientDataCollector, Fido2Client

    collector = DefaultClientDataCollector(origin, verify=lambda rp_id, origin: True)
    return Fido2Client(device, collector)
