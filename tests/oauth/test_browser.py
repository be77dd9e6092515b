"""The Hosted UI in Debian's Chromium, driven by Playwright (``/usr/bin/chromium``, installed by
scripts/setup-browser.sh; no downloaded browser): sign-up with the outbox code, sign-in, TOTP
set-up and code, consent, the redirect to ``sign_in_with_web_ui``'s loopback listener, ``whoami``
in a new process, sign-out through ``/logout``, and federation through the built-in test
provider. Every page is screenshotted into ``test-artifacts/hosted-ui/`` (phone and desktop
widths for the sign-in page); a failure says where they are.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.oauth.hosted import HostedPool, make_hosted_pool
from tests.oauth.test_web_sign_in import config_for

from debian_chromium import launched, sync_api_or_skip
from pyamplify.auth import Auth
from pyamplify.config import write_config
from pyamplify.storage import FileStore

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "hosted-ui"
PASSWORD = "Passw0rd!"

sync_api = sync_api_or_skip()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launched(sync_api) as browser:
        yield browser


class Shots:
    """Screenshots of every page, named in order; a failing test names the folder."""

    def __init__(self, name: str) -> None:
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, page: Any, label: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{label}.png"), full_page=True)


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Iterator[Shots]:
    made = Shots(request.node.name)
    failed_before = request.session.testsfailed
    yield made
    if request.session.testsfailed > failed_before:
        print(f"\nHosted UI screenshots of {request.node.name}: {made.folder}", file=sys.stderr)


class InBackground:
    """Runs a library call on a thread; its ``open_url`` hands URLs to the test's browser."""

    def __init__(self) -> None:
        self.urls: queue.Queue[str] = queue.Queue()
        self.result: Any = None
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def open_url(self, url: str) -> bool:
        self.urls.put(url)
        return True

    def start(self, call: Callable[[Callable[[str], bool]], Any]) -> str:
        def run() -> None:
            try:
                self.result = call(self.open_url)
            except BaseException as error:  # handed to the test
                self.error = error

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 60  # generous: a loaded 2-core machine is slow
        while time.monotonic() < deadline:
            try:
                return self.urls.get(timeout=0.1)
            except queue.Empty:
                if self.thread.is_alive():
                    continue
                if self.error is not None:  # say what went wrong instead of timing out
                    raise self.error from None
                raise AssertionError(
                    f"the call ended without opening a URL: {self.result!r}"
                ) from None
        raise AssertionError("the call opened no URL within 60 s")

    def finish(self) -> Any:
        assert self.thread is not None
        self.thread.join(timeout=30)
        if self.error is not None:
            raise self.error
        return self.result


def _outbox_code(url: str, username: str) -> str:
    items = httpx.get(f"{url}/_local/outbox", params={"username": username}).json()
    return str(items[-1]["code"])


def test_sign_up_mfa_consent_whoami_and_sign_out(
    chromium: Any, shots: Shots, cognito_idp: Any, local_cognito: Any, tmp_path: Path
) -> None:
    import pyotp

    hosted: HostedPool = make_hosted_pool(cognito_idp, local_cognito.url)
    cognito_idp.set_user_pool_mfa_config(
        UserPoolId=hosted.pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="ON",
    )
    config = config_for(hosted, local_cognito.url)
    config_file = tmp_path / "amplifyconfiguration.json"
    write_config(config, config_file)
    env = {**os.environ, "PYAMPLIFY_STORE": "file", "PYAMPLIFY_DATA_DIR": str(tmp_path / "data")}
    store = FileStore(tmp_path / "data" / "sessions")
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    auth = Auth(config, store=store)
    flow = InBackground()
    url = flow.start(
        lambda opener: auth.sign_in_with_web_ui(prompt="consent", open_url=opener, timeout=60)
    )
    page.goto(url)
    shots(page, "sign-in")
    phone = context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(page.url)
    shots(phone, "sign-in-phone")
    phone.close()
    page.get_by_role("link", name="Need an account? Sign up").click()
    shots(page, "sign-up")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_role("button", name="Sign up").click()
    shots(page, "confirm-sign-up")
    page.get_by_label("Confirmation code").fill(_outbox_code(local_cognito.url, "dana"))
    page.get_by_role("button", name="Confirm account").click()
    assert "confirmed" in page.content()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    shots(page, "totp-setup")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verify").click()
    shots(page, "consent")
    assert "Your email address" in page.content()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_load_state()
    shots(page, "signed-in")
    assert "close this tab" in page.content()
    assert flow.finish().is_signed_in

    whoami = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyamplify",
            "auth",
            "whoami",
            "--config",
            str(config_file),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert whoami.returncode == 0, whoami.stderr
    assert json.loads(whoami.stdout)["username"] == "dana"

    out = InBackground()
    page.goto(out.start(lambda opener: auth.sign_out(open_url=opener)))
    page.wait_for_load_state()
    shots(page, "signed-out")
    assert "Signed out" in page.content()
    assert out.finish().is_complete

    again = InBackground()
    page.goto(again.start(lambda opener: auth.sign_in_with_web_ui(open_url=opener, timeout=60)))
    assert "Sign in" in page.content()  # /logout ended the browser session
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    shots(page, "totp-code")
    # The next step's code (inside the window): the setup's is used up, a code is good once.
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert again.finish().is_signed_in
    auth.sign_out(open_browser=False, open_url=lambda _: False)
    auth.close()
    context.close()


def test_federated_sign_in_through_the_test_provider(
    chromium: Any,
    shots: Shots,
    cognito_idp: Any,
    local_cognito: Any,
    make_boto3_client: Any,
    tmp_path: Path,
) -> None:
    hosted = make_hosted_pool(cognito_idp, local_cognito.url)
    cognito_idp.create_identity_provider(
        UserPoolId=hosted.pool_id,
        ProviderName="TestIdP",
        ProviderType="OIDC",
        ProviderDetails={
            "client_id": "pool-client",
            "client_secret": "s",
            "authorize_scopes": "openid email profile",
            "oidc_issuer": f"{local_cognito.url}/_test_idp",
            "attributes_request_method": "GET",
        },
        AttributeMapping={"email": "email", "name": "name"},
    )
    cognito_idp.update_user_pool_client(
        UserPoolId=hosted.pool_id,
        ClientId=hosted.client_id,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        CallbackURLs=["http://127.0.0.1:53682/callback"],
        LogoutURLs=["http://127.0.0.1:53682/signed-out"],
        SupportedIdentityProviders=["COGNITO", "TestIdP"],
    )
    context = chromium.new_context()
    page = context.new_page()
    with Auth(
        config_for(hosted, local_cognito.url),
        store=FileStore(
            local_cognito_dir := Path(os.environ.get("TMPDIR", "/tmp")) / f"fed-{hosted.domain}"
        ),
    ) as auth:
        del local_cognito_dir
        flow = InBackground()
        page.goto(flow.start(lambda opener: auth.sign_in_with_web_ui(open_url=opener, timeout=60)))
        shots(page, "sign-in-with-providers")
        page.get_by_role("link", name="Sign in with TestIdP").click()
        shots(page, "test-provider")
        page.get_by_role("button", name="Continue as Alice Example").click()
        page.wait_for_load_state()
        assert flow.finish().is_signed_in
        tokens = auth.fetch_auth_session().tokens
        assert tokens is not None
        claims = tokens.id_token.claims
        assert claims["email"] == "alice@example.com" and claims["cognito:username"].startswith(
            "TestIdP_"
        )
        assert claims["identities"][0]["providerName"] == "TestIdP"
        identity = make_boto3_client("cognito-identity", local_cognito.url)
        pool = identity.create_identity_pool(
            IdentityPoolName="fed",
            AllowUnauthenticatedIdentities=False,
            CognitoIdentityProviders=[
                {
                    "ProviderName": f"cognito-idp.us-east-1.amazonaws.com/{hosted.pool_id}",
                    "ClientId": hosted.client_id,
                }
            ],
        )
        logins = {f"cognito-idp.us-east-1.amazonaws.com/{hosted.pool_id}": tokens.id_token.token}
        assert identity.get_id(IdentityPoolId=pool["IdentityPoolId"], Logins=logins)["IdentityId"]
        user = cognito_idp.admin_get_user(
            UserPoolId=hosted.pool_id, Username=claims["cognito:username"]
        )
        assert user["UserStatus"] == "EXTERNAL_PROVIDER"
        auth.sign_out(open_browser=False, open_url=lambda _: False)
    context.close()
