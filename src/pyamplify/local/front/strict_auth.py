"""``--strict-auth``: management calls must carry a valid SigV4 signature of a local credential.

By default the local Cognito accepts any SigV4-looking ``Authorization`` header on a management
operation (``CreateUserPool``, ``Admin*``): tests and tools run with dummy credentials. With
strict auth the signature is verified as AWS does (canonical request, the key chain, 15 minutes
of clock skew, the service and region of the credential scope) against a local credential set:
``LocalCognito(strict_auth=True, credentials={key id: secret})``, or a pair made at start-up.
Failures answer with AWS's front-door errors: an unknown key is ``UnrecognizedClientException``
("The security token included in the request is invalid."), a wrong signature
``InvalidSignatureException``, none ``MissingAuthenticationTokenException``. User-plane calls
(unsigned in the model) are not affected.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from pyamplify.local import errors
from pyamplify.local.sts import sigv4

#: Access key ids of generated credentials start with this (AWS's look, unmistakably local).
GENERATED_KEY_PREFIX = "AKIALOCAL"
#: The profile name written to a generated shared-credentials file.
PROFILE = "pyamplify-local"


@dataclass(frozen=True, repr=False)
class LocalCredentials:
    """One access key id and its secret (the secret never appears in a repr)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)

    def __repr__(self) -> str:
        return f"LocalCredentials(access_key_id={self.access_key_id!r}, secret_access_key=<secret>)"

    @classmethod
    def generate(cls) -> LocalCredentials:
        """A fresh random pair."""
        suffix = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(11))
        return cls(GENERATED_KEY_PREFIX + suffix, secrets.token_urlsafe(30))

    def shared_credentials_file(self) -> str:
        """The pair as an AWS shared-credentials file (``AWS_SHARED_CREDENTIALS_FILE``)."""
        return (
            f"[{PROFILE}]\naws_access_key_id = {self.access_key_id}\n"
            f"aws_secret_access_key = {self.secret_access_key}\n"
        )


def read_shared_credentials(text: str) -> dict[str, str]:
    """Every ``aws_access_key_id`` / ``aws_secret_access_key`` pair of a shared-credentials
    (INI) file, by key id."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    found: dict[str, str] = {}
    for section in parser.sections():
        key = parser.get(section, "aws_access_key_id", fallback="").strip()
        secret = parser.get(section, "aws_secret_access_key", fallback="").strip()
        if key and secret:
            found[key] = secret
    return found


class SignatureCheck:
    """Verifies the SigV4 signature of JSON 1.1 management calls against known secrets."""

    def __init__(self, secrets_by_key: Mapping[str, str], region: str) -> None:
        if not secrets_by_key:
            raise ValueError("strict auth needs at least one credential")
        self._secrets = dict(secrets_by_key)
        self.region = region

    @property
    def access_key_ids(self) -> tuple[str, ...]:
        """The key ids accepted (never the secrets)."""
        return tuple(sorted(self._secrets))

    def verify(
        self,
        *,
        service: str,
        query: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        now: float,
    ) -> None:
        """Raise the front door's error unless the request is signed by a known credential
        for ``service`` in this server's region."""
        request = sigv4.SignedRequest("POST", "/", query, headers, body)
        try:
            credential, _signed, _signature = sigv4.parse_authorization(headers)
        except sigv4.SignatureError as failure:
            raise _front_door_error(failure) from None
        if credential.access_key_id not in self._secrets:
            raise errors.UnrecognizedClientException(sigv4.INVALID_TOKEN[1])
        if credential.service != service:
            raise errors.InvalidSignatureException(
                f"Credential should be scoped to correct service: '{service}'. "
            )
        if credential.region != self.region:
            raise errors.InvalidSignatureException(
                f"Credential should be scoped to a valid region, not '{credential.region[:40]}'. "
            )
        try:
            sigv4.verify(request, self._secrets, now=datetime.fromtimestamp(now, tz=timezone.utc))
        except sigv4.SignatureError as failure:
            raise _front_door_error(failure) from None


def _front_door_error(failure: sigv4.SignatureError) -> errors.CognitoError:
    if failure.code == sigv4.MISSING_AUTH[0]:
        return errors.MissingAuthenticationTokenException("Missing Authentication Token")
    if failure.code == sigv4.INVALID_TOKEN[0]:
        return errors.UnrecognizedClientException(sigv4.INVALID_TOKEN[1])
    return errors.InvalidSignatureException(sigv4.SIGNATURE_MISMATCH[1])
