"""Effects as filters: what each effect of a layer or overlay becomes in the graph.

A layer's effects (engine/spec/effects.py) apply to its own picture, in the order written,
before the picture is fitted to the frame or placed: the shared picture helpers apply them
(``fit_chain`` to a full-frame source before fitting it, ``placed_sprite`` to a sprite before
placing it at its new size), so a crop takes part of the source and the fit then fills the
frame with it, and a quarter turn of a placed sprite swaps its sides and keeps its anchor.

Most effects are one filter that keeps the picture's alpha plane. Two are not: ``vignette``
drops alpha, and ``colorkey`` replaces it (a transparent pixel far from the key colour would
become opaque). Those run on a copy, and ``blend`` takes the copy's colours with the smaller
of the two alphas (:func:`_keeping_alpha`), so what was transparent stays so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from engine.compile.graph import Filter, GraphBuilder, f
from engine.spec.common import color_rgba
from engine.spec.effects import (
    GEOMETRY,
    Blur,
    Brightness,
    ChromaKey,
    Contrast,
    Crop,
    Flip,
    Gamma,
    Hue,
    Lut,
    Rotate,
    Saturation,
    Sharpen,
    Vignette,
    spill_kind,
)


@dataclass(frozen=True)
class Look:
    """A layer's effects, ready to compile: its effect models, in order, and the checked
    files its ``lut`` effects read (engine/resolve/luts.py), in the same order."""

    effects: tuple[Any, ...] = ()
    luts: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.effects)

    def size(self, size: tuple[int, int]) -> tuple[int, int]:
        """The picture's size after the effects, from its size before them."""
        for effect in self.effects:
            size = _shaped(effect, size)[1]
        return size

    @property
    def transparent(self) -> bool:
        """The effects make parts of the picture transparent (a chroma key)."""
        return any(isinstance(e, ChromaKey) for e in self.effects)

    @property
    def keeps_cover(self) -> bool:
        """A layer that covered the frame still does: nothing is keyed out, and neither its
        size nor its edges change (a sprite's size, or a blurred sprite's soft edge, could
        uncover the frame)."""
        return not any(
            isinstance(e, (ChromaKey, Crop, Rotate, Blur, Sharpen)) for e in self.effects
        )

    def apply(self, g: GraphBuilder, source: str, size: tuple[int, int]) -> str:
        """``source`` (a picture of ``size``) with the effects, in order."""
        luts = iter(self.luts)
        pending: list[Filter] = []
        in_yuv = False
        for effect in self.effects:
            if isinstance(effect, (Vignette, ChromaKey)):
                if pending:
                    source, pending = g.one([source], pending), []
                source = _keeping_alpha(g, source, _filters(effect, size, luts))
                in_yuv = False
                continue
            if isinstance(effect, _IN_YUV) and not in_yuv:
                pending.append(_YUV)
                in_yuv = True
            elif not isinstance(effect, (*_IN_YUV, *GEOMETRY, Blur)):
                in_yuv = False
            pending += _filters(effect, size, luts)
            size = _shaped(effect, size)[1]
        return g.one([source], pending) if pending else source


#: Effects whose filters work on YUV pictures only (``eq``, ``hue``, ``unsharp``).
_IN_YUV = (Brightness, Contrast, Saturation, Gamma, Hue, Sharpen)
#: What those work on: an RGB picture (a PNG) converted by ffmpeg on its own would be
#: converted with the BT.601 matrix and then taken for BT.709, shifting its colours; the
#: picture is converted to what the timeline uses (engine.compile.pictures.canonical), with an
#: alpha plane so that transparency passes.
_YUV = f("format", pix_fmts="yuva444p", color_spaces="bt709", color_ranges="tv")


#: No effects.
NO_LOOK = Look()


def look_of(spec: Any, luts: tuple[Any, ...]) -> Look:
    """The look of a layer or overlay as the spec wrote it (no ``effects``: none)."""
    return Look(tuple(getattr(spec, "effects", ())), tuple(str(p) for p in luts))


def _shaped(effect: Any, size: tuple[int, int]) -> tuple[list[Filter], tuple[int, int]]:
    """The filters of a flip, turn or crop and the size after it (other effects: none, and
    the same size)."""
    w, h = size
    if isinstance(effect, Flip):
        flips = {"horizontal": ["hflip"], "vertical": ["vflip"], "both": ["hflip", "vflip"]}
        return [f(name) for name in flips[effect.flip]], size
    if isinstance(effect, Rotate):
        if effect.rotate == 180:
            return [f("hflip"), f("vflip")], size
        return [f("transpose", dir="clock" if effect.rotate == 90 else "cclock")], (h, w)
    if isinstance(effect, Crop):
        box = effect.crop
        left, right = crop_span(box.x, box.width, w)
        top, bottom = crop_span(box.y, box.height, h)
        side_w, side_h = right - left, bottom - top
        return [f("crop", w=side_w, h=side_h, x=left, y=top, exact=1)], (side_w, side_h)
    return [], size


def crop_span(start: float, length: float, side: int) -> tuple[int, int]:
    """The pixels [first, end) a crop of fractions ``start``, ``length`` keeps of ``side``
    pixels: each edge rounded to the nearest pixel, at least one pixel kept."""
    first = min(side - 1, round(start * side))
    end = min(side, round((start + length) * side))
    return first, max(first + 1, end)


def _filters(effect: Any, size: tuple[int, int], luts: Any) -> list[Filter]:
    # Long on purpose: one table of what every effect becomes, read top to bottom.
    shaped, _ = _shaped(effect, size)
    if shaped:
        return shaped
    if isinstance(effect, Brightness):
        return [f("eq", brightness=effect.brightness)]
    if isinstance(effect, Contrast):
        return [f("eq", contrast=effect.contrast)]
    if isinstance(effect, Saturation):
        return [f("eq", saturation=effect.saturation)]
    if isinstance(effect, Gamma):
        return [f("eq", gamma=effect.gamma)]
    if isinstance(effect, Hue):
        return [f("hue", h=effect.hue)]
    if isinstance(effect, Lut):
        return [f("lut3d", file=next(luts), interp="tetrahedral")]
    if isinstance(effect, Blur):
        return [f("gblur", sigma=effect.blur)]
    if isinstance(effect, Sharpen):
        return [f("unsharp", luma_msize_x=5, luma_msize_y=5, luma_amount=effect.sharpen)]
    if isinstance(effect, Vignette):
        return [f("vignette", angle=effect.vignette * math.pi / 2)]
    if isinstance(effect, ChromaKey):
        key = effect.chroma_key
        r, g, b, _ = color_rgba(key.color)
        filters = [
            f("format", "rgba"),
            f("colorkey", f"0x{r:02x}{g:02x}{b:02x}", key.similarity, key.blend),
        ]
        kind = spill_kind(key.color)
        if key.spill and kind is not None:
            filters.append(f("despill", type=kind))
        return filters
    raise TypeError(f"no filters for {type(effect).__name__}")


def _keeping_alpha(g: GraphBuilder, source: str, filters: list[Filter]) -> str:
    """``filters`` on ``source``, keeping its transparency: the filtered copy's colours with,
    at each pixel, the smaller of the two alphas (``blend``'s darken on the alpha plane, its
    normal mode, the copy's colour, on the others)."""
    original, copy = g.chain(
        [source], [f("format", "gbrap"), f("split")], prefix="split", outputs=2
    )
    changed = g.one([copy], [*filters, f("format", "gbrap")])
    return g.one([changed, original], [f("blend", c3_mode="darken")])
