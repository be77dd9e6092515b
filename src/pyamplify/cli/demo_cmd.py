"""``pyamplify demo``: the whole story in a few seconds, on a local Cognito, with no AWS account.

It starts the local Cognito in-process (in memory, on a free loopback port), creates a user pool,
an app client and an identity pool (authenticated and guest roles) through the Cognito API
(SigV4-signed JSON calls from ``pyamplify.wire``, the way boto3 would make them), writes an
``amplifyconfiguration.json`` for them, and then does what an app does: guest AWS credentials,
sign up, read the code from the local outbox, confirm, sign in with SRP, show the session,
signed-in AWS credentials proven with STS ``GetCallerIdentity`` (signed by pyamplify's own SigV4
signer, so no boto3 is needed), refresh, sign out, and prove the old refresh token is revoked.
Each step is printed as it happens. Needs ``pyamplify[local]``. Only the standard library is
imported at import time. Pools and identity pools are made by :mod:`pyamplify.local.testing`,
the helpers the pytest fixtures use too.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from pyamplify.cli.parsing import add_command

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from pyamplify.cli.parsing import Subparsers

DEMO_USER = "ada"
DEMO_EMAIL = "ada@example.com"
DEMO_PASSWORD = "Analytical-Engine-1843"


def register(subparsers: Subparsers) -> None:
    """Add the ``demo`` command."""
    demo = add_command(
        subparsers,
        "demo",
        run_demo,
        help="walk through sign-up, sign-in, AWS credentials and sign-out on a local Cognito",
        description=(
            "Start a local Cognito in memory, create a user pool, app client and identity pool "
            "through the Cognito API, write an amplifyconfiguration.json, then get guest AWS "
            "credentials, sign up, confirm, sign in with SRP, show the session and the "
            "signed-in credentials (checked with STS GetCallerIdentity), refresh, and sign out; "
            "then a custom-auth sign-in answered by Lambda trigger handlers, and a passwordless "
            "sign-in with an e-mailed code on a pool that remembers devices. "
            "Needs pyamplify[local]."
        ),
    )
    demo.add_argument(
        "--keep",
        metavar="DIR",
        help="write the configuration and the session store into DIR (kept afterwards)",
    )


class _Steps:
    """Prints numbered steps and their timings, plainly."""

    def __init__(self) -> None:
        self.number = 0
        self.started = time.perf_counter()
        self.step_started = self.started

    def step(self, title: str) -> None:
        self.number += 1
        self.step_started = time.perf_counter()
        print(f"\n{self.number}. {title}", flush=True)

    def say(self, text: str) -> None:
        print(f"   {text}", flush=True)

    def done(self) -> None:
        elapsed_ms = (time.perf_counter() - self.step_started) * 1000
        print(f"   ({elapsed_ms:.0f} ms)", flush=True)


def _when(expires_at: float) -> str:
    from datetime import datetime, timezone

    moment = datetime.fromtimestamp(expires_at, timezone.utc).strftime("%H:%M:%S UTC")
    return f"{moment}, in {(expires_at - time.time()) / 60:.0f} min"


def run_demo(args: argparse.Namespace) -> int:
    """Run the walk-through; returns 0 when every step worked."""
    import tempfile
    from pathlib import Path

    try:
        from pyamplify.local import LocalCognito
    except ImportError as missing:
        from pyamplify.cli.local_cmd import missing_extra

        return missing_extra(args, missing)
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
        return _walk_through(LocalCognito, Path(args.keep))
    with tempfile.TemporaryDirectory(prefix="pyamplify-demo-") as scratch:
        return _walk_through(LocalCognito, Path(scratch))


def _show_credentials(out: _Steps, session: Any, sts_url: str) -> None:
    """Print a session's identity and credentials (key id masked) and whose they are (STS)."""
    from pyamplify.wire.sigv4 import AwsCredentials
    from pyamplify.wire.sts import get_caller_identity

    creds = session.credentials
    if creds is None:
        out.say(f"no credentials: {session.credentials_error}")
        return
    out.say(f"identity id: {session.identity_id}")
    out.say(f"access key {creds.access_key_id[:4]}…, expires at {_when(creds.expires_at)}")
    caller = get_caller_identity(
        AwsCredentials(creds.access_key_id, creds.secret_access_key, creds.session_token),
        region="us-east-1",
        url=sts_url,
    )
    out.say(f"STS GetCallerIdentity (signed by pyamplify's SigV4): {caller.arn}")


#: The demo's question challenge: three Lambda handlers as a pool would deploy them.
_QUESTION = {"a": 6, "b": 7}


def _define(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """DefineAuthChallenge: ask the question until it is answered (three tries)."""
    session = event["request"]["session"]
    answered = [entry for entry in session if entry["challengeName"] == "CUSTOM_CHALLENGE"]
    done = bool(answered) and answered[-1]["challengeResult"]
    event["response"] = {
        "issueTokens": done,
        "failAuthentication": not done and len(answered) >= 3,
        "challengeName": "CUSTOM_CHALLENGE",
    }
    return event


def _create(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """CreateAuthChallenge: the question for the client, the answer for Verify."""
    event["response"] = {
        "publicChallengeParameters": {"question": f"What is {_QUESTION['a']} x {_QUESTION['b']}?"},
        "privateChallengeParameters": {"answer": str(_QUESTION["a"] * _QUESTION["b"])},
        "challengeMetadata": "QUESTION",
    }
    return event


def _verify(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """VerifyAuthChallengeResponse: is the answer right?"""
    request = event["request"]
    expected = request["privateChallengeParameters"]["answer"]
    event["response"] = {"answerCorrect": request["challengeAnswer"].strip() == expected}
    return event


def _custom_auth_step(out: _Steps, cognito: Any) -> None:
    """CUSTOM_AUTH with Lambda triggers that run in this process, as AWS would run them."""
    from dataclasses import replace

    from pyamplify.auth import Auth
    from pyamplify.local.testing import provision_pool, provision_user
    from pyamplify.storage import MemoryStore

    out.step("Custom authentication: the pool's own Lambda triggers ask a question")
    arns = {
        trigger: f"arn:aws:lambda:us-east-1:000000000000:function:demo-{trigger}"
        for trigger in ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
    }
    for trigger, handler in zip(arns, (_define, _create, _verify), strict=True):
        cognito.functions.map(arns[trigger], handler)
    pool = provision_pool(
        cognito.url,
        name="pyamplify-demo-custom",
        extra_pool={"LambdaConfig": arns},
        extra_client={
            "ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        },
    )
    provision_user(cognito.url, pool, "grace", DEMO_PASSWORD)
    config = replace(pool.config, authentication_flow_type="CUSTOM_AUTH")
    out.say(f"pool {pool.pool_id}: Define/Create/VerifyAuthChallenge mapped to Python handlers")
    with Auth(config, store=MemoryStore()) as auth:
        result = auth.sign_in("grace")  # CUSTOM_AUTH without a password: the challenge first
        question = result.next_step.additional_info.get("question", "")
        out.say(f"next step: {result.next_step.sign_in_step.value}: {question!r}")
        wrong = auth.confirm_sign_in("41")
        out.say(f"answer 41 -> {wrong.next_step.sign_in_step.value} (a second try)")
        right = auth.confirm_sign_in(str(_QUESTION["a"] * _QUESTION["b"]))
        out.say(f"answer {_QUESTION['a'] * _QUESTION['b']} -> signed in: {right.is_signed_in}")
    out.done()


def _passwordless_step(out: _Steps, cognito: Any) -> None:
    """USER_AUTH with an e-mailed one-time code on a pool that remembers devices: no password
    typed, and the device the sign-in got is confirmed and listed."""
    from pyamplify.auth import Auth
    from pyamplify.local.testing import provision_pool, provision_user
    from pyamplify.storage import MemoryStore

    out.step(
        "Passwordless: a one-time code by e-mail (USER_AUTH), on a pool that remembers devices"
    )
    pool = provision_pool(
        cognito.url,
        name="pyamplify-demo-passwordless",
        extra_pool={
            "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
            "DeviceConfiguration": {
                "ChallengeRequiredOnNewDevice": True,
                "DeviceOnlyRememberedOnUserPrompt": False,
            },
        },
        extra_client={"ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
    )
    name, email = "hopper", "hopper@example.com"
    provision_user(cognito.url, pool, name, DEMO_PASSWORD, {"email": email})
    with Auth(pool.config, store=MemoryStore()) as auth:
        started = auth.sign_in(name, preferred_challenge="EMAIL_OTP")
        details = started.next_step.code_delivery_details
        sent = f" (sent to {details.destination})" if details else ""
        out.say(f"next step: {started.next_step.sign_in_step.value}{sent}")
        code = cognito.outbox(name)[-1]["code"]
        finished = auth.confirm_sign_in(code)
        out.say(f"code {code} -> signed in: {finished.is_signed_in}")
        devices = auth.fetch_devices()
        names = ", ".join(device.name or device.id for device in devices)
        out.say(f"remembered devices: {names} (named after this computer; confirmed at sign-in)")
    out.done()


def _walk_through(local_cognito: Any, workdir: Path) -> int:
    from pyamplify.auth import Auth
    from pyamplify.auth.drivers import run_sync
    from pyamplify.auth.flows import ClientContext, refresh_flow
    from pyamplify.config import write_config
    from pyamplify.errors import PyamplifyError
    from pyamplify.local.testing import (
        AUTH_ROLE_ARN,
        UNAUTH_ROLE_ARN,
        provision_identity_pool,
        provision_pool,
    )
    from pyamplify.storage import FileStore
    from pyamplify.wire.transport import SyncTransport

    out = _Steps()
    print("pyamplify demo: Amplify Auth for Python against a local Cognito (no AWS account).")
    out.step("Start a local Cognito (in memory, on a free loopback port)")
    with local_cognito() as cognito:
        out.say(f"listening on {cognito.url}")
        out.done()

        out.step("Create a user pool and an app client through the Cognito API")
        pool = provision_pool(cognito.url)
        out.say(f"CreateUserPool       -> {pool.pool_id}")
        out.say(f"CreateUserPoolClient -> {pool.client_id} (SRP, password, refresh; revocation on)")
        out.done()

        out.step("Create an identity pool for the app client (guests allowed)")
        identity_pool_id, config = provision_identity_pool(cognito.url, pool)
        out.say(f"CreateIdentityPool   -> {identity_pool_id}")
        roles = (AUTH_ROLE_ARN.rsplit("/", 1)[1], UNAUTH_ROLE_ARN.rsplit("/", 1)[1])
        out.say(f"SetIdentityPoolRoles -> signed in: {roles[0]}, guests: {roles[1]}")
        out.done()

        out.step("Write amplifyconfiguration.json (the file Amplify apps ship with)")
        config_path = workdir / "amplifyconfiguration.json"
        write_config(config, config_path)
        out.say(f"{config_path}")
        out.done()

        store = FileStore(workdir / "sessions")
        with Auth(config_path, store=store) as auth:
            auth.events.subscribe(lambda event: out.say(f"event: {event.name}"))

            out.step(
                "Guest AWS credentials before anyone signs in (GetId, GetCredentialsForIdentity)"
            )
            guest = auth.fetch_auth_session()
            guest_identity = guest.identity_id
            _show_credentials(out, guest, cognito.url)
            out.done()

            out.step(f"Sign up {DEMO_USER!r} with email {DEMO_EMAIL}")
            signed_up = auth.sign_up(DEMO_USER, DEMO_PASSWORD, attributes={"email": DEMO_EMAIL})
            details = signed_up.next_step.code_delivery_details
            out.say(f"user id {signed_up.user_id}")
            out.say(
                f"next step: {signed_up.next_step.sign_up_step.value}"
                + (
                    f" (code sent by {details.delivery_medium} to {details.destination})"
                    if details
                    else ""
                )
            )
            out.done()

            out.step("Read the confirmation code from the local outbox and confirm")
            code = cognito.outbox(DEMO_USER)[-1]["code"]
            out.say(f"code {code}")
            confirmed = auth.confirm_sign_up(DEMO_USER, code)
            out.say(f"sign-up complete: {confirmed.is_sign_up_complete}")
            out.done()

            out.step("Sign in with SRP (the password never leaves this process)")
            result = auth.sign_in(DEMO_USER, DEMO_PASSWORD)
            step = result.next_step.sign_in_step.value
            out.say(f"signed in: {result.is_signed_in}, next step: {step}")
            out.done()

            out.step("Show the session")
            session = auth.fetch_auth_session()
            user = auth.get_current_user()
            assert session.tokens is not None
            out.say(f"who: {user.username} (sub {user.user_id})")
            out.say(f"email: {auth.fetch_user_attributes().get('email')}")
            out.say(f"tokens expire at {_when(session.tokens.expires_at)}")
            out.say(f"stored in {store.directory} (a 0600 file; the next process sees it)")
            old_refresh_token = session.tokens.refresh_token
            out.done()

            out.step("Signed-in AWS credentials (Logins: the ID token), proven with STS")
            _show_credentials(out, session, cognito.url)
            out.say(f"a new identity, not the guest's: {session.identity_id != guest_identity}")
            out.done()

            out.step("Refresh the tokens (fetch_auth_session(force_refresh=True))")
            refreshed = auth.fetch_auth_session(force_refresh=True)
            assert refreshed.tokens is not None
            changed = refreshed.tokens.access_token.token != session.tokens.access_token.token
            out.say(f"new access token: {changed}; expires at {_when(refreshed.tokens.expires_at)}")
            out.done()

            out.step("Sign out (revokes the refresh token, clears the session and its credentials)")
            signed_out = auth.sign_out()
            out.say(f"sign-out: {signed_out.status}")
            after = auth.fetch_auth_session()
            out.say(f"signed in now: {after.is_signed_in}")
            out.say(f"back to the guest identity: {after.identity_id == guest_identity}")
            transport = SyncTransport(cognito.url)
            try:
                run_sync(
                    refresh_flow(
                        ClientContext(pool.pool_id, pool.client_id),
                        str(old_refresh_token),
                    ),
                    transport.send,
                )
                out.say("the old refresh token still works (unexpected!)")
                return 1
            except PyamplifyError as error:
                out.say(f"the old refresh token is refused: {error}")
            finally:
                transport.close()
            out.done()

        _custom_auth_step(out, cognito)
        _passwordless_step(out, cognito)

        served = ", ".join(f"{name} {count}" for name, count in sorted(cognito.calls.items()))
    total = time.perf_counter() - out.started
    print(f"\nDone in {total:.2f} s. Calls served by the local Cognito: {served}.")
    print("Next: `pyamplify auth --help` for the same steps from the command line, and")
    print("`pyamplify auth credentials --format process` as an AWS CLI credential_process.")
    return 0
