"""Compile steps for layers whose frames a model makes: ``generator`` layers, and ``video``
layers with a frame model. Their frames arrive over pipes (see :mod:`engine.compile.feeds`);
from there on they are pictures like any other: fitted, conformed to the scene, stacked."""

from __future__ import annotations

from fractions import Fraction

from engine.compile.feeds import Feed, FrameModelFeed, GeneratorFeed, rawvideo_options
from engine.compile.graph import Filter, f, num
from engine.compile.layers import (
    LayerStream,
    SceneContext,
    canonical,
    clip_timing,
    compiles,
    conform,
    fit_chain,
    on_the_tick,
)
from engine.resolve.timeline import ResolvedLayer, exact, frame_at
from engine.spec.generator import GeneratorLayer
from engine.spec.layers import VideoLayer


def _skipped(first: int) -> list[Filter]:
    """Frames before ``first`` are never shown (a window starts later), so the model does not
    make them: the first made frame stands in for them, keeping every later frame in place."""
    return [f("tpad", start=first, start_mode="clone")] if first else []


def _feed_stream(
    ctx: SceneContext,
    feed: Feed,
    first: int,
    fit: str | None,
    background: str | None,
    flags: str,
) -> LayerStream:
    """The pipe input a feed writes, made the scene's length and fitted to the frame. Its
    frames already come one per output tick, so they are held and cut, never resampled."""
    size = (feed.width, feed.height)
    index = ctx.g.add_feed(feed, *rawvideo_options(*size, str(ctx.canvas.fps)))
    head = ctx.g.one([f"{index}:v"], [f("setpts", "N"), *_skipped(first)])
    tail = [*canonical(ctx.canvas.pix_fmt), *conform(ctx, resample=False)]
    label = fit_chain(ctx, head, size, fit or ctx.fit, background, flags, tail)
    return LayerStream(label, full=True)


@compiles(GeneratorLayer)
def _generator(ctx: SceneContext, layer: ResolvedLayer) -> LayerStream:
    spec = layer.layer
    model = layer.model
    assert isinstance(spec, GeneratorLayer) and model is not None and model.latent_dim
    fps = ctx.canvas.fps
    layer_frames = frame_at(exact(spec.duration), fps) if spec.duration else ctx.frames
    layer_frames = max(1, layer_frames)
    a, b = ctx.shown
    end = max(1, min(layer_frames, b))
    first = min(a, end - 1)
    width, height = model.out_size
    feed = GeneratorFeed(
        pipe=ctx.g.next_pipe(),
        model=str(model.path),
        model_sha256=model.sha256,
        trust_model=model.trust,
        value_range=model.value_range,
        latent_dim=model.latent_dim,
        width=width,
        height=height,
        fps=str(fps),
        motion_json=spec.motion.model_dump_json(),
        seed=spec.seed,
        truncation=spec.truncation,
        layer_frames=layer_frames,
        first=first,
        count=end - first,
        batch=spec.batch,
    )
    return _feed_stream(ctx, feed, first, spec.fit, spec.background, "lanczos")


def frame_model_stream(ctx: SceneContext, layer: ResolvedLayer) -> LayerStream:
    """A clip whose every frame goes through an image-to-image model on its way in."""
    spec = layer.layer
    model = layer.model
    assert isinstance(spec, VideoLayer) and model is not None and model.in_size is not None
    fps = ctx.canvas.fps
    a, b = ctx.shown
    needed = Fraction(b - a) / fps * Fraction(spec.speed).limit_denominator(10_000)
    available = float(layer.length or 0) * spec.speed
    skip = float(Fraction(a) / fps) * spec.speed
    start = spec.trim.start + skip
    width, height = model.in_size
    decode = [
        "-hide_banner", "-nostdin", "-loglevel", "error",
        *(["-ss", num(start)] if start else []),
        "-t", num(max(0.0, min(float(needed), available - skip))),
        "-i", str(layer.src),
        "-vf", ",".join(str(step) for step in [
            # The same frames, at the same times, as the clip without a model would show.
            *clip_timing(layer, Fraction(a) / fps * exact(spec.speed)),
            f("tpad", stop_mode="clone", stop=-1),
            on_the_tick(fps),
            f("scale", width, height, force_original_aspect_ratio="increase", flags="bicubic"),
            f("crop", width, height),
            f("format", "rgb24"),
        ]),
        "-frames:v", str(b - a), "-an", "-f", "rawvideo", "pipe:1",
    ]  # fmt: skip
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
        batch=spec.model.batch if spec.model else 8,
    )
    return _feed_stream(ctx, feed, a, spec.fit, spec.background, "bicubic")
