"""What every layer's compile step builds on: the canvas, the scene being compiled, the stream
a layer becomes, and the filter chains pictures share (fitting, holding, pacing, formats).

A layer compiles to a stream that either fills the frame (``full``) or is a sprite placed at
x/y. A full-frame stream starts at time 0 of its scene, at the output frame rate; a sprite is
a still picture whose frames are made once its time on screen is known, or (a moving sprite,
``src`` None) frames of its own made for exactly its time on screen, from its first frame.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from engine.compile.effects import NO_LOOK, Look
from engine.compile.geometry import anchor_xy, contain_size, cover_size, fixed
from engine.compile.graph import Filter, GraphBuilder, f, num
from engine.spec.common import color_rgba

if TYPE_CHECKING:
    from engine.resolved import MediaInfo, PictureSequence


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
    #: The effects of the layer being compiled, which the picture helpers below apply
    #: (``fit_chain``, ``placed_sprite``, ``canvas_picture``).
    look: Look = NO_LOOK

    @property
    def shown(self) -> tuple[int, int]:
        return self.window or (0, self.frames)


@dataclass(frozen=True)
class LayerStream:
    """A compiled layer: a full-frame stream (``label``), or a sprite to be placed at x/y:
    a picture file whose frames are made by :func:`sprite_frames` once its time on screen is
    known, or (no ``src``) a moving picture whose stream ``label`` already holds exactly the
    frames it shows, from its first one (engine/compile/framed.py)."""

    label: str
    full: bool
    x: int = 0
    y: int = 0
    #: False when the stream has transparent pixels and must be overlaid with alpha.
    opaque: bool = True
    #: Sprites: the picture file and the filters that prepare it (scale, rgba).
    src: str | None = None
    prep: tuple[Filter, ...] = ()
    #: Sprites: the effects on the prepared picture, and its size before them.
    look: Look = NO_LOOK
    size: tuple[int, int] = (0, 0)
    #: A sprite's size as placed, after its effects (None: the frame's): motion turns and
    #: scales it about its centre.
    box: tuple[int, int] | None = None
    #: Sprites whose ``src`` is a numbered sequence (``%06d.png`` from 0) of this many
    #: pictures, one a frame at the output rate, the last held; 0: one still picture.
    sequence: int = 0
    #: Where the placed picture's top-left corner lies in the sprite (a drawn animation may
    #: reach past it): keyframed x/y place that corner.
    inset: tuple[int, int] = (0, 0)


def placed_sprite(
    ctx: SceneContext, placed: Any, size: tuple[int, int], src: str, prep: tuple[Filter, ...]
) -> LayerStream:
    """A picture file made ``size`` by ``prep``, with the layer's effects, placed by its
    anchor, margin, offset or x/y at its size after them (a quarter turn swaps its sides, a
    crop shrinks it: the anchor holds), with its transparency."""
    shown = ctx.look.size(size)
    x, y = anchor_xy(
        placed.position,
        ctx.canvas.size,
        shown,
        placed.margin,
        placed.offset,
        fixed(placed.x),
        fixed(placed.y),
    )
    return LayerStream(
        "",
        full=False,
        x=x,
        y=y,
        opaque=False,
        src=src,
        prep=prep,
        look=ctx.look,
        size=size,
        box=shown,
    )


def drawn_sprite(ctx: SceneContext, placed: Any, size: tuple[int, int], src: str) -> LayerStream:
    """A picture drawn while resolving (a text card, a shape), placed at its own size."""
    return placed_sprite(ctx, placed, size, src, (f("format", "rgba"),))


def sequence_sprite(stream: LayerStream, sequence: PictureSequence) -> LayerStream:
    """A drawn sprite (``stream``, placed as its still picture would be) shown as the
    pictures of ``sequence`` instead, at their own size: each holds the still picture's
    top-left corner at its inset, so the sprite moves up and left by that much."""
    pattern = sequence.pattern
    # The folder is a literal path to the image2 demuxer: a % in it must be doubled.
    src = str(pattern.parent).replace("%", "%%") + "/" + pattern.name
    return replace(
        stream,
        x=stream.x - sequence.inset[0],
        y=stream.y - sequence.inset[1],
        src=src,
        prep=(f("format", "rgba"),),
        sequence=sequence.count,
        size=sequence.size,
        box=stream.look.size(sequence.size),
        inset=sequence.inset,
    )


def ffcolor(color: str) -> str:
    r, g, b, a = color_rgba(color)
    return f"0x{r:02x}{g:02x}{b:02x}" + (f"@{num(round(a / 255, 4))}" if a != 255 else "")


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
    if stream.sequence:
        return _sequence_frames(g, stream, frames, fps)
    seconds = Fraction(frames + 1) / fps  # a spare frame; the trim below makes it exact
    index = g.add_input(stream.src, "-loop", "1", "-framerate", str(fps), "-t", num(seconds))
    source, prep = f"{index}:v", list(stream.prep)
    if stream.look:
        source, prep = stream.look.apply(g, g.one([source], prep), stream.size), []
    return g.one([source], [*prep, f("trim", end_frame=frames), f("setpts", "N")])


def _sequence_frames(g: GraphBuilder, stream: LayerStream, frames: int, fps: Fraction) -> str:
    """``frames`` frames of a numbered sequence read at the output rate (picture k is frame
    k), its last picture repeated after it ends."""
    assert stream.src is not None
    index = g.add_input(
        stream.src, "-framerate", str(fps), "-pattern_type", "sequence", "-start_number", "0"
    )
    held = frames - stream.sequence
    pad = [f("tpad", stop=held, stop_mode="clone")] if held > 0 else []
    return g.one(
        [f"{index}:v"], [*stream.prep, *pad, f("trim", end_frame=frames), f("setpts", "N")]
    )


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
    """Fit a picture of ``size`` into ``target`` (the canvas by default), then apply ``tail``;
    the layer's effects first (:func:`_looked`)."""
    g = ctx.g
    source, size, background = _looked(ctx, source, size, background)
    w, h = size
    W, H = target or ctx.canvas.size
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


def canvas_picture(ctx: SceneContext, source: str, tail: list[Filter]) -> str:
    """A picture drawn at the frame's size (a gradient), then ``tail``. With effects it is
    fitted like any picture, filling the frame: a crop or a quarter turn of it is stretched
    back over the frame."""
    if not ctx.look:
        return ctx.g.one([source], tail)
    return fit_chain(ctx, source, ctx.canvas.size, "fill", None, "bicubic", tail)


def _looked(
    ctx: SceneContext, source: str, size: tuple[int, int], background: str | None
) -> tuple[str, tuple[int, int], str | None]:
    """A picture about to be fitted, with the layer's effects: its new size (a crop or a
    quarter turn changes what is fitted), and what shows around it when contained (around a
    keyed picture, as around any with transparent parts, nothing unless the spec says)."""
    if not ctx.look:
        return source, size, background
    if ctx.look.transparent and background is None:
        background = _CLEAR
    return ctx.look.apply(ctx.g, source, size), ctx.look.size(size), background


def opaque_colors(*colors: str) -> bool:
    return all(color_rgba(c)[3] == 255 for c in colors)


def has_alpha(media: MediaInfo | None) -> bool:
    """The pictures have transparent parts, through which the layers below show."""
    return bool(media and media.has_alpha)


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


def picture_format(ctx: SceneContext, media: MediaInfo | None) -> str:
    """The format a full-frame picture is made in: the canvas's, with alpha if it has any."""
    pix = ctx.canvas.pix_fmt
    alpha = has_alpha(media) or ctx.look.transparent
    return with_alpha(pix) if alpha else pix


def with_alpha(pix_fmt: str) -> str:
    """A working pixel format with an alpha plane added."""
    return _WITH_ALPHA.get(pix_fmt, "yuva420p")


def picture_background(media: MediaInfo | None, background: str | None) -> str | None:
    """Around a contained picture: the color the spec gives, else for a picture with
    transparent parts nothing (the layers below show), else the scene's background."""
    return background or (_CLEAR if has_alpha(media) else None)


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


def decoder_options(media: MediaInfo | None) -> list[str]:
    """Input options naming the decoder a source needs (VP8/VP9 with alpha: libvpx's)."""
    return ["-c:v", media.decoder] if media is not None and media.decoder else []


def tone_mapped(media: MediaInfo | None) -> list[Filter]:
    return list(_TONE_MAP) if media is not None and media.hdr else []


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
