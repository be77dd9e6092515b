"""A ``boto3.Session`` whose credentials come from an identity pool through an ``Auth``.

botocore's own refresh machinery does the work: the session's only credential provider returns
``DeferredRefreshableCredentials`` whose refresh function is ``auth.fetch_aws_credentials()``.
botocore calls it on first use and again when fewer than 15 minutes are left (its advisory
window); ``Auth`` answers from its cache until its own refresh point (15 minutes ahead, or a
quarter of a shorter lifetime) and otherwise fetches new credentials in a single flight, so many
threads and clients sharing the session cause one ``GetCredentialsForIdentity``. Credentials are
the signed-in user's, or a guest's when nobody is signed in (as ``fetch_auth_session``).
Needs the ``pyamplify[boto3]`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyamplify.auth.credentials import iso8601
from pyamplify.auth.errors import MissingDependencyError

if TYPE_CHECKING:
    from pyamplify.auth import Auth

#: How botocore names where these credentials came from (``credentials.method``).
METHOD = "pyamplify-identity-pool"


def _import_boto3() -> tuple[Any, Any, Any]:
    try:
        import boto3
        import botocore.credentials
        import botocore.session
    except ImportError as missing:
        raise MissingDependencyError(
            f"boto3_session() needs boto3 ({missing.name} is not installed); install it with: "
            "pip install 'pyamplify[boto3]'"
        ) from None
    return boto3, botocore.credentials, botocore.session


def boto3_session(auth: Auth, region_name: str | None = None) -> Any:
    """A ``boto3.Session`` signing with ``auth``'s identity-pool credentials, refreshed as
    needed; ``region_name`` defaults to the identity pool's region."""
    from pyamplify.auth._identity_core import no_identity_pool

    identity_pool = auth.config.identity_pool
    if identity_pool is None:
        raise no_identity_pool(auth.config)
    boto3, credentials_module, session_module = _import_boto3()

    def refresh() -> dict[str, str]:
        credentials = auth.fetch_aws_credentials()
        return {
            "access_key": credentials.access_key_id,
            "secret_key": credentials.secret_access_key,
            "token": credentials.session_token,
            "expiry_time": iso8601(credentials.expires_at),
        }

    refreshable = credentials_module.DeferredRefreshableCredentials(
        refresh_using=refresh, method=METHOD
    )

    class IdentityPoolProvider:
        """The session's one credential provider (botocore's provider interface: ``METHOD``,
        ``CANONICAL_NAME``, ``load()``): this Auth's identity pool."""

        METHOD = METHOD
        CANONICAL_NAME = "PyamplifyIdentityPool"

        def load(self) -> Any:
            return refreshable

    core = session_module.Session()
    core.register_component(
        "credential_provider", credentials_module.CredentialResolver([IdentityPoolProvider()])
    )
    return boto3.Session(botocore_session=core, region_name=region_name or identity_pool.region)
