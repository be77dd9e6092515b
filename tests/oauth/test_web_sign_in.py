"""``sign_in_with_web_ui`` end to end against the local Cognito, with a scripted browser.

The "browser" is httpx filling the Hosted UI's pages (tests/oauth/hosted.py) on another thread
and finally requesting the redirect URI, so the real loopback listener, PKCE, state and nonce
checks and the token endpoint all run. The Chromium tests (test_browser.py) do the same with a
real browser.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from tests.oauth.hosted import LOGOUT, REDIRECT, Browser, HostedPool, make_hosted_pool

from pyamplify.auth import AsyncAuth, Auth
from pyamplify.config import AuthConfig, OAuthConfig, UserPoolConfig
from pyamplify.oauth.errors import StateMismatchError
from pyamplify.storage import MemoryStore

pytestmark = pytest.mark.e2e
PASSWORD = "Passw0rd!"


@pytest.fixture
def hosted(cognito_idp: Any, local_cognito: Any, new_user: Any) -> HostedPool:
    made = make_hosted_pool(cognito_idp, local_cognito.url)
    new_user(
        made.pool_id, "carol", PASSWORD, {"email": "carol@example.com", "email_verified": "true"}
    )
    return made


def config_for(hosted: HostedPool, url: str) -> AuthConfig:
    return AuthConfig(
        user_pool=UserPoolConfig(
            pool_id=hosted.pool_id, app_client_id=hosted.client_id, region="us-east-1", endpoint=url
        ),
        oauth=OAuthConfig(
            web_domain=hosted.base,
            app_client_id=hosted.client_id,
            sign_in_redirect_uris=(REDIRECT,),
            sign_out_redirect_uris=(LOGOUT,),
            scopes=("openid", "email", "aws.cognito.signin.user.admin"),
        ),
    )


class ScriptedBrowser:
    """``open_url`` for the library: signs in on the pages, then follows the redirect to the
    loopback listener (first with a forged state, which the listener must ignore)."""

    def __init__(self, server_url: str, forge_first: bool = False) -> None:
        self.server_url = server_url
        self.forge_first = forge_first
        self.opened: list[str] = []
        self.thread: threading.Thread | None = None
        self.errors: list[BaseException] = []

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        self.thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self.thread.start()
        return True

    def _run(self, url: str) -> None:
        browser = Browser(self.server_url)
        try:
            page = browser.get(url)
            if "/logout" in url:
                location = page.headers["location"]
            else:
                answer = browser.submit(page, {"username": "carol", "password": PASSWORD})
                location = answer.headers["location"]
            if self.forge_first and "/logout" not in url:  # sign-out redirects carry no state
                forged = httpx.get(location.replace("state=", "state=forged"))
                assert forged.status_code == 400
            done = httpx.get(location)
            assert done.status_code == 200 and "close this tab" in done.text
        except BaseException as error:  # reported by the test
            self.errors.append(error)
        finally:
            browser.close()


def test_web_sign_in_refresh_and_sign_out(hosted: HostedPool, local_cognito: Any) -> None:
    store = MemoryStore()
    browser = ScriptedBrowser(local_cognito.url, forge_first=True)
    events: list[str] = []
    with Auth(config_for(hosted, local_cognito.url), store=store) as auth:
        auth.events.subscribe(lambda event: events.append(event.name))
        result = auth.sign_in_with_web_ui(open_url=browser, timeout=20)
        assert browser.errors == []
        assert result.is_signed_in
        session = auth.fetch_auth_session()
        assert session.tokens is not None
        assert (
            session.tokens.access_token.claims["scope"]
            == "openid email aws.cognito.signin.user.admin"
        )
        assert "nonce" in session.tokens.id_token.claims
        assert auth.get_current_user().username == "carol"
        assert auth.fetch_user_attributes()["email"] == "carol@example.com"  # admin scope: GetUser
        refreshed = auth.fetch_auth_session(force_refresh=True)
        assert refreshed.tokens is not None
        assert refreshed.tokens.access_token.claims["scope"].split()[0] == "openid"
        refresh_token = refreshed.tokens.refresh_token
        out = auth.sign_out(open_url=browser)
        assert out.is_complete, out
        assert browser.errors == []
        assert "/logout?" in browser.opened[-1]
    assert events[:1] == ["signed_in"] and "signed_out" in events
    again = httpx.post(
        f"{hosted.base}/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": hosted.client_id,
            "refresh_token": refresh_token,
        },
    )
    assert again.json() == {"error": "invalid_grant"}  # revoked at /oauth2/revoke


def test_headless_paste_checks_state(hosted: HostedPool, local_cognito: Any) -> None:
    shown: list[str] = []

    def paste_forged() -> str:
        return f"{REDIRECT}?code=abc&state=not-ours"

    with Auth(config_for(hosted, local_cognito.url), store=MemoryStore()) as auth:
        with pytest.raises(StateMismatchError):
            auth.sign_in_with_web_ui(
                open_browser=False, show_url=shown.append, read_redirect=paste_forged
            )
        assert shown and "/oauth2/authorize?" in shown[0]

        def paste_real() -> str:
            browser = Browser(local_cognito.url)
            try:
                page = browser.get(shown[-1])
                answer = browser.submit(page, {"username": "carol", "password": PASSWORD})
                return str(answer.headers["location"])
            finally:
                browser.close()

        result = auth.sign_in_with_web_ui(
            open_browser=False, show_url=shown.append, read_redirect=paste_real
        )
        assert result.is_signed_in


def test_async_twin_signs_in_through_the_browser(hosted: HostedPool, local_cognito: Any) -> None:
    import asyncio

    async def run() -> None:
        browser = ScriptedBrowser(local_cognito.url)
        auth = AsyncAuth(config_for(hosted, local_cognito.url), store=MemoryStore())
        result = await auth.sign_in_with_web_ui(open_url=browser, timeout=20)
        assert result.is_signed_in and browser.errors == []
        user = await auth.get_current_user()
        assert user.username == "carol"
        out = await auth.sign_out(open_browser=False)
        assert out.is_complete

    asyncio.run(run())


def test_client_credentials_token_is_cached(cognito_idp: Any, local_cognito: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="m2m")["UserPool"]["Id"]
    cognito_idp.create_user_pool_domain(UserPoolId=pool_id, Domain="m2m-cache")
    cognito_idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="orders",
        Name="o",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}],
    )
    client = cognito_idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="job",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read"],
    )["UserPoolClient"]
    config = AuthConfig(
        user_pool=UserPoolConfig(
            pool_id=pool_id,
            app_client_id=client["ClientId"],
            region="us-east-1",
            endpoint=local_cognito.url,
            app_client_secret=client["ClientSecret"],
        ),
        oauth=OAuthConfig(
            web_domain=f"{local_cognito.url}/_domain/m2m-cache",
            app_client_id=client["ClientId"],
            sign_in_redirect_uris=(REDIRECT,),
            sign_out_redirect_uris=(LOGOUT,),
            scopes=("orders/read",),
            app_client_secret=client["ClientSecret"],
        ),
    )
    with Auth(config, store=MemoryStore()) as auth:
        results: list[str] = []
        threads = [
            threading.Thread(
                target=lambda: results.append(
                    str(auth.fetch_client_credentials_token(["orders/read"]))
                )
            )
            for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(results)) == 1  # one token for all: single flight and cache
        token = auth.fetch_client_credentials_token(["orders/read"])
        assert str(token) == results[0] and token.scopes == ("orders/read",)
        assert "access_token" not in repr(token) and results[0] not in repr(token)


def test_a_configuration_imported_from_the_local_cognito_signs_in_on_the_web(
    hosted: HostedPool,
    local_cognito: Any,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``import auth --endpoint-url`` names a WebDomain this machine reaches as written."""
    from pyamplify.cli.main import main
    from pyamplify.config import load_config

    for name, value in (("AWS_ACCESS_KEY_ID", "AKIDLOCAL"), ("AWS_SECRET_ACCESS_KEY", "x")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    path = tmp_path / "amplifyconfiguration.json"
    argv = ["import", "auth", "--user-pool-id", hosted.pool_id]
    argv += ["--native-client-id", hosted.client_id]
    code = main([*argv, "--endpoint-url", local_cognito.url, "--output", str(path), "--yes"])
    assert code == 0
    config = load_config(path)
    assert config.oauth is not None
    assert config.oauth.web_domain.startswith(local_cognito.url + "/_domain/")
    browser = ScriptedBrowser(local_cognito.url)
    with Auth(config, store=MemoryStore()) as auth:
        result = auth.sign_in_with_web_ui(open_url=browser, timeout=20)
        assert browser.errors == [] and result.is_signed_in
        assert auth.get_current_user().username == "carol"
