"""The web sign-in (Hosted UI), its sign-out, and client-credentials tokens, for both twins.

Written as operations like the rest (:mod:`pyamplify.auth.operations`): the browser, the
loopback listener, the pasted URL and the token endpoint calls are ``Blocking`` effects
(``AsyncAuth`` runs them on a worker thread), the store work runs under the session's store
lock, and the result is stored like any sign-in (``signed_in`` event; refresh through the API,
identity-pool credentials from the ID token). The session's ``extras["oauth"]`` marks it as a
web sign-in, so ``sign_out`` revokes through ``/oauth2/revoke`` and ends the browser session at
``/logout``.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pyamplify.auth.effects import REFRESH, Blocking, Exclusive, Op, StoreLocked
from pyamplify.auth.errors import AuthValidationError
from pyamplify.auth.operations import (
    _clear_credentials,
    _save_session,
    already_signed_in,
    current_op,
)
from pyamplify.auth.results import DONE, SignInResult
from pyamplify.auth.tokens import JWT
from pyamplify.oauth import http as oauth_http
from pyamplify.oauth import pkce
from pyamplify.oauth.domain import endpoint, with_query
from pyamplify.oauth.errors import OAuthConfigError, OAuthError
from pyamplify.oauth.loopback import LoopbackReceiver, is_loopback_redirect
from pyamplify.oauth.redirect import code_of

if TYPE_CHECKING:
    from pyamplify.auth._core import AuthCore
    from pyamplify.auth._identity_core import IdentityCore
    from pyamplify.config import OAuthConfig

#: How a web session is marked in ``StoredSession.extras``.
OAUTH_EXTRA = "oauth"
WEB_FLOW = "HOSTED_UI"
#: How long the loopback listener waits for the browser (a person is typing).
DEFAULT_TIMEOUT = 300.0


def _print_url(url: str) -> None:
    import sys

    print(f"Open this address in a browser to sign in:\n\n    {url}\n", file=sys.stderr)


def _read_pasted() -> str:
    return input("Then paste the address the browser ended on (it starts with the redirect URI): ")


@dataclass(frozen=True, repr=False)
class WebSignInPlan:
    """One web sign-in's request: the URL to open and the secrets to check the answer with."""

    authorize_url: str
    redirect_uri: str
    state: str
    nonce: str
    verifier: str
    scopes: tuple[str, ...]

    def __repr__(self) -> str:
        return f"WebSignInPlan({self.redirect_uri})"


def oauth_of(core: AuthCore) -> OAuthConfig:
    """The configuration's OAuth block, refused when the web sign-in cannot use it."""
    oauth = core.config.oauth
    if oauth is None:
        raise OAuthConfigError(
            "the configuration has no OAuth (Hosted UI) section: add Auth.Default.OAuth "
            "(Gen 1) or auth.oauth (Gen 2), e.g. with `pyamplify import auth`"
        )
    if oauth.app_client_id != core.context.client_id:
        raise OAuthConfigError(
            f"the OAuth AppClientId {oauth.app_client_id} differs from the user pool's app "
            f"client {core.context.client_id}: pyamplify signs in and refreshes through one "
            "client; make them the same"
        )
    return oauth


def plan_web_sign_in(
    oauth: OAuthConfig,
    *,
    loopback: bool,
    provider: str | None,
    scopes: Sequence[str] | None,
    prompt: str | None,
) -> WebSignInPlan:
    """Pick the redirect URI and build the authorize URL with PKCE, state and nonce."""
    uris = list(oauth.sign_in_redirect_uris)
    loopbacks = [uri for uri in uris if is_loopback_redirect(uri)]
    redirect_uri = loopbacks[0] if loopback and loopbacks else uris[0]
    chosen = tuple(scopes) if scopes else tuple(oauth.scopes)
    if "openid" not in chosen:
        raise AuthValidationError("a web sign-in needs the openid scope (for the ID token)")
    verifier, state, nonce = pkce.new_verifier(), pkce.new_state(), pkce.new_nonce()
    params = {
        "response_type": "code",
        "client_id": oauth.app_client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(chosen),
        "state": state,
        "nonce": nonce,
        "code_challenge": pkce.challenge_of(verifier),
        "code_challenge_method": "S256",
    }
    if provider:
        params["identity_provider"] = provider
    if prompt:
        params["prompt"] = prompt.lower()
    url = with_query(endpoint(oauth.web_domain, "/oauth2/authorize"), params)
    return WebSignInPlan(url, redirect_uri, state, nonce, verifier, chosen)


def sign_in_with_web_ui_op(
    core: AuthCore,
    identity: IdentityCore | None,
    *,
    provider: str | None,
    scopes: Sequence[str] | None,
    prompt: str | None,
    open_browser: bool,
    timeout: float,
    open_url: Callable[[str], bool] | None,
    show_url: Callable[[str], None] | None,
    read_redirect: Callable[[], str] | None,
) -> Op[SignInResult]:
    """``sign_in_with_web_ui``: browser + loopback listener, or the printed URL and the pasted
    redirect; then the code for tokens (PKCE), the nonce checked, the session stored."""
    cached = yield from current_op(core)
    if cached is not None:
        raise already_signed_in(cached, core.profile)
    oauth = oauth_of(core)
    plan = plan_web_sign_in(
        oauth, loopback=open_browser, provider=provider, scopes=scopes, prompt=prompt
    )
    redirected: str | None = None
    if open_browser and is_loopback_redirect(plan.redirect_uri):
        receiver: LoopbackReceiver = yield Blocking(LoopbackReceiver, plan.redirect_uri)
        opened = yield Blocking(open_url or webbrowser.open, plan.authorize_url)
        if opened:
            redirected = yield Blocking(receiver.wait, plan.state, timeout)
        else:
            yield Blocking(receiver.close)
    if redirected is None:
        yield Blocking(show_url or _print_url, plan.authorize_url)
        redirected = yield Blocking(read_redirect or _read_pasted)
    code = code_of(redirected, plan.state)
    request = oauth_http.token_request(
        oauth.web_domain,
        oauth.app_client_id,
        oauth.app_client_secret,
        grant_type="authorization_code",
        code=code,
        redirect_uri=plan.redirect_uri,
        code_verifier=plan.verifier,
    )
    answer: dict[str, Any] = yield Blocking(oauth_http.send, request)
    id_token = JWT.parse(str(answer.get("id_token")))
    if id_token.claims.get("nonce") != plan.nonce:
        raise OAuthError("invalid_nonce", "the ID token does not carry this sign-in's nonce")
    result = {
        "AccessToken": answer["access_token"],
        "IdToken": answer["id_token"],
        "RefreshToken": answer.get("refresh_token"),
    }
    login_id = str(
        id_token.claims.get("email") or id_token.claims.get("cognito:username") or "web user"
    )
    stored = core.stored_from_authentication(result, login_id=login_id, auth_flow_type=WEB_FLOW)
    marker = {"client_id": oauth.app_client_id, "scopes": list(plan.scopes)}
    stored = replace(stored, extras=MappingProxyType({**stored.extras, OAUTH_EXTRA: marker}))
    yield StoreLocked(core.key, _save_session(core, stored))
    yield from _clear_credentials(identity)
    core.signed_in(stored)
    return DONE


def end_web_session_op(
    core: AuthCore,
    refresh_token: str | None,
    *,
    open_browser: bool,
    open_url: Callable[[str], bool] | None,
    show_url: Callable[[str], None] | None,
) -> Op[Exception | None]:
    """The web part of ``sign_out``: revoke at ``/oauth2/revoke``, then ``/logout`` in the
    browser (which holds the Hosted UI's cookie) with the SignOutRedirectURI; returns the
    revocation's error, if any."""
    oauth = core.config.oauth
    if oauth is None:
        return None
    failure: Exception | None = None
    if refresh_token:
        request = oauth_http.revoke_request(
            oauth.web_domain, oauth.app_client_id, oauth.app_client_secret, refresh_token
        )
        try:
            yield Blocking(oauth_http.send, request)
        except Exception as error:  # reported in SignOutResult, like RevokeToken's failures
            failure = error
    uris = list(oauth.sign_out_redirect_uris)
    loopbacks = [uri for uri in uris if is_loopback_redirect(uri)]
    target = loopbacks[0] if loopbacks else uris[0]
    url = with_query(
        endpoint(oauth.web_domain, "/logout"),
        {"client_id": oauth.app_client_id, "logout_uri": target},
    )
    if open_browser and loopbacks:
        receiver: LoopbackReceiver = yield Blocking(LoopbackReceiver, target)
        opened = yield Blocking(open_url or webbrowser.open, url)
        if opened:
            try:
                yield Blocking(receiver.wait, None, 60.0)
            except Exception as error:  # the browser never came back: not fatal
                failure = failure or error
            return failure
        yield Blocking(receiver.close)
    yield Blocking(show_url or _print_logout, url)
    return failure


def _print_logout(url: str) -> None:
    import sys

    print(f"To end the Hosted UI session in your browser, open:\n\n    {url}\n", file=sys.stderr)


# ---------------------------------------------------------------------- client credentials


@dataclass(frozen=True)
class ClientCredentialsToken:
    """An access token of the client-credentials grant (for a back-end job)."""

    access_token: str = field(repr=False)
    expires_at: float
    scopes: tuple[str, ...]

    def __str__(self) -> str:
        return self.access_token


#: Get a new token this long before the cached one expires.
M2M_MARGIN = 60.0


def _m2m_key(core: AuthCore, client_id: str, scopes: Sequence[str]) -> str:
    return f"m2m/{client_id}/{' '.join(sorted(scopes))}"


@dataclass(frozen=True)
class _M2MRequest:
    """One client-credentials token asked for: its store key, where and as which client."""

    key: str
    web_domain: str
    client_id: str
    secret: str = field(repr=False)
    scopes: tuple[str, ...]
    force: bool


def _fresh(core: AuthCore, expires_at: float) -> bool:
    """Whether a token expiring then may still be handed out (not within ``M2M_MARGIN``)."""
    return core.clock() < expires_at - M2M_MARGIN


def client_credentials_op(
    core: AuthCore,
    scopes: Sequence[str],
    client_id: str | None,
    client_secret: str | None,
    force: bool,
) -> Op[ClientCredentialsToken]:
    """``fetch_client_credentials_token``: from memory or the store while fresh, else one
    request for all callers (the object's lock, then the store's lock on the entry)."""
    oauth = core.config.oauth
    if oauth is None:
        raise OAuthConfigError("client credentials need the configuration's OAuth WebDomain")
    client_id = client_id or oauth.app_client_id
    secret = client_secret or oauth.app_client_secret
    if not secret and core.config.user_pool and client_id == core.config.user_pool.app_client_id:
        secret = core.config.user_pool.app_client_secret
    if not secret:
        raise AuthValidationError(
            f"client credentials need app client {client_id}'s secret (AppClientSecret)"
        )
    key = _m2m_key(core, client_id, scopes)
    known: ClientCredentialsToken | None = core.m2m_tokens.get(key)
    if not force and known is not None and _fresh(core, known.expires_at):
        return known
    request = _M2MRequest(key, oauth.web_domain, client_id, secret, tuple(scopes), force)
    token: ClientCredentialsToken = yield Exclusive(REFRESH, _m2m_turn(core, request, known))
    return token


def _m2m_turn(
    core: AuthCore, request: _M2MRequest, seen: ClientCredentialsToken | None
) -> Op[ClientCredentialsToken]:
    known: ClientCredentialsToken | None = core.m2m_tokens.get(request.key)
    if known is not None and known is not seen and _fresh(core, known.expires_at):
        return known  # another caller fetched it while this one waited
    token: ClientCredentialsToken = yield StoreLocked(request.key, _m2m_locked(core, request))
    core.m2m_tokens[request.key] = token
    return token


def _m2m_locked(core: AuthCore, request: _M2MRequest) -> Op[ClientCredentialsToken]:
    scopes = request.scopes
    stored = yield Blocking(core.store.load, request.key)
    if not request.force and stored and _fresh(core, float(stored.get("expires_at", 0))):
        return ClientCredentialsToken(
            str(stored["access_token"]), float(stored["expires_at"]), scopes
        )
    form = {"grant_type": "client_credentials"}
    if scopes:
        form["scope"] = " ".join(scopes)
    http_request = oauth_http.token_request(
        request.web_domain, request.client_id, request.secret, **form
    )
    answer: dict[str, Any] = yield Blocking(oauth_http.send, http_request)
    token = ClientCredentialsToken(
        str(answer["access_token"]), core.clock() + float(answer.get("expires_in", 3600)), scopes
    )
    yield Blocking(
        core.store.save,
        request.key,
        {"access_token": token.access_token, "expires_at": token.expires_at},
    )
    return token
