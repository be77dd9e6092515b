"""Modular exponentiation, the one costly step of SRP, from the fastest engine at hand.

Every SRP sign-in costs two 3072-bit exponentiations on each side; nothing else in the
exchange is measurable next to them. Three engines compute the same numbers:

* ``openssl``: ``BN_mod_exp_mont`` of the system's OpenSSL ``libcrypto`` (the library Python's
  own ``ssl`` module uses), called through :mod:`ctypes`. OpenSSL has hand-written assembly for
  current x86-64 and ARM cores: on our 2-core CI VM it takes 0.75 ms where gmpy2 takes 1.1 ms.
  ctypes releases the GIL during the call, so threads exponentiate in parallel.
* ``gmpy2``: GMP, when the ``gmpy2`` wheel is installed (about 8x faster than ``pow``).
* ``python``: the builtin three-argument ``pow``, always there.

The first call picks ``openssl`` if a ``libcrypto`` loads and gives the right answer to a
known-answer test, else ``gmpy2`` if importable, else ``python``; nothing is loaded before that
call, so importing pyamplify stays cheap. ``PYAMPLIFY_MODEXP=openssl|gmpy2|python`` forces one
(an unknown or unavailable choice raises :class:`ModexpError` naming the ones available).

Only odd moduli go to OpenSSL's Montgomery code (SRP's ``N`` is prime); other arguments, and
negative exponents, take ``pow``, which defines them all.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from pyamplify.errors import PyamplifyError

ENGINES = ("openssl", "gmpy2", "python")
#: Montgomery contexts kept (SRP uses one modulus; others beyond this are made and freed per call).
_CACHED_MODULI = 8
ENV_VAR = "PYAMPLIFY_MODEXP"

Powmod = Callable[[int, int, int], int]

# libcrypto's names across OpenSSL 3 and 1.1 on Linux, macOS (Homebrew) and Windows (the
# python.org installer ships it next to _ssl). Never the unversioned macOS name: Apple's stub
# library aborts the process when it is loaded that way.
_LIBCRYPTO_NAMES = {
    "linux": ("libcrypto.so.3", "libcrypto.so.1.1"),
    "darwin": (
        "libcrypto.3.dylib",
        "/opt/homebrew/opt/openssl@3/lib/libcrypto.3.dylib",
        "/usr/local/opt/openssl@3/lib/libcrypto.3.dylib",
    ),
    "win32": ("libcrypto-3-x64.dll", "libcrypto-3.dll", "libcrypto-1_1-x64.dll"),
}


class ModexpError(PyamplifyError):
    """``PYAMPLIFY_MODEXP`` names an engine that is unknown or not available here."""


def python_powmod(base: int, exponent: int, modulus: int) -> int:
    """``pow(base, exponent, modulus)``: the reference every engine must agree with."""
    return pow(base, exponent, modulus)


def _gmpy2_engine() -> Powmod | None:
    try:
        import gmpy2
    except ImportError:  # pragma: no cover - depends on the platform
        return None
    gmpy2_powmod = gmpy2.powmod

    def powmod(base: int, exponent: int, modulus: int) -> int:
        return int(gmpy2_powmod(base, exponent, modulus))

    return powmod


class _OpenSslEngine:
    """``BN_mod_exp_mont`` through ctypes, with one Montgomery context per modulus.

    A ``BN_CTX`` (scratch space) and the three ``BIGNUM`` arguments are per thread, since
    OpenSSL's are not thread-safe; a Montgomery context is only read once set up, so threads
    share it, as OpenSSL's RSA code does.
    """

    def __init__(self, library: Any) -> None:
        import ctypes

        self._ctypes = ctypes
        self._lib = library
        pointer, integer = ctypes.c_void_p, ctypes.c_int
        signatures: dict[str, tuple[Any, list[Any]]] = {
            "BN_new": (pointer, []),
            "BN_free": (None, [pointer]),
            "BN_CTX_new": (pointer, []),
            "BN_CTX_free": (None, [pointer]),
            "BN_bin2bn": (pointer, [ctypes.c_char_p, integer, pointer]),
            "BN_bn2binpad": (integer, [pointer, ctypes.c_char_p, integer]),
            "BN_MONT_CTX_new": (pointer, []),
            "BN_MONT_CTX_free": (None, [pointer]),
            "BN_MONT_CTX_set": (integer, [pointer, pointer, pointer]),
            "BN_mod_exp_mont": (integer, [pointer] * 6),
        }
        for name, (result, arguments) in signatures.items():
            function = getattr(library, name)
            function.restype, function.argtypes = result, arguments
        self._local = threading.local()
        self._montgomery: dict[int, tuple[Any, Any, int]] = {}
        self._setup_lock = threading.Lock()

    def _thread_state(self) -> tuple[Any, Any, Any, Any]:
        state = getattr(self._local, "state", None)
        if state is None:
            state = self._local.state = _ThreadBignums(self._lib)
        return state.pointers

    def _montgomery_for(self, modulus: int, context: Any) -> tuple[Any, Any, int]:
        """``(modulus BIGNUM, its Montgomery context, size in bytes)``, made once per modulus."""
        cached = self._montgomery.get(modulus)
        if cached is not None:
            return cached
        with self._setup_lock:
            cached = self._montgomery.get(modulus)
            if cached is None:
                cached = self._new_montgomery(modulus, context)
                if len(self._montgomery) < _CACHED_MODULI:
                    self._montgomery[modulus] = cached
            return cached

    def _new_montgomery(self, modulus: int, context: Any) -> tuple[Any, Any, int]:
        lib = self._lib
        size = (modulus.bit_length() + 7) // 8
        modulus_bn = lib.BN_bin2bn(modulus.to_bytes(size, "big"), size, None)
        montgomery = lib.BN_MONT_CTX_new()
        made = (modulus_bn, montgomery, size)
        if not modulus_bn or not montgomery:
            self._free_montgomery(made)
            raise MemoryError("OpenSSL could not allocate a Montgomery context")
        if lib.BN_MONT_CTX_set(montgomery, modulus_bn, context) != 1:
            self._free_montgomery(made)
            raise ArithmeticError("OpenSSL refused the modulus")
        return made

    def _free_montgomery(self, made: tuple[Any, Any, int]) -> None:
        modulus_bn, montgomery, _size = made
        if montgomery:
            self._lib.BN_MONT_CTX_free(montgomery)
        if modulus_bn:
            self._lib.BN_free(modulus_bn)

    def __call__(self, base: int, exponent: int, modulus: int) -> int:
        if modulus < 3 or not modulus & 1 or exponent < 0:
            return pow(base, exponent, modulus)
        if not 0 <= base < modulus:
            base %= modulus
        context, base_bn, exponent_bn, result_bn = self._thread_state()
        montgomery_set = self._montgomery_for(modulus, context)
        modulus_bn, montgomery, size = montgomery_set
        try:
            lib = self._lib
            exponent_size = (exponent.bit_length() + 7) // 8
            lib.BN_bin2bn(base.to_bytes(size, "big"), size, base_bn)
            lib.BN_bin2bn(exponent.to_bytes(exponent_size, "big"), exponent_size, exponent_bn)
            arguments = (result_bn, base_bn, exponent_bn, modulus_bn, context, montgomery)
            if lib.BN_mod_exp_mont(*arguments) != 1:
                raise ArithmeticError("OpenSSL BN_mod_exp_mont failed")
            buffer = self._ctypes.create_string_buffer(size)
            lib.BN_bn2binpad(result_bn, buffer, size)
            return int.from_bytes(buffer.raw, "big")
        finally:
            if self._montgomery.get(modulus) is not montgomery_set:
                self._free_montgomery(montgomery_set)  # one of too many moduli: not kept


class _ThreadBignums:
    """One thread's ``BN_CTX`` and argument ``BIGNUM``s, freed when the thread ends."""

    def __init__(self, library: Any) -> None:
        self._lib = library
        self.pointers = (library.BN_CTX_new(), library.BN_new(), library.BN_new(), library.BN_new())
        if not all(self.pointers):
            self.__del__()
            raise MemoryError("OpenSSL could not allocate a BIGNUM")

    def __del__(self) -> None:
        context, *numbers = self.pointers
        for number in numbers:
            if number:
                self._lib.BN_free(number)
        if context:
            self._lib.BN_CTX_free(context)


def _openssl_engine() -> Powmod | None:
    try:
        import ctypes
    except ImportError:  # pragma: no cover - some embedded builds lack ctypes
        return None
    names = _LIBCRYPTO_NAMES.get(sys.platform, _LIBCRYPTO_NAMES["linux"])
    for name in names:
        try:
            library = ctypes.CDLL(name)
            engine = _OpenSslEngine(library)
        except (OSError, AttributeError):
            continue
        if _passes_known_answer(engine):
            return engine
    return None


def _passes_known_answer(engine: Powmod) -> bool:
    """Whether ``engine`` agrees with ``pow`` on a 3072-bit case (a broken library is skipped)."""
    modulus = (1 << 3217) - 1  # odd and of SRP's size, like the modulus the engine exists for
    base, exponent = modulus - 0x5EED, (1 << 511) | 0x1234567890ABCDEF
    try:
        return engine(base, exponent, modulus) == pow(base, exponent, modulus) and (
            engine(7, 0, modulus) == 1
        )
    except (ArithmeticError, MemoryError, OSError):
        return False


_LOADERS: dict[str, Callable[[], Powmod | None]] = {
    "openssl": _openssl_engine,
    "gmpy2": _gmpy2_engine,
    "python": lambda: python_powmod,
}


@functools.cache
def load_engine(name: str) -> Powmod | None:
    """The engine called ``name``, or ``None`` if it is not available on this machine."""
    return _LOADERS[name]()


def available_engines() -> list[str]:
    """The engines that load here, fastest first."""
    return [name for name in ENGINES if load_engine(name) is not None]


@functools.lru_cache(maxsize=1)
def selected_engine() -> tuple[str, Powmod]:
    """``(name, function)`` of the engine in use: ``PYAMPLIFY_MODEXP``, else the fastest."""
    forced = os.environ.get(ENV_VAR, "").strip().lower()
    if forced:
        if forced not in ENGINES:
            raise ModexpError(
                f"{ENV_VAR}={forced!r} is not an engine; use one of {', '.join(ENGINES)} "
                "or unset it."
            )
        engine = load_engine(forced)
        if engine is None:
            raise ModexpError(
                f"{ENV_VAR}={forced!r} is not available here; available: "
                f"{', '.join(available_engines())}."
            )
        return forced, engine
    for name in ENGINES:
        engine = load_engine(name)
        if engine is not None:
            return name, engine
    raise AssertionError("the python engine is always available")  # pragma: no cover


def powmod(base: int, exponent: int, modulus: int) -> int:
    """``base ** exponent % modulus`` with the selected engine (see the module docstring)."""
    return selected_engine()[1](base, exponent, modulus)
