"""Drawing an animated text card: one picture per frame until its last change, written once
per distinct look into a content-addressed folder as a numbered PNG sequence.

A frame whose look repeats an earlier one is a hard link to that frame's file (a copy where
the file system has no links), so ffmpeg's image2 demuxer reads a plain ``%06d.png``
sequence, frame k of the layer being file k, and nothing is encoded twice. The work is
bounded before anything is drawn: REELSPEC_MAX_ANIMATED_FRAMES frames, and
REELSPEC_MAX_ANIMATED_PIXELS pixels of distinct pictures.
"""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageDraw

from engine.cache import cached_folder, content_key
from engine.errors import MediaError
from engine.resolve.limits import max_animated_frames, max_animated_pixels
from engine.resolve.text_animation import HIGHLIGHT_COLOR, Look, Moving, Plan, plan
from engine.resolve.text_card import FontChain, check_card_size, face_keys, style_payload
from engine.resolve.text_units import CardLayers, CardUnits, Rect, draw_layers
from engine.resolved import PictureSequence
from engine.spec.common import color_rgba
from engine.spec.text_animation import Highlight, TextAnimation, Typewriter

#: The numbered files ffmpeg reads.
PATTERN = "%06d.png"
#: Units (words, lines) drawn on their way in, over all frames: each is cut out, faded,
#: scaled and placed on its own. Far more than a real animation needs (500 words fading in
#: over 20 frames each is 10,000), and a bound on the work a spec can ask for.
MAX_MOVING = 200_000
_CLEAR = (0, 0, 0, 0)


@dataclass(frozen=True)
class _Card:
    """Everything the pictures are drawn from."""

    units: CardUnits
    plan: Plan
    cursor: str | None
    #: The pictures' size and where the card's top-left corner lies in them.
    size: tuple[int, int]
    inset: tuple[int, int]


def animated_text(
    units: CardUnits, animation: TextAnimation, fps: Fraction, frame: tuple[int, int]
) -> PictureSequence:
    """The pictures of the card measured as ``units``, revealed by ``animation`` at ``fps``;
    ``frame`` (the output's size) bounds how large they may be."""
    cursor = animation.cursor_text if isinstance(animation, Typewriter) else None
    chain = FontChain(units.style.faces, units.style.size)
    cursor_width = chain.length(cursor) if cursor else 0.0
    how = plan(animation, units, cursor_width)
    looks = _looks(how, fps, units.size)
    card = _card(units, how, cursor, cursor_width, looks)
    width, height = card.size
    check_card_size(width, height, frame)
    _check_pixels(len(set(looks)), card.size)
    payload = {
        "text": units.text,
        "style": style_payload(units.style),
        "fonts": face_keys(units.style.faces),
        "highlights": list(units.highlights),
        "animation": animation.model_dump(mode="json", by_alias=True),
        "fps": str(fps),
    }
    key = content_key("text-frames", payload)
    folder = cached_folder(key, lambda into: _write(card, animation, looks, into))
    return PictureSequence(folder / PATTERN, len(looks), card.size, card.inset)


def _looks(how: Plan, fps: Fraction, card: tuple[int, int]) -> list[Look]:
    """The look of every frame up to the last change (bounded before and while they are
    worked out: frames, moving units, distinct pictures at the card's size)."""
    last = math.ceil(how.end * fps)
    limit = max_animated_frames()
    if last + 1 > limit:
        raise MediaError(
            f"the animation changes the text for {last + 1:,} frames ({float(how.end):g}s at "
            f"{fps} fps), over the limit of {limit:,} (REELSPEC_MAX_ANIMATED_FRAMES); make it "
            "shorter or faster"
        )
    looks: list[Look] = []
    distinct: set[Look] = set()
    moving = 0
    for k in range(last + 1):
        look = how.look(Fraction(k) / fps)
        moving += len(look.moving)
        if moving > MAX_MOVING:
            raise MediaError(
                f"the animation moves over {MAX_MOVING:,} words or lines, counted over its "
                "frames; give each less time (fade) or the text fewer words"
            )
        if look not in distinct:
            distinct.add(look)
            _check_pixels(len(distinct), card)
        looks.append(look)
    while len(looks) > 1 and looks[-1] == looks[-2]:
        looks.pop()
    return looks


def _check_pixels(pictures: int, size: tuple[int, int]) -> None:
    width, height = size
    pixels, limit = pictures * width * height, max_animated_pixels()
    if pixels > limit:
        raise MediaError(
            f"the animation needs {pictures:,} or more different pictures of {width}x{height} "
            f"({pixels:,} pixels), over the limit of {limit:,} (REELSPEC_MAX_ANIMATED_PIXELS); "
            "make the text smaller or the animation shorter"
        )


def _card(
    units: CardUnits, how: Plan, cursor: str | None, cursor_width: float, looks: list[Look]
) -> _Card:
    """How large the pictures must be to hold every frame: the card, and whatever moves,
    grows or types past its edges."""
    width, height = units.size
    left, top, right, bottom = 0, 0, width, height
    shift = units.style.shadow.offset if units.style.shadow else (0, 0)
    for look in set(looks):
        for move in look.moving:
            unit = how.unit_rects(move.unit)
            for at in {(0, 0), shift}:
                box = _box(unit, at, units.size)
                x0, y0, x1, y1 = _placed(box, _center(unit, units.size), move)
                left, top = min(left, x0), min(top, y0)
                right, bottom = max(right, x1), max(bottom, y1)
        if look.cursor is not None:
            x, baseline = look.cursor
            stroke = units.layout.stroke
            left, right = min(left, x - stroke), max(right, math.ceil(x + cursor_width) + stroke)
            top = min(top, baseline - units.ascent - stroke)
            bottom = max(bottom, baseline + units.descent + stroke)
        if look.scale > 1000:
            grown = _scaled_card(units.size, look.scale)
            left, top = min(left, grown[0]), min(top, grown[1])
            right, bottom = max(right, grown[2]), max(bottom, grown[3])
    size = (right - left, bottom - top)
    return _Card(units, how, cursor, size, (-left, -top))


def _clip(rect: Rect, size: tuple[int, int]) -> Rect:
    x0, y0, x1, y1 = rect
    return max(0, x0), max(0, y0), min(size[0], x1), min(size[1], y1)


def _box(rects: list[Rect], shift: tuple[int, int], size: tuple[int, int]) -> Rect:
    """The bounding box of ``rects`` moved by ``shift``, on a card of ``size``."""
    if not rects:
        return 0, 0, 0, 0
    dx, dy = shift
    return _clip(
        (
            min(r[0] for r in rects) + dx,
            min(r[1] for r in rects) + dy,
            max(r[2] for r in rects) + dx,
            max(r[3] for r in rects) + dy,
        ),
        size,
    )


def _center(rects: list[Rect], size: tuple[int, int]) -> tuple[float, float]:
    """Where a unit grows from: the middle of its part of the card."""
    x0, y0, x1, y1 = _box(rects, (0, 0), size)
    return (x0 + x1) / 2, (y0 + y1) / 2


def _placed(box: Rect, center: tuple[float, float], move: Moving) -> Rect:
    """``box`` scaled about ``center`` and shifted as ``move`` says."""
    scale = move.scale / 1000
    cx, cy = center
    x0 = round(cx + (box[0] - cx) * scale) + move.dx
    y0 = round(cy + (box[1] - cy) * scale) + move.dy
    return x0, y0, x0 + round((box[2] - box[0]) * scale), y0 + round((box[3] - box[1]) * scale)


def _scaled_card(size: tuple[int, int], scale: int) -> Rect:
    width, height = size
    w, h = round(width * scale / 1000), round(height * scale / 1000)
    x0, y0 = (width - w) // 2, (height - h) // 2
    return x0, y0, x0 + w, y0 + h


def _write(card: _Card, animation: TextAnimation, looks: list[Look], folder: Path) -> None:
    painter = _Painter(card, animation)
    written: dict[Look, Path] = {}
    for index, look in enumerate(looks):
        target = folder / (PATTERN % index)
        earlier = written.get(look)
        if earlier is not None:
            link_or_copy(earlier, target)
            continue
        painter.picture(look).save(target, format="PNG", compress_level=1)
        written[look] = target


def link_or_copy(source: Path, target: Path) -> None:
    """``target`` made the same file as ``source``: a hard link, a copy where there are none."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _whole(layers: CardLayers) -> Image.Image:
    """The card as every unit shows it: box, shadow, text."""
    card = layers.box.copy()
    if layers.shadow is not None:
        card.alpha_composite(layers.shadow)
    card.alpha_composite(layers.text)
    return card


def _mask(size: tuple[int, int], rects: list[Rect], shift: tuple[int, int] = (0, 0)) -> Image.Image:
    mask = Image.new("L", size, 0)
    pen = ImageDraw.Draw(mask)
    for x0, y0, x1, y1 in rects:
        x0, y0, x1, y1 = _clip((x0 + shift[0], y0 + shift[1], x1 + shift[0], y1 + shift[1]), size)
        if x1 > x0 and y1 > y0:
            pen.rectangle((x0, y0, x1 - 1, y1 - 1), fill=255)
    return mask


def _only(layer: Image.Image, mask: Image.Image) -> Image.Image:
    return Image.composite(layer, Image.new("RGBA", layer.size, _CLEAR), mask)


def _put(canvas: Image.Image, tile: Image.Image, x: int, y: int) -> None:
    """Composite ``tile`` over ``canvas`` at (x, y); what falls outside is dropped."""
    left, top = max(0, x), max(0, y)
    right, bottom = min(canvas.width, x + tile.width), min(canvas.height, y + tile.height)
    if right <= left or bottom <= top:
        return
    part = tile.crop((left - x, top - y, right - x, bottom - y))
    canvas.alpha_composite(part, dest=(left, top))


class _Painter:
    """Draws the pictures of one card, in frame order. What has settled changes less often
    than the frames (the words already in place while the next one rises), so the last
    settled part is kept and only what moves is drawn again."""

    def __init__(self, card: _Card, animation: TextAnimation) -> None:
        self.card = card
        units = card.units
        self.layers = draw_layers(units)
        self.accent: Image.Image | None = None
        self.band: tuple[int, int, int, int] | None = None
        if isinstance(animation, Highlight) and animation.mode == "recolor":
            color = animation.color or units.style.highlight or HIGHLIGHT_COLOR
            self.layers = draw_layers(units, units.style.color)
            self.accent = draw_layers(units, color).text
        if isinstance(animation, Highlight) and animation.mode == "band":
            self.band = color_rgba(animation.color or HIGHLIGHT_COLOR)
        self.whole = _whole(self.layers)
        self.shift = units.style.shadow.offset if units.style.shadow else (0, 0)
        self._settled: tuple[tuple[int, tuple[Rect, ...]], Image.Image, Image.Image] | None = None

    def picture(self, look: Look) -> Image.Image:
        card, layers = self.card, self.layers
        ix, iy = card.inset
        if look.scale != 1000:
            canvas = Image.new("RGBA", card.size, _CLEAR)
            x0, y0, x1, y1 = _scaled_card(card.units.size, look.scale)
            if x1 > x0 and y1 > y0:
                grown = self.whole.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS)
                _put(canvas, grown, ix + x0, iy + y0)
            return canvas
        under, text = self._settled_part(look)
        canvas = under.copy()
        if layers.shadow is not None:
            for move in look.moving:
                _moved(canvas, card, layers.shadow, move, self.shift)
        _put(canvas, text, ix, iy)
        for move in look.moving:
            _moved(canvas, card, self._text(look), move, (0, 0))
        if look.cursor is not None and card.cursor:
            _cursor(canvas, card, look.cursor)
        return canvas

    def _text(self, look: Look) -> Image.Image:
        """The text layer, recolored where a sweep has passed."""
        if self.accent is None or not look.swept:
            return self.layers.text
        mask = _mask(self.card.units.size, list(look.swept))
        return Image.composite(self.accent, self.layers.text, mask)

    def _settled_part(self, look: Look) -> tuple[Image.Image, Image.Image]:
        """What lies under the moving units' shadows (the box, the band, the settled units'
        shadow) as a picture, and the settled units' text as a card-sized layer."""
        key = (look.still, look.swept)
        if self._settled is not None and self._settled[0] == key:
            return self._settled[1], self._settled[2]
        card, layers = self.card, self.layers
        units = card.units
        ix, iy = card.inset
        under = Image.new("RGBA", card.size, _CLEAR)
        text = self._text(look)
        everything = look.still == card.plan.units
        still = [] if everything else card.plan.prefix_rects(look.still)
        under.paste(layers.box, (ix, iy))
        if self.band is not None and look.swept:
            marker = Image.new("RGBA", units.size, _CLEAR)
            pen = ImageDraw.Draw(marker)
            for x0, y0, x1, y1 in look.swept:
                pen.rectangle((x0, y0, x1 - 1, y1 - 1), fill=self.band)
            _put(under, marker, ix, iy)
        if layers.shadow is not None:
            shadow = layers.shadow
            if not everything:
                shadow = _only(shadow, _mask(units.size, still, self.shift))
            _put(under, shadow, ix, iy)
        if not everything:
            text = _only(text, _mask(units.size, still))
        self._settled = (key, under, text)
        return under, text


def _moved(
    canvas: Image.Image, card: _Card, layer: Image.Image, move: Moving, shift: tuple[int, int]
) -> None:
    """One unit on its way in: its part of ``layer`` (its cells, moved by ``shift`` for the
    shadow) cut out, faded, scaled about its center and shifted."""
    rects = card.plan.unit_rects(move.unit)
    x0, y0, x1, y1 = _box(rects, shift, layer.size)
    if x1 <= x0 or y1 <= y0 or move.alpha == 0 or move.scale == 0:
        return
    # Only the unit's box is worked on: its cells, in the box's own coordinates.
    inside = [(a - x0, b - y0, c - x0, d - y0) for a, b, c, d in rects]
    region = layer.crop((x0, y0, x1, y1))
    tile = _only(region, _mask(region.size, inside, shift))
    if move.alpha < 255:
        alpha = move.alpha
        tile.putalpha(tile.getchannel("A").point(lambda v: v * alpha // 255))
    px0, py0, px1, py1 = _placed((x0, y0, x1, y1), _center(rects, layer.size), move)
    if px1 <= px0 or py1 <= py0:
        return
    if (px1 - px0, py1 - py0) != tile.size:
        tile = tile.resize((px1 - px0, py1 - py0), Image.Resampling.LANCZOS)
    ix, iy = card.inset
    _put(canvas, tile, ix + px0, iy + py0)


def _cursor(canvas: Image.Image, card: _Card, at: tuple[int, int]) -> None:
    units = card.units
    style = units.style
    chain = FontChain(style.faces, style.size)
    ix, iy = card.inset
    x, y = float(ix + at[0]), float(iy + at[1])
    pen = ImageDraw.Draw(canvas)
    stroke = color_rgba(style.stroke.color) if style.stroke else None
    for piece, index in chain.runs(card.cursor or ""):
        font = chain.font(index)
        pen.text(
            (x, y),
            piece,
            font=font,
            fill=color_rgba(style.color),
            anchor="ls",
            stroke_width=units.layout.stroke,
            stroke_fill=stroke,
        )
        x += font.getlength(piece)
