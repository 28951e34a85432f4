"""How a clip's frames are read: sought and limited on the input side, timed on its own
timeline, and, for a clip restyled by an image-to-image model, decoded by a second ffmpeg whose
frames the model restyles on their way in (a feed)."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from engine.compile.clips import repeated, shown_frames
from engine.compile.feeding import feed_stream
from engine.compile.graph import Filter, f, num
from engine.compile.pictures import (
    LayerStream,
    decoder_options,
    on_the_tick,
)
from engine.feeds import FrameModelFeed
from engine.timebase import exact, microseconds_down

if TYPE_CHECKING:
    from engine.compile.pictures import SceneContext
    from engine.layers.video import ResolvedVideo
    from engine.resolved import ResolvedModel


def clip_timing(layer: ResolvedVideo, skipped: Fraction = Fraction(0)) -> list[Filter]:
    """A clip's frames on its own timeline: time 0 is where the input was sought to
    (``trim.start``, plus ``skipped`` seconds of the clip a window does not show), nothing at
    or after the trimmed end, then sped up or slowed down.

    The times are kept as they come, not shifted to start at the first frame: after a seek,
    the first frame kept is the first one that begins after the seek point, and moving it to
    0 showed every frame of a trimmed clip early. ``-t`` on the input may let one frame past
    the end through; the ``trim`` takes it out — on the source's own times, before the speed
    change, so a frame that begins exactly at ``trim.end`` stays out whatever the speed."""
    spec = layer.spec
    span = layer.plays * exact(spec.speed) - skipped
    filters = [f("trim", end=microseconds_down(max(Fraction(0), span)))]
    if spec.speed != 1:
        filters.append(f("setpts", f"PTS/{num(spec.speed)}"))
    return filters


def input_options(layer: ResolvedVideo, frames: int, fps: Fraction) -> tuple[str, ...]:
    """Seek and limit on the input side, so ffmpeg decodes only the part a scene shows (all of
    a reversed clip's pass, at most one pass of a looped one)."""
    spec = layer.spec
    shown = shown_frames(frames, layer.pass_frames, reverse=spec.reverse, loop=spec.loop)
    needed = float(Fraction(shown) / fps) * spec.speed
    available = float(layer.plays) * spec.speed
    options = decoder_options(layer.media)
    if spec.trim.start:
        options += ["-ss", num(spec.trim.start)]
    options += ["-t", num(min(needed, available))]
    return tuple(options)


def through_model(ctx: SceneContext, layer: ResolvedVideo, model: ResolvedModel) -> LayerStream:
    """A clip whose every frame goes through an image-to-image model on its way in: a second
    ffmpeg decodes the frames the window shows, the model restyles them, a pipe feeds them."""
    spec = layer.spec
    assert model.in_size is not None
    fps = ctx.canvas.fps
    a, b = ctx.shown
    width, height = model.in_size
    scaled = [
        f("scale", width, height, force_original_aspect_ratio="increase", flags="bicubic"),
        f("crop", width, height),
        f("format", "rgb24"),
    ]
    turned = spec.loop or spec.reverse
    # A looped or reversed clip is decoded from its start: which pass frame shows where
    # depends on the whole pass; a clip played once is sought to the window's first frame.
    first = 0 if turned else a
    shown = shown_frames(b, layer.pass_frames, reverse=spec.reverse, loop=spec.loop) - first
    needed = Fraction(shown) / fps * Fraction(spec.speed).limit_denominator(10_000)
    available = float(layer.plays) * spec.speed
    skip = float(Fraction(first) / fps) * spec.speed
    start = spec.trim.start + skip
    steps = [
        # The same frames, at the same times, as the clip without a model would show.
        *clip_timing(layer, Fraction(first) / fps * exact(spec.speed)),
        f("tpad", stop_mode="clone", stop=-1),
        on_the_tick(fps),
        *scaled,
    ]
    if turned:
        steps += repeated(b, layer.pass_frames, reverse=spec.reverse, loop=spec.loop)
        steps += [f("trim", start_frame=a or None), f("setpts", "PTS-STARTPTS")]
    decode = [
        "-hide_banner", "-nostdin", "-loglevel", "error",
        *(["-ss", num(start)] if start else []),
        "-t", num(max(0.0, min(float(needed), available - skip))),
        "-i", str(layer.src),
        "-vf", ",".join(str(step) for step in steps),
        "-frames:v", str(b - a), "-an", "-f", "rawvideo", "pipe:1",
    ]  # fmt: skip
    option = getattr(spec, "model", None)  # (overlays have no model)
    feed = FrameModelFeed(
        pipe=ctx.g.next_pipe(),
        model=str(model.path),
        model_sha256=model.sha256,
        trust_model=model.trust,
        value_range=model.value_range,
        width=width,
        height=height,
        decode=tuple(decode),
        count=b - a,
        batch=option.batch if option is not None else 8,
    )
    return feed_stream(ctx, feed, a, spec.fit, spec.background, "bicubic", layer.framed)
