"""Latent motion: the latent vector of every frame of a generator layer.

Pure numpy and deterministic: frame ``i``'s vector depends only on the motion settings, the
seed, the layer's length and ``i``, never on which other frames are asked for, so any window of
a layer (a farm chunk, a still) gets exactly the vectors the whole render gets.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from engine.spec.motion import Keyframes, Latents, RandomWalk


def motion_latents(
    motion: Keyframes | RandomWalk | Latents,
    *,
    seed: int,
    latent_dim: int,
    layer_frames: int,
    fps: Fraction,
    frames: Sequence[int] | np.ndarray,
    truncation: float = 1.0,
) -> np.ndarray:
    """float32 (len(frames), latent_dim): the vectors of the given frame indices."""
    index = np.asarray(frames, dtype=np.float64)
    if isinstance(motion, RandomWalk):
        seconds = index / float(fps)
        position = seconds / motion.step
        count = int(np.floor(position.max(initial=0.0))) + 2
        keys = _walk_points(seed, latent_dim, count, motion.angle)
        loop = False
    else:
        if isinstance(motion, Keyframes):
            keys = _normal(seed, (motion.keyframes, latent_dim))
        else:
            keys = np.stack([_point(p, latent_dim) for p in motion.points])
        loop = motion.loop
        spans = len(keys) if loop else len(keys) - 1
        position = index * spans / (layer_frames if loop else max(1, layer_frames - 1))
    vectors = _interpolate(keys, position, loop, motion.interpolation)
    return (vectors * truncation).astype(np.float32)


def _normal(seed: int | Sequence[int], shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _point(point: int | list[float], latent_dim: int) -> np.ndarray:
    if isinstance(point, int):
        return _normal(point, (latent_dim,))
    return np.asarray(point, dtype=np.float64)


def _walk_points(seed: int, latent_dim: int, count: int, angle: float) -> np.ndarray:
    """Each point turns ``angle`` radians from the last towards fresh noise; cos/sin weights
    keep every point distributed like the model's N(0, I) prior."""
    points = np.empty((count, latent_dim))
    points[0] = _normal([seed, 0], (latent_dim,))
    for k in range(1, count):
        noise = _normal([seed, k], (latent_dim,))
        points[k] = np.cos(angle) * points[k - 1] + np.sin(angle) * noise
    return points


def _interpolate(keys: np.ndarray, position: np.ndarray, loop: bool, how: str) -> np.ndarray:
    count = len(keys)
    if loop:
        position = np.mod(position, count)
        segment = np.minimum(np.floor(position).astype(np.int64), count - 1)
        after = (segment + 1) % count
    else:
        position = np.clip(position, 0.0, count - 1)
        segment = np.minimum(np.floor(position).astype(np.int64), count - 2)
        after = segment + 1
    t = (position - segment)[:, None]
    a, b = keys[segment], keys[after]
    if how == "linear":
        line: np.ndarray = (1.0 - t) * a + t * b
        return line
    return slerp(a, b, t)


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation row by row; nearly parallel rows fall back to a straight line."""
    na = np.linalg.norm(a, axis=-1, keepdims=True)
    nb = np.linalg.norm(b, axis=-1, keepdims=True)
    cos = np.clip(np.sum(a * b, axis=-1, keepdims=True) / np.maximum(na * nb, 1e-12), -1, 1)
    omega = np.arccos(cos)
    sin = np.sin(omega)
    straight = sin < 1e-6
    safe = np.where(straight, 1.0, sin)
    wa = np.where(straight, 1.0 - t, np.sin((1.0 - t) * omega) / safe)
    wb = np.where(straight, t, np.sin(t * omega) / safe)
    rows: np.ndarray = wa * a + wb * b
    return rows
