"""The Host and CORS rules in a real browser: Debian's Chromium through Playwright.

A page served from another origin (``http://evil.example:<port>``, which Chromium's resolver
maps to 127.0.0.1) tries what a review did with curl: call the management plane with a junk
signature and read the outbox. The browser must refuse both (no CORS grant), the server must
never run the management call (the preflight fails first), and a DNS-rebound name must get 403.
A page on ``http://localhost:<port>`` (the default allowed origin) can still use the user plane.
One browser for the module; ``scripts/setup-browser.sh`` installs it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from conftest import PoolClient
from debian_chromium import launched, sync_api_or_skip
from pyamplify.local import LocalCognito

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

sync_api = sync_api_or_skip()
#: evil.example resolves here, as a DNS-rebinding attacker would make it.
REBINDING = ("--host-resolver-rules=MAP evil.example 127.0.0.1",)
JUNK_SIGNATURE = "AWS4-HMAC-SHA256 Credential=AKIDJUNK/20260101/us-east-1/cognito-idp/aws4_request"

# Runs in the page: a JSON 1.1 call, answered as {ok, status, body} or {error} when the browser
# refuses to let the page see it.
CALL = """async ([url, target, body, extra]) => {
  try {
    const answer = await fetch(url + "/", {
      method: "POST",
      headers: {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target, ...extra},
      body: JSON.stringify(body),
    });
    return {ok: true, status: answer.status, body: await answer.text()};
  } catch (error) {
    return {error: String(error)};
  }
}"""
READ = """async (url) => {
  try {
    const answer = await fetch(url);
    return {ok: true, status: answer.status, body: await answer.text()};
  } catch (error) {
    return {error: String(error)};
  }
}"""


class _Blank(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>another origin</title><p>hello</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def pages() -> Iterator[int]:
    """A plain web server for the pages of the other origins; yields its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Blank)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched(sync_api, REBINDING) as chromium:
        yield chromium


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()


IDP = "AWSCognitoIdentityProviderService"


def test_a_page_of_another_origin_cannot_drive_the_management_plane(
    local_cognito: LocalCognito, page: Any, pages: int
) -> None:
    page.goto(f"http://evil.example:{pages}/")
    before = local_cognito.calls["ListUserPools"], local_cognito.calls["AdminSetUserPassword"]
    listed = page.evaluate(
        CALL,
        [
            local_cognito.url,
            f"{IDP}.ListUserPools",
            {"MaxResults": 5},
            {"Authorization": JUNK_SIGNATURE},
        ],
    )
    reset = page.evaluate(
        CALL,
        [
            local_cognito.url,
            f"{IDP}.AdminSetUserPassword",
            {
                "UserPoolId": "us-east-1_x",
                "Username": "a",
                "Password": "Pwned-123!",
                "Permanent": True,
            },
            {"Authorization": JUNK_SIGNATURE},
        ],
    )
    assert "Failed to fetch" in listed.get("error", ""), listed
    assert "Failed to fetch" in reset.get("error", ""), reset
    after = local_cognito.calls["ListUserPools"], local_cognito.calls["AdminSetUserPassword"]
    assert after == before  # the preflight failed: the calls never reached an operation


def test_a_page_of_another_origin_cannot_read_the_outbox(
    local_cognito: LocalCognito, page: Any, pages: int
) -> None:
    page.goto(f"http://evil.example:{pages}/")
    read = page.evaluate(READ, f"{local_cognito.url}/_local/outbox")
    assert "Failed to fetch" in read.get("error", ""), read


def test_a_dns_rebound_name_gets_403_not_the_outbox(local_cognito: LocalCognito, page: Any) -> None:
    """The attacker's name now points here: same-origin for the browser, refused by Host."""
    answer = page.goto(f"http://evil.example:{local_cognito.port}/_local/outbox")
    assert answer is not None and answer.status == 403
    assert "is not a name of this local Cognito" in page.content()
    read = page.evaluate(READ, f"http://evil.example:{local_cognito.port}/_local/outbox")
    assert read.get("status") == 403, read


def test_a_localhost_page_uses_the_user_plane_but_not_the_management_plane(
    local_cognito: LocalCognito,
    page: Any,
    pages: int,
    new_user_pool: Callable[..., PoolClient],
) -> None:
    pool = new_user_pool()
    page.goto(f"http://localhost:{pages}/")
    signed_up = page.evaluate(
        CALL,
        [
            local_cognito.url,
            f"{IDP}.SignUp",
            {"ClientId": pool.client_id, "Username": "browser-user", "Password": "Passw0rd!x"},
            {"X-Amz-User-Agent": "aws-amplify/6.0 js"},
        ],
    )
    assert signed_up.get("status") == 200, signed_up
    assert '"UserConfirmed":false' in signed_up["body"]
    refused = page.evaluate(
        CALL,
        [local_cognito.url, f"{IDP}.InitiateAuth", {"ClientId": "nope", "AuthFlow": "X"}, {}],
    )
    assert refused.get("status") == 400 and "__type" in refused["body"]  # errors are readable
    admin = page.evaluate(
        CALL,
        [
            local_cognito.url,
            f"{IDP}.ListUserPools",
            {"MaxResults": 1},
            {"Authorization": JUNK_SIGNATURE},
        ],
    )
    assert "Failed to fetch" in admin.get("error", ""), admin
