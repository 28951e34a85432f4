"""Latent motion: deterministic, window-independent, and shaped as the spec says."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from engine.gan.motion import motion_latents, slerp
from engine.spec.motion import Keyframes, Latents, RandomWalk

FPS = Fraction(25)


def latents(motion: object, frames: object, layer_frames: int = 100, seed: int = 3) -> np.ndarray:
    return motion_latents(
        motion,  # type: ignore[arg-type]
        seed=seed,
        latent_dim=16,
        layer_frames=layer_frames,
        fps=FPS,
        frames=frames,  # type: ignore[arg-type]
    )


MOTIONS = [
    Keyframes(kind="keyframes", keyframes=5),
    Keyframes(kind="keyframes", keyframes=3, loop=True, interpolation="linear"),
    RandomWalk(kind="random_walk", step=0.4),
    Latents(kind="latents", points=[1, 2, [0.5] * 16]),
]


@pytest.mark.parametrize("motion", MOTIONS, ids=lambda m: m.kind)
def test_a_window_gets_exactly_the_vectors_of_the_whole(motion: object) -> None:
    whole = latents(motion, np.arange(100))
    window = latents(motion, np.arange(37, 61))
    assert np.array_equal(whole[37:61], window)
    assert np.array_equal(whole, latents(motion, np.arange(100)))


@pytest.mark.parametrize("motion", MOTIONS, ids=lambda m: m.kind)
def test_motion_is_smooth_and_moving(motion: object) -> None:
    vectors = latents(motion, np.arange(100))
    steps = np.linalg.norm(np.diff(vectors, axis=0), axis=1)
    spread = np.linalg.norm(vectors - vectors.mean(axis=0), axis=1).mean()
    assert steps.min() > 0  # never frozen
    assert steps.max() < 0.35 * spread  # no jumps: each frame is close to the last


def test_seed_decides_the_path() -> None:
    motion = Keyframes(kind="keyframes", keyframes=4)
    assert not np.allclose(latents(motion, [0, 50], seed=1), latents(motion, [0, 50], seed=2))


def test_keyframes_are_hit_at_evenly_spaced_frames() -> None:
    motion = Keyframes(kind="keyframes", keyframes=5)
    keys = np.random.default_rng(3).standard_normal((5, 16))
    got = latents(motion, [0, 25, 50, 75, 100], layer_frames=101)
    assert np.allclose(got, keys, atol=1e-6)


def test_a_loop_comes_back_to_where_it_started() -> None:
    motion = Keyframes(kind="keyframes", keyframes=4, loop=True)
    first, after_last = latents(motion, [0, 100], layer_frames=100)
    assert np.allclose(first, after_last, atol=1e-6)
    one_before = latents(motion, [99], layer_frames=100)[0]
    assert np.linalg.norm(one_before - first) < 0.35 * np.linalg.norm(first)


def test_explicit_points_seeds_and_vectors() -> None:
    vector = [float(i) / 10 for i in range(16)]
    motion = Latents(kind="latents", points=[9, vector], interpolation="linear")
    start, end = latents(motion, [0, 99], layer_frames=100)
    assert np.allclose(start, np.random.default_rng(9).standard_normal(16), atol=1e-6)
    assert np.allclose(end, vector, atol=1e-6)


def test_slerp_keeps_the_norm_of_gaussian_latents() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 1, 512))
    middle = slerp(a, b, np.array([[0.5]]))
    linear = 0.5 * (a + b)
    norm = np.linalg.norm
    assert abs(norm(middle) - norm(a)) / norm(a) < 0.05
    assert norm(linear) < 0.8 * norm(a)  # why slerp: a straight line passes near the origin


def test_truncation_scales_vectors() -> None:
    motion = Keyframes(kind="keyframes", keyframes=2)
    base = latents(motion, [10])
    half = motion_latents(
        motion, seed=3, latent_dim=16, layer_frames=100, fps=FPS, frames=[10], truncation=0.5
    )
    assert np.allclose(half, base * 0.5, atol=1e-6)
