"""Passkeys (WebAuthn) of a user pool: the relying party, registration, and sign-in assertions.

Operations: StartWebAuthnRegistration (creation options and a single-use challenge),
CompleteWebAuthnRegistration, ListWebAuthnCredentials and DeleteWebAuthnCredential, all for the
signed-in user of an access token. :func:`request_options` and :func:`verify_assertion` serve
the ``WEB_AUTHN`` sign-in challenge of choice-based sign-in (:mod:`.user_auth`).

Every cryptographic check is the maintained ``webauthn`` library's (py_webauthn): the
attestation, the assertion's signature over authenticator data and client data, the challenge,
the origin, the RP ID hash, user presence and verification, and the signature counter (an
assertion whose counter does not go up is a cloned or replayed one). This module only decides
Cognito's policy around it and which Cognito error a failure is:

- The relying party is the pool's ``WebAuthnConfiguration.RelyingPartyId`` (SetUserPoolMfaConfig),
  else its custom domain, else its prefix domain (``<prefix>.auth.<region>.amazoncognito.com``),
  else ``WebAuthnConfigurationMissingException`` (the model's documentation of that error).
- The origin must be ``https://`` on the RP ID or a subdomain of it (``http://localhost`` for an
  RP ID of ``localhost``), the WebAuthn rule for which origins may use an RP ID; anything else is
  ``WebAuthnOriginNotAllowedException`` at registration.
- Passkeys are discoverable credentials (``residentKey: required``); user verification is the
  configuration's ``UserVerification`` (default ``preferred``), and ``required`` is enforced.
- ES256 and RS256 keys are accepted; another algorithm is
  ``WebAuthnCredentialNotSupportedException``. Attestation is not asked for (``none``).
- A registration challenge lives 5 minutes and is used once (``WebAuthnChallengeNotFoundException``
  after); it must be completed with a token of the app client that started it
  (``WebAuthnClientMismatchException``). A user holds at most 20 passkeys (Cognito's quota).
- At sign-in, RespondToAuthChallenge knows none of the WebAuthn errors (its model lists none), so
  a refused assertion (a bad signature, another challenge, a wrong origin, a lower counter, a
  passkey of someone else) is ``NotAuthorizedException`` saying what failed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import domains as idp_domains
from pyamplify.local.idp import pool_mfa
from pyamplify.local.idp.common import (
    authenticate_access_token,
    int_param,
    list_page,
    str_param,
)
from pyamplify.local.idp.registry import OPERATIONS
from pyamplify.local.signing import b64url, b64url_decode
from pyamplify.local.store.userpools import UserRecord
from pyamplify.local.store.webauthn import OpenRegistration, StoredCredential

WEB_AUTHN = "WEB_AUTHN"
#: How long a registration ceremony may take (the options' ``timeout``).
REGISTRATION_TIMEOUT = 300.0
#: Passkeys one user may register (Cognito's documented quota).
MAX_PASSKEYS = 20
#: ListWebAuthnCredentials' MaxResults (the model's maximum, and its default here).
MAX_LIST_RESULTS = 20
#: COSE algorithms accepted: ES256 and RS256 (what browsers and security keys create).
_ES256, _RS256 = -7, -257
_CHALLENGE_BYTES = 32
_FRIENDLY_NAMES = {"platform": "Device passkey", "cross-platform": "Security key"}

NOT_ENABLED = "Passkey sign-in (WEB_AUTHN) is not enabled for this user pool."
CONFIGURATION_MISSING = (
    "The user pool has neither a WebAuthnConfiguration.RelyingPartyId nor a domain, so passkeys "
    "have no relying party."
)
CHALLENGE_NOT_FOUND = (
    "No passkey registration is waiting for this user (it expired, was completed, or was never "
    "started): call StartWebAuthnRegistration again."
)
CLIENT_MISMATCH = (
    "This access token is of another app client than the one that started the passkey registration."
)


def _from_b64url(text: str) -> bytes:
    try:
        return b64url_decode(text)
    except (ValueError, TypeError):
        raise errors.InvalidParameterException("A WebAuthn value is not base64url.") from None


# ---------------------------------------------------------------------- the relying party


@dataclass(frozen=True)
class RelyingParty:
    """The pool's passkey settings as sign-in and registration use them."""

    id: str
    #: ``required`` or ``preferred``.
    user_verification: str
    #: ``SINGLE_FACTOR`` or ``MULTI_FACTOR_WITH_USER_VERIFICATION``.
    factor: str

    @property
    def satisfies_mfa(self) -> bool:
        """Whether a verified passkey counts as MFA (then it may sign in where MFA is ON)."""
        return self.factor == "MULTI_FACTOR_WITH_USER_VERIFICATION"


def first_factors(pool: dict[str, Any]) -> list[str]:
    """The pool's ``SignInPolicy.AllowedFirstAuthFactors`` (``["PASSWORD"]`` when unset)."""
    policy = (pool.get("Policies") or {}).get("SignInPolicy") or {}
    factors = policy.get("AllowedFirstAuthFactors")
    return [str(f) for f in factors] if isinstance(factors, list) and factors else ["PASSWORD"]


def enabled(pool: dict[str, Any]) -> bool:
    """Whether the pool lets passkeys sign in (WEB_AUTHN among its first factors)."""
    return WEB_AUTHN in first_factors(pool)


def relying_party(backend: Backend, pool: dict[str, Any]) -> RelyingParty:
    """The relying party of the pool's passkeys, or Cognito's error when it has none."""
    config = pool_mfa.describe_mfa(backend, pool).get("WebAuthnConfiguration") or {}
    rp_id = config.get("RelyingPartyId")
    if not rp_id:
        prefix, custom = idp_domains.pool_domains(backend, pool["Id"])
        if custom is not None:
            rp_id = custom
        elif prefix is not None:
            rp_id = f"{prefix}.auth.{backend.region}.amazoncognito.com"
    if not rp_id:
        raise errors.WebAuthnConfigurationMissingException(CONFIGURATION_MISSING)
    return RelyingParty(
        id=str(rp_id),
        user_verification=str(config.get("UserVerification") or "preferred"),
        factor=str(config.get("FactorConfiguration") or "SINGLE_FACTOR"),
    )


def origin_allowed(origin: str, rp_id: str) -> bool:
    """Whether a client's origin may use ``rp_id``: https on the RP ID or one of its
    subdomains (WebAuthn's rule), or http on localhost for a ``localhost`` RP ID."""
    parts = urlsplit(origin)
    host = (parts.hostname or "").lower()
    on_rp = host == rp_id.lower() or host.endswith("." + rp_id.lower())
    if parts.scheme == "https":
        return on_rp
    return parts.scheme == "http" and rp_id == "localhost" and host == "localhost"


def _client_data(encoded: Any) -> Any:
    """The client data of a response (the library's parser), or InvalidParameter."""
    from webauthn.helpers import parse_client_data_json

    try:
        return parse_client_data_json(_from_b64url(str(encoded)))
    except errors.CognitoError:
        raise
    except Exception:
        raise errors.InvalidParameterException(
            "The credential's clientDataJSON is not valid."
        ) from None


def _document(value: Any, name: str) -> dict[str, Any]:
    """A credential given as a JSON object (the model's document) or as JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise errors.InvalidParameterException(f"{name} is not valid JSON.") from None
    if not isinstance(value, dict) or not isinstance(value.get("response"), dict):
        raise errors.InvalidParameterException(
            f"{name} must be a PublicKeyCredential in its JSON form (id, rawId, type, response)."
        )
    return value


# ---------------------------------------------------------------------- registration


def _signed_in(backend: Backend, body: dict[str, Any]) -> tuple[dict[str, Any], UserRecord, str]:
    """The pool, user and app client of the request's access token; passkeys must be on."""
    pool, user, claims = authenticate_access_token(backend, str_param(body, "AccessToken"))
    if not enabled(pool):
        raise errors.WebAuthnNotEnabledException(NOT_ENABLED)
    return pool, user, str(claims.get("client_id", ""))


def _descriptor(credential: StoredCredential) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"type": "public-key", "id": credential.credential_id}
    if credential.transports:
        descriptor["transports"] = list(credential.transports)
    return descriptor


@OPERATIONS.operation("StartWebAuthnRegistration")
def start_web_authn_registration(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """StartWebAuthnRegistration: PublicKeyCredentialCreationOptions (JSON form) for the user."""
    pool, user, client_id = _signed_in(backend, body)
    rp = relying_party(backend, pool)
    existing = backend.store.webauthn_credentials_of(pool["Id"], user.sub)
    if len(existing) >= MAX_PASSKEYS:
        raise errors.LimitExceededException(
            f"A user can register at most {MAX_PASSKEYS} passkeys; delete one first."
        )
    challenge = b64url(secrets.token_bytes(_CHALLENGE_BYTES))
    display = user.attributes.get("name") or user.attributes.get("email") or user.username
    options = {
        "challenge": challenge,
        "rp": {"id": rp.id, "name": rp.id},
        "user": {
            "id": b64url(user.sub.encode()),
            "name": user.username,
            "displayName": display,
        },
        "pubKeyCredParams": [
            {"type": "public-key", "alg": _ES256},
            {"type": "public-key", "alg": _RS256},
        ],
        "timeout": int(REGISTRATION_TIMEOUT * 1000),
        "excludeCredentials": [_descriptor(credential) for credential in existing],
        "authenticatorSelection": {
            "requireResidentKey": True,
            "residentKey": "required",
            "userVerification": rp.user_verification,
        },
        "attestation": "none",
    }
    registration = OpenRegistration(
        client_id=client_id,
        challenge=challenge,
        rp_id=rp.id,
        user_verification=rp.user_verification,
        expires_at=backend.now() + REGISTRATION_TIMEOUT,
    )
    backend.store.put_webauthn_registration(pool["Id"], user.sub, registration)
    return {"CredentialCreationOptions": options}


def _registration_checks(credential: dict[str, Any], registration: OpenRegistration) -> str:
    """Cognito's own refusals before the library verifies: the challenge this registration
    issued, an origin on the RP ID, an authenticator that signed for the RP ID. Returns the
    origin (the library then checks it again, with everything else)."""
    from webauthn.helpers import parse_attestation_object

    response = credential["response"]
    client_data = _client_data(response.get("clientDataJSON", ""))
    if b64url(client_data.challenge) != registration.challenge:
        raise errors.WebAuthnChallengeNotFoundException(
            "The credential answers another challenge than the open registration's."
        )
    if not origin_allowed(client_data.origin, registration.rp_id):
        raise errors.WebAuthnOriginNotAllowedException(
            f"The origin {client_data.origin[:200]!r} may not register passkeys for the relying "
            f"party {registration.rp_id!r}."
        )
    try:
        attestation = parse_attestation_object(
            _from_b64url(str(response.get("attestationObject", "")))
        )
    except errors.CognitoError:
        raise
    except Exception:
        raise errors.InvalidParameterException(
            "The credential's attestationObject is not valid."
        ) from None
    if attestation.auth_data.rp_id_hash != hashlib.sha256(registration.rp_id.encode()).digest():
        raise errors.WebAuthnRelyingPartyMismatchException(
            f"The passkey was made for another relying party than {registration.rp_id!r}."
        )
    return str(client_data.origin)


def _verified_registration(
    credential: dict[str, Any], registration: OpenRegistration, origin: str
) -> Any:
    from webauthn import verify_registration_response
    from webauthn.helpers import exceptions as refused
    from webauthn.helpers.cose import COSEAlgorithmIdentifier
    from webauthn.helpers.exceptions import WebAuthnException

    unsupported_keys = (
        refused.UnsupportedAlgorithm,
        refused.UnsupportedEC2Curve,
        refused.UnsupportedPublicKey,
        refused.UnsupportedPublicKeyType,
    )
    try:
        return verify_registration_response(
            credential=credential,
            expected_challenge=_from_b64url(registration.challenge),
            expected_rp_id=registration.rp_id,
            expected_origin=origin,
            require_user_verification=registration.user_verification == "required",
            supported_pub_key_algs=[
                COSEAlgorithmIdentifier(_ES256),
                COSEAlgorithmIdentifier(_RS256),
            ],
        )
    except unsupported_keys:
        raise errors.WebAuthnCredentialNotSupportedException(
            "The passkey uses a key type this user pool does not support (ES256 or RS256)."
        ) from None
    except WebAuthnException as error:
        if "algorithm" in str(error).lower():
            raise errors.WebAuthnCredentialNotSupportedException(
                "The passkey uses a key type this user pool does not support (ES256 or RS256)."
            ) from None
        raise errors.InvalidParameterException(
            f"The passkey registration could not be verified: {str(error)[:200]}"
        ) from None
    except (KeyError, TypeError, ValueError):
        raise errors.InvalidParameterException(
            "The credential is not a valid RegistrationResponseJSON."
        ) from None


@OPERATIONS.operation("CompleteWebAuthnRegistration")
def complete_web_authn_registration(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """CompleteWebAuthnRegistration: verify the authenticator's RegistrationResponseJSON and
    keep the passkey."""
    pool, user, client_id = _signed_in(backend, body)
    credential = _document(body.get("Credential"), "Credential")
    registration = backend.store.take_webauthn_registration(pool["Id"], user.sub)
    if registration is None or backend.now() > registration.expires_at:
        raise errors.WebAuthnChallengeNotFoundException(CHALLENGE_NOT_FOUND)
    if registration.client_id != client_id:
        raise errors.WebAuthnClientMismatchException(CLIENT_MISMATCH)
    origin = _registration_checks(credential, registration)
    verified = _verified_registration(credential, registration, origin)
    credential_id = b64url(verified.credential_id)
    if backend.store.get_webauthn_credential(pool["Id"], credential_id) is not None:
        raise errors.InvalidParameterException("This passkey is already registered.")
    attachment = credential.get("authenticatorAttachment")
    transports = credential["response"].get("transports") or []
    stored = StoredCredential(
        credential_id=credential_id,
        sub=user.sub,
        public_key=b64url(verified.credential_public_key),
        sign_count=int(verified.sign_count),
        rp_id=registration.rp_id,
        friendly_name=_FRIENDLY_NAMES.get(str(attachment), "Passkey"),
        attachment=str(attachment) if isinstance(attachment, str) else None,
        transports=tuple(str(t) for t in transports if isinstance(t, str)),
        created=backend.now(),
    )
    backend.store.add_webauthn_credential(pool["Id"], stored)
    return {}


def _description(credential: StoredCredential) -> dict[str, Any]:
    """A ``WebAuthnCredentialDescription``."""
    described: dict[str, Any] = {
        "CredentialId": credential.credential_id,
        "FriendlyCredentialName": credential.friendly_name,
        "RelyingPartyId": credential.rp_id,
        "AuthenticatorTransports": list(credential.transports),
        "CreatedAt": credential.created,
    }
    if credential.attachment:
        described["AuthenticatorAttachment"] = credential.attachment
    return described


@OPERATIONS.operation("ListWebAuthnCredentials")
def list_web_authn_credentials(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ListWebAuthnCredentials: the user's passkeys, oldest first, a page at a time."""
    pool, user, _claims = authenticate_access_token(backend, str_param(body, "AccessToken"))
    credentials = backend.store.webauthn_credentials_of(pool["Id"], user.sub)
    limit = int_param(body, "MaxResults", MAX_LIST_RESULTS)
    return list_page(body, [_description(c) for c in credentials], "Credentials", limit)


@OPERATIONS.operation("DeleteWebAuthnCredential")
def delete_web_authn_credential(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DeleteWebAuthnCredential: forget one of the user's passkeys."""
    pool, user, _claims = authenticate_access_token(backend, str_param(body, "AccessToken"))
    credential_id = str_param(body, "CredentialId")
    if not backend.store.delete_webauthn_credential(pool["Id"], user.sub, credential_id):
        raise errors.ResourceNotFoundException("The user has no passkey with this CredentialId.")
    return {}


def has_passkeys(backend: Backend, pool: dict[str, Any], user: UserRecord) -> bool:
    """Whether the user registered at least one passkey."""
    return bool(backend.store.webauthn_credentials_of(pool["Id"], user.sub))


# ---------------------------------------------------------------------- sign-in


def request_options(
    backend: Backend, pool: dict[str, Any], user: UserRecord | None, timeout: float
) -> tuple[str, dict[str, Any]]:
    """``CREDENTIAL_REQUEST_OPTIONS`` (PublicKeyCredentialRequestOptions as JSON text) for the
    user's passkeys, and the state its Session keeps (the challenge). A user who does not exist
    (PreventUserExistenceErrors) gets options that no passkey can answer."""
    rp = relying_party(backend, pool)
    credentials = backend.store.webauthn_credentials_of(pool["Id"], user.sub) if user else []
    challenge = b64url(secrets.token_bytes(_CHALLENGE_BYTES))
    options = {
        "challenge": challenge,
        "rpId": rp.id,
        "timeout": int(timeout * 1000),
        "allowCredentials": [_descriptor(credential) for credential in credentials],
        "userVerification": rp.user_verification,
    }
    state = {"challenge": challenge, "rp_id": rp.id, "uv": rp.user_verification}
    return json.dumps(options, separators=(",", ":")), state


def _refused(why: str) -> errors.CognitoError:
    return errors.NotAuthorizedException(f"The passkey could not be verified: {why}")


def verify_assertion(
    backend: Backend,
    pool: dict[str, Any],
    user: UserRecord,
    state: dict[str, Any],
    credential_text: str,
    *,
    require_user_verification: bool = False,
) -> None:
    """Check a ``CREDENTIAL`` (AuthenticationResponseJSON) against the challenge in ``state``
    and the user's stored passkey, with the library; record the new signature counter."""
    from webauthn import verify_authentication_response
    from webauthn.helpers.exceptions import WebAuthnException

    credential = _document(credential_text, "CREDENTIAL")
    credential_id = str(credential.get("id") or credential.get("rawId") or "")
    stored = backend.store.get_webauthn_credential(pool["Id"], credential_id)
    if stored is None or stored.sub != user.sub:
        raise _refused("it is not a passkey of this user")
    rp_id = str(state["rp_id"])
    client_data = _client_data(credential["response"].get("clientDataJSON", ""))
    if not origin_allowed(client_data.origin, rp_id):
        raise _refused(f"the origin {client_data.origin[:200]!r} may not use {rp_id!r}")
    required = require_user_verification or state.get("uv") == "required"
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=_from_b64url(str(state["challenge"])),
            expected_rp_id=rp_id,
            expected_origin=str(client_data.origin),
            credential_public_key=_from_b64url(stored.public_key),
            credential_current_sign_count=stored.sign_count,
            require_user_verification=required,
        )
    except WebAuthnException as error:
        raise _refused(str(error)[:200]) from None
    except (KeyError, TypeError, ValueError):
        raise _refused("it is not a valid AuthenticationResponseJSON") from None
    backend.store.record_webauthn_use(
        pool["Id"], credential_id, int(verified.new_sign_count), backend.now()
    )
