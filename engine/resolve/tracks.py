"""Audio tracks: probed, checked against the video's length, and placed in samples of the
output's sound (start, length played, the trimmed part, fades).

A track starts at a time (``start``) or at a place in the video (``at``: a scene's first
frame, or the frame one of its layers starts showing, plus an offset). An anchor is turned into
an exact time from the placed scenes, so it follows its scene wherever the scenes before it
(their lengths, narration, transitions) put it, and is rounded once, to a sample."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from engine.errors import excerpt
from engine.layers.base import PathKey
from engine.proc.probe import probe
from engine.resolve.context import ResolveContext
from engine.resolved import ResolvedAudio, ResolvedScene
from engine.spec.messages import did_you_mean
from engine.spec.models import AudioTrack, TrackAnchor
from engine.timebase import exact, sample_at


def placed_track(
    ctx: ResolveContext,
    path: PathKey,
    track: AudioTrack,
    video_end: Fraction,
    scenes: Sequence[ResolvedScene] = (),
) -> ResolvedAudio | None:
    """The track heard from its start for its trimmed length (or, looped, until the video's
    end, ``video_end``: the length of its frames). ``scenes`` are the placed scenes an anchor
    may name."""
    src = ctx.source(track.src)
    media = ctx.attempt((*path, "src"), lambda: probe(src))
    if media is None:
        return None
    if not media.has_audio:
        ctx.add((*path, "src"), f"{track.src} has no audio stream")
        return None
    start = _start(ctx, path, track, video_end, scenes)
    if start is None:
        return None
    available = media.duration or Fraction(0)
    trim_start = exact(track.trim.start)
    trim_end = exact(track.trim.end) if track.trim.end is not None else available
    if trim_start >= available:
        ctx.add(
            (*path, "trim", "start"),
            f"trim.start {track.trim.start:g}s is past the end of {track.src} "
            f"({float(available):g}s)",
        )
        return None
    source_length = min(trim_end, available) - trim_start
    end = video_end if track.loop else min(video_end, start + source_length)
    rate = ctx.sample_rate
    first = sample_at(start, rate)
    samples = sample_at(end, rate) - first
    trimmed = track.trim.start > 0 or track.trim.end is not None
    trim = (
        (sample_at(trim_start, rate), sample_at(trim_start + source_length, rate))
        if trimmed
        else None
    )
    return ResolvedAudio(
        track=track,
        src=src,
        media=media,
        start_sample=first,
        samples=samples,
        trim=trim,
        fade_in=min(sample_at(exact(track.fade_in), rate), samples),
        fade_out=min(sample_at(exact(track.fade_out), rate), samples),
    )


def _start(
    ctx: ResolveContext,
    path: PathKey,
    track: AudioTrack,
    video_end: Fraction,
    scenes: Sequence[ResolvedScene],
) -> Fraction | None:
    """Where the track starts, in exact seconds; None with the problem recorded."""
    if track.at is None:
        start = exact(track.start)
        where, said = (*path, "start"), f"track starts at {track.start:g}s"
    else:
        anchored = anchor_time(ctx, (*path, "at"), track.at, scenes)
        if anchored is None:
            return None
        start = anchored
        where, said = (*path, "at"), f"the track anchored here starts at {float(start):g}s"
        if start < 0:
            ctx.add(
                (*path, "at", "offset"),
                f"{said}, {float(-start):g}s before the video begins",
            )
            return None
    if start >= video_end:
        ctx.add(where, f"{said}, after the video ends ({float(video_end):g}s)")
        return None
    return start


def anchor_time(
    ctx: ResolveContext, path: PathKey, at: TrackAnchor, scenes: Sequence[ResolvedScene]
) -> Fraction | None:
    """The exact time ``at`` names: the time of its scene's first frame (or of the frame its
    layer starts showing) plus the offset. None with the problem recorded at ``path``, or
    when the scene could not be placed (its own problem is recorded already)."""
    index = _scene_index(ctx, (*path, "scene"), at.scene)
    if index is None:
        return None
    placed = next((scene for scene in scenes if scene.index == index), None)
    if placed is None:
        return None
    frame = placed.first_frame
    if at.layer is not None:
        layers = len(ctx.loaded.spec.scenes[index].layers)
        if at.layer >= layers:
            ctx.add(
                (*path, "layer"),
                f"scene {index} has {layers} layer{'s' if layers != 1 else ''} "
                f"(counted from 0); there is no layer {at.layer}",
            )
            return None
        # A placed scene holds every layer of its spec, in order.
        frame += placed.layers[at.layer].window.start
    return Fraction(frame) / ctx.fps + exact(at.offset)


def _scene_index(ctx: ResolveContext, path: PathKey, scene: int | str) -> int | None:
    """The index of the scene ``scene`` names (an index, or a scene's ``name``)."""
    specs = ctx.loaded.spec.scenes
    if isinstance(scene, int):
        if scene < len(specs):
            return scene
        ctx.add(
            path,
            f"there is no scene {scene}: the spec has {len(specs)} "
            f"scene{'s' if len(specs) != 1 else ''}, counted from 0",
        )
        return None
    named = [i for i, spec in enumerate(specs) if spec.name == scene]
    if len(named) == 1:
        return named[0]
    if named:
        ctx.add(
            path,
            f"scenes {', '.join(map(str, named))} are all named {excerpt(scene)}; "
            f"name the one you mean by its index",
        )
        return None
    names = [spec.name for spec in specs if spec.name]
    known = f" (the named scenes: {', '.join(excerpt(n) for n in names[:10])}" + (
        ", …)" if len(names) > 10 else ")"
    )
    ctx.add(
        path,
        f"no scene is named {excerpt(scene)}"
        + did_you_mean(scene, names)
        + (known if names else "; give scenes a `name`, or use a scene's index"),
    )
    return None
