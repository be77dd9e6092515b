"""A pool's MFA configuration: GetUserPoolMfaConfig and SetUserPoolMfaConfig.

The challenges themselves are :mod:`.mfa`'s, which reads this configuration. The mode
(``MfaConfiguration`` OFF/ON/OPTIONAL) and the SMS settings (``SmsAuthenticationMessage``,
``SmsConfiguration``) live in the pool itself, so DescribeUserPool and GetUserPoolMfaConfig
always agree; which factors are on (SMS, TOTP, email) and the passkey settings live in the
store's ``pool_mfa_config`` table. A pool never given a configuration here has SMS MFA exactly
when its mode is not OFF: CreateUserPool can configure no other factor, and it refuses
ON/OPTIONAL without SMS.

SetUserPoolMfaConfig *replaces* the factors, as AWS does: a factor left out of the request is
turned off (so ``{MfaConfiguration: OPTIONAL}`` alone is refused while no factor remains, the
surprise of aws/aws-sdk-js#4186). A mode left out keeps the current one; passkey settings left
out are kept (they are not an MFA factor). The two refusals carry AWS's messages (observed:
aws/aws-sdk-js#4186; go-to-k/cdkd#1923).
"""

from __future__ import annotations

from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp.common import pool_or_error, str_param
from pyamplify.local.idp.registry import OPERATIONS

NO_FACTOR = (
    "Invalid MFA configuration given, can't disable all MFAs with a required or optional "
    "configuration."
)
OFF_WITH_FACTOR = (
    "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
)
_SMS_SETTINGS = ("SmsAuthenticationMessage", "SmsConfiguration")
_FACTORS = ("SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration")


def _load(backend: Backend, pool_id: str) -> dict[str, Any] | None:
    return backend.store.get_pool_mfa_config(pool_id)


def forget(backend: Backend, pool_id: str) -> None:
    """Drop a deleted pool's MFA configuration."""
    backend.store.delete_pool_mfa_config(pool_id)


def describe_mfa(backend: Backend, pool: dict[str, Any]) -> dict[str, Any]:
    """The GetUserPoolMfaConfig answer for a stored pool."""
    mode = str(pool.get("MfaConfiguration") or "OFF")
    stored = _load(backend, pool["Id"])
    result: dict[str, Any] = {"MfaConfiguration": mode}
    if mode != "OFF":
        sms_on = bool(stored["Sms"]) if stored is not None else True
        if sms_on:
            result["SmsMfaConfiguration"] = {k: pool[k] for k in _SMS_SETTINGS if k in pool}
        for key in ("SoftwareTokenMfaConfiguration", "EmailMfaConfiguration"):
            if stored is not None and stored.get(key) is not None:
                result[key] = stored[key]
    if stored is not None and stored.get("WebAuthnConfiguration") is not None:
        result["WebAuthnConfiguration"] = stored["WebAuthnConfiguration"]
    return result


@OPERATIONS.operation("GetUserPoolMfaConfig")
def get_user_pool_mfa_config(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """GetUserPoolMfaConfig."""
    return describe_mfa(backend, pool_or_error(backend, str_param(body, "UserPoolId")))


@OPERATIONS.operation("SetUserPoolMfaConfig")
def set_user_pool_mfa_config(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """SetUserPoolMfaConfig: replaces the factors; the mode and SMS settings go to the pool."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    mode = body.get("MfaConfiguration") or pool.get("MfaConfiguration") or "OFF"
    sms, totp, email = (body.get(key) for key in _FACTORS)
    if mode == "OFF" and any(factor is not None for factor in (sms, totp, email)):
        raise errors.InvalidParameterException(OFF_WITH_FACTOR)
    totp_on = isinstance(totp, dict) and totp.get("Enabled") is True
    if mode != "OFF" and sms is None and not totp_on and email is None:
        raise errors.InvalidParameterException(NO_FACTOR)
    previous = _load(backend, pool["Id"]) or {}
    stored: dict[str, Any] = {
        "Sms": sms is not None,
        "SoftwareTokenMfaConfiguration": totp,
        "EmailMfaConfiguration": email,
        "WebAuthnConfiguration": body.get("WebAuthnConfiguration")
        or previous.get("WebAuthnConfiguration"),
    }
    updated = dict(pool)
    updated["MfaConfiguration"] = mode
    if isinstance(sms, dict):
        updated.update({key: sms[key] for key in _SMS_SETTINGS if sms.get(key) is not None})
    now = backend.now()
    updated["LastModifiedDate"] = now
    with backend.store.transaction():
        backend.store.put_pool(pool["Id"], updated["Name"], updated, now)
        backend.store.put_pool_mfa_config(pool["Id"], stored)
    return describe_mfa(backend, updated)
