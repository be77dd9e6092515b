"""boto3 clients for the Cognito management API, and AWS errors turned into instructions.

``import auth`` and ``doctor`` read pools through ``cognito-idp`` and ``cognito-identity`` with
the user's own AWS identity: ``--aws-profile`` (else ``AWS_PROFILE`` / the default chain),
``--region`` (else the profile's or ``AWS_REGION``), ``--endpoint-url`` (else boto3's
``AWS_ENDPOINT_URL*`` variables), exactly as the AWS CLI resolves them. A call that fails
becomes an :class:`~pyamplify.provision.errors.AwsCallError` whose message names the API call
and the IAM action to grant (``cognito-identity:GetIdentityPoolRoles`` is the classic trap:
the Amplify CLI fails on it with a bare AccessDenied, amplify-cli#7366).

For an endpoint on this machine (the local Cognito) with no AWS credentials configured anywhere,
placeholder credentials are used: the local Cognito accepts any signature, and a developer
should not need an AWS account to try pyamplify against it.

boto3 is an optional dependency (``pyamplify[boto3]``); it is imported when the first client
is made, and its absence is a :class:`~pyamplify.provision.errors.Boto3MissingError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pyamplify.provision.errors import (
    AwsAccessDenied,
    AwsCallError,
    AwsResourceNotFound,
    Boto3MissingError,
    ProvisionError,
)

#: boto3 service names and the IAM service prefixes of their actions.
IDP = "cognito-idp"
IDENTITY = "cognito-identity"

_ACCESS_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"}
)
_BAD_CREDENTIALS = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "MissingAuthenticationTokenException",
        "IncompleteSignature",
    }
)
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass(frozen=True)
class AwsSettings:
    """Where and as whom to call AWS: the ``--aws-profile``, ``--region`` and ``--endpoint-url``."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None

    def who(self) -> str:
        """How the caller's identity was chosen, for messages (``profile 'dev'``)."""
        return f"profile '{self.profile}'" if self.profile else "your default AWS credentials"


def iam_action(service: str, operation: str) -> str:
    """The IAM action of a Cognito API call: the service prefix and the operation name."""
    return f"{service}:{operation}"


def method_name(operation: str) -> str:
    """boto3's method for an operation: ``GetIdentityPoolRoles`` -> ``get_identity_pool_roles``."""
    return _CAMEL.sub("_", operation).lower()


def _import_boto3() -> Any:
    try:
        import boto3
    except ImportError:
        raise Boto3MissingError() from None
    return boto3


class CognitoApi:
    """The two Cognito management clients for one identity, made per region when first used."""

    def __init__(self, settings: AwsSettings) -> None:
        boto3 = _import_boto3()
        import botocore.exceptions

        self.settings = settings
        try:
            self._session = boto3.session.Session(profile_name=settings.profile)
        except botocore.exceptions.ProfileNotFound:
            raise ProvisionError(
                f"the AWS profile '{settings.profile}' does not exist: check the name with "
                "`aws configure list-profiles`, or create it with `aws configure --profile "
                f"{settings.profile}`"
            ) from None
        self._clients: dict[tuple[str, str], Any] = {}
        endpoint = settings.endpoint_url or os.environ.get(
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", os.environ.get("AWS_ENDPOINT_URL")
        )
        self._placeholder_credentials = (
            _is_loopback(endpoint) and self._session.get_credentials() is None
        )

    @property
    def region(self) -> str:
        """The region to use when the resources do not name one (``--region``, then profile)."""
        region = self.settings.region or self._session.region_name
        if not region:
            raise ProvisionError(
                "no AWS region: pass --region (e.g. --region us-east-1), set AWS_REGION, or "
                "set a region in your AWS profile (`aws configure`)"
            )
        return str(region)

    def client(self, service: str, region: str | None = None) -> Any:
        """The boto3 client of ``service`` in ``region`` (default: :attr:`region`)."""
        where = region or self.region
        key = (service, where)
        if key not in self._clients:
            from botocore.config import Config

            extra: dict[str, Any] = {}
            if self._placeholder_credentials:
                extra = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
            self._clients[key] = self._session.client(
                service,
                region_name=where,
                endpoint_url=self.settings.endpoint_url,
                config=Config(
                    retries={"max_attempts": 3, "mode": "standard"},
                    connect_timeout=10,
                    read_timeout=30,
                ),
                **extra,
            )
        return self._clients[key]

    def call(
        self, service: str, operation: str, region: str | None = None, **params: Any
    ) -> dict[str, Any]:
        """Run one API call; failures become :class:`AwsCallError` naming the IAM action."""
        import botocore.exceptions

        client = self.client(service, region)
        action = iam_action(service, operation)
        try:
            response = getattr(client, method_name(operation))(**params)
        except botocore.exceptions.ClientError as error:
            raise translate_client_error(error.response, action, self.settings) from None
        except botocore.exceptions.NoCredentialsError:
            raise ProvisionError(
                f"no AWS credentials found for {action}: run `aws configure` (or `aws sso "
                "login`), pass --aws-profile NAME, or set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY"
            ) from None
        except botocore.exceptions.EndpointConnectionError as error:
            raise ProvisionError(
                f"cannot reach the {service} endpoint for {action} "
                f"({error.kwargs.get('endpoint_url')}): check your network, --region and "
                "--endpoint-url"
            ) from None
        except (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError) as error:
            raise ProvisionError(
                f"the connection to {service} failed during {action}: {error}; check your "
                "network and --endpoint-url, then try again"
            ) from None
        except botocore.exceptions.BotoCoreError as error:
            raise ProvisionError(f"{action} failed before reaching AWS: {error}") from None
        response.pop("ResponseMetadata", None)
        return dict(response)

    def pages(
        self,
        service: str,
        operation: str,
        items_key: str,
        region: str | None = None,
        **params: Any,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paged list call (``NextToken``), page after page."""
        token: str | None = None
        while True:
            request = dict(params)
            if token:
                request["NextToken"] = token
            page = self.call(service, operation, region, **request)
            yield from page.get(items_key) or []
            token = page.get("NextToken")
            if not token:
                return


def translate_client_error(
    response: dict[str, Any], action: str, settings: AwsSettings
) -> AwsCallError:
    """Turn a botocore error response into a message naming the call and what to do."""
    error = response.get("Error") or {}
    code = str(error.get("Code") or "Unknown")
    said = str(error.get("Message") or "").strip()
    operation = action.partition(":")[2]
    aws_said = f" AWS said: {said}" if said else ""
    if code in _ACCESS_DENIED or (
        code == "NotAuthorizedException" and "not authorized to perform" in said
    ):
        return AwsAccessDenied(
            f"AWS denied the {operation} call: the IAM identity of {settings.who()} lacks the "
            f"permission {action}. Grant {action} to it (an IAM policy statement with "
            f'"Action": "{action}"), or use a profile that has it.{aws_said}',
            action=action,
            code=code,
        )
    if code in _BAD_CREDENTIALS:
        return AwsCallError(
            f"AWS rejected the credentials of {settings.who()} on the {operation} call "
            f"({code}): they are unknown, expired or for another partition. Refresh them "
            f"(`aws sso login`, `aws configure`) or pass another --aws-profile.{aws_said}",
            action=action,
            code=code,
        )
    if code == "ResourceNotFoundException":
        return AwsResourceNotFound(
            f"{operation} found nothing: {said or 'the resource does not exist'}",
            action=action,
            code=code,
        )
    if code in ("TooManyRequestsException", "ThrottlingException", "LimitExceededException"):
        return AwsCallError(
            f"AWS throttled the {operation} call ({code}); wait a little and try again.{aws_said}",
            action=action,
            code=code,
        )
    return AwsCallError(f"the {operation} call failed: {code}.{aws_said}", action=action, code=code)


def _is_loopback(url: str | None) -> bool:
    if not url:
        return False
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host in _LOOPBACK
