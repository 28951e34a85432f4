"""Resolve a loaded spec: find and probe every file, draw text and gradients, speak narration,
and place every scene, layer, overlay, audio track and caption on one timeline of frames and
samples (engine/resolved.py).

Every problem found is collected with its source location and raised together as a SpecError,
so a user fixes a spec in one pass.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path

from engine.errors import SpecError, capped
from engine.layers import type_of
from engine.resolve.captions import (
    burned_captions,
    caption_track_file,
    caption_track_language,
    subtitle_cues,
)
from engine.resolve.context import ResolveContext
from engine.resolve.limits import Limits
from engine.resolve.overlays import placed_overlay
from engine.resolve.scenes import place_scenes
from engine.resolve.tracks import placed_track
from engine.resolved import Cue, ResolvedOverlay, ResolvedScene, ResolvedSpec
from engine.spec.loader import LoadedSpec
from engine.spec.models import Spec
from engine.timebase import frame_at


def resolve(loaded: LoadedSpec, limits: Limits | None = None) -> ResolvedSpec:
    limits = limits or Limits.from_env()
    spec = loaded.spec
    ctx = ResolveContext(loaded)
    fps = ctx.fps
    _check_output(ctx, limits)
    scenes = place_scenes(ctx)
    total = scenes[-1].end if scenes else Fraction(0)
    if total > limits.max_duration:
        ctx.add(
            ("scenes",),
            f"the video lasts {float(total):g}s, over the limit of "
            f"{limits.max_duration:g}s (REELSPEC_MAX_DURATION)",
        )
    frame_count = frame_at(total, fps)
    overlays = [
        placed
        for i, overlay in enumerate(spec.overlays)
        if (placed := placed_overlay(ctx, ("overlays", i), overlay, total)) is not None
    ]
    video_end = Fraction(frame_count) / fps
    audio = [
        heard
        for i, track in enumerate(spec.audio)
        if (heard := placed_track(ctx, ("audio", i), track, video_end, scenes)) is not None
    ]
    if spec.output.audio_only:
        _some_sound(ctx, scenes, overlays)
    cues: list[Cue] = []
    if spec.subtitles is not None:
        cues = subtitle_cues(ctx, scenes, total)
        # (A file of sound alone has no picture to burn them into; its sidecars still come.)
        if spec.subtitles.burn and not spec.output.audio_only:
            overlays += burned_captions(ctx, cues, total)
    track = caption_track_language(ctx, spec) if cues else None
    if ctx.issues:
        raise SpecError(capped(ctx.issues))
    return ResolvedSpec(
        output=spec.output,
        scenes=tuple(scenes),
        overlays=tuple(overlays),
        audio=tuple(audio),
        duration=total,
        frame_count=frame_count,
        spec_hash=spec_hash(spec),
        output_path=ctx.source(spec.output.path, writes=True),
        subtitles=tuple(cues),
        subtitle_files=tuple(spec.subtitles.files) if spec.subtitles and cues else (),
        subtitle_track=track,
        subtitle_track_file=caption_track_file(cues, total) if track else None,
        subtitle_word_times=bool(
            spec.subtitles and cues and spec.subtitles.mode in ("words", "karaoke")
        ),
        spec_file=Path(loaded.source.file).resolve() if loaded.source.file else None,
        warnings=tuple(ctx.warnings),
    )


def _check_output(ctx: ResolveContext, limits: Limits) -> None:
    """The output's size and rate within the limits (else recorded)."""
    output = ctx.output
    if max(ctx.frame) > limits.max_side:
        ctx.add(
            ("output", "size"),
            f"{output.size} exceeds the limit of "
            f"{limits.max_side} pixels a side (REELSPEC_MAX_SIDE)",
        )
    if ctx.fps > limits.max_fps:
        ctx.add(
            ("output", "fps"),
            f"{output.fps} fps exceeds the limit of {limits.max_fps:g} (REELSPEC_MAX_FPS)",
        )


def _some_sound(
    ctx: ResolveContext, scenes: list[ResolvedScene], overlays: list[ResolvedOverlay]
) -> None:
    """A file of sound alone needs something to hear: an audio track, narration, or a clip
    that keeps its sound (recorded at ``output.path`` when there is none)."""
    spec = ctx.loaded.spec
    if len(scenes) < len(spec.scenes):
        return  # a scene that could not be placed may have sound; its problem is recorded
    if spec.audio or any(scene.narration for scene in spec.scenes):
        return
    if any(type_of(layer.spec).has_sound(layer) for scene in scenes for layer in scene.layers):
        return
    if any(o.layer and type_of(o.layer.spec).has_sound(o.layer) for o in overlays):
        return
    ext = spec.output.container
    ctx.add(
        ("output", "path"),
        f"a {ext} file holds only sound, and this spec has none: add an audio track, "
        f"narration or a video clip with sound, or write a video file",
    )


def spec_hash(spec: Spec) -> str:
    return hashlib.sha256(spec.model_dump_json().encode("utf-8")).hexdigest()
