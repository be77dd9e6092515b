"""Reading the Hosted UI's OAuth section of the flat Amplify JS keys and of Gen 2, one way.

``aws-exports.js``'s ``oauth`` and ``amplify_outputs.json``'s ``auth.oauth`` hold the same five
settings under other names (``domain``/``domain``, ``scope``/``scopes``,
``redirectSignIn``/``redirect_sign_in_uri``…), both belong to the user pool's one app client,
and both are read with the same checks; only how the redirect URIs are written differs (a
comma-joined string or an array for Amplify JS, an array for Gen 2), so each format passes its
reader of those. Gen 1's ``OAuth`` names its own app client and reports missing keys first, so
it reads its section itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from pyamplify.config import validate as v
from pyamplify.config.errors import JsonPath
from pyamplify.config.model import OAuthConfig
from pyamplify.config.reading import DocumentReader, JsonObject

#: Reads one member of redirect URIs: ``(reader, oauth, path, key)`` -> the URIs or None.
UriReader = Callable[[DocumentReader, JsonObject, JsonPath, str], tuple[str, ...] | None]


class HostedUiKeys(NamedTuple):
    """The names a format gives the Hosted UI's settings."""

    domain: str
    scopes: str
    sign_in: str
    sign_out: str
    response_type: str


class HostedUiSettings(NamedTuple):
    """The settings as read; ``None`` where a value was wrong (and a problem recorded)."""

    domain: str | None
    scopes: tuple[str, ...] | None
    sign_in: tuple[str, ...] | None
    sign_out: tuple[str, ...] | None
    response_type: str

    def config(self, client_id: str, client_secret: str | None) -> OAuthConfig | None:
        """The ``OAuthConfig`` for the app client, or None when any setting was wrong."""
        if self.domain is None or self.scopes is None:
            return None
        if self.sign_in is None or self.sign_out is None:
            return None
        return OAuthConfig(
            self.domain,
            client_id,
            self.sign_in,
            self.sign_out,
            self.scopes,
            client_secret,
            self.response_type,
        )


def read_hosted_ui(
    reader: DocumentReader, oauth: JsonObject, path: JsonPath, keys: HostedUiKeys, uris: UriReader
) -> HostedUiSettings:
    """Read and check the five settings (the response type is ``code`` when not given)."""
    domain = reader.string(oauth, path, keys.domain, v.WEB_DOMAIN, required=True)
    scopes = reader.string_list(
        oauth, path, keys.scopes, v.SCOPE._replace(example='["openid", "email"]'), required=True
    )
    sign_in = uris(reader, oauth, path, keys.sign_in)
    sign_out = uris(reader, oauth, path, keys.sign_out)
    response_type = reader.choice(oauth, path, keys.response_type, v.RESPONSE_TYPES, '"code"')
    return HostedUiSettings(domain, scopes, sign_in, sign_out, response_type or "code")
