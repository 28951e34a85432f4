"""The decoration of a placed picture, drawn once by Pillow and cached by content: the mask
that rounds its corners, and its border and drop shadow in one transparent picture laid
under it (engine/compile/framed.py applies them).

Edges are antialiased as shapes' are (engine/resolve/shapes.py draws the rounded rectangles).
The border is a band inside the frame's edge: under a picture with no transparent parts it is
drawn as the whole rounded rectangle (the picture covers its middle, so the picture's own
antialiased corners blend into the border's color rather than into what lies below); under a
picture with transparent parts, as the band alone. The shadow is the frame's shape, shifted
and blurred.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from engine.cache import cached_file, content_key
from engine.errors import MediaError
from engine.resolve.shapes import Outline, draw_shape
from engine.resolve.text_card import MAX_CARD_SIDE, drawn_pixel_limit
from engine.resolved import Framed
from engine.spec.common import color_rgba

#: How far a blurred shadow reaches past its shape, in blur radii (Pillow's Gaussian blur
#: takes its radius as the standard deviation: three of them hold all but a trace).
_SHADOW_REACH = 3


def decorated(
    framed: Framed,
    radius: int,
    border: tuple[str, int] | None,
    shadow: tuple[tuple[int, int], str, int] | None,
    alpha: bool,
    canvas: tuple[int, int],
) -> Framed:
    """``framed`` with its decoration drawn: ``border`` is (color, width) (its width is already
    in ``framed``), ``shadow`` (offset, color, blur); ``alpha``: the picture has transparent
    parts. A MediaError when the frame is larger than pictures drawn for ``canvas`` may be."""
    _check(framed.size, canvas)
    width, height = framed.size
    outer = min(float(radius), width / 2, height / 2)
    inner = max(0.0, outer - (border[1] if border else 0))
    mask = None
    if inner > 0:
        outline = Outline("rect", *framed.picture, radius=inner)
        key = content_key("decor-mask", {"size": list(framed.picture), "radius": inner})
        mask = cached_file(key, ".png", lambda path: _coverage(outline).save(path, format="PNG"))
    if border is None and shadow is None:
        return replace(framed, mask=mask)
    left, top, right, bottom = 0, 0, width, height
    if shadow is not None:
        (dx, dy), _, blur = shadow
        pad = _SHADOW_REACH * blur
        left, top = min(0, dx - pad), min(0, dy - pad)
        right, bottom = max(width, width + dx + pad), max(height, height + dy + pad)
    size = (right - left, bottom - top)
    _check(size, canvas)
    drawing = {
        "frame": list(framed.size),
        "radius": outer,
        "border": list(border) if border else None,
        "shadow": [list(shadow[0]), shadow[1], shadow[2]] if shadow else None,
        "ring": alpha,
    }

    def draw(path: Path) -> None:
        under = Image.new("RGBA", size, (0, 0, 0, 0))
        if shadow is not None:
            under.alpha_composite(_shadow(framed.size, outer, shadow, size, (left, top)))
        if border is not None:
            color, band = border
            fill = None if alpha else color
            rect = draw_shape(Outline("rect", width, height, radius=outer), fill, (color, band))
            under.alpha_composite(rect, (-left, -top))
        under.save(path, format="PNG")

    under = cached_file(content_key("decor-under", drawing), ".png", draw)
    return replace(framed, mask=mask, under=under, under_at=(left, top), under_size=size)


def _shadow(
    frame: tuple[int, int],
    radius: float,
    shadow: tuple[tuple[int, int], str, int],
    size: tuple[int, int],
    origin: tuple[int, int],
) -> Image.Image:
    """The shadow on a transparent picture of ``size`` whose top-left corner lies at
    ``origin`` from the frame's: the frame's shape in the shadow's color, shifted by its
    offset and blurred. Only its alpha is blurred (the color is one), so a colored shadow
    keeps its color to its faint edges."""
    (dx, dy), color, blur = shadow
    shape = draw_shape(Outline("rect", *frame, radius=radius), color, None)
    alpha = Image.new("L", size, 0)
    alpha.paste(shape.getchannel("A"), (dx - origin[0], dy - origin[1]))
    if blur:
        alpha = alpha.filter(ImageFilter.GaussianBlur(blur))
    painted = Image.new("RGBA", size, (*color_rgba(color)[:3], 0))
    painted.putalpha(alpha)
    return painted


def _coverage(outline: Outline) -> Image.Image:
    """An 8-bit mask: 255 inside the rounded rectangle, its antialiased edge between."""
    shape = draw_shape(outline, "#ffffff", None)
    return Image.fromarray(np.asarray(shape)[..., 3].copy(), mode="L")


def _check(size: tuple[int, int], canvas: tuple[int, int]) -> None:
    """A placed picture is held to the limit of pictures drawn for the frame (four times the
    frame, REELSPEC_MAX_CARD_PIXELS, MAX_CARD_SIDE a side): no more of it can be seen."""
    width, height = size
    limit, why = drawn_pixel_limit(canvas)
    if width * height > limit or max(width, height) > MAX_CARD_SIDE:
        raise MediaError(
            f"the placed picture would be {width}x{height} pixels ({width * height:,} in all), "
            f"over the limit of {limit:,} pixels ({why}) or {MAX_CARD_SIDE} a side; make its "
            "box smaller"
        )
