"""Easing curves: how a value travels from one keyframe to the next.

Each curve maps progress ``u`` in [0, 1] (the share of the segment's time gone by) to the share
of the way travelled; every curve starts at 0 and ends at exactly 1 (``back`` and springs pass
beyond 1 on the way). The names follow Robert Penner's equations as CSS and most animation
tools name them (``ease-in-out-cubic``); ``ease``, ``ease-in``, ``ease-out`` and
``ease-in-out`` are CSS's cubic Béziers. Pure arithmetic, no engine imports: the compiler
evaluates these at frame times, and the conformance oracle has its own copy to check against.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal, get_args

Curve = Callable[[float], float]

#: The overshoot of the ``back`` curves (10 %), as in Penner's equations.
_BACK = 1.70158


def _in(kind: str) -> Curve:
    if kind == "quad":
        return lambda u: u * u
    if kind == "cubic":
        return lambda u: u * u * u
    if kind == "sine":
        return lambda u: 1 - math.cos(u * math.pi / 2)
    if kind == "expo":
        return lambda u: 0.0 if u <= 0 else 2 ** (10 * u - 10)
    if kind == "back":
        return lambda u: (_BACK + 1) * u**3 - _BACK * u**2
    raise KeyError(kind)


def _named(direction: str, kind: str) -> Curve:
    ease_in = _in(kind)
    if direction == "in":
        return ease_in
    if direction == "in-out" and kind == "back":
        # Penner's in-out back overshoots by the same 10 % as the others: its halves use a
        # larger constant than ``back`` squeezed to half the time would.
        c = _BACK * 1.525
        return lambda u: (
            (2 * u) ** 2 * ((c + 1) * 2 * u - c) / 2
            if u < 0.5
            else ((2 * u - 2) ** 2 * ((c + 1) * (2 * u - 2) + c) + 2) / 2
        )
    if direction == "out":
        return lambda u: 1 - ease_in(1 - u)
    return lambda u: ease_in(2 * u) / 2 if u < 0.5 else 1 - ease_in(2 - 2 * u) / 2


KINDS = ("quad", "cubic", "sine", "expo", "back")
#: CSS's named timing functions, as cubic Bézier control points.
CSS = {
    "ease": (0.25, 0.1, 0.25, 1.0),
    "ease-in": (0.42, 0.0, 1.0, 1.0),
    "ease-out": (0.0, 0.0, 0.58, 1.0),
    "ease-in-out": (0.42, 0.0, 0.58, 1.0),
}
#: Every curve that has a name in a spec.
NAMES: tuple[str, ...] = (
    "linear",
    "hold",
    *CSS,
    *(f"ease-{d}-{k}" for k in KINDS for d in ("in", "out", "in-out")),
)


#: The names as a type, for spec models (the JSON Schema lists them).
EasingName = Literal[
    "linear",
    "hold",
    "ease",
    "ease-in",
    "ease-out",
    "ease-in-out",
    "ease-in-quad",
    "ease-out-quad",
    "ease-in-out-quad",
    "ease-in-cubic",
    "ease-out-cubic",
    "ease-in-out-cubic",
    "ease-in-sine",
    "ease-out-sine",
    "ease-in-out-sine",
    "ease-in-expo",
    "ease-out-expo",
    "ease-in-out-expo",
    "ease-in-back",
    "ease-out-back",
    "ease-in-out-back",
]
assert set(get_args(EasingName)) == set(NAMES)


def ease(name: str, progress: float) -> float:
    """The curve ``name`` at ``progress``, clamped to [0, 1] first (so a caller may pass the
    raw ``(t - start) / duration``)."""
    return named(name)(min(1.0, max(0.0, progress)))


@cache
def named(name: str) -> Curve:
    """The curve called ``name`` (one of :data:`NAMES`). ``hold`` stays at 0 until the end."""
    if name == "linear":
        return lambda u: u
    if name == "hold":
        return lambda u: 1.0 if u >= 1 else 0.0
    if name in CSS:
        return cubic_bezier(*CSS[name])
    direction, kind = name.removeprefix("ease-").rsplit("-", 1)
    return _pinned(_named(direction, kind))


def _pinned(shape: Curve) -> Curve:
    """The curve with its ends exact: floating point leaves sin(π/2) or 2.70158 - 1.70158 a
    hair off 1, and a value that should have arrived would miss its pixel."""
    return lambda u: 0.0 if u <= 0 else 1.0 if u >= 1 else shape(u)


@cache
def cubic_bezier(x1: float, y1: float, x2: float, y2: float) -> Curve:
    """CSS's ``cubic-bezier(x1, y1, x2, y2)``: the curve from (0, 0) to (1, 1) with those two
    control points; the value at ``u`` is the curve's y where its x is ``u`` (x1 and x2 lie in
    [0, 1], so x grows with the curve parameter and there is one such point)."""

    def coordinate(s: float, a: float, b: float) -> float:
        return 3 * a * s * (1 - s) ** 2 + 3 * b * s * s * (1 - s) + s**3

    def curve(u: float) -> float:
        if u <= 0 or u >= 1:
            return 0.0 if u <= 0 else 1.0
        low, high = 0.0, 1.0
        for _ in range(60):  # bisection to double precision: x(s) is monotonic
            mid = (low + high) / 2
            if coordinate(mid, x1, x2) < u:
                low = mid
            else:
                high = mid
        return coordinate((low + high) / 2, y1, y2)

    return curve


@dataclass(frozen=True)
class Spring:
    """A mass on a spring released from 0 towards 1 (no initial speed), played so that it has
    settled (within 0.1 % for good) when the segment ends; the last frame is exactly 1."""

    mass: float = 1.0
    stiffness: float = 100.0
    damping: float = 10.0

    def position(self, seconds: float) -> float:
        """Where the mass is ``seconds`` after release (the closed-form solution)."""
        omega = math.sqrt(self.stiffness / self.mass)
        zeta = self.damping / (2 * math.sqrt(self.stiffness * self.mass))
        t = seconds
        if zeta < 1:
            wd = omega * math.sqrt(1 - zeta * zeta)
            decay = math.exp(-zeta * omega * t)
            return 1 - decay * (math.cos(wd * t) + zeta * omega / wd * math.sin(wd * t))
        if zeta == 1:
            return 1 - math.exp(-omega * t) * (1 + omega * t)
        root = math.sqrt(zeta * zeta - 1)
        r1, r2 = -omega * (zeta - root), -omega * (zeta + root)
        return 1 - (r2 * math.exp(r1 * t) - r1 * math.exp(r2 * t)) / (r2 - r1)

    def settled(self) -> float:
        """Seconds after which the mass stays within 0.1 % of 1 for good: the motion scanned
        up to where its decay envelope alone guarantees that, and the last time it was out."""
        omega = math.sqrt(self.stiffness / self.mass)
        zeta = self.damping / (2 * math.sqrt(self.stiffness * self.mass))
        rate = zeta * omega if zeta < 1 else omega * (zeta - math.sqrt(zeta * zeta - 1))
        amplitude = 1 / math.sqrt(1 - zeta * zeta) if zeta < 1 else 1 + 2 * zeta
        bound = max(1e-6, math.log(amplitude / 1e-3) / rate)
        # (1 + ωt) outgrows the estimate when critically or over-damped: widen until quiet.
        while any(abs(self.position(bound * (1 + i / 100)) - 1) >= 1e-3 for i in range(101)):
            bound *= 2
        steps = 20_000
        last = 0.0
        for i in range(steps + 1):
            t = bound * i / steps
            if abs(self.position(t) - 1) >= 1e-3:
                last = t
        return max(bound / steps, last)

    def curve(self) -> Curve:
        span = _settled(self)
        return lambda u: 1.0 if u >= 1 else (0.0 if u <= 0 else self.position(u * span))


@cache
def _settled(spring: Spring) -> float:
    return spring.settled()
