"""Compile a resolved spec into a Plan. Pure: no processes, no file writes, no clock.

The same resolved spec (and window) always gives byte-identical argv and filter graph.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from engine.codecs import VIDEO_CODECS
from engine.compile.audio import compile_audio, silent
from engine.compile.graph import GraphBuilder, Input, f
from engine.compile.output import (
    REPRODUCIBLE,
    REPRODUCIBLE_AUDIO,
    REPRODUCIBLE_COPY,
    audio_args,
    caption_track,
    container_args,
    video_args,
    working_pix_fmt,
)
from engine.compile.pictures import Canvas
from engine.compile.plan import Plan
from engine.compile.video import add_overlays, compile_scene, join_scenes, window_trim
from engine.resolved import ResolvedSpec


def canvas_for(resolved: ResolvedSpec) -> Canvas:
    out = resolved.output
    return Canvas(out.width, out.height, Fraction(out.fps), working_pix_fmt(out))


def compile_plan(
    resolved: ResolvedSpec, window: tuple[int, int] | None = None, *, audio: bool = True
) -> Plan:
    """The plan for the whole video, or for its frames ``window`` = [f0, f1). For a file of
    sound alone (.mp3, .wav, ...) no picture is compiled at all: the plan is the mix of those
    frames' time."""
    f0, f1 = _window_frames(resolved, window)
    if resolved.output.audio_only:
        if not audio:
            raise ValueError(f"{resolved.output.container} holds sound alone; it has no picture")
        g = GraphBuilder()
        # A window where nothing sounds is still that long: a file of sound alone holds it.
        label = compile_audio(g, resolved, (f0, f1)) or silent(g, resolved, (f0, f1))
        muxer = (*container_args(resolved.output), *REPRODUCIBLE_AUDIO)
        return _sound_plan(g, label, resolved, (f0, f1), str(resolved.output_path), muxer)
    canvas = canvas_for(resolved)
    g = GraphBuilder()
    video = _video_graph(g, resolved, canvas, f0, f1)
    if VIDEO_CODECS[resolved.output.video.codec].palette:
        # One palette for the whole clip: fewer colors wasted than per-frame palettes.
        first, second = g.chain([video], [f("split")], prefix="split", outputs=2)
        palette = g.one([first], [f("palettegen", stats_mode="diff")], prefix="pal")
        video = g.one([second, palette], [f("paletteuse", dither="bayer", bayer_scale=4)])
    audio_label = None
    video_chains = len(g.chains)
    if audio and resolved.output.audio_codec is not None:
        audio_label = compile_audio(g, resolved, (f0, f1))
    maps = [f"[{video}]"] + ([f"[{audio_label}]"] if audio_label else [])
    out = resolved.output
    args = [*video_args(out), "-r", str(canvas.fps)]
    if audio_label:
        args += audio_args(out)
    inputs = list(g.inputs)
    if window is None:
        # The captions go in with the whole video (a farm's chunks get them when joined).
        track, track_maps, track_args = caption_track(resolved, len(inputs))
        inputs += track
        maps += track_maps
        args += track_args
    args += [*container_args(out), *REPRODUCIBLE]
    return Plan(
        inputs=tuple(inputs),
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
    window = (0, resolved.frame_count)
    label = compile_audio(g, resolved, window)
    if label is None:
        return None
    return _sound_plan(g, label, resolved, window, output_path, REPRODUCIBLE_AUDIO)


def _sound_plan(
    g: GraphBuilder,
    label: str,
    resolved: ResolvedSpec,
    window: tuple[int, int],
    output_path: str,
    muxer: tuple[str, ...],
) -> Plan:
    """The sound ``label`` (the mix of the frames ``window``) alone, encoded with the
    output's audio codec."""
    return Plan(
        inputs=tuple(g.inputs),
        filter_graph=(),
        audio_graph=tuple(g.chains),
        maps=(f"[{label}]",),
        output_args=(*audio_args(resolved.output), *muxer),
        output_path=output_path,
        duration=float(Fraction(window[1] - window[0]) / resolved.fps),
        frame_count=0,
        has_audio=True,
    )


def compile_still(resolved: ResolvedSpec, frame: int, output_path: str) -> Plan:
    """The plan for the single frame ``frame``, written as an image."""
    if resolved.output.audio_only:
        raise ValueError(f"{resolved.output.container} holds sound alone; it has no frames")
    if not 0 <= frame < resolved.frame_count:
        raise ValueError(f"frame {frame} is outside the video's {resolved.frame_count} frames")
    canvas = canvas_for(resolved)
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


def _window_frames(resolved: ResolvedSpec, window: tuple[int, int] | None) -> tuple[int, int]:
    total = resolved.frame_count
    if window is None:
        return 0, total
    f0, f1 = max(0, window[0]), min(total, window[1])
    if f1 <= f0:
        raise ValueError(
            f"empty window of frames [{window[0]}, {window[1]}) in a {total}-frame video"
        )
    return f0, f1


def _video_graph(g: GraphBuilder, resolved: ResolvedSpec, canvas: Canvas, f0: int, f1: int) -> str:
    """Only the scenes that touch frames [f0, f1) are compiled; the joined stream starts at
    the first of them and is trimmed to the window."""
    chosen = [s for s in resolved.scenes if s.end_frame > f0 and s.first_frame < f1]
    # The first chosen scene has no predecessor in this graph, so it enters without transition.
    chosen[0] = replace(chosen[0], transition=None, transition_frames=0)
    origin = chosen[0].first_frame
    streams = [(scene, compile_scene(g, canvas, scene, (f0, f1))) for scene in chosen]
    video = join_scenes(g, canvas, streams)
    video = add_overlays(g, canvas, video, list(resolved.overlays), (origin, f1))
    start, end = f0 - origin, f1 - origin
    if start != 0 or end != chosen[-1].end_frame - origin:
        video = g.one([video], window_trim(start, end))
    return video


def compile_join_plan(
    resolved: ResolvedSpec, chunk_list: str, audio_file: str | None, output_path: str
) -> Plan:
    """The plan that joins a farm's chunks (listed, one ``file`` line each, in the concat
    script ``chunk_list``) without re-encoding, and muxes the sound rendered apart."""
    inputs = [Input(chunk_list, ("-f", "concat", "-safe", "0"))]
    maps = ["0:v"]
    if audio_file is not None:
        inputs.append(Input(audio_file))
        maps.append("1:a")
    track, track_maps, track_args = caption_track(resolved, len(inputs))
    inputs += track
    maps += track_maps
    copy = ["-c", "copy", *track_args]
    return Plan(
        inputs=tuple(inputs),
        filter_graph=(),
        maps=tuple(maps),
        output_args=(*copy, *container_args(resolved.output), *REPRODUCIBLE_COPY),
        output_path=output_path,
        duration=float(resolved.seconds),
        frame_count=resolved.frame_count,
        has_audio=audio_file is not None,
    )
