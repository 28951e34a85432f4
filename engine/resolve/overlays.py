"""Overlays on the absolute timeline: drawn by their layer type, checked against the video's
length, and placed in frames."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from engine.animation import Animation
from engine.layers import type_of
from engine.layers.base import PathKey
from engine.resolve.animation import animation_of, static_opacity
from engine.resolve.context import ResolveContext
from engine.resolve.luts import effect_luts
from engine.resolved import ResolvedLayer, ResolvedOverlay, Window
from engine.timebase import exact, frame_at


def placed_overlay(
    ctx: ResolveContext,
    path: PathKey,
    overlay: Any,
    total: Fraction,
    timing: tuple[Fraction, Fraction] | None = None,
) -> ResolvedOverlay | None:
    """An overlay checked against the video's length ``total``; ``timing`` gives exact times
    for overlays the engine makes itself (captions)."""
    kind = type_of(overlay)
    start = timing[0] if timing is not None else exact(overlay.start)
    if start >= total:
        ctx.add(
            (*path, "start"),
            f"overlay starts at {float(start):g}s, after the video ends ({float(total):g}s)",
        )
        return None
    layer = kind.resolve(ctx, path, overlay) if kind.moving_overlay else None
    if kind.moving_overlay and layer is None:
        return None
    end = _end(overlay, timing, start, total, layer)
    if end > total:
        ctx.add(
            (*path, "end"),
            f"overlay ends at {float(end):g}s, past the end of the video ({float(total):g}s)",
        )
        return None
    fades = _fades(ctx, path, overlay, end - start)
    if fades is None:
        return None
    fade_in, fade_out = fades
    fps = ctx.fps
    first = frame_at(start, fps)
    # Its own frame 0 is the video's frame ``first``; keyframe times are the video's.
    animation = animation_of(overlay, -Fraction(first), start * fps - first, end * fps - first, fps)
    frames = (first, frame_at(end, fps))
    ramps = (fade_in * fps, fade_out * fps)
    if layer is not None:
        return replace(_moving(overlay, layer, frames, ramps), animation=animation)
    return _drawn(ctx, path, overlay, frames, ramps, animation)


def _drawn(
    ctx: ResolveContext,
    path: PathKey,
    overlay: Any,
    frames: tuple[int, int],
    fades: tuple[Fraction, Fraction],
    animation: Animation | None,
) -> ResolvedOverlay | None:
    """An overlay its type draws as a picture (or an animated sequence of them)."""
    kind = type_of(overlay)
    drawn = kind.draw_overlay(ctx, path, overlay)
    luts = effect_luts(ctx, path, getattr(overlay, "effects", ()))
    if drawn is None or luts is None:
        return None
    sequence = kind.overlay_frames(ctx, path, overlay)
    image, size = drawn
    width = getattr(overlay, "width", None)
    shown = (width, max(2, round(size[1] * width / size[0] / 2) * 2)) if width else size
    return ResolvedOverlay(
        overlay=overlay,
        image=image,
        size=size,
        shown=shown,
        opacity=static_opacity(overlay),
        start_frame=frames[0],
        end_frame=frames[1],
        fade_in=fades[0],
        fade_out=fades[1],
        animation=animation,
        sequence=sequence,
        luts=luts,
    )


def _fades(
    ctx: ResolveContext, path: PathKey, overlay: Any, length: Fraction
) -> tuple[Fraction, Fraction] | None:
    """The overlay's fades in and out, if they fit in its ``length``."""
    fade_in, fade_out = exact(overlay.fade_in_seconds), exact(overlay.fade_out_seconds)
    if fade_in + fade_out > length:
        ctx.add(
            path,
            f"fades ({float(fade_in):g}s + {float(fade_out):g}s) are longer than the overlay "
            f"({float(length):g}s)",
        )
        return None
    return fade_in, fade_out


def _end(
    overlay: Any,
    timing: tuple[Fraction, Fraction] | None,
    start: Fraction,
    total: Fraction,
    layer: ResolvedLayer | None,
) -> Fraction:
    """Where an overlay ends: as given, else at the end of the video, or, for a clip played
    once, where it ends (it holds its last frame no longer)."""
    if timing is not None:
        return timing[1]
    if overlay.end is not None:
        return exact(overlay.end)
    if layer is not None and layer.length is not None:
        return min(total, start + layer.length)
    return total


def _moving(
    overlay: Any,
    layer: ResolvedLayer,
    frames: tuple[int, int],
    fades: tuple[Fraction, Fraction],
) -> ResolvedOverlay:
    """A moving overlay: its layer, whose window is the overlay's frames (from its start)."""
    framed = getattr(layer, "framed", None)
    size = framed.size if framed is not None else (0, 0)
    return ResolvedOverlay(
        overlay=overlay,
        image=None,
        size=size,
        shown=size,
        opacity=static_opacity(overlay),
        start_frame=frames[0],
        end_frame=frames[1],
        fade_in=fades[0],
        fade_out=fades[1],
        layer=replace(layer, window=Window(0, max(1, frames[1] - frames[0]))),
    )
