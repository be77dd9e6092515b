"""Keys made ahead of need: which server may get which key, seen from the outside.

Servers run for real (in this process, or in child processes for the cross-process rules) and
the keys are read from each pool's published JWKS after a sign-in, so these tests see what a
token verifier sees. Each test installs its own supply over a cache directory of its own
(``supply`` fixture); the cache slots are written with keys from the session's stock.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pyamplify.local import LocalCognito, key_supply
from pyamplify.local.key_cache import HEADER, KeyCache
from pyamplify.local.key_supply import KeyPair, KeySupply, ReadyKeys
from pyamplify.local.testing import LocalAdmin

pytestmark = pytest.mark.e2e

PASSWORD = "Key-Supply-Passw0rd!"


def write_slot(directory: Path, keys: list[KeyPair], slot: int = 0) -> None:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    lines = [
        base64.b64encode(
            key.private_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ).decode()
        for key in keys
    ]
    path = directory / f"slot-{slot}.keys"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="ascii")
    path.chmod(0o600)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "key-cache"


@pytest.fixture
def supply(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KeySupply]:
    """This test's process-wide supply (no background keys: what is used is what is taken)."""
    cache = KeyCache(cache_dir)
    made = KeySupply(cache, target=0)
    monkeypatch.setattr(key_supply, "_default", made)
    yield made
    cache.close()


def signed_in_pool_kids(server: LocalCognito) -> tuple[str, str, set[str]]:
    """Make a pool and a user, sign in; the ID and access tokens' kids and the JWKS kids."""
    with LocalAdmin(server.url) as admin:
        pool = admin.create_pool(name="keys")
        admin.create_user(pool, "keyholder", PASSWORD)
        tokens = admin.send(
            "InitiateAuth",
            {
                "ClientId": pool.client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "keyholder", "PASSWORD": PASSWORD},
            },
        )["AuthenticationResult"]
    jwks = httpx.get(f"{server.url}/{pool.pool_id}/.well-known/jwks.json").json()["keys"]
    for token in (tokens["IdToken"], tokens["AccessToken"]):  # really signed by those keys
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(jwt.PyJWK(k) for k in jwks if k["kid"] == kid)
        jwt.decode(token, key.key, ["RS256"], options={"verify_aud": False, "verify_iat": False})
    return (
        jwt.get_unverified_header(tokens["IdToken"])["kid"],
        jwt.get_unverified_header(tokens["AccessToken"])["kid"],
        {k["kid"] for k in jwks},
    )


def kids_of(server: LocalCognito, pools: int) -> list[str]:
    kids: list[str] = []
    for _ in range(pools):
        id_kid, access_kid, published = signed_in_pool_kids(server)
        assert id_kid != access_kid and published == {id_kid, access_kid}
        kids += [id_kid, access_kid]
    return kids


def pairs(kids: list[str]) -> list[set[str]]:
    """Kids two by two (a pool's ID and access keys, whichever it took first)."""
    return [set(kids[i : i + 2]) for i in range(0, len(kids), 2)]


def test_each_pool_gets_its_own_keys_from_the_cache(
    supply: KeySupply, cache_dir: Path, key_stock: list[KeyPair]
) -> None:
    write_slot(cache_dir, key_stock[:8])
    with LocalCognito() as server:
        kids = kids_of(server, 3)
    assert len(set(kids)) == 6
    assert pairs(kids) == pairs([k.kid for k in key_stock[:6]])  # cached keys, in file order


def test_two_ephemeral_servers_at_once_never_share_a_key(
    supply: KeySupply, cache_dir: Path, key_stock: list[KeyPair]
) -> None:
    write_slot(cache_dir, key_stock[:6])
    with LocalCognito() as first, LocalCognito() as second:
        mine = kids_of(first, 1) + kids_of(second, 1) + kids_of(first, 1)
        theirs = kids_of(second, 2)  # the cache runs dry: fresh keys, recorded for next time
    assert len(set(mine + theirs)) == 10
    assert pairs(mine) == pairs([k.kid for k in key_stock[:6]])
    cache = supply.cache
    assert cache is not None and cache.slot_size == 10


def test_keys_of_a_stopped_server_may_serve_the_next_one(
    supply: KeySupply, cache_dir: Path, key_stock: list[KeyPair]
) -> None:
    write_slot(cache_dir, key_stock[:2])
    with LocalCognito() as first:
        before = kids_of(first, 1)
    with LocalCognito() as second:  # nobody can verify with the first server's keys any more
        after = kids_of(second, 1)
    assert set(before) == set(after) == {k.kid for k in key_stock[:2]}


def slot_kids(path: Path) -> set[str]:
    """The kids of the keys a cache slot file holds."""
    kids = set()
    for line in path.read_text(encoding="ascii").splitlines()[1:]:
        key = serialization.load_der_private_key(
            base64.b64decode(line), None, unsafe_skip_rsa_key_validation=True
        )
        assert isinstance(key, rsa.RSAPrivateKey)
        kids.add(KeyPair.of(key).kid)
    return kids


def test_a_data_dir_server_never_takes_or_leaves_cached_keys(
    supply: KeySupply, cache_dir: Path, key_stock: list[KeyPair], tmp_path: Path
) -> None:
    write_slot(cache_dir, key_stock[:4])
    cached = {k.kid for k in key_stock[:4]}
    with LocalCognito(tmp_path / "data") as persistent:
        own = set(kids_of(persistent, 1))
        with LocalCognito() as ephemeral:
            beside = set(kids_of(ephemeral, 1))
        with LocalCognito() as later:  # gets the stopped server's keys back, never the disk's
            after = set(kids_of(later, 2))
    assert not own & cached  # fresh keys, though cached ones were there
    assert beside <= cached and after == cached
    assert slot_kids(cache_dir / "slot-0.keys") == cached  # and its keys were not recorded


def test_a_data_dir_server_keeps_its_keys_across_restarts(
    supply: KeySupply, tmp_path: Path
) -> None:
    with LocalCognito(tmp_path / "data") as server:
        with LocalAdmin(server.url) as admin:
            pool_id = admin.create_pool(name="kept").pool_id
        url = f"{server.url}/{pool_id}/.well-known/jwks.json"
        first = httpx.get(url).json()
    with LocalCognito(tmp_path / "data") as restarted:
        url = f"{restarted.url}/{pool_id}/.well-known/jwks.json"
        assert httpx.get(url).json() == first


def test_a_corrupt_cache_warns_once_and_tokens_still_verify(
    supply: KeySupply, cache_dir: Path
) -> None:
    cache_dir.mkdir(mode=0o700)
    (cache_dir / "slot-0.keys").write_text("garbage\n")
    (cache_dir / "slot-0.keys").chmod(0o600)
    expected = pytest.warns(RuntimeWarning, match="ignoring the local Cognito's test key cache")
    with expected as seen, LocalCognito() as first, LocalCognito() as second:
        kids = kids_of(first, 1) + kids_of(second, 1)
    assert len([w for w in seen if issubclass(w.category, RuntimeWarning)]) == 1
    assert len(set(kids)) == 4
    assert (cache_dir / "slot-0.keys").read_text().startswith(HEADER)  # replaced


CHILD = textwrap.dedent(
    """
    import json, sys
    import httpx
    from pyamplify.local import LocalCognito
    from pyamplify.local.testing import LocalAdmin

    with LocalCognito() as server, LocalAdmin(server.url) as admin:
        kids = []
        for _ in range(2):
            pool = admin.create_pool(name="child")
            url = f"{server.url}/{pool.pool_id}/.well-known/jwks.json"
            kids += [key["kid"] for key in httpx.get(url).json()["keys"]]
        print(json.dumps(kids), flush=True)
        sys.stdin.readline()  # hold the server (and the cache slot) until told to stop
    """
)


def start_child(cache_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYAMPLIFY_LOCAL_KEY_CACHE": str(cache_dir)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def kids_from(child: subprocess.Popen[str]) -> list[str]:
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line, "the child process did not report its kids"
    kids: list[str] = json.loads(line)
    return kids


def stop(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None
    child.stdin.write("\n")
    child.stdin.close()
    assert child.wait(timeout=60) == 0


def test_two_processes_at_once_never_share_a_key_and_the_next_run_reuses_them(
    cache_dir: Path, key_stock: list[KeyPair], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_slot(cache_dir, key_stock[:4])
    cached = {k.kid for k in key_stock[:4]}
    first = start_child(cache_dir)
    try:
        first_kids = kids_from(first)
        second = start_child(cache_dir)  # while the first still holds its keys
        try:
            second_kids = kids_from(second)
        finally:
            stop(second)
    finally:
        stop(first)
    assert set(first_kids) == cached  # slot 0, reused from the cache
    assert not set(second_kids) & set(first_kids)  # slot 1: keys of its own
    # The next run (a server in this process now) gets slot 0 again: the same keys.
    cache = KeyCache(cache_dir)
    monkeypatch.setattr(key_supply, "_default", KeySupply(cache, target=0))
    try:
        with LocalCognito() as later:
            assert set(kids_of(later, 2)) == cached
    finally:
        cache.close()


def test_a_forked_child_does_not_hand_out_its_parents_keys(tmp_path: Path) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("needs os.fork")
    probe = textwrap.dedent(
        """
        import os, sys
        from pyamplify.local import key_supply
        parent = key_supply.default_supply()
        pid = os.fork()
        if pid == 0:
            child = key_supply.default_supply()
            os._exit(0 if child is not parent else 3)
        _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
        """
    )
    env = {**os.environ, "PYAMPLIFY_LOCAL_KEY_CACHE": str(tmp_path)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = subprocess.run([sys.executable, "-c", probe], env=env, timeout=60, check=False)
    assert result.returncode == 0


# ---------------------------------------------------------------------- ReadyKeys


class Stock:
    """A key maker that hands out pre-made real keys and counts how often it was asked."""

    def __init__(self, keys: list[KeyPair]) -> None:
        self.keys = list(keys)
        self.calls = 0

    def __call__(self) -> KeyPair:
        self.calls += 1
        return self.keys.pop(0)


def test_ready_keys_are_made_in_the_background_and_topped_up(key_stock: list[KeyPair]) -> None:
    stock = Stock(key_stock)
    ready = ReadyKeys(stock)
    assert stock.calls == 0  # nothing is made before anyone wants keys
    ready.keep(2)
    assert ready.wait_ready(2, timeout=30)
    first = ready.take()
    assert first is key_stock[0]
    assert ready.wait_ready(2, timeout=30)  # topped up again
    assert stock.calls == 3 and ready.made == 3
    ready.keep(0)
    assert [ready.take(), ready.take()] == key_stock[1:3]
    assert ready.take() is key_stock[3]  # none ready: made in the calling thread
    assert ready.made == 3 and stock.calls == 4


def test_a_supply_without_a_cache_hands_out_fresh_keys_only(key_stock: list[KeyPair]) -> None:
    supply = KeySupply(None, ReadyKeys(Stock(key_stock)), target=0)
    supply.prepare(ephemeral=True)
    taken = [supply.take(ephemeral=True), supply.take(ephemeral=False)]
    assert taken == key_stock[:2]
    supply.give_back(taken)  # nowhere to go back to
    assert supply.take(ephemeral=True) is key_stock[2]
