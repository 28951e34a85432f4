"""Differentiable augmentation (Zhao et al., 2020): the same random colour, translation and
cutout are applied to real and generated images before the discriminator sees them, so a
small data set does not let the discriminator memorise it, and the generator is not pushed to
produce augmented-looking pictures (the augmentation is differentiable and applied to both)."""

from __future__ import annotations

from typing import Any

from engine.gan.tf import require


def diff_augment(images: Any, rng: Any) -> Any:
    """``images`` in [-1, 1], shape (B, H, W, 3); ``rng`` a ``tf.random.Generator``."""
    _tf, _ = require()
    return _cutout(_translate(_color(images, rng), rng), rng)


def _color(x: Any, rng: Any) -> Any:
    tf, _ = require()
    batch = tf.shape(x)[0]
    brightness = rng.uniform([batch, 1, 1, 1], -0.25, 0.25)
    x = x + brightness
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    x = (x - mean) * rng.uniform([batch, 1, 1, 1], 0.0, 2.0) + mean
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * rng.uniform([batch, 1, 1, 1], 0.5, 1.5) + mean


def _translate(x: Any, rng: Any, ratio: float = 0.125) -> Any:
    """Shift each image by up to ``ratio`` of its size, filling with zeros."""
    tf, _ = require()
    shape = tf.shape(x)
    batch, h, w = shape[0], shape[1], shape[2]
    sh = tf.cast(tf.cast(h, tf.float32) * ratio + 0.5, tf.int32)
    sw = tf.cast(tf.cast(w, tf.float32) * ratio + 0.5, tf.int32)
    dy = rng.uniform([batch, 1, 1], -sh, sh + 1, dtype=tf.int32)
    dx = rng.uniform([batch, 1, 1], -sw, sw + 1, dtype=tf.int32)
    gy, gx = tf.meshgrid(tf.range(h), tf.range(w), indexing="ij")
    gy = tf.clip_by_value(gy[None] + dy + 1, 0, h + 1)
    gx = tf.clip_by_value(gx[None] + dx + 1, 0, w + 1)
    padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
    b = tf.broadcast_to(tf.range(batch)[:, None, None], tf.shape(gy))
    return tf.gather_nd(padded, tf.stack([b, gy, gx], axis=-1))


def _cutout(x: Any, rng: Any, ratio: float = 0.5) -> Any:
    """Blank one random rectangle of ``ratio`` × the size in each image."""
    tf, _ = require()
    shape = tf.shape(x)
    batch, h, w = shape[0], shape[1], shape[2]
    ch = tf.cast(tf.cast(h, tf.float32) * ratio + 0.5, tf.int32)
    cw = tf.cast(tf.cast(w, tf.float32) * ratio + 0.5, tf.int32)
    cy = rng.uniform([batch, 1, 1], 0, h + (1 - ch % 2), dtype=tf.int32)
    cx = rng.uniform([batch, 1, 1], 0, w + (1 - cw % 2), dtype=tf.int32)
    gy, gx = tf.meshgrid(tf.range(h), tf.range(w), indexing="ij")
    inside_y = tf.abs(gy[None] - cy) <= ch // 2
    inside_x = tf.abs(gx[None] - cx) <= cw // 2
    keep = 1.0 - tf.cast(tf.logical_and(inside_y, inside_x), x.dtype)
    return x * keep[..., None]
