"""The Hosted UI's room: the user pool domain's OAuth 2.0 endpoints and sign-in pages.

Reserved for the Hosted UI issue: ``/oauth2/authorize``, ``/oauth2/token``, ``/login`` and the
pages behind them will live here, installed into the front like the other services, on top of
the user-pool service (``idp``) whose sign-in rules they reuse.
"""
