"""The compile step of each layer type, registered against its spec model.

A layer compiles to a stream that either fills the frame (``full``) or is a sprite placed at
x/y (``sprite``). Every stream starts at time 0 of its scene, at the output frame rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from engine.compile.geometry import anchor_xy, contain_size, cover_size
from engine.compile.graph import Filter, GraphBuilder, f, num
from engine.resolve.timeline import ResolvedLayer, exact
from engine.spec.common import color_rgba
from engine.spec.generator import GeneratorLayer
from engine.spec.layers import (
    ColorLayer,
    GradientLayer,
    ImageLayer,
    ImageSequenceLayer,
    TextLayer,
    VideoLayer,
)


@dataclass(frozen=True)
class Canvas:
    width: int
    height: int
    fps: Fraction
    pix_fmt: str

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


@dataclass
class SceneContext:
    g: GraphBuilder
    canvas: Canvas
    frames: int
    background: str
    fit: str
    #: The frames of the scene [a, b) that the plan shows, when a window of the video is
    #: compiled; None: all of them.
    window: tuple[int, int] | None = None

    @property
    def shown(self) -> tuple[int, int]:
        return self.window or (0, self.frames)


@dataclass(frozen=True)
class LayerStream:
    """A compiled layer: a full-frame stream (``label``), or a sprite to be placed at x/y,
    whose frames are made by :func:`sprite_frames` once its time on screen is known."""

    label: str
    full: bool
    x: int = 0
    y: int = 0
    #: False when the stream has transparent pixels and must be overlaid with alpha.
    opaque: bool = True
    #: Sprites: the picture file and the filters that prepare it (scale, rgba).
    src: str | None = None
    prep: tuple[Filter, ...] = ()


Compiler = Callable[[SceneContext, ResolvedLayer], LayerStream]
_REGISTRY: dict[type, Compiler] = {}


def compiles(model: type) -> Callable[[Compiler], Compiler]:
    def register(function: Compiler) -> Compiler:
        _REGISTRY[model] = function
        return function

    return register


def compile_layer(ctx: SceneContext, layer: ResolvedLayer) -> LayerStream:
    try:
        compiler = _REGISTRY[type(layer.layer)]
    except KeyError:
        raise TypeError(f"no compile step registered for {type(layer.layer).__name__}") from None
    return compiler(ctx, layer)


def ffcolor(color: str) -> str:
    r, g, b, a = color_rgba(color)
    return f"0x{r:02x}{g:02x}{b:02x}" + (f"@{num(round(a / 255, 4))}" if a != 255 else "")


# --- shared chains ----------------------------------------------------------------------------


def canonical(pix_fmt: str) -> list[Filter]:
    """Every picture entering the timeline gets the same pixel format, color matrix, range
    and square pixels. Mixed properties would make ffmpeg reconfigure the encoder's input
    mid-stream (converting some frames), and then a window of the video, whose first frame
    differs, would not encode to the same pixels as the whole."""
    return [f("format", pix_fmts=pix_fmt, color_spaces="bt709", color_ranges="tv"), f("setsar", 1)]


def still_input(g: GraphBuilder, path: str, fps: Fraction) -> str:
    """A still picture read once, stamped with the output rate (so its time base is 1/fps)."""
    return f"{g.add_input(path, '-framerate', str(fps))}:v"


def sprite_frames(g: GraphBuilder, stream: LayerStream, frames: int, fps: Fraction) -> str:
    """``frames`` frames of a sprite, read with ``-loop 1``.

    Not the decode-once :func:`hold` used for full-frame pictures: a ``loop`` filter feeding
    ``overlay`` deadlocks ffmpeg 9's threaded scheduler now and then (seen: 6 hangs in 12 runs
    of one graph pinned to one core). Sprites are small, so decoding one per frame is cheap."""
    assert stream.src is not None
    seconds = Fraction(frames + 1) / fps  # a spare frame; the trim below makes it exact
    index = g.add_input(stream.src, "-loop", "1", "-framerate", str(fps), "-t", num(seconds))
    return g.one([f"{index}:v"], [*stream.prep, f("trim", end_frame=frames), f("setpts", "N")])


def hold(frames: int) -> list[Filter]:
    """Repeat a single decoded frame ``frames`` times: the picture is decoded and scaled once,
    then the same buffer is reused (much cheaper than ``-loop 1`` inputs, which decode the file
    again for every frame). Its input is a :func:`still_input`, so frame N has pts N."""
    return [f("loop", loop=frames - 1, size=1, start=0), f("setpts", "N")]


def conform(ctx: SceneContext, *, resample: bool = True) -> list[Filter]:
    """Make a moving source exactly the scene's length at the output rate: hold its last
    frame for ever, resample, cut at the scene end. Sources already made at the output rate,
    one frame per tick (model feeds), skip the resampling: ``fps`` would judge their last
    frame by a duration it has to guess, and could drop it.

    Output frame k shows the source frame on screen at time k / fps: the last one that began
    at or before it (``round=up`` maps each source frame to the first output tick at or after
    its start). ffmpeg's default rounds to the nearest tick, and when several source frames
    land on one tick the last wins, so a 50 fps clip at 10 fps showed its frame 5k + 2 at
    frame k, a fifth of a second's worth of motion early. The last frame is held *before*
    resampling: ``fps`` makes no tick at or after its input's end, so the final source frames,
    mapped to that tick, were dropped and an earlier one held in their place."""
    return [
        f("tpad", stop_mode="clone", stop=-1),
        *([on_the_tick(ctx.canvas.fps)] if resample else []),
        f("trim", end_frame=ctx.frames),
    ]


def on_the_tick(fps: Fraction) -> Filter:
    """Frames at ``fps``, frame k being the source frame on screen at k / fps (see conform);
    a source whose first frame begins after 0 (a seek lands between frames) shows it from 0."""
    return f("fps", str(fps), round="up", start_time=0)


def fit_chain(
    ctx: SceneContext,
    source: str,
    size: tuple[int, int],
    fit: str,
    background: str | None,
    flags: str,
    tail: list[Filter],
    target: tuple[int, int] | None = None,
) -> str:
    """Fit a picture of ``size`` into ``target`` (the canvas by default), then apply ``tail``."""
    w, h = size
    W, H = target or ctx.canvas.size
    g = ctx.g
    if fit == "contain" and background == "blur":
        fit = "blur"
    if fit == "fill":
        return g.one([source], [f("scale", W, H, flags=flags), f("setsar", 1), *tail])
    if fit == "cover":
        cw, ch = cover_size(w, h, W, H)
        return g.one(
            [source],
            [
                f("scale", cw, ch, flags=flags),
                f("crop", W, H, (cw - W) // 2, (ch - H) // 2),
                f("setsar", 1),
                *tail,
            ],
        )
    sw, sh = contain_size(w, h, W, H)
    if fit == "contain":
        color = ffcolor(background or ctx.background)
        return g.one(
            [source],
            [
                f("scale", sw, sh, flags=flags),
                f("pad", W, H, (W - sw) // 2, (H - sh) // 2, color=color),
                f("setsar", 1),
                *tail,
            ],
        )
    # blur: the picture, contained, over a blurred copy of itself that covers the frame.
    # The copy is blurred at a quarter size: the same look at a sixteenth of the work.
    back, front = g.chain([source], [f("split")], prefix="split", outputs=2)
    qw, qh = max(2, W // 4), max(2, H // 4)
    cw, ch = cover_size(w, h, qw, qh)
    blurred = g.one(
        [back],
        [
            f("scale", cw, ch, flags="bilinear"),
            f("crop", qw, qh, (cw - qw) // 2, (ch - qh) // 2),
            f("boxblur", luma_radius=max(2, min(qw, qh) // 12), luma_power=2),
            f("scale", W, H, flags="bilinear"),
            f("setsar", 1),
        ],
    )
    fitted = g.one([front], [f("scale", sw, sh, flags=flags), f("setsar", 1)])
    return g.one([blurred, fitted], [f("overlay", (W - sw) // 2, (H - sh) // 2), *tail])


# --- layer types ------------------------------------------------------------------------------


def opaque_colors(*colors: str) -> bool:
    return all(color_rgba(c)[3] == 255 for c in colors)


def covers_frame(layer: ResolvedLayer, default_fit: str) -> bool:
    """Whether the layer paints every pixel of the frame, hiding everything below it (when
    it also shows for the whole scene at full opacity)."""
    spec = layer.layer
    if isinstance(spec, ColorLayer):
        return opaque_colors(spec.color)
    if isinstance(spec, GradientLayer):
        return opaque_colors(*spec.colors)
    if has_alpha(layer):
        return False
    if isinstance(spec, ImageLayer):
        return (spec.fit or default_fit) != "none"
    return isinstance(spec, (VideoLayer, ImageSequenceLayer, GeneratorLayer))


def has_alpha(layer: ResolvedLayer) -> bool:
    """The layer's pictures have transparent parts, through which the layers below show."""
    return bool(layer.media and layer.media.has_alpha)


#: The working pixel formats with an alpha plane added.
_WITH_ALPHA = {
    "yuv420p": "yuva420p",
    "yuv422p": "yuva422p",
    "yuv444p": "yuva444p",
    "yuv420p10le": "yuva420p10le",
    "yuv422p10le": "yuva422p10le",
    "yuv444p10le": "yuva444p10le",
}
#: What shows around a contained picture that has transparent parts: the layers below.
_CLEAR = "#00000000"


def picture_format(ctx: SceneContext, layer: ResolvedLayer) -> str:
    """The format a full-frame picture is made in: the canvas's, with alpha if it has any."""
    pix = ctx.canvas.pix_fmt
    return _WITH_ALPHA.get(pix, "yuva420p") if has_alpha(layer) else pix


def picture_background(layer: ResolvedLayer, background: str | None) -> str | None:
    """Around a contained picture: the color the spec gives, else for a picture with
    transparent parts nothing (the layers below show), else the scene's background."""
    return background or (_CLEAR if has_alpha(layer) else None)


#: A clip made for HDR screens (PQ or HLG) shown on an ordinary one: to linear light, to
#: BT.709 primaries, Hable's curve, back to BT.709 video levels. Without it an HDR clip comes
#: out dim and grey.
_TONE_MAP = (
    f("zscale", t="linear", npl=100),
    f("format", "gbrpf32le"),
    f("zscale", p="bt709"),
    f("tonemap", tonemap="hable", desat=0),
    f("zscale", t="bt709", m="bt709", r="tv"),
)


def tone_mapped(layer: ResolvedLayer) -> list[Filter]:
    return list(_TONE_MAP) if layer.media is not None and layer.media.hdr else []


def color_frames(g: GraphBuilder, canvas: Canvas, frames: int, color: str) -> str:
    """``frames`` frames of one color (with alpha when the color has it)."""
    return g.one(
        [],
        [
            f("color", c=ffcolor(color), s=f"{canvas.width}x{canvas.height}", r=str(canvas.fps)),
            f("trim", end_frame=frames),
            *canonical(canvas.pix_fmt if opaque_colors(color) else "yuva420p"),
        ],
    )


@compiles(ColorLayer)
def _color(ctx: SceneContext, layer: ResolvedLayer) -> LayerStream:
    assert isinstance(layer.layer, ColorLayer)
    label = color_frames(ctx.g, ctx.canvas, ctx.frames, layer.layer.color)
    return LayerStream(label, full=True, opaque=opaque_colors(layer.layer.color))


@compiles(GradientLayer)
def _gradient(ctx: SceneContext, layer: ResolvedLayer) -> LayerStream:
    assert layer.src is not None
    source = still_input(ctx.g, str(layer.src), ctx.canvas.fps)
    opaque = opaque_colors(*layer.layer.colors)  # type: ignore[union-attr]
    pix = ctx.canvas.pix_fmt if opaque else "yuva420p"
    label = ctx.g.one([source], [*canonical(pix), *hold(ctx.frames)])
    return LayerStream(label, full=True, opaque=opaque)


@compiles(ImageLayer)
def _image(ctx: SceneContext, layer: ResolvedLayer) -> LayerStream:
    spec = layer.layer
    assert isinstance(spec, ImageLayer) and layer.src is not None and layer.size is not None
    canvas = ctx.canvas
    fit = spec.fit or ctx.fit
    if fit == "none":
        w, h = layer.size
        scaled = (spec.width, _even_height(w, h, spec.width)) if spec.width else (w, h)
        filters = [f("scale", *scaled, flags="lanczos")] if spec.width else []
        x, y = anchor_xy(
            spec.position, canvas.size, scaled, spec.margin, spec.offset, spec.x, spec.y
        )
        return LayerStream(
            "",
            full=False,
            x=x,
            y=y,
            opaque=False,
            src=str(layer.src),
            prep=(*filters, f("format", "rgba")),
        )
    source = still_input(ctx.g, str(layer.src), canvas.fps)
    opaque = not has_alpha(layer)
    if spec.zoom or spec.pan:
        return LayerStream(_ken_burns(ctx, source, layer), full=True, opaque=opaque)
    tail = [*canonical(picture_format(ctx, layer)), *hold(ctx.frames)]
    background = picture_background(layer, spec.background)
    label = fit_chain(ctx, source, layer.size, fit, background, "lanczos", tail)
    return LayerStream(label, full=True, opaque=opaque)


def _even_height(w: int, h: int, width: int) -> int:
    return max(2, round(h * width / w / 2) * 2)


def _ken_burns(ctx: SceneContext, source: str, layer: ResolvedLayer) -> str:
    """Zoom and pan with ``zoompan`` over the fitted picture at twice the frame size, so the
    crop window moves in half-pixel steps of the output (no visible judder)."""
    spec = layer.layer
    assert isinstance(spec, ImageLayer) and layer.size is not None
    canvas = ctx.canvas
    W, H = canvas.size
    big = (2 * W, 2 * H)
    z0, z1 = (spec.zoom.from_, spec.zoom.to) if spec.zoom else (1.0, 1.0)
    (px0, py0), (px1, py1) = (spec.pan.from_, spec.pan.to) if spec.pan else ((0.5, 0.5),) * 2
    last = max(1, ctx.frames - 1)
    progress = f"on/{last}"

    def lerp(a: float, b: float) -> str:
        return num(a) if a == b else f"({num(a)}+({num(b - a)})*{progress})"

    zoom = lerp(z0, z1)
    x = f"{lerp(px0, px1)}*(iw-iw/zoom)"
    y = f"{lerp(py0, py1)}*(ih-ih/zoom)"
    zoompan = [
        f("zoompan", z=zoom, x=x, y=y, d=ctx.frames, s=f"{W}x{H}", fps=str(canvas.fps)),
        *canonical(picture_format(ctx, layer)),
        f("setpts", "N"),
    ]
    fit = spec.fit if spec.fit not in (None, "none") else ctx.fit
    background = picture_background(layer, spec.background)
    return fit_chain(ctx, source, layer.size, fit, background, "lanczos", zoompan, big)


@compiles(VideoLayer)
def _video(ctx: SceneContext, layer: ResolvedLayer) -> LayerStream:
    spec = layer.layer
    assert isinstance(spec, VideoLayer) and layer.src is not None and layer.size is not None
    if layer.model is not None:
        from engine.compile.model_layers import frame_model_stream

        return frame_model_stream(ctx, layer)
    index = ctx.g.add_input(str(layer.src), *video_input_options(layer, ctx.frames, ctx.canvas.fps))
    head = ctx.g.one([f"{index}:v"], [*clip_timing(layer), *tone_mapped(layer)])
    tail = [*canonical(picture_format(ctx, layer)), *conform(ctx)]
    background = picture_background(layer, spec.background)
    label = fit_chain(ctx, head, layer.size, spec.fit or ctx.fit, background, "bicubic", tail)
    return LayerStream(label, full=True, opaque=not has_alpha(layer))


def clip_timing(layer: ResolvedLayer, skipped: Fraction = Fraction(0)) -> list[Filter]:
    """A clip's frames on its own timeline: time 0 is where the input was sought to
    (``trim.start``, plus ``skipped`` seconds of the clip a window does not show), nothing at
    or after the trimmed end, then sped up or slowed down.

    The times are kept as they come, not shifted to start at the first frame: after a seek,
    the first frame kept is the first one that begins after the seek point, and moving it to
    0 showed every frame of a trimmed clip early. ``-t`` on the input may let one frame past
    the end through; the ``trim`` takes it out — on the source's own times, before the speed
    change, so a frame that begins exactly at ``trim.end`` stays out whatever the speed."""
    spec = layer.layer
    assert isinstance(spec, VideoLayer)
    filters = []
    if layer.length is not None:
        span = layer.length * exact(spec.speed) - skipped
        filters.append(f("trim", end=microseconds_down(max(Fraction(0), span))))
    if spec.speed != 1:
        filters.append(f("setpts", f"PTS/{num(spec.speed)}"))
    return filters


def microseconds_down(seconds: Fraction) -> str:
    """Seconds as ffmpeg's time options hold them (whole microseconds), never later than
    ``seconds``: an end that must exclude a frame beginning exactly there."""
    whole = math.floor(seconds * 1_000_000)
    return f"{whole // 1_000_000}.{whole % 1_000_000:06d}"


def video_input_options(layer: ResolvedLayer, frames: int, fps: Fraction) -> tuple[str, ...]:
    """Seek and limit on the input side, so ffmpeg decodes only the part a scene shows."""
    spec = layer.layer
    assert isinstance(spec, VideoLayer)
    needed = float(Fraction(frames) / fps) * spec.speed
    available = float(layer.length or 0) * spec.speed
    options: list[str] = []
    if spec.trim.start:
        options += ["-ss", num(spec.trim.start)]
    options += ["-t", num(min(needed, available))]
    return tuple(options)


@compiles(ImageSequenceLayer)
def _sequence(ctx: SceneContext, layer: ResolvedLayer) -> LayerStream:
    spec = layer.layer
    assert isinstance(spec, ImageSequenceLayer) and layer.src is not None
    options = ["-framerate", spec.fps]
    if layer.pattern_kind == "glob":
        options = ["-pattern_type", "glob", *options]
    else:
        options += ["-start_number", str(layer.start_number)]
    index = ctx.g.add_input(str(layer.src), *options)
    tail = [*canonical(picture_format(ctx, layer)), *conform(ctx)]
    label = fit_chain(
        ctx,
        f"{index}:v",
        layer.size or ctx.canvas.size,
        spec.fit or ctx.fit,
        picture_background(layer, spec.background),
        "bicubic",
        tail,
    )
    return LayerStream(label, full=True, opaque=not has_alpha(layer))


@compiles(TextLayer)
def _text(ctx: SceneContext, layer: ResolvedLayer) -> LayerStream:
    spec = layer.layer
    assert isinstance(spec, TextLayer) and layer.src is not None and layer.size is not None
    x, y = anchor_xy(
        spec.position, ctx.canvas.size, layer.size, spec.margin, spec.offset, spec.x, spec.y
    )
    return LayerStream(
        "", full=False, x=x, y=y, opaque=False, src=str(layer.src), prep=(f("format", "rgba"),)
    )
