"""A crop window that moves: the part of a full-frame picture or clip shown, keyframed, scaled
each frame to cover the canvas and cut out around the window's centre.

The window's edges are fractions of the picture (engine/spec/animation.py ``CropWindow``).
Each frame the picture is scaled so the window covers the frame (``scale`` with per-frame
sizes) and the frame's size is cut around the window's centre (``crop`` at per-frame x and
y, kept inside the scaled picture); sizes and corners are whole pixels computed here, written
as per-frame tables (decision 0011).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from engine.animation import Track
from engine.compile.graph import Filter, f
from engine.compile.motion import by_frame
from engine.spec.animation import track_of


def _value(track: Track | None, constant: Any, frame: int) -> float:
    return track.at(frame) if track is not None else float(constant)


def window_filters(
    window: Any,
    picture: tuple[int, int],
    canvas: tuple[int, int],
    frames: int,
    fps: Fraction,
    origin: Fraction,
    shift: int = 0,
) -> list[Filter]:
    """Filters making ``frames`` frames of the canvas's size from a picture of ``picture``
    pixels whose frame n is the layer's frame n - ``shift``; keyframe times count from the
    layer's frame ``origin``."""
    # Long on purpose: one frame's window → scale → cut, written out once for every frame.
    iw, ih = picture
    W, H = canvas
    tracks = {
        name: track_of(getattr(window, name), origin, fps) for name in ("x", "y", "width", "height")
    }
    sizes: list[tuple[int, int]] = []
    corners: list[tuple[int, int]] = []
    for n in range(frames):
        k = n - shift
        width = min(1.0, max(0.01, _value(tracks["width"], window.width, k)))
        height = min(1.0, max(0.01, _value(tracks["height"], window.height, k)))
        left = min(1.0 - width, max(0.0, _value(tracks["x"], window.x, k)))
        top = min(1.0 - height, max(0.0, _value(tracks["y"], window.y, k)))
        scale = max(W / (width * iw), H / (height * ih))
        sw, sh = max(W, math.ceil(iw * scale)), max(H, math.ceil(ih * scale))
        cx, cy = (left + width / 2) * iw * scale, (top + height / 2) * ih * scale
        x = min(sw - W, max(0, math.floor(cx - W / 2)))
        y = min(sh - H, max(0, math.floor(cy - H / 2)))
        sizes.append((sw, sh))
        corners.append((x, y))
    return [
        f(
            "scale",
            w=by_frame([s[0] for s in sizes], fps),
            h=by_frame([s[1] for s in sizes], fps),
            eval="frame",
            flags="bicubic",
        ),
        f(
            "crop",
            W,
            H,
            by_frame([c[0] for c in corners], fps),
            by_frame([c[1] for c in corners], fps),
            exact=1,
        ),
        f("setsar", 1),
    ]
