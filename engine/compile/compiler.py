"""Compile a resolved spec into a Plan. Pure: no processes, no file writes, no clock.

The same resolved spec (and window) always gives byte-identical argv and filter graph.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

# Registers the compile steps of model-made layers (generator, frame-model clips).
import engine.compile.model_layers  # noqa: F401
from engine.compile.audio import compile_audio
from engine.compile.graph import GraphBuilder, f
from engine.compile.layers import Canvas
from engine.compile.output import (
    REPRODUCIBLE,
    audio_args,
    container_args,
    video_args,
    working_pix_fmt,
)
from engine.compile.plan import Plan
from engine.compile.video import add_overlays, compile_scene, join_scenes, window_trim
from engine.resolve.timeline import ResolvedSpec, frames_for


def canvas_for(resolved: ResolvedSpec) -> Canvas:
    out = resolved.output
    return Canvas(out.width, out.height, Fraction(out.fps), working_pix_fmt(out))


def compile_plan(
    resolved: ResolvedSpec, window: tuple[float, float] | None = None, *, audio: bool = True
) -> Plan:
    """The plan for the whole video, or for the frames in ``window`` = [t0, t1) seconds."""
    canvas = canvas_for(resolved)
    t0, t1 = window or (0.0, resolved.duration)
    f0, f1 = _window_frames(resolved, t0, t1)
    g = GraphBuilder()
    video = _video_graph(g, resolved, canvas, f0, f1)
    if resolved.output.video.codec == "gif":
        # One palette for the whole clip: fewer colors wasted than per-frame palettes.
        first, second = g.chain([video], [f("split")], prefix="split", outputs=2)
        palette = g.one([first], [f("palettegen", stats_mode="diff")], prefix="pal")
        video = g.one([second, palette], [f("paletteuse", dither="bayer", bayer_scale=4)])
    audio_label = None
    video_chains = len(g.chains)
    if audio and resolved.output.audio_codec is not None:
        assert resolved.output.audio is not None
        audio_label = compile_audio(
            g,
            resolved,
            float(Fraction(f0) / canvas.fps),
            float(Fraction(f1) / canvas.fps),
            resolved.output.audio.sample_rate,
        )
    maps = [f"[{video}]"] + ([f"[{audio_label}]"] if audio_label else [])
    out = resolved.output
    args = [*video_args(out), "-r", str(canvas.fps)]
    if audio_label:
        args += audio_args(out)
    args += [*container_args(out), *REPRODUCIBLE]
    return Plan(
        inputs=tuple(g.inputs),
        filter_graph=tuple(g.chains[:video_chains]),
        audio_graph=tuple(g.chains[video_chains:]),
        maps=tuple(maps),
        output_args=tuple(args),
        output_path=str(resolved.output_path),
        duration=float(Fraction(f1 - f0) / canvas.fps),
        frame_count=f1 - f0,
        has_audio=audio_label is not None,
        feeds=tuple(g.feeds),
    )


def compile_audio_plan(resolved: ResolvedSpec, output_path: str) -> Plan | None:
    """The whole timeline's sound alone, encoded as the output would encode it (the farm renders
    it once and muxes it with the joined video chunks). None when the video has no sound."""
    out = resolved.output
    if out.audio_codec is None or out.audio is None:
        return None
    g = GraphBuilder()
    label = compile_audio(
        g,
        resolved,
        0.0,
        float(Fraction(resolved.frame_count) / resolved.fps),
        out.audio.sample_rate,
    )
    if label is None:
        return None
    return Plan(
        inputs=tuple(g.inputs),
        filter_graph=(),
        audio_graph=tuple(g.chains),
        maps=(f"[{label}]",),
        output_args=(*audio_args(out), *REPRODUCIBLE[:4], "-flags:a", "+bitexact"),
        output_path=output_path,
        duration=float(Fraction(resolved.frame_count) / resolved.fps),
        frame_count=0,
        has_audio=True,
    )


def compile_still(resolved: ResolvedSpec, at: float, output_path: str) -> Plan:
    """The plan for the single frame shown at time ``at``, written as an image."""
    canvas = canvas_for(resolved)
    frame = max(0, min(frames_for(at, canvas.fps), resolved.frame_count - 1))
    g = GraphBuilder()
    video = _video_graph(g, resolved, canvas, frame, frame + 1)
    video = g.one([video], [f("format", "rgb24")])
    return Plan(
        inputs=tuple(g.inputs),
        filter_graph=tuple(g.chains),
        maps=(f"[{video}]",),
        output_args=("-frames:v", "1", "-update", "1", *REPRODUCIBLE[:2]),
        output_path=output_path,
        duration=float(Fraction(1) / canvas.fps),
        frame_count=1,
        has_audio=False,
        feeds=tuple(g.feeds),
    )


def _window_frames(resolved: ResolvedSpec, t0: float, t1: float) -> tuple[int, int]:
    total = resolved.frame_count
    f0 = max(0, min(total, frames_for(t0, resolved.fps)))
    f1 = max(0, min(total, frames_for(t1, resolved.fps)))
    if f1 <= f0:
        raise ValueError(f"empty window [{t0}, {t1}) in a {resolved.duration:g}s video")
    return f0, f1


def _video_graph(g: GraphBuilder, resolved: ResolvedSpec, canvas: Canvas, f0: int, f1: int) -> str:
    """Only the scenes that touch frames [f0, f1) are compiled; the joined stream starts at
    the first of them and is trimmed to the window."""
    t0 = float(Fraction(f0) / canvas.fps)
    t1 = float(Fraction(f1) / canvas.fps)
    chosen = [s for s in resolved.scenes if s.end > t0 and s.start < t1]
    origin_frame = frames_for(chosen[0].start, canvas.fps)
    streams = [(scene, compile_scene(g, canvas, scene, (f0, f1))) for scene in chosen]
    # The first chosen scene has no predecessor in this graph, so it enters without transition.
    first_scene = chosen[0]
    if first_scene.transition is not None:
        streams[0] = (replace(first_scene, transition=None), streams[0][1])
    video = join_scenes(g, canvas, streams)
    video = add_overlays(
        g, canvas, video, list(resolved.overlays), float(Fraction(origin_frame) / canvas.fps), t1
    )
    start, end = f0 - origin_frame, f1 - origin_frame
    joined = frames_for(chosen[-1].end, canvas.fps) - origin_frame
    if start != 0 or end != joined:
        video = g.one([video], window_trim(start, end))
    return video
