"""A layer's or overlay's keyframes and moves placed on the frames it shows (exact positions)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from engine.animation import Animation, Move
from engine.spec.animation import Entrance, easing_data, track_of
from engine.timebase import exact


def _move(entrance: Entrance | None, at: Fraction, fps: Fraction, entering: bool) -> Move | None:
    if entrance is None:
        return None
    frames = exact(entrance.seconds) * fps
    default = "ease-out-cubic" if entering else "ease-in-cubic"
    if entrance.pop:
        default = "ease-out-back" if entering else "ease-in-back"
    easing = easing_data(entrance.easing) if entrance.easing is not None else (default,)
    return Move(
        start=at if entering else at - frames,
        frames=frames,
        easing=easing,
        fade=bool(entrance.fade),
        slide=entrance.slide,
        distance=entrance.distance,
        scale=0.0 if entrance.pop else entrance.scale,
        rotate=entrance.rotate,
    )


def animation_of(
    spec: Any, keys_at: Fraction, begins: Fraction, ends: Fraction, fps: Fraction
) -> Animation | None:
    """The animation of a layer or overlay ``spec``: its keyframe times count from frame
    ``keys_at``, it begins at frame ``begins`` and ends at ``ends`` (exact frame positions on
    the count of the frames it shows). None when nothing moves: a constant opacity stays the
    window's, as for any layer."""
    # ``offset`` shifts a keyframed corner as it shifts a fixed one.
    dx, dy = getattr(spec, "offset", (0, 0))
    shifts = {"x": float(dx), "y": float(dy)}
    tracks = {
        name: track_of(getattr(spec, name, None), keys_at, fps, shifts.get(name, 0.0))
        for name in ("x", "y", "opacity", "scale", "rotation")
    }
    scale = getattr(spec, "scale", 1.0)
    rotation = getattr(spec, "rotation", 0.0)
    enter = _move(getattr(spec, "enter", None), begins, fps, True)
    leave = _move(getattr(spec, "exit", None), ends, fps, False)
    moves = any(t is not None for t in tracks.values()) or enter or leave
    if not moves and scale == 1 and rotation == 0:
        return None
    return Animation(
        x=tracks["x"],
        y=tracks["y"],
        opacity=tracks["opacity"],
        scale=tracks["scale"],
        rotation=tracks["rotation"],
        enter=enter,
        exit=leave,
        base_scale=float(scale) if not isinstance(scale, list) else 1.0,
        base_rotation=float(rotation) if not isinstance(rotation, list) else 0.0,
    )


def static_opacity(spec: Any) -> float:
    """The opacity a layer has throughout (1 when keyframed: its animation carries it)."""
    value = getattr(spec, "opacity", 1.0)
    return 1.0 if isinstance(value, list) else float(value)
