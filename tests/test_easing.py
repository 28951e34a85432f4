"""Easing curves (engine/easing.py) against the usual formulas, written out again here."""

from __future__ import annotations

import math
from typing import get_args

import pytest

from engine.easing import CURVES, NAMES, EasingName, curve, ease, progress

C1 = 1.70158
EXPECTED = {
    "linear": lambda p: p,
    "ease-in-quad": lambda p: p * p,
    "ease-out-quad": lambda p: 1 - (1 - p) ** 2,
    "ease-in-out-quad": lambda p: 2 * p * p if p < 0.5 else 1 - (-2 * p + 2) ** 2 / 2,
    "ease-in-cubic": lambda p: p**3,
    "ease-out-cubic": lambda p: 1 - (1 - p) ** 3,
    "ease-in-out-cubic": lambda p: 4 * p**3 if p < 0.5 else 1 - (-2 * p + 2) ** 3 / 2,
    "ease-in-sine": lambda p: 1 - math.cos(p * math.pi / 2),
    "ease-out-sine": lambda p: math.sin(p * math.pi / 2),
    "ease-in-out-sine": lambda p: -(math.cos(math.pi * p) - 1) / 2,
    "ease-in-expo": lambda p: 2 ** (10 * p - 10),
    "ease-out-expo": lambda p: 1 - 2 ** (-10 * p),
    "ease-in-out-expo": lambda p: (
        2 ** (20 * p - 10) / 2 if p < 0.5 else (2 - 2 ** (-20 * p + 10)) / 2
    ),
    "ease-in-back": lambda p: (C1 + 1) * p**3 - C1 * p**2,
    "ease-out-back": lambda p: 1 + (C1 + 1) * (p - 1) ** 3 + C1 * (p - 1) ** 2,
    "ease-in-out-back": lambda p: (
        ((2 * p) ** 2 * ((C1 * 1.525 + 1) * 2 * p - C1 * 1.525)) / 2
        if p < 0.5
        else ((2 * p - 2) ** 2 * ((C1 * 1.525 + 1) * (p * 2 - 2) + C1 * 1.525) + 2) / 2
    ),
}


def test_every_name_has_a_curve() -> None:
    assert set(get_args(EasingName)) == set(CURVES) == set(NAMES)
    assert curve("ease-out") is curve("ease-out-cubic")
    assert curve("ease-in") is curve("ease-in-cubic")
    assert curve("ease-in-out") is curve("ease-in-out-cubic")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_curves_follow_their_formulas(name: str) -> None:
    for step in range(1, 20):
        p = step / 20
        assert abs(ease(name, p) - EXPECTED[name](p)) <= 1e-9, (name, p)


@pytest.mark.parametrize("name", NAMES)
def test_curves_start_at_0_and_end_at_1(name: str) -> None:
    assert ease(name, 0) == 0 and ease(name, 1) == 1
    assert ease(name, -3) == 0 and ease(name, 7) == 1
    values = [ease(name, i / 100) for i in range(101)]
    if "back" not in name:
        assert values == sorted(values) and all(0 <= v <= 1 for v in values)


def test_back_curves_overshoot() -> None:
    assert max(ease("ease-out-back", i / 100) for i in range(101)) > 1.09
    assert min(ease("ease-in-back", i / 100) for i in range(101)) < -0.09


def test_progress_clamps() -> None:
    assert progress(1.5, 1, 2) == 0.25
    assert progress(0, 1, 2) == 0 and progress(9, 1, 2) == 1
    assert progress(1, 1, 0) == 1 and progress(0.5, 1, 0) == 0
