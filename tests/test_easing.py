"""The engine's curves against the ones written again in tests/easing_reference.py."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.easing import NAMES, Spring, cubic_bezier, named
from tests.easing_reference import bezier, curve, spring

GRID = [i / 200 for i in range(201)]


@pytest.mark.parametrize("name", NAMES)
def test_every_named_curve_matches_its_definition(name: str) -> None:
    mine, reference = named(name), curve(name)
    assert mine(0) == 0 and mine(1) == 1
    assert max(abs(mine(u) - reference(u)) for u in GRID) < 1e-9


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 1), st.floats(-2, 3), st.floats(0, 1), st.floats(-2, 3))
def test_cubic_bezier_matches_newtons_method(x1: float, y1: float, x2: float, y2: float) -> None:
    mine, reference = cubic_bezier(x1, y1, x2, y2), bezier(x1, y1, x2, y2)
    assert max(abs(mine(u) - reference(u)) for u in GRID) < 1e-6


@settings(max_examples=8, deadline=None)
@given(st.floats(0.3, 3), st.floats(20, 500), st.floats(2, 60))
def test_a_spring_matches_its_integrated_motion(
    mass: float, stiffness: float, damping: float
) -> None:
    mine, reference = Spring(mass, stiffness, damping).curve(), spring(mass, stiffness, damping)
    assert mine(0) == 0 and mine(1) == 1
    assert max(abs(mine(u) - reference(u)) for u in GRID) < 5e-3


def test_an_underdamped_spring_overshoots_and_settles() -> None:
    path = Spring(1, 100, 10).curve()
    assert max(path(u) for u in GRID) > 1.05
    assert abs(path(0.99) - 1) < 2e-3


def test_ease_clamps_its_progress() -> None:
    from engine.easing import ease

    assert ease("ease-out-back", -0.5) == 0 and ease("ease-out-back", 7) == 1
    assert ease("linear", 0.25) == 0.25
