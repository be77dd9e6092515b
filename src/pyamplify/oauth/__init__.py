"""The client half of the Hosted UI: OAuth 2.0 for a desktop Python program (RFC 8252).

PKCE, ``state`` and ``nonce`` (:mod:`.pkce`), the user pool domain's URLs (:mod:`.domain`),
the redirect's checks (:mod:`.redirect`), a one-shot loopback listener (:mod:`.loopback`,
RFC 8252 §7.3) and the token endpoint calls (:mod:`.http`). ``pyamplify.auth`` builds
``sign_in_with_web_ui`` and ``fetch_client_credentials_token`` from these.
"""
