"""Token verifications per second with a warm key cache: ``pyamplify.verify`` vs its peers.

One real ID token of a local Cognito user pool is verified over and over by:

* ``TokenVerifier.verify`` (pyamplify): kid lookup in the JWKS cache, PyJWT's RS256 check of
  signature, ``exp``, ``iat`` and ``iss``, then ``token_use`` and ``aud``;
* PyJWT used directly: ``jwt.decode(token, key, algorithms=["RS256"], audience=..., issuer=...)``
  with the key already parsed (the least a hand-written verifier would do);
* aws-jwt-verify (Node.js): ``CognitoJwtVerifier.verifySync`` with the JWKS cached
  (``cacheJwks``), in a ``node`` process; the package is installed by this script with npm into
  a temporary directory (never into the repository). If npm or the registry is not reachable
  the script says so and compares with PyJWT alone.

Rates are verifications per CPU second (``process_time``; ``process.cpuUsage()`` in Node.js):
on a shared machine, wall time measures the neighbours. The Python contenders alternate in
blocks; Node.js runs its blocks in its own process. Goal (issue 15): pyamplify >= 0.8x PyJWT
direct.

    python benchmarks/bench_verify.py [--blocks 7] [--per-block 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import jwt

from pyamplify.local import LocalCognito
from pyamplify.local.testing import provision_pool, provision_user
from pyamplify.verify import JwksCache, TokenVerifier, aws_issuer

PASSWORD = "Bench-verify-123!"
NODE_SCRIPT = """
const { CognitoJwtVerifier } = require("aws-jwt-verify");
const [poolId, clientId, token, jwksJson, blocks, perBlock] = process.argv.slice(2);
const verifier = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: "id", clientId });
verifier.cacheJwks(JSON.parse(jwksJson));
verifier.verifySync(token);
const rates = [];
for (let b = 0; b < Number(blocks); b++) {
  const start = process.cpuUsage();
  for (let i = 0; i < Number(perBlock); i++) verifier.verifySync(token);
  const used = process.cpuUsage(start);
  rates.push(Number(perBlock) / ((used.user + used.system) / 1e6));
}
const manifest = require("path").join(__dirname, "node_modules/aws-jwt-verify/package.json");
const version = JSON.parse(require("fs").readFileSync(manifest, "utf8")).version;
console.log(JSON.stringify({ rates, version, node: process.version }));
"""


def sign_in(url: str) -> tuple[str, str, str]:
    """A pool, its client and a fresh ID token from a USER_PASSWORD_AUTH sign-in."""
    pool = provision_pool(url, name="bench-verify")
    provision_user(url, pool, "bench", PASSWORD)
    answer = httpx.post(
        url + "/",
        headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"},
        content=json.dumps(
            {
                "ClientId": pool.client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "bench", "PASSWORD": PASSWORD},
            }
        ),
    ).json()
    return pool.pool_id, pool.client_id, answer["AuthenticationResult"]["IdToken"]


def rate(fn: Any, count: int) -> float:
    """Calls per CPU second."""
    start = time.process_time()
    for _ in range(count):
        fn()
    return count / (time.process_time() - start)


def node_rates(
    pool_id: str, client_id: str, token: str, jwks: dict[str, Any], blocks: int, per_block: int
) -> tuple[list[float], str] | str:
    """aws-jwt-verify's rates, or the reason there are none."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        return "npm/node not installed"
    folder = Path(tempfile.mkdtemp(prefix="bench-verify-node-"))
    try:
        installed = subprocess.run(
            [npm, "install", "--silent", "--no-audit", "--no-fund", "aws-jwt-verify@5"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if installed.returncode != 0:
            return f"npm install aws-jwt-verify failed: {installed.stderr.strip()[:200]}"
        (folder / "bench.js").write_text(NODE_SCRIPT)
        numbers = [str(blocks), str(per_block)]
        ran = subprocess.run(
            [node, "bench.js", pool_id, client_id, token, json.dumps(jwks), *numbers],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if ran.returncode != 0:
            return f"node failed: {ran.stderr.strip()[:300]}"
        result = json.loads(ran.stdout)
        return [float(r) for r in result["rates"]], f"{result['version']}, Node.js {result['node']}"
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"npm/node unavailable: {error}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blocks", type=int, default=7)
    parser.add_argument("--per-block", type=int, default=2000)
    args = parser.parse_args()
    with LocalCognito() as cognito:
        pool_id, client_id, token = sign_in(cognito.url)
        jwks_uri = f"{cognito.url}/{pool_id}/.well-known/jwks.json"
        jwks = httpx.get(jwks_uri).json()
    issuer = aws_issuer(pool_id)
    verifier = TokenVerifier(
        pool_id, client_id=client_id, token_use="id", jwks_uri=jwks_uri, cache=JwksCache()
    )
    verifier.cache.load(jwks_uri, jwks)
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(jwt.PyJWK(k).key for k in jwks["keys"] if k["kid"] == kid)

    def ours() -> None:
        verifier.verify(token)

    def pyjwt_direct() -> None:
        jwt.decode(token, key, algorithms=["RS256"], audience=client_id, issuer=issuer)

    ours()
    pyjwt_direct()
    mine: list[float] = []
    direct: list[float] = []
    for _ in range(args.blocks):
        mine.append(rate(ours, args.per_block))
        direct.append(rate(pyjwt_direct, args.per_block))
    node = node_rates(pool_id, client_id, token, jwks, args.blocks, args.per_block)
    ours_median, direct_median = statistics.median(mine), statistics.median(direct)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"# {when}, {python}, PyJWT {jwt.__version__}, load {os.getloadavg()[0]:.1f}")
    for name, rates in (("pyamplify TokenVerifier.verify", mine), ("PyJWT jwt.decode", direct)):
        spread = f"blocks {min(rates):,.0f}-{max(rates):,.0f}"
        print(f"{name:<31}: {statistics.median(rates):9,.0f} /CPU-s ({spread})")
    print(f"{'pyamplify / PyJWT direct':<31}: {ours_median / direct_median:9.2f}x (goal >= 0.8x)")
    if isinstance(node, str):
        print(f"{'aws-jwt-verify':<31}: not measured ({node})")
    else:
        rates, version = node
        node_median = statistics.median(rates)
        spread = f"blocks {min(rates):,.0f}-{max(rates):,.0f}"
        print(
            f"{'aws-jwt-verify verifySync':<31}: {node_median:9,.0f} /CPU-s ({spread}; {version})"
        )
        print(f"{'pyamplify / aws-jwt-verify':<31}: {ours_median / node_median:9.2f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
