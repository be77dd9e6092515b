"""The Hosted UI's browser endpoints: ``/oauth2/authorize``, ``/login`` and the pages behind it.

Sign-in reuses the user-pool service's own rules (``idp.auth.password_sign_in``,
NEW_PASSWORD_REQUIRED and the MFA challenges of :mod:`pyamplify.local.idp.mfa`) with a
``finish`` of its own: PostAuthentication runs as for the API, and instead of tokens the
browser gets a session and the client a code. Sign-up, confirmation and password recovery call
the very operations the API serves (SignUp, ConfirmSignUp, ...), with the SECRET_HASH the
server can compute for clients that have a secret. Forms are protected by a double-submit CSRF
token. As on AWS, the Hosted UI cannot run CUSTOM_AUTH.

``prompt`` follows OpenID Connect Core §3.1.2.1 (Cognito's exact semantics are not documented):
``login`` ignores the session, ``none`` answers ``login_required`` instead of showing a page,
``consent`` asks the user to approve the scopes, ``select_account`` offers the signed-in
account or another one.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from pyamplify import srp
from pyamplify.local import errors
from pyamplify.local.idp import auth as idp_auth
from pyamplify.local.idp import hooks
from pyamplify.local.idp import mfa as idp_mfa
from pyamplify.local.idp.caller import Caller
from pyamplify.local.idp.provider_store import load_provider
from pyamplify.local.idp.registry import OPERATIONS
from pyamplify.local.oauth import federation, grant, html, session
from pyamplify.local.oauth.grant import AuthorizeRequest, ErrorPage, ErrorRedirect, SignedIn
from pyamplify.local.oauth.web import (
    DomainContext,
    Req,
    csrf_ok,
    csrf_token,
    digest,
    page,
    parse_pairs,
    redirect,
    with_params,
)
from pyamplify.local.store.userpools import UserRecord

_FINISHED = "pyamplify:hosted-sign-in"
_CONSENT_SECONDS = 600.0
_SCOPE_WORDS = {
    "openid": "Sign you in (your user id)",
    "email": "Your email address",
    "phone": "Your phone number",
    "profile": "Your profile (name, picture, locale...)",
    "aws.cognito.signin.user.admin": "Read and change your account (attributes, MFA, password)",
}
_CHALLENGE_TITLES = {
    "NEW_PASSWORD_REQUIRED": "Change your password",
    "SMS_MFA": "Enter the code we texted you",
    "EMAIL_OTP": "Enter the code we emailed you",
    "SOFTWARE_TOKEN_MFA": "Enter your authenticator code",
    "SELECT_MFA_TYPE": "Choose how to verify it is you",
    "MFA_SETUP": "Set up an authenticator app",
}
_MFA_LABELS = {
    "SMS_MFA": "A text message to your phone",
    "SOFTWARE_TOKEN_MFA": "Your authenticator app",
    "EMAIL_OTP": "An email",
}

Handler = Callable[[DomainContext, Req], Response]


def _finish(
    caller: Caller,
    user: UserRecord,
    *,
    source: str,
) -> dict[str, Any]:
    """The Hosted UI's end of a sign-in: PostAuthentication, then a marker instead of tokens."""
    sign_in = hooks.SignIn(caller.pool, caller.client, user)
    for contributor in hooks.AUTHENTICATED:
        contributor(caller.backend, sign_in)
    return {_FINISHED: user.username, "sub": user.sub}


def _secret_hash(client: dict[str, Any], username: str) -> str | None:
    secret = client.get("ClientSecret")
    return srp.compute_secret_hash(username, client["ClientId"], secret) if secret else None


def _for_user(request: AuthorizeRequest, username: str, **more: Any) -> dict[str, Any]:
    """The body of a user-plane call about ``username``: the client, the name, what else the
    call takes, and the SECRET_HASH the server can compute for a client with a secret."""
    return {
        "ClientId": request.client_id,
        "Username": username,
        **more,
        "SecretHash": _secret_hash(request.client, username),
    }


def _operation(ctx: DomainContext, name: str, body: dict[str, Any]) -> dict[str, Any]:
    handler = OPERATIONS.get(name)
    assert handler is not None, name
    return handler(ctx.backend, {key: value for key, value in body.items() if value is not None})


def _request(ctx: DomainContext, req: Req) -> AuthorizeRequest:
    return grant.parse_authorize(ctx, req.query, req.query_string)


def guarded(handler: Handler) -> Handler:
    """Turn the authorization errors a page raises into Cognito's error redirects."""

    def run(ctx: DomainContext, req: Req) -> Response:
        try:
            return handler(ctx, req)
        except (ErrorPage, ErrorRedirect) as failure:
            return grant.error_response(ctx, failure)

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


# ---------------------------------------------------------------------- authorize


def _prompts(request: AuthorizeRequest) -> set[str]:
    return set((request.prompt or "").split())


@guarded
def authorize(ctx: DomainContext, req: Req) -> Response:
    """``GET /oauth2/authorize``: straight to a provider, on with the session, or to /login."""
    request = _request(ctx, req)
    provider = federation.chosen_provider(ctx, request)
    if provider is not None:
        return federation.start(ctx, request, provider)
    prompts = _prompts(request)
    signed = None if "login" in prompts else session.current(ctx, req)
    if signed is None:
        if "none" in prompts:
            raise ErrorRedirect(request, "login_required")
        return redirect(ctx, ctx.path("/login", request.query))
    if "select_account" in prompts:
        return _select_account_page(ctx, req, request, signed)
    return signed_in(ctx, req, request, signed)


def signed_in(ctx: DomainContext, req: Req, request: AuthorizeRequest, who: SignedIn) -> Response:
    """The user is known: ask for consent when prompted, else answer the client."""
    if "consent" in _prompts(request):
        return _consent_page(ctx, req, request, who)
    return grant.respond(ctx, request, who)


# ---------------------------------------------------------------------- sign-in


def _login_page(
    ctx: DomainContext,
    req: Req,
    request: AuthorizeRequest,
    *,
    failure: str | None = None,
    note: str | None = None,
    username: str = "",
    status: int = 200,
) -> Response:
    parts = [html.notice(note)]
    providers = request.providers()
    if "COGNITO" in providers:
        username_label = _username_label(ctx.pool)
        parts.append(
            html.form(
                ctx.path("/login", request.query),
                [
                    html.Field("username", username_label, value=username, autocomplete="username"),
                    html.Field("password", "Password", "password", autocomplete="current-password"),
                ],
                "Sign in",
                hidden={"_csrf": csrf_token(ctx, req)},
                failure=failure,
            )
        )
        parts.append(
            html.links(
                [
                    (ctx.path("/forgotPassword", request.query), "Forgot your password?"),
                    (ctx.path("/signup", request.query), "Need an account? Sign up"),
                ]
            )
        )
    elif failure:
        parts.append(html.error(failure))
    others = [name for name in providers if name != "COGNITO"]
    if others:
        if "COGNITO" in providers:
            parts.append('<p class="or">or</p>')
        for name in others:
            target = with_params(
                ctx.path("/oauth2/authorize", request.query), {"identity_provider": name}
            )
            parts.append(html.link(target, f"Sign in with {name}", "button secondary"))
    return page(ctx, "Sign in", "".join(parts), status)


def _username_label(pool: dict[str, Any]) -> str:
    names = pool.get("UsernameAttributes") or []
    if names == ["email"]:
        return "Email"
    if names == ["phone_number"]:
        return "Phone number"
    if names:
        return "Email or phone number"
    return "Username"


@guarded
def login(ctx: DomainContext, req: Req) -> Response:
    """``/login``: the sign-in page and its form."""
    request = _request(ctx, req)
    if req.method != "POST":
        return _login_page(ctx, req, request)
    username = req.form.get("username", "").strip()
    if not csrf_ok(req):
        return _login_page(ctx, req, request, failure=_CSRF, username=username, status=403)
    if not username or not req.form.get("password"):
        return _login_page(
            ctx,
            req,
            request,
            failure="Enter your username and password.",
            username=username,
            status=400,
        )
    try:
        caller = Caller(ctx.backend, ctx.pool, request.client)
        outcome = idp_auth.password_sign_in(caller, username, req.form["password"], _finish)
    except errors.UserNotConfirmedException:
        return _confirm_after_sign_in(ctx, req, request, username)
    except errors.PasswordResetRequiredException:
        return _forgot_page(
            ctx, req, request, username=username, note=errors.PASSWORD_RESET_REQUIRED
        )
    except errors.CognitoError as error:
        return _login_page(ctx, req, request, failure=error.message, username=username, status=400)
    return _after_step(ctx, req, request, outcome, username)


_CSRF = "Your form expired; please try again."


def _after_step(
    ctx: DomainContext, req: Req, request: AuthorizeRequest, outcome: dict[str, Any], typed: str
) -> Response:
    """A sign-in step's outcome: signed in, or the next challenge's page."""
    if _FINISHED in outcome:
        who = session.start(ctx, str(outcome[_FINISHED]), str(outcome["sub"]))
        return signed_in(ctx, req, request, who)
    return _challenge_page(ctx, req, request, outcome, typed)


def _challenge_page(
    ctx: DomainContext,
    req: Req,
    request: AuthorizeRequest,
    outcome: dict[str, Any],
    typed: str,
    failure: str | None = None,
) -> Response:
    name = str(outcome.get("ChallengeName"))
    parameters = outcome.get("ChallengeParameters") or {}
    username = str(parameters.get("USER_ID_FOR_SRP") or typed)
    hidden = {
        "_csrf": csrf_token(ctx, req),
        "challenge": name,
        "session": str(outcome.get("Session", "")),
        "username": username,
    }
    action = ctx.path("/challenge", request.query)
    title = _CHALLENGE_TITLES.get(name, "Verify it is you")
    status = 400 if failure else 200
    code = html.Field(
        "code",
        "Code",
        autocomplete="one-time-code",
        inputmode="numeric",
        hint="6 digits",
    )
    if name == "NEW_PASSWORD_REQUIRED":
        required = json.loads(str(parameters.get("requiredAttributes") or "[]"))
        fields = [
            html.Field("password", "New password", "password", autocomplete="new-password"),
            *(
                html.Field(f"attr.{item.removeprefix('userAttributes.')}", _attribute_label(item))
                for item in required
            ),
        ]
        body = html.paragraph("Your password is temporary: choose a new one to continue.")
        body += html.form(action, fields, "Change password", hidden=hidden, failure=failure)
    elif name == "SELECT_MFA_TYPE":
        options = json.loads(str(parameters.get("MFAS_CAN_CHOOSE") or "[]"))
        body = html.choices(
            action,
            "Send me a code by",
            "mfa",
            [(option, _MFA_LABELS.get(option, option)) for option in options],
            "Continue",
            hidden=hidden,
            failure=failure,
        )
    elif name == "MFA_SETUP":
        body = _totp_setup(ctx, request, outcome, hidden, action, failure)
    elif name in _CHALLENGE_TITLES:
        destination = parameters.get("CODE_DELIVERY_DESTINATION")
        intro = (
            f"We sent a code to {destination}."
            if destination
            else "Open your authenticator app and enter the code it shows."
        )
        body = html.paragraph(intro) + html.form(
            action, [code], "Sign in", hidden=hidden, failure=failure
        )
    else:
        body = html.error(f"The Hosted UI cannot answer the {name} challenge.")
        status = 400
    return page(ctx, title, body, status)


def _totp_setup(
    ctx: DomainContext,
    request: AuthorizeRequest,
    outcome: dict[str, Any],
    hidden: dict[str, str],
    action: str,
    failure: str | None,
) -> str:
    secret = outcome.get("SecretCode")
    if secret is None:
        answer = _operation(ctx, "AssociateSoftwareToken", {"Session": outcome.get("Session")})
        secret, hidden = answer["SecretCode"], {**hidden, "session": answer["Session"]}
    hidden = {**hidden, "secret": str(secret)}
    issuer = quote(str(ctx.pool.get("Name", "Cognito")))
    account = quote(hidden["username"])
    uri = f"otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}"
    body = html.paragraph("Add this key to your authenticator app, then enter the code it shows.")
    body += f'<p>Key: <code class="secret" id="totp-secret">{html.escape(str(secret))}</code></p>'
    body += f'<p class="hint">Or open <code class="secret">{html.escape(uri)}</code></p>'
    fields = [
        html.Field("code", "Code", autocomplete="one-time-code", inputmode="numeric"),
        html.Field("device", "Device name", required=False, hint="Optional, e.g. My phone"),
    ]
    return body + html.form(action, fields, "Verify", hidden=hidden, failure=failure)


def _attribute_label(name: str) -> str:
    return name.removeprefix("userAttributes.").replace("_", " ").capitalize()


@guarded
def challenge(ctx: DomainContext, req: Req) -> Response:
    """``POST /challenge``: the answer to a new-password or MFA page."""
    request = _request(ctx, req)
    form = req.form
    name = form.get("challenge", "")
    username = form.get("username", "")
    outcome: dict[str, Any] = {
        "ChallengeName": name,
        "Session": form.get("session", ""),
        "ChallengeParameters": {"USER_ID_FOR_SRP": username},
    }
    if req.method != "POST" or not csrf_ok(req):
        return _login_page(ctx, req, request, failure=_CSRF, status=403)
    responses = {"USERNAME": username}
    secret_hash = _secret_hash(request.client, username)
    if secret_hash:
        responses["SECRET_HASH"] = secret_hash
    caller = Caller(ctx.backend, ctx.pool, request.client)
    try:
        if name == "NEW_PASSWORD_REQUIRED":
            responses["NEW_PASSWORD"] = form.get("password", "")
            for key, value in form.items():
                if key.startswith("attr."):
                    responses[f"userAttributes.{key[5:]}"] = value
            result = idp_auth.new_password_answer(caller, responses, outcome["Session"], _finish)
        elif name == "SELECT_MFA_TYPE":
            responses["ANSWER"] = form.get("mfa", "")
            result = idp_mfa.respond(caller, name, responses, outcome["Session"], _finish)
        elif name == "MFA_SETUP":
            outcome["SecretCode"] = form.get("secret", "")
            verified = _operation(
                ctx,
                "VerifySoftwareToken",
                {
                    "Session": outcome["Session"],
                    "UserCode": form.get("code", ""),
                    "FriendlyDeviceName": form.get("device") or None,
                },
            )
            outcome["Session"] = verified["Session"]
            result = idp_mfa.respond(caller, name, responses, verified["Session"], _finish)
        elif name in ("SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA"):
            key = {"SMS_MFA": "SMS_MFA_CODE", "EMAIL_OTP": "EMAIL_OTP_CODE"}.get(
                name, "SOFTWARE_TOKEN_MFA_CODE"
            )
            responses[key] = form.get("code", "").strip()
            result = idp_mfa.respond(caller, name, responses, outcome["Session"], _finish)
        else:
            return _login_page(ctx, req, request, failure="Sign in again.", status=400)
    except errors.NotAuthorizedException as error:
        return _login_page(ctx, req, request, failure=error.message, username=username, status=400)
    except errors.CognitoError as error:
        return _challenge_page(ctx, req, request, outcome, username, failure=error.message)
    return _after_step(ctx, req, request, result, username)


# ---------------------------------------------------------------------- consent, accounts


def _consent_page(
    ctx: DomainContext, req: Req, request: AuthorizeRequest, who: SignedIn
) -> Response:
    handle = secrets.token_urlsafe(24)
    ctx.backend.store.put_oauth_state(
        digest(handle),
        "consent",
        {
            "username": who.username,
            "sub": who.sub,
            "auth_time": who.auth_time,
            "client_id": request.client_id,
        },
        ctx.backend.now() + _CONSENT_SECONDS,
    )
    name = str(request.client.get("ClientName") or request.client_id)
    body = html.paragraph(f"{name} asks to:") + html.bullet_list(
        (_SCOPE_WORDS.get(scope, f"Use {scope}") for scope in request.scopes), "scopes"
    )
    body += html.form(
        ctx.path("/consent", request.query),
        [],
        "Allow",
        hidden={"_csrf": csrf_token(ctx, req), "handle": handle},
        extra_buttons=[("decision", "deny", "Deny")],
    )
    return page(ctx, f"Allow {name} access?", body)


@guarded
def consent(ctx: DomainContext, req: Req) -> Response:
    """``POST /consent``: Allow answers the client, Deny sends it ``access_denied``."""
    request = _request(ctx, req)
    if req.method != "POST" or not csrf_ok(req):
        return _login_page(ctx, req, request, failure=_CSRF, status=403)
    taken = ctx.backend.store.take_oauth_state(digest(req.form.get("handle", "")), "consent")
    if (
        taken is None
        or taken[1] < ctx.backend.now()
        or taken[0].get("client_id") != request.client_id
    ):
        return _login_page(
            ctx, req, request, failure="Your consent expired; sign in again.", status=400
        )
    if req.form.get("decision") == "deny":
        raise ErrorRedirect(request, "access_denied", "The user denied the request")
    state = taken[0]
    who = SignedIn(str(state["username"]), str(state["sub"]), float(state["auth_time"]))
    return grant.respond(ctx, request, who)


def _select_account_page(
    ctx: DomainContext, req: Req, request: AuthorizeRequest, who: SignedIn
) -> Response:
    user = ctx.backend.store.get_user(ctx.pool["Id"], who.username)
    shown = (user.attributes.get("email") if user else None) or who.username
    body = html.paragraph(f"You are signed in as {shown}.")
    body += html.form(
        ctx.path("/selectAccount", request.query),
        [],
        f"Continue as {shown}",
        hidden={"_csrf": csrf_token(ctx, req)},
        extra_buttons=[("account", "other", "Use another account")],
    )
    return page(ctx, "Choose an account", body)


@guarded
def select_account(ctx: DomainContext, req: Req) -> Response:
    """``POST /selectAccount``: continue with the session, or sign out and sign in again."""
    request = _request(ctx, req)
    if req.method != "POST" or not csrf_ok(req):
        return _login_page(ctx, req, request, failure=_CSRF, status=403)
    who = session.current(ctx, req)
    if req.form.get("account") == "other" or who is None:
        session.end(ctx, req)
        return redirect(ctx, ctx.path("/login", request.query))
    return signed_in(ctx, req, request, who)


# ---------------------------------------------------------------------- sign-up


def _signup_fields(pool: dict[str, Any], values: dict[str, str]) -> list[html.Field]:
    label = _username_label(pool)
    kind = "email" if label == "Email" else "text"
    fields = [
        html.Field("username", label, kind, values.get("username", ""), "username"),
        html.Field("password", "Password", "password", autocomplete="new-password"),
    ]
    as_username = pool.get("UsernameAttributes") or []
    wanted = [
        entry["Name"]
        for entry in pool.get("SchemaAttributes", [])
        if entry.get("Required") and entry["Name"] != "sub"
    ]
    for contact in pool.get("AutoVerifiedAttributes") or []:
        if contact not in wanted:
            wanted.append(contact)
    for name in wanted:
        if name in as_username:
            continue
        kind = {"email": "email", "phone_number": "tel"}.get(name, "text")
        fields.append(
            html.Field(
                f"attr.{name}",
                _attribute_label(name),
                kind,
                values.get(f"attr.{name}", ""),
                {"email": "email", "phone_number": "tel"}.get(name, "off"),
            )
        )
    return fields


def _signup_page(
    ctx: DomainContext, req: Req, request: AuthorizeRequest, failure: str | None = None
) -> Response:
    body = html.form(
        ctx.path("/signup", request.query),
        _signup_fields(ctx.pool, req.form),
        "Sign up",
        hidden={"_csrf": csrf_token(ctx, req)},
        failure=failure,
    )
    body += html.links([(ctx.path("/login", request.query), "Have an account? Sign in")])
    return page(ctx, "Sign up", body, 400 if failure else 200)


@guarded
def signup(ctx: DomainContext, req: Req) -> Response:
    """``/signup``: SignUp, then the confirmation page when a code was sent."""
    request = _request(ctx, req)
    if "COGNITO" not in request.providers():
        raise ErrorPage("invalid_request", request.client_id)
    if req.method != "POST":
        return _signup_page(ctx, req, request)
    if not csrf_ok(req):
        return _signup_page(ctx, req, request, _CSRF)
    username = req.form.get("username", "").strip()
    attributes = [
        {"Name": key[5:], "Value": value.strip()}
        for key, value in req.form.items()
        if key.startswith("attr.") and value.strip()
    ]
    as_username = ctx.pool.get("UsernameAttributes") or []
    if "email" in as_username and "@" in username:
        attributes.append({"Name": "email", "Value": username})
    try:
        answer = _operation(
            ctx,
            "SignUp",
            _for_user(
                request,
                username,
                Password=req.form.get("password", ""),
                UserAttributes=attributes,
            ),
        )
    except errors.CognitoError as error:
        return _signup_page(ctx, req, request, error.message)
    if answer.get("UserConfirmed"):
        return _login_page(
            ctx, req, request, note="Your account is ready: sign in.", username=username
        )
    details = answer.get("CodeDeliveryDetails") or {}
    note = f"We sent a code to {details['Destination']}." if details.get("Destination") else None
    return _CONFIRM.show(ctx, req, request, username, note=note)


@dataclass(frozen=True)
class _CodePage:
    """A page that asks for the code sent to a user (confirming the account, resetting the
    password): its form posts the code, with the user's name kept in a hidden field."""

    title: str
    path: str
    fields: tuple[html.Field, ...]
    submit: str
    extra_buttons: tuple[tuple[str, str, str], ...] = ()

    def show(
        self,
        ctx: DomainContext,
        req: Req,
        request: AuthorizeRequest,
        username: str,
        *,
        note: str | None = None,
        failure: str | None = None,
    ) -> Response:
        body = html.notice(note) + html.form(
            ctx.path(self.path, request.query),
            self.fields,
            self.submit,
            hidden={"_csrf": csrf_token(ctx, req), "username": username},
            failure=failure,
            extra_buttons=self.extra_buttons,
        )
        return page(ctx, self.title, body, 400 if failure else 200)


_CONFIRM = _CodePage(
    "Confirm your account",
    "/confirm",
    (html.Field("code", "Confirmation code", autocomplete="one-time-code", inputmode="numeric"),),
    "Confirm account",
    extra_buttons=(("resend", "1", "Send a new code"),),
)
_RESET = _CodePage(
    "Choose a new password",
    "/confirmForgotPassword",
    (
        html.Field("code", "Code", autocomplete="one-time-code", inputmode="numeric"),
        html.Field("password", "New password", "password", autocomplete="new-password"),
    ),
    "Reset password",
)


def _confirm_after_sign_in(
    ctx: DomainContext, req: Req, request: AuthorizeRequest, username: str
) -> Response:
    """A sign-in by an unconfirmed user: send a new code and ask for it, as Cognito's UI does."""
    note = "Your account is not confirmed yet."
    try:
        sent = _operation(ctx, "ResendConfirmationCode", _for_user(request, username))
        destination = (sent.get("CodeDeliveryDetails") or {}).get("Destination")
        if destination:
            note += f" We sent a code to {destination}."
    except errors.CognitoError:
        pass
    return _CONFIRM.show(ctx, req, request, username, note=note)


@guarded
def confirm(ctx: DomainContext, req: Req) -> Response:
    """``POST /confirm``: ConfirmSignUp (or ResendConfirmationCode), then the sign-in page."""
    request = _request(ctx, req)
    username = req.param("username") or ""
    if req.method != "POST":
        return _CONFIRM.show(ctx, req, request, username)
    if not csrf_ok(req):
        return _CONFIRM.show(ctx, req, request, username, failure=_CSRF)
    try:
        if req.form.get("resend"):
            sent = _operation(ctx, "ResendConfirmationCode", _for_user(request, username))
            destination = (sent.get("CodeDeliveryDetails") or {}).get("Destination", "you")
            return _CONFIRM.show(
                ctx, req, request, username, note=f"We sent a new code to {destination}."
            )
        code = req.form.get("code", "").strip()
        _operation(ctx, "ConfirmSignUp", _for_user(request, username, ConfirmationCode=code))
    except errors.CognitoError as error:
        return _CONFIRM.show(ctx, req, request, username, failure=error.message)
    return _login_page(
        ctx, req, request, note="Your account is confirmed: sign in.", username=username
    )


# ---------------------------------------------------------------------- forgotten passwords


def _forgot_page(
    ctx: DomainContext,
    req: Req,
    request: AuthorizeRequest,
    *,
    username: str = "",
    note: str | None = None,
    failure: str | None = None,
) -> Response:
    body = html.notice(note) + html.paragraph("We will send you a code to reset your password.")
    body += html.form(
        ctx.path("/forgotPassword", request.query),
        [
            html.Field(
                "username", _username_label(ctx.pool), value=username, autocomplete="username"
            )
        ],
        "Send code",
        hidden={"_csrf": csrf_token(ctx, req)},
        failure=failure,
    )
    return page(ctx, "Reset your password", body, 400 if failure else 200)


@guarded
def forgot_password(ctx: DomainContext, req: Req) -> Response:
    """``/forgotPassword``: ForgotPassword, then the page for the code and the new password."""
    request = _request(ctx, req)
    if req.method != "POST":
        return _forgot_page(ctx, req, request)
    username = req.form.get("username", "").strip()
    if not csrf_ok(req):
        return _forgot_page(ctx, req, request, username=username, failure=_CSRF)
    try:
        sent = _operation(ctx, "ForgotPassword", _for_user(request, username))
    except errors.CognitoError as error:
        return _forgot_page(ctx, req, request, username=username, failure=error.message)
    destination = (sent.get("CodeDeliveryDetails") or {}).get("Destination", "you")
    return _RESET.show(ctx, req, request, username, note=f"We sent a code to {destination}.")


@guarded
def confirm_forgot_password(ctx: DomainContext, req: Req) -> Response:
    """``POST /confirmForgotPassword``: ConfirmForgotPassword, then the sign-in page."""
    request = _request(ctx, req)
    username = req.param("username") or ""
    if req.method != "POST" or not csrf_ok(req):
        return _RESET.show(ctx, req, request, username, failure=_CSRF)
    try:
        _operation(
            ctx,
            "ConfirmForgotPassword",
            _for_user(
                request,
                username,
                ConfirmationCode=req.form.get("code", "").strip(),
                Password=req.form.get("password", ""),
            ),
        )
    except errors.CognitoError as error:
        return _RESET.show(ctx, req, request, username, failure=error.message)
    return _login_page(
        ctx, req, request, note="Your password was changed: sign in.", username=username
    )


# ---------------------------------------------------------------------- sign-out, errors


def logout(ctx: DomainContext, req: Req) -> Response:
    """``GET /logout``: end the browser session, then ``logout_uri`` or back to /login."""
    query = req.query
    client_id = query.get("client_id")
    client = ctx.backend.app_client(client_id) if client_id else None
    if client is None or client["UserPoolId"] != ctx.pool["Id"]:
        return redirect(ctx, grant.error_location(ctx, "invalid_request", client_id))
    logout_uri = query.get("logout_uri")
    if logout_uri:
        if logout_uri not in (client.get("LogoutURLs") or []):
            return redirect(ctx, grant.error_location(ctx, "redirect_mismatch", client_id))
        session.end(ctx, req)
        return redirect(ctx, logout_uri)
    if query.get("redirect_uri") and query.get("response_type"):
        login_query = "&".join(
            part for part in req.query_string.split("&") if not part.startswith("logout_uri=")
        )
        try:
            grant.parse_authorize(ctx, query, login_query)
        except (ErrorPage, ErrorRedirect) as failure:
            return grant.error_response(ctx, failure)
        session.end(ctx, req)
        return redirect(ctx, ctx.path("/login", login_query))
    return redirect(ctx, grant.error_location(ctx, "invalid_request", client_id))


_ERRORS = {
    "redirect_mismatch": "The redirect URI is not one of the app client's callback or sign-out "
    "URLs.",
    "invalid_request": "The request is missing something or names an unknown app client.",
    "unauthorized_client": "The app client is not allowed to do this.",
}


def error_page(ctx: DomainContext, req: Req) -> Response:
    """``GET /error``: Cognito's error page (HTTP 400)."""
    code = req.query.get("error", "invalid_request")
    body = html.paragraph("An error was encountered with the requested page.")
    body += f'<p>Error: <code id="error-code">{html.escape(code)}</code></p>'
    body += html.paragraph(_ERRORS.get(code, ""), "hint")
    return page(ctx, "Something went wrong", body, 400)


def idp_response(ctx: DomainContext, req: Req) -> Response:
    """``GET /oauth2/idpresponse``: a federated provider's answer; sign the user in."""
    state = federation.take_state(ctx, req.query.get("state", ""))
    if state is None:
        return redirect(ctx, grant.error_location(ctx, "invalid_request", None))
    query = str(state["query"])
    try:
        request = grant.parse_authorize(ctx, parse_pairs(query), query)
        if req.query.get("error") or not req.query.get("code"):
            raise ErrorRedirect(request, "access_denied", req.query.get("error", "no code"))
        provider = load_provider(ctx.backend, ctx.pool["Id"], str(state["provider"]))
        if provider is None:
            raise ErrorRedirect(request, "invalid_request", "the provider was deleted")
        try:
            claims = federation.verified_claims(
                ctx, provider, req.query["code"], str(state["nonce"])
            )
            user = federation.link_user(ctx.backend, ctx.pool, request.client, provider, claims)
        except federation.FederationError as error:
            raise ErrorRedirect(request, "invalid_request", str(error)) from None
        except errors.CognitoError as error:  # e.g. PreSignUp refused the user
            raise ErrorRedirect(request, "invalid_request", error.message) from None
        sign_in = hooks.SignIn(ctx.pool, request.client, user)
        for contributor in hooks.AUTHENTICATED:
            contributor(ctx.backend, sign_in)
        who = session.start(ctx, user.username, user.sub)
        return signed_in(ctx, req, request, who)
    except (ErrorPage, ErrorRedirect) as failure:
        return grant.error_response(ctx, failure)
