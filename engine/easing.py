"""Easing curves: how a change spreads over its time, by name.

Each curve maps progress ``p`` in [0, 1] to eased progress, with ``curve(0) == 0`` and
``curve(1) == 1``; the ``back`` curves overshoot (go past 1, or below 0) on the way. Inputs
outside [0, 1] are clamped first, so a caller may pass the raw ``(t - start) / duration``.

Pure functions of floats: no engine imports, so the spec, resolving and the compiler can all
use them. Names follow the usual ``ease-<in|out|in-out>-<family>`` pattern (CSS, Robert
Penner's equations); ``ease-in``, ``ease-out`` and ``ease-in-out`` alone are the cubic ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final, Literal, get_args

#: Every curve's name, for spec models (a ``Literal`` lists them in the JSON Schema).
EasingName = Literal[
    "linear",
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
Curve = Callable[[float], float]

#: How far the ``back`` curves overshoot (Penner's constant: about 10 % past the end).
BACK_OVERSHOOT: Final = 1.70158


def _in_quad(p: float) -> float:
    return p * p


def _in_cubic(p: float) -> float:
    return p * p * p


def _in_sine(p: float) -> float:
    return 1.0 - math.cos(p * math.pi / 2)


def _in_expo(p: float) -> float:
    return 0.0 if p <= 0.0 else 2.0 ** (10.0 * p - 10.0)


def _in_back(p: float) -> float:
    c = BACK_OVERSHOOT
    return (c + 1.0) * p * p * p - c * p * p


def _in_out_back(p: float) -> float:
    """Penner's in-out back overshoots further than two halves of ``in`` would (by 1.525
    times the constant), as every common implementation does."""
    c = BACK_OVERSHOOT * 1.525
    if p < 0.5:
        return (2 * p) ** 2 * ((c + 1) * 2 * p - c) / 2
    return ((2 * p - 2) ** 2 * ((c + 1) * (2 * p - 2) + c) + 2) / 2


def _out(curve: Curve) -> Curve:
    """The ``out`` form of an ``in`` curve: the same shape, played backwards from the end."""

    def out(p: float) -> float:
        return 1.0 - curve(1.0 - p)

    return out


def _in_out(curve: Curve) -> Curve:
    """``in`` over the first half, ``out`` over the second."""

    def in_out(p: float) -> float:
        if p < 0.5:
            return curve(2.0 * p) / 2.0
        return 1.0 - curve(2.0 - 2.0 * p) / 2.0

    return in_out


def _linear(p: float) -> float:
    return p


_FAMILIES: dict[str, Curve] = {
    "quad": _in_quad,
    "cubic": _in_cubic,
    "sine": _in_sine,
    "expo": _in_expo,
    "back": _in_back,
}

CURVES: Final[dict[str, Curve]] = {"linear": _linear}
for _family, _curve in _FAMILIES.items():
    CURVES[f"ease-in-{_family}"] = _curve
    CURVES[f"ease-out-{_family}"] = _out(_curve)
    CURVES[f"ease-in-out-{_family}"] = _in_out(_curve)
CURVES["ease-in-out-back"] = _in_out_back
CURVES["ease-in"] = CURVES["ease-in-cubic"]
CURVES["ease-out"] = CURVES["ease-out-cubic"]
CURVES["ease-in-out"] = CURVES["ease-in-out-cubic"]

NAMES: Final[tuple[str, ...]] = get_args(EasingName)
assert set(NAMES) == set(CURVES), "EasingName and CURVES list the same curves"


def curve(name: str) -> Curve:
    """The curve called ``name``; KeyError for a name not in :data:`NAMES`."""
    return CURVES[name]


def ease(name: str, p: float) -> float:
    """``p`` (clamped to [0, 1]) eased by the curve ``name``; exactly 0 at 0 and 1 at 1."""
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    return CURVES[name](p)


def progress(t: float, start: float, duration: float) -> float:
    """How far through ``[start, start + duration]`` time ``t`` is, clamped to [0, 1]; a
    change of no duration is done from its start on."""
    if duration <= 0.0:
        return 1.0 if t >= start else 0.0
    return min(1.0, max(0.0, (t - start) / duration))
