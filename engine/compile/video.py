"""The picture side of the graph: scenes stacked from layers, joined by transitions, then the
overlays of the absolute timeline on top."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from engine.animation import Animation
from engine.compile.blend import blend_of, blended, covers, layer_stream
from engine.compile.effects import look_of
from engine.compile.geometry import anchor_xy, fixed
from engine.compile.graph import Filter, GraphBuilder, f, num
from engine.compile.motion import by_frame, placement
from engine.compile.pictures import (
    Canvas,
    LayerStream,
    SceneContext,
    canonical,
    color_frames,
    sequence_sprite,
    sprite_frames,
)
from engine.layers import type_of
from engine.resolved import ResolvedOverlay, ResolvedScene

_OVERLAY_FORMAT = {
    "yuv420p": "yuv420",
    "yuv422p": "yuv422",
    "yuv444p": "yuv444",
    "yuv422p10le": "yuv422p10",
    "yuv420p10le": "yuv420p10",
}


@dataclass(frozen=True)
class Visibility:
    """When a stream shows, in frames of its scene (or of the window, for overlays): from
    ``start`` for ``frames``, fading in and out over so many frames, at an opacity."""

    start: int
    frames: int
    fade_in: Fraction = Fraction(0)
    fade_out: Fraction = Fraction(0)
    opacity: float = 1.0
    #: Frames of the sprite's own life cut off at its start (it began before the window).
    skip: int = 0
    animation: Animation | None = None

    def plain(self, scene_frames: int) -> bool:
        return (
            self.animation is None
            and self.start == 0
            and self.frames >= scene_frames
            and not self.fade_in
            and not self.fade_out
            and self.opacity == 1.0
        )


def overlay_filters(canvas: Canvas, x: int | str, y: int | str) -> list[Filter]:
    """``overlay`` that keeps the main picture in the canvas format.

    Without the ``format`` after it, ffmpeg's format negotiation may carry an alpha plane
    (yuva420p) through the main chain when a sprite has one, and overlay then blends with
    other rounding: the same frame would differ by a level or two between a whole render and a
    window of it. Pinning the format keeps every window's pixels identical to the whole."""
    return [
        f("overlay", x, y, eof_action="pass", format=_OVERLAY_FORMAT.get(canvas.pix_fmt, "auto")),
        *canonical(canvas.pix_fmt),
    ]


@dataclass(frozen=True)
class Timed:
    """A layer stream with its time window applied, and where to put it: a fixed corner, or
    per-frame expressions when it moves."""

    label: str
    x: int | str
    y: int | str


def timed(g: GraphBuilder, stream: LayerStream, when: Visibility, canvas: Canvas) -> Timed:
    """Give a layer stream its time window, fades, opacity and motion, with alpha where needed.

    A full-frame stream already spans its scene, so the visible frames are cut out of it; a
    sprite's frames are made for exactly as long as it shows. Motion filters work on the
    layer's own frames (from its first, before a window's cut); its corner is given per frame
    of the stream it is laid on."""
    # Long on purpose: the order of these steps is the point (opacity and fades on the
    # picture as drawn, motion after them, all before a window's cut), and splitting it
    # would scatter that order.
    fps = canvas.fps
    filters: list[Filter] = []
    if stream.full:
        source = stream.label
        filters += [
            f("trim", start_frame=when.start or None, end_frame=when.start + when.frames),
            f("setpts", "PTS-STARTPTS"),
        ]
        if when.fade_in or when.fade_out or when.opacity < 1.0 or when.animation:
            filters.append(f("format", "yuva420p"))
        life = when.frames
    else:
        life = when.frames + when.skip
        source = sprite_frames(g, stream, life, fps) if stream.src else stream.label
    x: int | str = stream.x
    y: int | str = stream.y
    if when.opacity < 1.0:
        filters.append(f("lut", c3=f"val*{num(when.opacity)}"))
    # ffmpeg's fade ramps on time: frame counts would round a 7.5-frame fade to 8.
    if when.fade_in:
        filters.append(f("fade", t="in", st=0, d=when.fade_in / fps, alpha=1))
    if when.fade_out:
        fade_out = when.fade_out / fps
        filters.append(f("fade", t="out", st=life / fps - fade_out, d=fade_out, alpha=1))
    if when.animation is not None:
        size = stream.box or canvas.size
        moved = placement(
            when.animation,
            life,
            (stream.x, stream.y),
            size,
            canvas.size,
            fps,
            "yuva420p" if stream.full else "rgba",
            stream.inset,
        )
        filters += moved.filters
        # The corner is read on the frames below: this layer's frame k is their frame
        # start + k - skip.
        shown = slice(when.skip, life)
        x = by_frame(moved.x[shown], fps, when.start)
        y = by_frame(moved.y[shown], fps, when.start)
    if when.skip:
        # The sprite began before this window: drop the part of its life already shown.
        filters += [f("trim", start_frame=when.skip), f("setpts", "PTS-STARTPTS")]
    if when.start:
        filters.append(f("setpts", f"PTS+{when.start}"))
    if not filters:
        return Timed(source, x, y)
    return Timed(g.one([source], filters), x, y)


def compile_scene(
    g: GraphBuilder, canvas: Canvas, scene: ResolvedScene, window: tuple[int, int] | None = None
) -> str:
    """The scene's stream; ``window`` = the absolute frames [f0, f1) that will be shown (layers
    whose frames are costly, like generators, make only those)."""
    frames = scene.frames
    shown_frames = None
    if window is not None:
        a = max(0, min(frames - 1, window[0] - scene.first_frame))
        shown_frames = (a, max(a + 1, min(frames, window[1] - scene.first_frame)))
    ctx = SceneContext(g, canvas, frames, scene.background, scene.fit, shown_frames)
    shown = [
        Visibility(w.start, w.frames, w.fade_in, w.fade_out, w.opacity, animation=w.animation)
        for w in (layer.window for layer in scene.layers)
    ]
    # Layers under the topmost one that covers the whole frame for the whole scene are never
    # seen: they are not compiled at all (an unused stream would also be an ffmpeg error).
    bottom = max(
        (
            i
            for i, layer in enumerate(scene.layers)
            if covers(layer, scene.fit) and shown[i].plain(frames)
        ),
        default=0,
    )
    base: str | None = None
    for layer, when in zip(scene.layers[bottom:], shown[bottom:], strict=True):
        stream, mode = layer_stream(ctx, layer), blend_of(layer)
        if base is None and stream.full and stream.opaque and when.plain(frames) and not mode:
            base = stream.label
            continue
        if base is None:
            base = color_frames(g, canvas, frames, scene.background)
        if stream.full and when.plain(frames):
            placed = Timed(stream.label, stream.x, stream.y)
        else:
            placed = timed(g, stream, when, canvas)
        if mode:
            base = blended(g, canvas, frames, base, placed.label, stream, mode, overlay_filters)
        else:
            base = g.one([base, placed.label], overlay_filters(canvas, placed.x, placed.y))
    assert base is not None
    return base


def _transition(
    g: GraphBuilder, canvas: Canvas, kind: str, outgoing: str, incoming: str, frames: int
) -> str:
    """The ``frames`` frames where two scenes overlap.

    A plain fade is an alpha ramp on the incoming frames laid over the outgoing ones:
    ``overlay`` blends with SIMD and costs about 2.7 ms a 1080p frame against 6.8 ms for
    ``xfade=fade`` (measured on this project's CI machine); other kinds need ``xfade``."""
    seconds = Fraction(frames) / canvas.fps
    if kind == "fade" and canvas.pix_fmt == "yuv420p":
        ramp = g.one(
            [incoming], [f("format", "yuva420p"), f("fade", t="in", st=0, d=seconds, alpha=1)]
        )
        return g.one([outgoing, ramp], overlay_filters(canvas, 0, 0))
    return g.one([outgoing, incoming], [f("xfade", transition=kind, duration=seconds, offset=0)])


def join_scenes(g: GraphBuilder, canvas: Canvas, scenes: list[tuple[ResolvedScene, str]]) -> str:
    """Join scenes into one stream: ``xfade`` where they overlap, ``concat`` everywhere else.

    ``xfade`` costs time on every frame that passes through it, not only during the
    transition (measured: ~2.4 ms per 1080p frame), and a chain of them puts every frame of
    the video through every one. So each scene is cut into head / body / tail: only the
    overlapping head and tail frames meet in an ``xfade`` (at offset 0), and one ``concat``
    strings bodies and transitions together.
    """
    overlaps = [scene.transition_frames for scene, _ in scenes]
    overlaps.append(0)
    segments: list[str] = []
    previous_tail: str | None = None
    for index, (scene, stream) in enumerate(scenes):
        frames = scene.frames
        head, tail = overlaps[index], overlaps[index + 1]
        body = frames - head - tail
        wanted = [name for name, size in (("head", head), ("body", body), ("tail", tail)) if size]
        if wanted == ["body"]:
            parts = {"body": stream}
        else:
            labels = g.chain(
                [stream], [f("split", len(wanted))], prefix="split", outputs=len(wanted)
            )
            bounds = {"head": (0, head), "body": (head, head + body), "tail": (head + body, frames)}
            parts = {
                name: g.one(
                    [label],
                    [
                        f("trim", start_frame=bounds[name][0] or None, end_frame=bounds[name][1]),
                        f("setpts", "PTS-STARTPTS"),
                    ],
                )
                for name, label in zip(wanted, labels, strict=True)
            }
        if head:
            assert previous_tail is not None and scene.transition is not None
            segments.append(
                _transition(g, canvas, scene.transition.type, previous_tail, parts["head"], head)
            )
        if body:
            segments.append(parts["body"])
        previous_tail = parts.get("tail")
    if len(segments) == 1:
        return segments[0]
    return g.one(
        segments,
        [
            f("concat", n=len(segments), v=1, a=0),
            *frame_clock(canvas.fps),
            *canonical(canvas.pix_fmt),
        ],
    )


def frame_clock(fps: Fraction) -> list[Filter]:
    """Stamp frame N with time N / fps. ``concat`` times each piece by the last frame's
    duration, which a one-frame transition does not carry: the next piece then came out
    stamped on top of it, and the encoder dropped a frame (at 10 fps, four 0.5 s scenes with
    0.1 s fades made 16 frames, not 17) while overlays, timed by the stamps, slid a frame."""
    return [f("settb", str(1 / fps)), f("setpts", "N")]


def add_overlays(
    g: GraphBuilder,
    canvas: Canvas,
    main: str,
    overlays: list[ResolvedOverlay],
    window: tuple[int, int],
) -> str:
    """Overlays on the absolute timeline, on the stream of frames ``window`` = [f0, f1)."""
    window_start, window_end = window
    for item in overlays:
        start_frame, end_frame = item.start_frame, item.end_frame
        if end_frame <= window_start or start_frame >= window_end or end_frame <= start_frame:
            continue
        if item.layer is not None:
            main = _moving_overlay(g, canvas, main, item, window_start)
            continue
        filters = [f("format", "rgba")]
        if item.shown != item.size:
            filters.insert(0, f("scale", *item.shown, flags="lanczos"))
        look = look_of(item.overlay, item.luts)
        place = item.overlay
        shown = look.size(item.shown)
        x, y = anchor_xy(
            place.position,
            canvas.size,
            shown,
            place.margin,
            place.offset,
            fixed(place.x),
            fixed(place.y),
        )
        sprite = LayerStream(
            "",
            full=False,
            x=x,
            y=y,
            src=str(item.image),
            prep=tuple(filters),
            look=look,
            size=item.shown,
            box=shown,
        )
        if item.sequence is not None:
            sprite = sequence_sprite(sprite, item.sequence)
        skip = max(0, window_start - start_frame)
        when = Visibility(
            start=max(0, start_frame - window_start),
            frames=end_frame - start_frame - skip,
            fade_in=item.fade_in,
            fade_out=item.fade_out,
            opacity=item.opacity,
            skip=skip,
            animation=item.animation,
        )
        placed = timed(g, sprite, when, canvas)
        main = g.one([main, placed.label], overlay_filters(canvas, placed.x, placed.y))
    return main


def _moving_overlay(
    g: GraphBuilder, canvas: Canvas, main: str, item: ResolvedOverlay, window_start: int
) -> str:
    """A moving overlay (a clip) over ``main``: compiled by its type as a placed layer whose
    frames are the overlay's, those before the window made and cut off (as a sprite's are)."""
    assert item.layer is not None
    life = item.end_frame - item.start_frame
    skip = max(0, window_start - item.start_frame)
    ctx = SceneContext(g, canvas, life, "#00000000", "contain", (skip, life))
    sprite = type_of(item.layer.spec).compile(ctx, item.layer)
    when = Visibility(
        start=max(0, item.start_frame - window_start),
        frames=life - skip,
        fade_in=item.fade_in,
        fade_out=item.fade_out,
        opacity=item.opacity,
        skip=skip,
        animation=item.animation,
    )
    placed = timed(g, sprite, when, canvas)
    return g.one([main, placed.label], overlay_filters(canvas, placed.x, placed.y))


def window_trim(t0_frame: int, t1_frame: int) -> list[Filter]:
    return [f("trim", start_frame=t0_frame, end_frame=t1_frame), f("setpts", "PTS-STARTPTS")]
