"""How a layer joins the layers below it in its scene: compiled with its effects, and laid
over them (``blend: normal``) or combined with them by a blend mode.

The blend modes, per red, green and blue channel, with ``b`` the picture below and ``s`` the
layer, both 0..1 (ffmpeg's ``blend`` works in integers of the format, 0..255 here):

============  =========================================  ==========================
mode          result                                     ffmpeg ``blend`` mode
============  =========================================  ==========================
multiply      s·b                                        multiply
screen        1 − (1 − s)(1 − b)                         screen
overlay       b < ½: 2·s·b;  else 1 − 2(1 − s)(1 − b)    hardlight (the layer on top)
darken        min(s, b)                                  darken
lighten       max(s, b)                                  lighten
add           min(1, s + b)                              addition
difference    |s − b|                                    difference
============  =========================================  ==========================

(The W3C's and Photoshop's overlay decides by the picture below; ffmpeg's ``overlay`` decides
by its first input, so with the layer first its ``hardlight`` is the overlay meant here.)

The mode's result ``m`` is then laid over what is below by the layer's alpha ``a`` (its own
transparency, times its opacity and fades; 0 outside a sprite and outside its time)::

    out = b + a·(m − b)

so where the layer is absent or transparent the result is exactly what is below, and a layer
at opacity 0.5 moves each channel halfway to the mode's result.

How: only the part of the frame the layer covers is blended (a sprite's box; the whole frame
for a full-frame layer). The layer is laid on a transparent picture of that box at its place
(a full-frame layer shown for its whole scene is that picture already); that picture and the
same box of the picture below, both in planar RGB with alpha, go through ``blend`` on the
colour planes, which keeps the layer's alpha (``normal`` on the alpha plane); the result is
overlaid on the picture below at the box. The cost, measured in docs/spec.md ("Blend
modes"), is a few conversions to RGB and back of the box, each frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from engine.compile.effects import look_of
from engine.compile.graph import Filter, GraphBuilder, f
from engine.compile.pictures import Canvas, LayerStream, SceneContext, canonical
from engine.layers import type_of

#: Blend modes of the spec → ffmpeg ``blend`` modes (see the table above).
MODES = {
    "multiply": "multiply",
    "screen": "screen",
    "overlay": "hardlight",
    "darken": "darken",
    "lighten": "lighten",
    "add": "addition",
    "difference": "difference",
}


def blend_of(layer: Any) -> str | None:
    """The layer's blend mode; None for ``normal`` (it is laid over what is below)."""
    mode = getattr(layer.spec, "blend", "normal")
    return None if mode == "normal" else str(mode)


def layer_stream(ctx: SceneContext, layer: Any) -> LayerStream:
    """The layer compiled by its type with its effects (the picture helpers apply them); a
    keyed layer is not opaque."""
    look = look_of(layer.spec, layer.luts)
    stream = type_of(layer.spec).compile(replace(ctx, look=look) if look else ctx, layer)
    return replace(stream, opaque=False) if look.transparent else stream


def covers(layer: Any, default_fit: str) -> bool:
    """The layer hides everything below it (when it shows for its whole scene, fully): its
    type says it covers the frame, and neither its effects nor its blend mode let the layers
    below show."""
    look = look_of(layer.spec, layer.luts)
    return (
        type_of(layer.spec).covers_frame(layer, default_fit)
        and look.keeps_cover
        and blend_of(layer) is None
    )


def blended(
    g: GraphBuilder,
    canvas: Canvas,
    frames: int,
    below: str,
    top: str,
    stream: LayerStream,
    mode: str,
    overlay: Callable[[Canvas, int, int], list[Filter]],
) -> str:
    """``top``, the frames of ``stream`` in its time (``timed``), combined with ``below``
    (``frames`` frames) by ``mode``; ``overlay(canvas, x, y)``: the filters that lay a
    picture with alpha over another. A full frame shown for the whole scene (``top`` is the
    stream itself) is blended as it is; anything else in its box."""
    if top == stream.label and stream.opaque:
        return _blended(g, canvas, frames, below, top, mode, None)
    size = canvas.size if stream.full else stream.look.size(stream.size)
    box = None if top == stream.label else (stream.x, stream.y, *size)
    return _blended(g, canvas, frames, below, top, mode, partial(overlay, canvas), box)


def _blended(
    g: GraphBuilder,
    canvas: Canvas,
    frames: int,
    below: str,
    top: str,
    mode: str,
    merge: Callable[[int, int], list[Filter]] | None,
    box: tuple[int, int, int, int] | None = None,
) -> str:
    """``top`` combined with ``below`` by ``mode`` (module docstring).

    ``box``: where ``top``'s picture lies on the frame, (x, y, width, height), for a sprite
    or a layer shown for part of its scene: only that part of the frame is blended, ``top``
    laid on a transparent picture of its size first. None: ``top`` is a full frame for the
    whole scene. ``merge(x, y)``: the filters that lay a picture with alpha over ``below``;
    None when ``top`` is an opaque full frame: the blend is the result (a = 1 everywhere)."""
    rgb = "gbrap" if canvas.pix_fmt in ("yuv420p", "yuv422p", "yuv444p") else "gbrap10le"
    x = y = 0
    under_filters: list[Filter] = []
    if box is not None:
        left, upper = max(0, box[0]), max(0, box[1])
        right = min(canvas.width, box[0] + box[2])
        lower = min(canvas.height, box[1] + box[3])
        if right <= left or lower <= upper:  # wholly off the frame: nothing to blend
            assert merge is not None
            return g.one([below, top], merge(*box[:2]))
        x, y, width, height = left, upper, right - left, lower - upper
        clear = g.one(
            [],
            [
                f("color", c="0x000000@0", s=f"{width}x{height}", r=str(canvas.fps)),
                f("trim", end_frame=frames),
                f("format", rgb),
            ],
        )
        laid = [f("overlay", box[0] - x, box[1] - y, eof_action="pass", format="gbrp")]
        top = g.one([clear, top], laid)
        if (width, height) != canvas.size:
            under_filters.append(f("crop", width, height, x, y, exact=1))
    ffmode = MODES[mode]
    modes = f("blend", c0_mode=ffmode, c1_mode=ffmode, c2_mode=ffmode)
    if merge is None:
        return g.one(
            [g.one([top], [f("format", rgb)]), g.one([below], [f("format", rgb)])],
            [modes, *canonical(canvas.pix_fmt)],
        )
    shown, under = g.chain([below], [f("split")], prefix="split", outputs=2)
    result = g.one(
        [g.one([top], [f("format", rgb)]), g.one([under], [*under_filters, f("format", rgb)])],
        [modes],
    )
    return g.one([shown, result], merge(x, y))
