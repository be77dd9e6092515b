"""SRP sign-ins per second: the local Cognito (real SRP) against moto's server (fake SRP).

Each server runs in its own process on a loopback port. Distinct users sign in with
USER_SRP_AUTH (InitiateAuth + RespondToAuthChallenge PASSWORD_VERIFIER) from several client
processes at once; every client computes the real SRP client half (pyamplify.srp's maths, its
two fixed-base powers from the local Cognito's table so the load generator leaves more of the
two cores to the server) against both servers, so the client cost is the same and the
difference is the server. Prints medians over trials: sign-ins/s, the server's CPU per sign-in (from
/proc/<pid>/stat), and the ratio to moto.

Run: ``.venv/bin/python benchmarks/bench_local_srp.py [--users 240] [--clients 4] [--trials 3]``
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from pyamplify import srp
from pyamplify.local.srp_server import g_pow

PASSWORD = "Bench-passw0rd!"
TARGET = "AWSCognitoIdentityProviderService"
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/x"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.post(url + "/", headers={"X-Amz-Target": f"{TARGET}.ListUserPools"}, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def start_local() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "pyamplify", "local", "start", "--ephemeral", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, process)
    return process, url


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    executable = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    port = free_port()
    process = subprocess.Popen(
        [executable, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, process)
    return process, url


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def call(http: httpx.Client, operation: str, body: dict[str, Any], signed: bool = False) -> Any:
    headers = {
        "X-Amz-Target": f"{TARGET}.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
    }
    if signed:
        headers.update(SIGNED)
    response = http.post("/", content=json.dumps(body), headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"{operation}: {response.status_code} {response.text[:200]}")
    return response.json()


def provision(url: str, users: int) -> tuple[str, str, list[str]]:
    """A pool, a client and ``users`` confirmed users."""
    with httpx.Client(base_url=url, timeout=30) as http:
        pool_id = call(http, "CreateUserPool", {"PoolName": "bench"}, True)["UserPool"]["Id"]
        client_id = call(
            http,
            "CreateUserPoolClient",
            {
                "UserPoolId": pool_id,
                "ClientName": "bench",
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            },
            True,
        )["UserPoolClient"]["ClientId"]
        names = []
        for index in range(users):
            name = f"user{index:05d}"
            call(
                http,
                "AdminCreateUser",
                {"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS"},
                True,
            )
            call(
                http,
                "AdminSetUserPassword",
                {"UserPoolId": pool_id, "Username": name, "Password": PASSWORD, "Permanent": True},
                True,
            )
            names.append(name)
    return pool_id, client_id, names


def client_ephemeral() -> srp.ClientEphemeral:
    """The client's ``a`` and ``A = g^a``, ``g^a`` from the fixed-base table."""
    a = secrets.randbits(srp.PRIVATE_EXPONENT_BITS) | (1 << (srp.PRIVATE_EXPONENT_BITS - 1))
    return srp.ClientEphemeral(a=a, big_a=g_pow(a))


def client_key(
    eph: srp.ClientEphemeral, srp_b: str, salt: str, pool_name: str, user_id: str
) -> bytes:
    """The client's session key: the maths of ``srp.client_session_key``, ``g^x`` by table."""
    big_b = int(srp_b, 16)
    u = srp.compute_u(eph.big_a, big_b)
    x = srp.compute_x(salt, pool_name, user_id, PASSWORD)
    base = (big_b - srp.K * g_pow(x)) % srp.N
    return srp.derive_key(srp.powmod(base, eph.a + u * x, srp.N), u)


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return True


def sign_in_many(job: tuple[str, str, str, list[str]]) -> int:
    """Worker: sign each user in with SRP; return how many got tokens."""
    url, pool_id, client_id, names = job
    pool_name = srp.pool_name_of(pool_id)
    done = 0
    with httpx.Client(base_url=url, timeout=60) as http:
        for name in names:
            eph = client_ephemeral()
            started = call(
                http,
                "InitiateAuth",
                {
                    "ClientId": client_id,
                    "AuthFlow": "USER_SRP_AUTH",
                    "AuthParameters": {"USERNAME": name, "SRP_A": eph.srp_a},
                },
            )
            params = started["ChallengeParameters"]
            user_id = params.get("USER_ID_FOR_SRP", name)
            block = params["SECRET_BLOCK"]
            if not _is_base64(block):  # moto sends a UUID; sign its bytes (moto never checks)
                block = base64.b64encode(block.encode()).decode()
            key = client_key(eph, params["SRP_B"], params["SALT"], pool_name, user_id)
            timestamp = srp.format_timestamp(datetime.now(timezone.utc))
            signature = srp.compute_signature(key, pool_name, user_id, block, timestamp)
            body: dict[str, Any] = {
                "ClientId": client_id,
                "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeResponses": {
                    "USERNAME": params.get("USERNAME", name),
                    "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
                    "PASSWORD_CLAIM_SIGNATURE": signature,
                    "TIMESTAMP": timestamp,
                },
            }
            if "Session" in started:  # moto wants its session back; AWS sends none
                body["Session"] = started["Session"]
            result = call(http, "RespondToAuthChallenge", body)
            done += "AuthenticationResult" in result
    return done


def run_trial(
    process: subprocess.Popen[bytes], url: str, users: int, clients: int
) -> tuple[float, float]:
    """One trial on fresh users: (sign-ins per second, server CPU ms per sign-in)."""
    pool_id, client_id, names = provision(url, users)
    jobs = [(url, pool_id, client_id, names[i::clients]) for i in range(clients)]
    with multiprocessing.get_context("spawn").Pool(clients) as workers:
        workers.map(sign_in_many, [(url, pool_id, client_id, names[:1])] * clients)  # warm up
        cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        signed_in = sum(workers.map(sign_in_many, jobs))
        elapsed = time.perf_counter() - started
        cpu_used = cpu_seconds(process.pid) - cpu_before
    if signed_in != users:
        raise RuntimeError(f"only {signed_in} of {users} sign-ins succeeded")
    return users / elapsed, 1000 * cpu_used / users


def measure(name: str, starter: Any, users: int, clients: int, trials: int) -> tuple[float, float]:
    process, url = starter()
    try:
        results = [run_trial(process, url, users, clients) for _ in range(trials)]
    finally:
        process.terminate()
        process.wait(timeout=20)
    rate = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    print(f"  {name:<28} {rate:8.1f} sign-ins/s   {cpu:6.2f} ms server CPU per sign-in")
    return rate, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=240, help="sign-ins per trial")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes")
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    print(
        f"SRP sign-ins (InitiateAuth + RespondToAuthChallenge), {args.users} distinct users, "
        f"{args.clients} client processes, median of {args.trials} trials, "
        f"{os.cpu_count()} CPUs, gmpy2: {srp.powmod is not srp._python_powmod}"
    )
    local_rate, local_cpu = measure(
        "pyamplify local (real SRP)", start_local, args.users, args.clients, args.trials
    )
    moto_rate, moto_cpu = measure(
        "moto_server (fake SRP)", start_moto, args.users, args.clients, args.trials
    )
    print(
        f"  ratio local/moto: {local_rate / moto_rate:.2f}x throughput, "
        f"{local_cpu / moto_cpu:.2f}x server CPU per sign-in"
    )


if __name__ == "__main__":
    main()
