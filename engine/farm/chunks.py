"""Cutting a timeline into windows of frames. Pure."""

from __future__ import annotations

import itertools
from fractions import Fraction

from engine.resolved import ResolvedSpec
from engine.timebase import exact, frame_at


def plan_chunks(
    resolved: ResolvedSpec, *, chunk_seconds: float | None = None, chunks: int | None = None
) -> list[tuple[int, int]]:
    """Frame windows [f0, f1) covering the video.

    Any window compiles correctly on its own, so a boundary may fall anywhere. We still move
    each boundary to where a scene's own frames begin (after its incoming transition) when one
    is within half a chunk: a chunk that starts mid-scene must composite that scene from its
    start and throw the early frames away, and a transition is then rendered wholly inside one
    chunk. Otherwise the boundary is only moved out of a transition. No chunk is shorter than
    a second (or half a chunk, for very short videos)."""
    total = resolved.frame_count
    fps = resolved.fps
    if chunks is not None:
        size = max(1, -(-total // max(1, chunks)))
    else:
        size = max(1, frame_at(exact(chunk_seconds or 10), fps))
    busy: list[tuple[int, int]] = []
    clean: list[int] = []
    for scene in resolved.scenes:
        start, overlap = scene.first_frame, scene.transition_frames
        if overlap:
            busy.append((start, start + overlap))
        clean.append(start + overlap)
    minimum = max(1, min(frame_at(Fraction(1), fps), size // 2))
    bounds = [0]
    target = size
    while target < total:
        near = [c for c in clean if abs(c - target) <= size // 2 and c > bounds[-1]]
        cut = min(near, key=lambda c: (abs(c - target), c)) if near else target
        for start, end in busy:
            if start < cut < end:
                cut = end
        if cut - bounds[-1] >= minimum and total - cut >= minimum:
            bounds.append(cut)
        # Always move on: a cut that was not taken may lie behind the target.
        target = max(bounds[-1] + size, cut + 1, target + 1)
    bounds.append(total)
    return list(itertools.pairwise(bounds))
