"""Easing curves written again, independently of engine/easing.py, for tests to judge renders by.

Different methods on purpose: Béziers by Newton's method on the parametric curve (the engine
bisects), springs by integrating the equation of motion numerically (the engine uses the closed
form), Penner's curves from their textbook definitions, in/out/in-out spelled out each.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from functools import cache

Curve = Callable[[float], float]

_C1 = 1.70158
_C2 = _C1 * 1.525
_C3 = _C1 + 1

PENNER: dict[str, Curve] = {
    "linear": lambda u: u,
    "ease-in-quad": lambda u: u**2,
    "ease-out-quad": lambda u: 1 - (1 - u) ** 2,
    "ease-in-out-quad": lambda u: 2 * u * u if u < 0.5 else 1 - (-2 * u + 2) ** 2 / 2,
    "ease-in-cubic": lambda u: u**3,
    "ease-out-cubic": lambda u: 1 - (1 - u) ** 3,
    "ease-in-out-cubic": lambda u: 4 * u**3 if u < 0.5 else 1 - (-2 * u + 2) ** 3 / 2,
    "ease-in-sine": lambda u: 1 - math.cos(u * math.pi / 2),
    "ease-out-sine": lambda u: math.sin(u * math.pi / 2),
    "ease-in-out-sine": lambda u: -(math.cos(math.pi * u) - 1) / 2,
    "ease-in-expo": lambda u: 0 if u == 0 else 2 ** (10 * u - 10),
    "ease-out-expo": lambda u: 1 if u == 1 else 1 - 2 ** (-10 * u),
    "ease-in-out-expo": lambda u: (
        0
        if u == 0
        else 1
        if u == 1
        else 2 ** (20 * u - 10) / 2
        if u < 0.5
        else (2 - 2 ** (-20 * u + 10)) / 2
    ),
    "ease-in-back": lambda u: _C3 * u**3 - _C1 * u**2,
    "ease-out-back": lambda u: 1 + _C3 * (u - 1) ** 3 + _C1 * (u - 1) ** 2,
    "ease-in-out-back": lambda u: (
        ((2 * u) ** 2 * ((_C2 + 1) * 2 * u - _C2)) / 2
        if u < 0.5
        else ((2 * u - 2) ** 2 * ((_C2 + 1) * (u * 2 - 2) + _C2) + 2) / 2
    ),
    "hold": lambda u: 1.0 if u >= 1 else 0.0,
}


def bezier(x1: float, y1: float, x2: float, y2: float) -> Curve:
    def at(s: float, a: float, b: float) -> float:
        return ((1 - 3 * b + 3 * a) * s + (3 * b - 6 * a)) * s * s + 3 * a * s

    def slope(s: float, a: float, b: float) -> float:
        return 3 * (1 - 3 * b + 3 * a) * s * s + 2 * (3 * b - 6 * a) * s + 3 * a

    def curve(u: float) -> float:
        if u <= 0 or u >= 1:
            return float(u >= 1)
        s = u
        for _ in range(50):
            d = slope(s, x1, x2)
            if abs(d) < 1e-9:
                break
            s = min(1.0, max(0.0, s - (at(s, x1, x2) - u) / d))
        if abs(at(s, x1, x2) - u) > 1e-7:  # flat spots: fall back to halving
            lo, hi = 0.0, 1.0
            for _ in range(80):
                s = (lo + hi) / 2
                lo, hi = (s, hi) if at(s, x1, x2) < u else (lo, s)
        return at(s, y1, y2)

    return curve


CSS = {
    "ease": bezier(0.25, 0.1, 0.25, 1.0),
    "ease-in": bezier(0.42, 0.0, 1.0, 1.0),
    "ease-out": bezier(0.0, 0.0, 0.58, 1.0),
    "ease-in-out": bezier(0.42, 0.0, 0.58, 1.0),
}


def spring_path(mass: float, stiffness: float, damping: float) -> Callable[[float], float]:
    """Position over time of a mass released at 0 pulled to 1, by RK4 steps of 0.1 ms."""
    step = 1e-4
    cache: list[float] = [0.0]
    state = [0.0, 0.0]

    def accel(x: float, v: float) -> float:
        return (-stiffness * (x - 1) - damping * v) / mass

    def position(t: float) -> float:
        while len(cache) < t / step + 3:
            x, v = state
            k1x, k1v = v, accel(x, v)
            k2x, k2v = v + step / 2 * k1v, accel(x + step / 2 * k1x, v + step / 2 * k1v)
            k3x, k3v = v + step / 2 * k2v, accel(x + step / 2 * k2x, v + step / 2 * k2v)
            k4x, k4v = v + step * k3v, accel(x + step * k3x, v + step * k3v)
            state[0] = x + step / 6 * (k1x + 2 * k2x + 2 * k3x + k4x)
            state[1] = v + step / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
            cache.append(state[0])
        i = t / step
        lo = int(i)
        return cache[lo] + (cache[lo + 1] - cache[lo]) * (i - lo)

    return position


@cache
def spring(mass: float = 1.0, stiffness: float = 100.0, damping: float = 10.0) -> Curve:
    """The spring played over a segment so that it has settled at its end: its natural time
    is stretched to when it stays within 0.1 % of 1 (found by scanning the motion)."""
    path = spring_path(mass, stiffness, damping)
    horizon, settle = 0.0, 0.0
    while horizon < 60:
        horizon += 0.001
        if abs(path(horizon) - 1) >= 1e-3:
            settle = horizon
        elif horizon - settle > 2.0 + 20 * math.sqrt(mass / stiffness):
            break
    return lambda u: 1.0 if u >= 1 else path(max(0.0, u) * settle)


def curve(easing: object) -> Curve:
    if isinstance(easing, str):
        if easing == "spring":
            return spring(1.0, 100.0, 10.0)
        return CSS.get(easing) or PENNER[easing]
    assert isinstance(easing, dict)
    if "cubic_bezier" in easing:
        return bezier(*easing["cubic_bezier"])
    options = easing["spring"]
    return spring(
        float(options.get("mass", 1.0)),
        float(options.get("stiffness", 100.0)),
        float(options.get("damping", 10.0)),
    )


def keyframed(keys: list[list[object]], t: float | Fraction) -> float:
    """The value at ``t`` seconds of ``[[t, value, easing?], ...]``: each keyframe's easing
    shapes the way into it. Times are taken as the exact decimals the spec writes."""
    at = Fraction(str(t)) if isinstance(t, float) else Fraction(t)
    times = [Fraction(str(k[0])) for k in keys]
    values = [float(k[1]) for k in keys]  # type: ignore[arg-type]
    if at <= times[0]:
        return values[0]
    for i in range(1, len(keys)):
        if at < times[i]:
            shape = curve(keys[i][2] if len(keys[i]) > 2 else "linear")
            u = float((at - times[i - 1]) / (times[i] - times[i - 1]))
            return values[i - 1] + (values[i] - values[i - 1]) * shape(u)
    return values[-1]
