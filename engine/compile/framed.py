"""Pictures in a box of their own (picture in picture): where the box lies and what of it the
picture fills (worked out while resolving, by the layer types), and the filters that fit a
moving picture into it, round its corners and lay it on its border and shadow.

A placed picture becomes a *moving sprite* (``LayerStream`` without ``src``): a stream with
alpha holding exactly the frames the layer shows, from its first one, placed at x/y. The
decoration is drawn once while resolving (engine/resolve/decor.py): a mask of the rounded
corners, applied with ``alphamerge`` (multiplied into the picture's own alpha when it has
some), and the border and shadow in one transparent picture laid under the picture.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.compile.geometry import anchor_xy, contain_size, fixed
from engine.compile.graph import Filter, GraphBuilder, f
from engine.compile.pictures import (
    LayerStream,
    SceneContext,
    canonical,
    fit_chain,
    opaque_colors,
    sprite_frames,
    with_alpha,
)
from engine.resolved import Framed, Window

#: The format placed pictures are made in: full chroma (their edges fall on any pixel) and
#: alpha (their corners, their padding, the source's own transparency).
SPRITE_FORMAT = "yuva444p"
#: The bits of a picture's alpha plane and of a drawn mask.
_MASK_FORMAT = "gray"


def frame_box(
    spec: Any,
    source: tuple[int, int],
    canvas: tuple[int, int],
    fit: str,
    background: str | None,
) -> Framed:
    """Where a placed picture of ``source`` size lies on ``canvas`` (nothing drawn yet).

    ``spec`` has the placement keys, ``width``/``height`` (the box; ``height`` may be
    missing), ``border``. The box holds the border, and the picture inside it: with both
    sides given, fitted by ``fit``; with one, the other follows the picture's aspect; with
    neither, the picture keeps its own size and the border goes round it. A picture contained
    without a ``background`` shrinks the frame to it (its border and corners follow it),
    centred in the box."""
    sw, sh = max(1, source[0]), max(1, source[1])
    border = spec.border.width if spec.border else 0
    width: int | None = spec.width
    height: int | None = getattr(spec, "height", None)
    if width is None and height is None:
        area = (sw, sh)
        fit = "fill"
    elif height is None:
        inner = max(1, width - 2 * border) if width else 1
        area = (inner, max(1, round(inner * sh / sw)))
        fit = "fill"
    elif width is None:
        inner = max(1, height - 2 * border)
        area = (max(1, round(inner * sw / sh)), inner)
        fit = "fill"
    else:
        area = (max(1, width - 2 * border), max(1, height - 2 * border))
    box = (area[0] + 2 * border, area[1] + 2 * border)
    x, y = anchor_xy(
        spec.position, canvas, box, spec.margin, spec.offset, fixed(spec.x), fixed(spec.y)
    )
    picture = area
    if fit == "contain" and background is None:
        picture = contain_size(sw, sh, *area)
        x += (area[0] - picture[0]) // 2
        y += (area[1] - picture[1]) // 2
        fit = "fill"
    if fit == "contain" and background == "blur":
        fit = "blur"
    return Framed(
        x=x,
        y=y,
        size=(picture[0] + 2 * border, picture[1] + 2 * border),
        picture=picture,
        picture_at=(border, border),
        fit=fit,
        background=background if fit == "contain" else None,
    )


def own_time(ctx: SceneContext, window: Window, framed: Framed | None) -> SceneContext:
    """The context a layer's frames are made in: its scene's, for a layer that fills the
    frame from the scene's first frame (as every layer did before placing); else its own
    frames, from its start to its end, with the window of them a plan shows."""
    if window.start == 0 and framed is None:
        return ctx
    frames = max(1, window.frames)
    window_frames = None
    if ctx.window is not None:
        a, b = ctx.window
        first = max(0, min(frames - 1, a - window.start))
        window_frames = (first, max(first + 1, min(frames, b - window.start)))
    return replace(ctx, frames=frames, window=window_frames)


def late_stream(ctx: SceneContext, stream: LayerStream, window: Window) -> LayerStream:
    """A full-frame stream made in the layer's own time (it starts after its scene does) as
    the moving sprite it then is, at the frame's corner; with alpha when it fades."""
    if stream.src is not None or not stream.full or window.start == 0:
        return stream
    label = stream.label
    if window.fade_in or window.fade_out or window.opacity < 1:
        label = ctx.g.one([label], [f("format", with_alpha(ctx.canvas.pix_fmt))])
    return replace(stream, label=label, full=False, x=0, y=0, opaque=False)


def framed_stream(
    ctx: SceneContext,
    head: str,
    size: tuple[int, int],
    framed: Framed,
    flags: str,
    timing: list[Filter],
    alpha: bool,
) -> LayerStream:
    """The moving sprite of a placed picture: the source ``head`` (``size`` pixels, with its
    own transparency when ``alpha``) fitted into the picture, given ``timing`` (the filters
    that make it ``ctx.frames`` frames at the output rate), its corners rounded, laid on its
    border and shadow."""
    g = ctx.g
    if framed.background is not None and not opaque_colors(framed.background):
        head = g.one([head], [f("format", SPRITE_FORMAT)])  # padded with a see-through color
        alpha = True
    tail = [*canonical(SPRITE_FORMAT), *timing]
    fit, background = framed.fit, framed.background
    picture = fit_chain(ctx, head, size, fit, background, flags, tail, framed.picture)
    if framed.mask is not None:
        picture = _rounded(ctx, picture, str(framed.mask), alpha)
    x, y = framed.x + framed.picture_at[0], framed.y + framed.picture_at[1]
    sprite = framed.picture
    if framed.under is not None:
        sprite = framed.under_size
        ux, uy = framed.under_at
        under = _still(ctx, str(framed.under), canonical(SPRITE_FORMAT))
        at = (framed.picture_at[0] - ux, framed.picture_at[1] - uy)
        picture = g.one([under, picture], [f("overlay", *at, format="yuv444", eof_action="pass")])
        x, y = framed.x + ux, framed.y + uy
    return LayerStream(picture, full=False, x=x, y=y, opaque=False, box=sprite)


def _still(ctx: SceneContext, path: str, prep: list[Filter]) -> str:
    """A drawn picture for each of the layer's frames (read with ``-loop 1``, as sprites are:
    see :func:`~engine.compile.pictures.sprite_frames`)."""
    still = LayerStream("", full=False, src=path, prep=tuple(prep))
    return sprite_frames(ctx.g, still, ctx.frames, ctx.canvas.fps)


def _rounded(ctx: SceneContext, picture: str, mask: str, alpha: bool) -> str:
    """The picture with its corners cut by the drawn ``mask``: the mask becomes its alpha, or,
    for a picture with transparent parts of its own, multiplies it."""
    g: GraphBuilder = ctx.g
    corners = _still(ctx, mask, [f("format", _MASK_FORMAT)])
    if alpha:
        shown, own = g.chain([picture], [f("split")], prefix="split", outputs=2)
        own_alpha = g.one([own], [f("alphaextract")])
        corners = g.one([own_alpha, corners], [f("blend", all_mode="multiply")])
        picture = shown
    return g.one([picture, corners], [f("alphamerge")])
