"""Model feeds in the graph: the frames a generator or frame model writes into a pipe, one per
output tick, held, cut and fitted like any full-frame picture."""

from __future__ import annotations

from engine.compile.framed import framed_stream
from engine.compile.graph import Filter, f
from engine.compile.pictures import LayerStream, SceneContext, canonical, conform, fit_chain
from engine.feeds import Feed, rawvideo_options
from engine.resolved import Framed


def _skipped(first: int) -> list[Filter]:
    """Frames before ``first`` are never shown (a window starts later), so the model does not
    make them: the first made frame stands in for them, keeping every later frame in place."""
    return [f("tpad", start=first, start_mode="clone")] if first else []


def feed_stream(
    ctx: SceneContext,
    feed: Feed,
    first: int,
    fit: str | None,
    background: str | None,
    flags: str,
    framed: Framed | None = None,
) -> LayerStream:
    """The pipe input a model's feed writes, made the layer's length and fitted to the frame,
    or into its box when it is placed (``framed``). Its frames already come one per output
    tick, so they are held and cut, never resampled."""
    size = (feed.width, feed.height)
    head = feed_input(ctx, feed, first)
    if framed is not None:
        return framed_stream(ctx, head, size, framed, flags, conform(ctx, resample=False), False)
    tail = [*canonical(ctx.canvas.pix_fmt), *conform(ctx, resample=False)]
    label = fit_chain(ctx, head, size, fit or ctx.fit, background, flags, tail)
    return LayerStream(label, full=True)


def feed_input(ctx: SceneContext, feed: Feed, first: int) -> str:
    """The frames a model's feed writes, one per output tick from the layer's first frame (the
    frames before ``first`` stand in by the first made one)."""
    index = ctx.g.add_feed(feed, *rawvideo_options(feed.width, feed.height, str(ctx.canvas.fps)))
    return ctx.g.one([f"{index}:v"], [f("setpts", "N"), *_skipped(first)])
