"""Where pictures go: fitting a source into the frame and placing sprites by anchor.

Sizes are known from probing, so the compiler computes exact pixel sizes itself instead of
leaving ffmpeg to round expressions: plans are then readable and identical everywhere.
"""

from __future__ import annotations

import math


def _even(value: float) -> int:
    return max(2, round(value / 2.0) * 2)


def contain_size(w: int, h: int, width: int, height: int) -> tuple[int, int]:
    scale = min(width / w, height / h)
    return min(width, _even(w * scale)), min(height, _even(h * scale))


def cover_size(w: int, h: int, width: int, height: int) -> tuple[int, int]:
    scale = max(width / w, height / h)
    return max(width, math.ceil(w * scale)), max(height, math.ceil(h * scale))


def fixed(value: object) -> int | None:
    """A placement's x or y when it is a number; None when it is keyframes (or not given):
    the anchor places the layer, and its animation moves it from there."""
    return int(value) if isinstance(value, (int, float)) else None


def anchor_xy(
    anchor: str,
    frame: tuple[int, int],
    sprite: tuple[int, int],
    margin: int = 0,
    offset: tuple[int, int] = (0, 0),
    x: int | None = None,
    y: int | None = None,
) -> tuple[int, int]:
    """Top-left corner of a ``sprite`` anchored in ``frame``; explicit x/y win."""
    (fw, fh), (sw, sh) = frame, sprite
    if "left" in anchor:
        ax = margin
    elif "right" in anchor:
        ax = fw - sw - margin
    else:
        ax = (fw - sw) // 2
    if anchor.startswith("top"):
        ay = margin
    elif anchor.startswith("bottom"):
        ay = fh - sh - margin
    else:
        ay = (fh - sh) // 2
    return (x if x is not None else ax) + offset[0], (y if y is not None else ay) + offset[1]
