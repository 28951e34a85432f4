"""Overlays on the absolute timeline: drawn by their layer type, checked against the video's
length, and placed in frames."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from engine.layers import type_of
from engine.layers.base import PathKey
from engine.resolve.context import ResolveContext
from engine.resolve.luts import effect_luts
from engine.resolved import ResolvedOverlay
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
    if timing is not None:
        start, end = timing
    else:
        start = exact(overlay.start)
        end = exact(overlay.end) if overlay.end is not None else total
    if start >= total:
        ctx.add(
            (*path, "start"),
            f"overlay starts at {float(start):g}s, after the video ends ({float(total):g}s)",
        )
        return None
    if end > total:
        ctx.add(
            (*path, "end"),
            f"overlay ends at {float(end):g}s, past the end of the video ({float(total):g}s)",
        )
        return None
    fade_in, fade_out = exact(overlay.fade_in_seconds), exact(overlay.fade_out_seconds)
    if fade_in + fade_out > end - start:
        ctx.add(
            path,
            f"fades ({float(fade_in):g}s + {float(fade_out):g}s) are longer than the overlay "
            f"({float(end - start):g}s)",
        )
        return None
    drawn = type_of(overlay).draw_overlay(ctx, path, overlay)
    luts = effect_luts(ctx, path, getattr(overlay, "effects", ()))
    if drawn is None or luts is None:
        return None
    fps = ctx.fps
    image, size = drawn
    width = getattr(overlay, "width", None)
    shown = (width, max(2, round(size[1] * width / size[0] / 2) * 2)) if width else size
    return ResolvedOverlay(
        overlay=overlay,
        image=image,
        size=size,
        shown=shown,
        opacity=float(getattr(overlay, "opacity", 1.0)),
        start_frame=frame_at(start, fps),
        end_frame=frame_at(end, fps),
        fade_in=fade_in * fps,
        fade_out=fade_out * fps,
        luts=luts,
    )
