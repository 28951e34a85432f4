"""Scenes on the timeline: each scene's layers resolved (by their types), its narration spoken,
its duration decided, and its place computed from exact times and rounded once to frames;
then every layer's window within its scene, and the narration's place in samples."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from engine.layers import type_of
from engine.resolve.animation import animation_of, static_opacity
from engine.resolve.context import ResolveContext
from engine.resolve.luts import with_luts
from engine.resolved import ResolvedLayer, ResolvedNarration, ResolvedScene, Window
from engine.spec.parts import Timed
from engine.timebase import exact, frame_at, sample_at


def place_scenes(ctx: ResolveContext) -> list[ResolvedScene]:
    """Every scene on the timeline. Starts and ends are exact sums of the spec's times, and
    each is rounded to a frame on its own, so no rounding adds up along the video."""
    # Long on purpose: each scene's place depends on the previous one (its end, its
    # transition) and on checks that refer to both; one loop keeps that chain readable.
    spec = ctx.loaded.spec
    fps = ctx.fps
    scenes: list[ResolvedScene] = []
    for index, scene in enumerate(spec.scenes):
        where = ("scenes", index)
        resolved = [
            with_luts(ctx, (*where, "layers", j), layer, type_of(layer).resolve)
            for j, layer in enumerate(scene.layers)
        ]
        narration = _narration(ctx, index)
        layers = tuple(layer for layer in resolved if layer is not None)
        if len(layers) < len(resolved):
            continue  # its problems are recorded
        duration = _duration(ctx, index, layers, narration)
        if duration is None:
            continue
        transition = scene.transition or (spec.defaults.transition if index else None)
        if not scenes or (transition is not None and transition.type == "cut"):
            transition = None
        previous = scenes[-1] if scenes else None
        overlap = exact(transition.duration) if transition is not None else Fraction(0)
        if previous is not None and transition is not None:
            if overlap >= min(duration, previous.duration):
                ctx.add(
                    (*where, "transition") if scene.transition else where,
                    f"transition of {float(overlap):g}s is not shorter than the scenes it "
                    f"joins ({float(min(duration, previous.duration)):g}s)",
                )
                continue
            entering = exact(previous.transition.duration) if previous.transition else Fraction(0)
            if entering + overlap > previous.duration:
                ctx.add(
                    (*where[:1], index - 1),
                    f"the transitions into and out of this scene ({float(entering):g}s + "
                    f"{float(overlap):g}s) are longer than the scene "
                    f"({float(previous.duration):g}s)",
                )
                continue
        start = (previous.end - overlap) if previous is not None else Fraction(0)
        first, end = frame_at(start, fps), frame_at(start + duration, fps)
        if end - first < 1:
            ctx.add(
                (*where, "duration"),
                f"the scene lasts {float(duration):g}s, less than one frame at {fps} fps",
            )
            continue
        shared = previous.end_frame - first if previous is not None else 0
        placed = ResolvedScene(
            index=index,
            start=start,
            duration=duration,
            first_frame=first,
            end_frame=end,
            transition=transition if shared > 0 else None,
            transition_frames=max(0, shared),
            background=scene.background or spec.defaults.background,
            fit=spec.defaults.fit,
            layers=layers,
            narration=narration,
        )
        scenes.append(_windows_and_speech(placed, fps, ctx.sample_rate))
    return scenes


def _narration(ctx: ResolveContext, index: int) -> ResolvedNarration | None:
    from engine.resolve.narration import narration_audio

    wanted = ctx.loaded.spec.scenes[index].narration
    if wanted is None:
        return None
    spoken = ctx.attempt(("scenes", index, "narration"), lambda: narration_audio(wanted))
    if spoken is None:
        return None
    return ResolvedNarration(
        spoken.path, spoken.length, exact(wanted.delay), spoken.cues, spoken.words
    )


def _duration(
    ctx: ResolveContext,
    index: int,
    layers: tuple[ResolvedLayer, ...],
    narration: ResolvedNarration | None,
) -> Fraction | None:
    """The scene's exact length: as given, or decided by its narration and its layers that
    have a length of their own (the longest). None when it cannot be known (recorded)."""
    scene = ctx.loaded.spec.scenes[index]
    wanted = scene.narration
    if scene.duration is not None:
        duration = exact(scene.duration)
        if narration is not None and narration.delay + narration.length > duration:
            ctx.add(
                ("scenes", index, "duration"),
                f"the narration lasts {float(narration.delay + narration.length):.2f}s, longer "
                f"than the scene ({float(duration):g}s); leave the duration out to fit it",
            )
        return duration
    lengths = [layer.length for layer in layers if layer.length is not None]
    if narration is not None and wanted is not None:
        lengths.append(narration.delay + narration.length + exact(wanted.padding))
    if lengths:
        return max(lengths)
    if wanted is None:  # (a narration that failed has reported its own problem)
        ctx.add(
            ("scenes", index),
            "scene needs a duration (only narration, a video, an image sequence "
            "or a generator layer with a duration can decide it; a looped or frozen "
            "video lasts as long as its scene)",
        )
    return None


def _windows_and_speech(scene: ResolvedScene, fps: Fraction, rate: int) -> ResolvedScene:
    """The scene with each layer's window in frames (its own start and end, placed on the
    timeline and rounded there) and its narration's place in samples."""
    layers = tuple(replace(layer, window=_window(layer, scene, fps)) for layer in scene.layers)
    narration = scene.narration
    if narration is not None:
        start = sample_at(scene.start + narration.delay, rate)
        end = sample_at(min(scene.start + narration.delay + narration.length, scene.end), rate)
        narration = replace(narration, start_sample=start, samples=max(0, end - start))
    return replace(scene, layers=layers, narration=narration)


def _window(layer: ResolvedLayer, scene: ResolvedScene, fps: Fraction) -> Window:
    frames = scene.frames
    spec = layer.spec
    opacity = static_opacity(spec)
    start, end = scene.start, scene.end
    if isinstance(spec, Timed):
        start = scene.start + exact(spec.start)
        end = scene.start + exact(spec.end) if spec.end is not None else scene.end
    first, last = 0, frames
    if isinstance(spec, Timed):
        first = min(frames - 1, max(0, frame_at(start, fps) - scene.first_frame))
        if spec.end is not None:
            at = frame_at(end, fps) - scene.first_frame
            last = min(frames, max(first + 1, at))
    # The layer's own frame 0 is the scene's frame ``first``; its times count from ``start``.
    shown_from = scene.first_frame + first
    origin = start * fps - shown_from
    animation = animation_of(spec, origin, origin, end * fps - shown_from, fps)
    if not isinstance(spec, Timed):
        return Window(0, frames, opacity=opacity, animation=animation, origin=origin)
    return Window(
        first,
        last,
        fade_in=exact(spec.fade_in) * fps,
        fade_out=exact(spec.fade_out) * fps,
        opacity=opacity,
        animation=animation,
        origin=origin,
    )
