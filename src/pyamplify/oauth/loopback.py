"""A one-shot loopback listener for the sign-in redirect (RFC 8252 §7.3).

It binds the configured redirect URI's loopback address and port (``localhost`` is bound as
127.0.0.1, never every interface) before the browser is opened, so a taken port fails at once
with a clear error. It answers every request it gets: the registered path with the right
``state`` ends the wait and gets a small "you can close this tab" page; anything else (another
path, a wrong or missing ``state``, a second tab) gets a short refusal and the wait goes on,
until a valid redirect or the timeout.
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit

from pyamplify.oauth.errors import OAuthConfigError, WebSignInTimeout
from pyamplify.oauth.redirect import redirect_params, state_matches

_DONE_PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Signed in</title>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'></head><body "
    "style='font:16px system-ui,sans-serif;margin:2rem'><main><h1>{title}</h1><p>{text}</p>"
    "</main></body></html>"
)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def is_loopback_redirect(uri: str) -> bool:
    """Whether ``uri`` is ``http://`` to this machine with a port (usable by the listener)."""
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and parts.port is not None


class LoopbackReceiver:
    """Listens on a loopback redirect URI for one valid redirect."""

    def __init__(self, redirect_uri: str) -> None:
        parts = urlsplit(redirect_uri)
        if not is_loopback_redirect(redirect_uri):
            raise OAuthConfigError(
                f"{redirect_uri} is not an http://localhost:PORT or http://127.0.0.1:PORT URI"
            )
        self.redirect_uri = redirect_uri
        self.path = parts.path or "/"
        self._expected_state: str | None = ""
        self._result: str | None = None
        self._done = threading.Event()
        host = "::1" if parts.hostname == "::1" else "127.0.0.1"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                receiver._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                return  # the query holds the code: never log it

        server_class = HTTPServer
        if host == "::1":

            class V6Server(HTTPServer):
                address_family = socket.AF_INET6

            server_class = V6Server
        try:
            self._server = server_class((host, int(parts.port or 0)), Handler)
        except OSError as error:
            raise OAuthConfigError(
                f"cannot listen on {redirect_uri} for the sign-in redirect ({error}); close the "
                "program using that port, or add another loopback redirect URI to the app "
                "client and the configuration"
            ) from None
        self._server.timeout = 0.2

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = f"http://localhost{handler.path}"
        path = urlsplit(url).path or "/"
        params = redirect_params(url)
        accepted = (
            path == self.path
            and not self._done.is_set()
            and (
                self._expected_state is None
                or (bool(self._expected_state) and state_matches(params, self._expected_state))
            )
        )
        if accepted:
            self._result = self.redirect_uri + (
                "?" + urlsplit(url).query if urlsplit(url).query else ""
            )
            if self._expected_state is None:
                title, text = "Signed out", "You can close this tab."
            elif "error" in params:
                title, text = "Sign-in failed", "The program shows what went wrong."
            else:
                title, text = "Signed in", "You can close this tab and go back to the program."
            status = 200
        else:
            title, text, status = (
                "Not this sign-in",
                "This address only accepts the answer to the sign-in the program started.",
                400,
            )
        body = _DONE_PAGE.format(title=title, text=text).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Cache-Control", "no-store")
        handler.end_headers()
        handler.wfile.write(body)
        if accepted:
            self._done.set()

    def wait(self, expected_state: str | None, timeout: float) -> str:
        """Serve until a redirect with ``expected_state`` arrives (any redirect to the path for
        ``None``: the sign-out redirect has no state); return its full URL."""
        self._expected_state = expected_state
        deadline = time.monotonic() + timeout
        try:
            while not self._done.is_set():
                if time.monotonic() > deadline:
                    raise WebSignInTimeout(
                        f"no sign-in reached {self.redirect_uri} within {timeout:.0f} s; run the "
                        "sign-in again (or use the headless mode and paste the redirect URL)"
                    )
                self._server.handle_request()
        finally:
            self.close()
        assert self._result is not None
        return self._result

    def close(self) -> None:
        """Stop listening."""
        self._server.server_close()
