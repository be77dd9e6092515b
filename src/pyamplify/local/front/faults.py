"""Faults on purpose: latency, throttling, server errors and dropped connections, at rates.

A client is only as good as what it does when Cognito is slow, throttles or fails. The local
Cognito can misbehave on purpose, reproducibly: ``pyamplify local start --faults SPEC`` or
``LocalCognito(faults=SPEC)`` (a string or a :class:`FaultSpec`; ``cognito.faults = ...``
changes it while serving). SPEC is comma-separated ``name=value`` items:

* ``throttle=RATE``: ``TooManyRequestsException: Rate exceeded`` (HTTP 400), operation not run;
* ``error=RATE``: ``InternalErrorException`` (HTTP 500), operation not run;
* ``drop=RATE``: the connection is closed without an answer, operation not run;
* ``drop-after=RATE``: the operation runs, then the connection is closed without its answer
  (the answer is lost: the case that makes retries unsafe);
* ``latency=DURATION[@RATE]``: wait that long first (``250ms``, ``1.5s``, or a range
  ``50-400ms``, drawn uniformly), for every call or at RATE; combines with the others;
* ``ops=Name+Name``: only these operations (by ``X-Amz-Target`` name); default all;
* ``seed=N``: the random sequence (default 0), so a run is reproducible.

RATE is a probability (``0.05``) or a percentage (``5%``). One draw per call picks at most one
of throttle / error / drop / drop-after; latency is drawn on its own. Faults apply to the
Cognito API (JSON 1.1 ``POST /``) only: ``/_local/*``, keys and Hosted UI pages stay reliable,
so tests can still read the outbox.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field

from pyamplify.errors import PyamplifyError

THROTTLE = "throttle"
ERROR = "error"
DROP = "drop"
DROP_AFTER = "drop-after"
#: The faults that replace an answer, in the order one draw is split between them.
OUTCOMES = (THROTTLE, ERROR, DROP, DROP_AFTER)

_DURATION = re.compile(r"(?P<low>\d+(?:\.\d+)?)(?:-(?P<high>\d+(?:\.\d+)?))?(?P<unit>ms|s)")


class FaultSpecError(PyamplifyError):
    """A ``--faults`` value that cannot be read; the message names the item and the syntax."""


@dataclass(frozen=True)
class FaultSpec:
    """Rates of each fault (see the module docstring); all zero by default."""

    throttle: float = 0.0
    error: float = 0.0
    drop: float = 0.0
    drop_after: float = 0.0
    #: Seconds of added latency: (low, high), drawn uniformly; (0, 0) for none.
    latency: tuple[float, float] = (0.0, 0.0)
    latency_rate: float = 1.0
    operations: frozenset[str] = field(default_factory=frozenset)
    seed: int = 0

    def __post_init__(self) -> None:
        rates = (self.throttle, self.error, self.drop, self.drop_after, self.latency_rate)
        if any(not 0.0 <= rate <= 1.0 for rate in rates):
            raise FaultSpecError("every fault rate must be between 0 and 1 (or 0% and 100%)")
        if self.throttle + self.error + self.drop + self.drop_after > 1.0:
            raise FaultSpecError("throttle + error + drop + drop-after must not exceed 1")
        low, high = self.latency
        if low < 0 or high < low:
            raise FaultSpecError("latency must be a duration or a range low-high")

    @property
    def active(self) -> bool:
        """Whether any fault can happen."""
        return bool(self.throttle or self.error or self.drop or self.drop_after or self.latency[1])

    def rate_of(self, outcome: str) -> float:
        """The rate of one of :data:`OUTCOMES`."""
        return float(getattr(self, outcome.replace("-", "_")))

    def describe(self) -> str:
        """The spec written back in ``--faults`` syntax."""
        parts = [f"{name}={self.rate_of(name):g}" for name in OUTCOMES if self.rate_of(name)]
        low, high = self.latency
        if high:
            span = f"{low * 1000:g}-{high * 1000:g}ms" if high != low else f"{low * 1000:g}ms"
            rate = f"@{self.latency_rate:g}" if self.latency_rate < 1 else ""
            parts.append(f"latency={span}{rate}")
        if self.operations:
            parts.append("ops=" + "+".join(sorted(self.operations)))
        parts.append(f"seed={self.seed}")
        return ",".join(parts)

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """Read ``--faults`` syntax; :class:`FaultSpecError` names what is wrong."""
        values: dict[str, object] = {}
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            name, sep, value = item.partition("=")
            name = name.strip().lower().replace("_", "-")
            value = value.strip()
            if not sep or not value:
                raise FaultSpecError(f"{item!r}: write name=value ({_SYNTAX})")
            if name in OUTCOMES:
                values[name.replace("-", "_")] = _rate(item, value)
            elif name == "latency":
                duration, _, rate = value.partition("@")
                values["latency"] = _duration(item, duration)
                if rate:
                    values["latency_rate"] = _rate(item, rate)
            elif name == "ops":
                values["operations"] = frozenset(op for op in value.split("+") if op)
            elif name == "seed":
                try:
                    values["seed"] = int(value)
                except ValueError:
                    raise FaultSpecError(f"{item!r}: the seed is a whole number") from None
            else:
                raise FaultSpecError(f"{item!r}: unknown fault {name!r} ({_SYNTAX})")
        return cls(**values)  # type: ignore[arg-type]


_SYNTAX = (
    "throttle=RATE, error=RATE, drop=RATE, drop-after=RATE, latency=DURATION[@RATE], "
    "ops=Name+Name, seed=N; RATE 0.05 or 5%, DURATION 200ms, 1s or 50-400ms"
)


def _rate(item: str, text: str) -> float:
    try:
        rate = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise FaultSpecError(f"{item!r}: a rate is 0.05 or 5%") from None
    if not 0.0 <= rate <= 1.0:
        raise FaultSpecError(f"{item!r}: a rate is between 0 and 1 (0% and 100%)")
    return rate


def _duration(item: str, text: str) -> tuple[float, float]:
    matched = _DURATION.fullmatch(text.strip())
    if matched is None:
        raise FaultSpecError(f"{item!r}: a duration is 200ms, 1.5s or a range 50-400ms")
    scale = 0.001 if matched["unit"] == "ms" else 1.0
    low = float(matched["low"]) * scale
    high = float(matched["high"]) * scale if matched["high"] else low
    if high < low:
        raise FaultSpecError(f"{item!r}: a range is low-high")
    return low, high


@dataclass(frozen=True)
class Decision:
    """What happens to one call: a delay first, then at most one outcome (or none)."""

    delay: float = 0.0
    outcome: str | None = None


NO_FAULT = Decision()


class FaultInjector:
    """Draws a :class:`Decision` per call from a seeded generator; counts what it injected."""

    def __init__(self, spec: FaultSpec | None = None) -> None:
        self._lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.set(spec or FaultSpec())

    @property
    def spec(self) -> FaultSpec:
        """The faults being injected."""
        return self._spec

    def set(self, spec: FaultSpec | str | None) -> None:
        """Inject ``spec`` from now on (its seed restarts the sequence); ``None``: nothing."""
        if isinstance(spec, str):
            spec = FaultSpec.parse(spec)
        with self._lock:
            self._spec = spec or FaultSpec()
            self._random = random.Random(self._spec.seed)
            self.counts = {}

    def decide(self, operation: str) -> Decision:
        """The fault (if any) for one call of ``operation``."""
        spec = self._spec
        if not spec.active or (spec.operations and operation not in spec.operations):
            return NO_FAULT
        with self._lock:
            delay = 0.0
            low, high = spec.latency
            if high and self._random.random() < spec.latency_rate:
                delay = self._random.uniform(low, high)
            roll = self._random.random()
            outcome = None
            for name in OUTCOMES:
                rate = spec.rate_of(name)
                if roll < rate:
                    outcome = name
                    break
                roll -= rate
            if outcome is not None:
                self.counts[outcome] = self.counts.get(outcome, 0) + 1
            if delay:
                self.counts["latency"] = self.counts.get("latency", 0) + 1
        return Decision(delay, outcome) if delay or outcome else NO_FAULT
