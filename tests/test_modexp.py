"""The modular-exponentiation engines agree with ``pow``, and the choice among them is explicit."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from pyamplify import modexp, srp


@pytest.fixture
def fresh_selection(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Forget the engine chosen so far; choose again afterwards, from the real environment."""
    modexp.selected_engine.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    modexp.selected_engine.cache_clear()


def _cases() -> list[tuple[int, int, int]]:
    draw = random.Random(20261126)
    cases = [
        (srp.G, (1 << 255) | draw.getrandbits(255), srp.N),  # g^b
        (draw.getrandbits(3072), draw.getrandbits(512), srp.N),  # a client's S, base >= N
        (srp.N - 1, 2, srp.N),
        (0, 5, srp.N),
        (7, 0, srp.N),
        (0, 0, srp.N),
        (-12345, 65537, srp.N),  # negative base: pow reduces it first
        (5, 3, 10),  # even modulus: not Montgomery's, pow's
        (9, 4, 1),
        (3, draw.getrandbits(3072), (1 << 127) - 1),
    ]
    for _ in range(40):
        modulus = draw.getrandbits(draw.choice([64, 1024, 3072])) | 1
        exponent = draw.getrandbits(draw.choice([1, 256, 700]))
        cases.append((draw.getrandbits(3100), exponent, modulus))
    return cases


@pytest.mark.parametrize("name", modexp.available_engines())
def test_every_available_engine_agrees_with_pow(name: str) -> None:
    engine = modexp.load_engine(name)
    assert engine is not None
    for base, exponent, modulus in _cases():
        assert engine(base, exponent, modulus) == pow(base, exponent, modulus), (name, modulus)


@pytest.mark.skipif(sys.platform != "linux", reason="Linux always has a libcrypto")
def test_this_machine_has_the_fast_engines() -> None:
    # CI's Debian image has libcrypto 3 and the gmpy2 wheel; losing either would cost ~30 %.
    assert modexp.available_engines() == ["openssl", "gmpy2", "python"]
    modexp.selected_engine.cache_clear()
    assert modexp.selected_engine()[0] == "openssl"


def test_openssl_engine_is_correct_from_many_threads_at_once() -> None:
    engine = modexp.load_engine("openssl")
    if engine is None:
        pytest.skip("no libcrypto on this machine")
    draw = random.Random(7)
    work = [(draw.getrandbits(3072), draw.getrandbits(256)) for _ in range(64)]
    expected = [pow(base, exponent, srp.N) for base, exponent in work]
    results: dict[int, list[int]] = {}

    def run(thread: int) -> None:
        results[thread] = [engine(base, exponent, srp.N) for base, exponent in work]

    threads = [threading.Thread(target=run, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[index] == expected for index in range(4))


def test_a_library_that_answers_wrong_is_not_used() -> None:
    assert modexp._passes_known_answer(modexp.python_powmod)
    assert not modexp._passes_known_answer(lambda base, exponent, modulus: 1)


def test_the_environment_forces_an_engine(fresh_selection: pytest.MonkeyPatch) -> None:
    fresh_selection.setenv(modexp.ENV_VAR, "Python")
    name, engine = modexp.selected_engine()
    assert (name, engine) == ("python", modexp.python_powmod)
    assert srp.powmod(3, 5, 7) == 5


def test_an_unknown_engine_is_an_error_that_lists_the_choices(
    fresh_selection: pytest.MonkeyPatch,
) -> None:
    fresh_selection.setenv(modexp.ENV_VAR, "fastest")
    with pytest.raises(modexp.ModexpError) as error:
        modexp.powmod(2, 3, 5)
    assert str(error.value) == (
        "PYAMPLIFY_MODEXP='fastest' is not an engine; use one of openssl, gmpy2, python "
        "or unset it."
    )


def test_an_unavailable_engine_is_an_error_that_lists_the_available_ones(
    fresh_selection: pytest.MonkeyPatch,
) -> None:
    fresh_selection.setenv(modexp.ENV_VAR, "openssl")
    fresh_selection.setitem(modexp._LOADERS, "openssl", lambda: None)
    modexp.load_engine.cache_clear()
    try:
        with pytest.raises(modexp.ModexpError, match="not available here; available: gmpy2"):
            modexp.selected_engine()
    finally:
        fresh_selection.undo()
        modexp.load_engine.cache_clear()


def test_importing_srp_loads_no_engine() -> None:
    probe = (
        "import sys, pyamplify.srp; "
        "print(sorted(m for m in ('ctypes', 'gmpy2') if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_openssl_engine_keeps_a_bounded_number_of_moduli() -> None:
    engine = modexp.load_engine("openssl")
    if engine is None:
        pytest.skip("no libcrypto on this machine")
    draw = random.Random(11)
    for _ in range(50):
        modulus = draw.getrandbits(512) | 1 | (1 << 511)
        base, exponent = draw.getrandbits(520), draw.getrandbits(64)
        assert engine(base, exponent, modulus) == pow(base, exponent, modulus)
    assert len(engine._montgomery) <= modexp._CACHED_MODULI  # type: ignore[attr-defined]
    assert engine(srp.G, 12345, srp.N) == pow(srp.G, 12345, srp.N)
