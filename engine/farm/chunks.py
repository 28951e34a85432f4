"""Cutting a timeline into windows of frames. Pure."""

from __future__ import annotations

import itertools

from engine.resolve.timeline import ResolvedSpec, frames_for


def plan_chunks(
    resolved: ResolvedSpec, *, chunk_seconds: float | None = None, chunks: int | None = None
) -> list[tuple[int, int]]:
    """Frame windows [f0, f1) covering the video.

    Any window compiles correctly on its own, so a boundary may fall anywhere; we still keep
    boundaries out of transitions (a transition is then rendered wholly inside one chunk and
    no chunk starts by decoding both scenes of a crossfade), and never leave a chunk shorter
    than a second."""
    total = resolved.frame_count
    fps = resolved.fps
    if chunks is not None:
        size = max(1, -(-total // max(1, chunks)))
    else:
        size = max(1, frames_for(chunk_seconds or 10.0, fps))
    busy: list[tuple[int, int]] = []
    for scene in resolved.scenes:
        if scene.transition is not None:
            start = frames_for(scene.start, fps)
            busy.append((start, start + frames_for(scene.transition.duration, fps)))
    minimum = max(1, min(frames_for(1.0, fps), size // 2))
    bounds = [0]
    target = size
    while target < total:
        cut = target
        for start, end in busy:
            if start < cut < end:
                cut = end
        if cut - bounds[-1] >= minimum and total - cut >= minimum:
            bounds.append(cut)
        target = max(target + size, cut + 1)
    bounds.append(total)
    return list(itertools.pairwise(bounds))
