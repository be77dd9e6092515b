"""STS ``GetCallerIdentity`` signed with pyamplify's own SigV4 signer, without boto3.

The one STS call worth having in the client: it proves a set of credentials works and says
whose they are (``arn:aws:sts::<account>:assumed-role/<role>/CognitoIdentityCredentials`` for
identity-pool credentials). STS speaks the query protocol: ``POST /`` with the form body
``Action=GetCallerIdentity&Version=2011-06-15``, XML answers, XML errors
(``<ErrorResponse><Error><Code>…``). The demo uses it so that it needs only ``pyamplify[local]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree

from pyamplify.errors import PyamplifyError
from pyamplify.wire.sigv4 import AwsCredentials, sign

STS_VERSION = "2011-06-15"
_NS = f"{{https://sts.amazonaws.com/doc/{STS_VERSION}/}}"
_BODY = f"Action=GetCallerIdentity&Version={STS_VERSION}".encode()


class StsError(PyamplifyError):
    """STS refused the call; ``code`` and ``message`` are STS's own."""

    def __init__(self, code: str, message: str, status: int) -> None:
        self.code = code
        self.message = message
        self.status = status
        super().__init__(f"{code}: {message}" if message else code)


@dataclass(frozen=True)
class CallerIdentity:
    """Whose credentials these are, as STS says."""

    arn: str
    user_id: str
    account: str


def sts_endpoint(region: str) -> str:
    """STS's regional endpoint (the AWS default)."""
    return f"https://sts.{region}.amazonaws.com/"


def get_caller_identity(
    credentials: AwsCredentials,
    *,
    region: str,
    url: str | None = None,
    timeout: float = 10.0,
) -> CallerIdentity:
    """Call ``GetCallerIdentity`` with ``credentials``; raises :class:`StsError` on refusal."""
    import httpx

    from pyamplify.wire.errors import ConnectError, ProtocolError
    from pyamplify.wire.transport import transport_error_reason

    endpoint = url or sts_endpoint(region)
    headers = sign(
        endpoint,
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        _BODY,
        credentials=credentials,
        region=region,
        service="sts",
    )
    try:
        response = httpx.post(endpoint, content=_BODY, headers=headers, timeout=timeout)
    except httpx.TransportError as error:
        reason = transport_error_reason(error)
        raise ConnectError(f"GetCallerIdentity to {endpoint} failed: {reason}") from None
    root = _xml(response.content)
    if response.status_code != 200:
        code = _text(root, ".//Code") if root is not None else ""
        message = _text(root, ".//Message") if root is not None else ""
        if not code:
            raise ProtocolError(f"STS answered HTTP {response.status_code} without an error code")
        raise StsError(code, message, response.status_code)
    result = root.find(f"{_NS}GetCallerIdentityResult") if root is not None else None
    if result is None:
        raise ProtocolError("STS answered 200 without a GetCallerIdentityResult")
    return CallerIdentity(
        arn=_text(result, f"{_NS}Arn"),
        user_id=_text(result, f"{_NS}UserId"),
        account=_text(result, f"{_NS}Account"),
    )


def _xml(content: bytes) -> ElementTree.Element | None:
    try:
        return ElementTree.fromstring(content)
    except ElementTree.ParseError:
        return None


def _text(element: ElementTree.Element, path: str) -> str:
    found = element.find(path)
    if found is None:  # error documents may or may not use the namespace
        found = element.find(path.replace(".//", f".//{_NS}"))
    return (found.text or "").strip() if found is not None else ""
