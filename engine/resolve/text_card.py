"""Drawing text into a transparent PNG with Pillow.

All text that reaches a frame goes through here, so no user text ever appears inside ffmpeg
filter-graph syntax: quotes, colons, ``%{...}``, emoji and CJK are just pixels.

The style a card is drawn in comes from :mod:`engine.resolve.text_style`, its lines from
:mod:`engine.resolve.text_layout`; their names are importable from here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

from PIL import Image, ImageDraw, ImageFilter

from engine.cache import cached_file, content_key, digest_of
from engine.errors import MediaError
from engine.resolve.fonts import Face
from engine.resolve.limits import max_card_pixels
from engine.resolve.text_layout import FontChain, wrap
from engine.resolve.text_style import (
    BUILTIN_STYLE,
    ResolvedTextStyle,
    merge_styles,
    resolve_style,
)
from engine.spec.common import color_rgba

__all__ = [
    "BUILTIN_STYLE",
    "MAX_CARD_SIDE",
    "MIN_FRAME_CARD_PIXELS",
    "CardLayout",
    "FontChain",
    "ResolvedTextStyle",
    "card_text",
    "check_card_size",
    "draw_lines",
    "draw_text",
    "face_keys",
    "highlight_mask",
    "lay_out",
    "merge_styles",
    "pieces",
    "resolve_style",
    "style_payload",
    "text_card",
    "wrap",
]

M = TypeVar("M")

#: Characters the bidi algorithm reads as the end of a paragraph: inside a line they make
#: Pillow's layout (raqm) fail, so they break the line like a newline.
_PARAGRAPH_BREAKS = re.compile("\r\n|[\r\x1c\x1d\x1e\x85\u2029]")

#: What a card may have whatever its frame (small test frames still get ordinary cards).
MIN_FRAME_CARD_PIXELS = 2048 * 2048
#: The longest side of a drawn card, whatever REELSPEC_MAX_CARD_PIXELS allows: four times the
#: default REELSPEC_MAX_SIDE.
MAX_CARD_SIDE = 32_768


def drawn_pixel_limit(frame: tuple[int, int] | None) -> tuple[int, str]:
    """The most pixels a picture drawn for ``frame`` (a text card, a shape) may have, and
    why: REELSPEC_MAX_CARD_PIXELS, or four times the frame when that is less, at least
    MIN_FRAME_CARD_PIXELS."""
    limit, why = max_card_pixels(), "REELSPEC_MAX_CARD_PIXELS"
    if frame is not None:
        relative = max(4 * frame[0] * frame[1], MIN_FRAME_CARD_PIXELS)
        if relative < limit:
            limit = relative
            why = f"four times the {frame[0]}x{frame[1]} frame, at least {MIN_FRAME_CARD_PIXELS:,}"
    return limit, why


def card_text(text: str) -> str:
    """``text`` as it is laid out: paragraph breaks of every kind made newlines."""
    return _PARAGRAPH_BREAKS.sub("\n", text)


def check_card_size(width: int, height: int, frame: tuple[int, int] | None = None) -> None:
    """Refuse (rather than crop, or ask Pillow for gigabytes) a card over the pixel limit:
    REELSPEC_MAX_CARD_PIXELS, and four times the frame it is drawn for (twice its width and
    height: no more of a card can ever be seen, and drawing, blurring a shadow and
    compositing cost time in proportion to the pixels), but never less than
    MIN_FRAME_CARD_PIXELS."""
    limit, why = drawn_pixel_limit(frame)
    if width * height > limit or max(width, height) > MAX_CARD_SIDE:
        raise MediaError(
            f"the text would be drawn {width}x{height} pixels ({width * height:,} in all), "
            f"over the limit of {limit:,} pixels ({why}) or {MAX_CARD_SIDE} a side; "
            "shorten the text or lower its size, max_width or box padding"
        )


def pieces(runs: list[tuple[str, int]], mask: Sequence[M], fill: M) -> list[tuple[str, int, M]]:
    """Font runs cut again where the mask's value (highlighted or not, a word's state)
    changes; characters past the mask's end take ``fill``."""
    out: list[tuple[str, int, M]] = []
    position = 0
    for text, index in runs:
        for char in text:
            marked = mask[position] if position < len(mask) else fill
            if out and out[-1][1] == index and out[-1][2] == marked:
                out[-1] = (out[-1][0] + char, index, marked)
            else:
                out.append((char, index, marked))
            position += 1
    return out


def highlight_mask(line: str, phrases: tuple[str, ...]) -> list[bool]:
    """Which characters of ``line`` belong to one of ``phrases`` (case-insensitive; a Latin
    phrase only where it is a whole word)."""
    mask = [False] * len(line)
    lowered = line.lower()
    for phrase in phrases:
        wanted = phrase.lower().strip()
        if not wanted:
            continue
        start = lowered.find(wanted)
        while start != -1:
            end = start + len(wanted)
            before = lowered[start - 1] if start else " "
            after = lowered[end] if end < len(lowered) else " "
            whole = not (wanted[0].isalnum() and before.isalnum() and before.isascii()) and not (
                wanted[-1].isalnum() and after.isalnum() and after.isascii()
            )
            if whole:
                mask[start:end] = [True] * len(wanted)
            start = lowered.find(wanted, start + 1)
    return mask


@dataclass(frozen=True)
class CardLayout:
    """Where everything goes on a card."""

    width: int
    height: int
    #: The box behind the text (left, top, right, bottom; inclusive).
    box: tuple[int, int, int, int]
    #: Each line's left end, its baseline, and its text.
    lines: list[tuple[float, float, str]]
    #: Width of the text's outline.
    stroke: int


def lay_out(text: str, style: ResolvedTextStyle, chain: FontChain) -> CardLayout:
    """Wrap ``text`` and place its lines, leaving room for the box's padding and the shadow's
    offset and blur."""
    stroke = style.stroke.width if style.stroke else 0
    lines = wrap(text, chain, style.max_width_px - 2 * stroke)
    ascent, descent = chain.metrics(text)
    line_height = round((ascent + descent) * style.line_spacing)
    widths = [round(chain.length(line)) for line in lines]
    text_w = max(widths, default=0) + 2 * stroke
    text_h = line_height * (len(lines) - 1) + ascent + descent + 2 * stroke
    pad = style.box.padding if style.box else 0
    shadow_dx, shadow_dy = style.shadow.offset if style.shadow else (0, 0)
    blur = style.shadow.blur if style.shadow else 0
    extra_l = max(0, blur - shadow_dx, -shadow_dx) if style.shadow else 0
    extra_t = max(0, blur - shadow_dy, -shadow_dy) if style.shadow else 0
    extra_r = max(0, shadow_dx + blur) if style.shadow else 0
    extra_b = max(0, shadow_dy + blur) if style.shadow else 0
    origin_x, origin_y = extra_l + pad, extra_t + pad
    placed: list[tuple[float, float, str]] = []
    for index, (line, line_w) in enumerate(zip(lines, widths, strict=True)):
        if style.align == "left":
            x = 0.0
        elif style.align == "right":
            x = float(text_w - 2 * stroke - line_w)
        else:
            x = (text_w - 2 * stroke - line_w) / 2
        y = origin_y + stroke + index * line_height + ascent
        placed.append((origin_x + stroke + x, y, line))
    return CardLayout(
        width=text_w + 2 * pad + extra_l + extra_r,
        height=text_h + 2 * pad + extra_t + extra_b,
        box=(extra_l, extra_t, extra_l + text_w + 2 * pad - 1, extra_t + text_h + 2 * pad - 1),
        lines=placed,
        stroke=stroke,
    )


def draw_lines(
    target: Image.Image,
    layout: CardLayout,
    chain: FontChain,
    offset: tuple[float, float],
    fill: tuple[int, ...],
    outline: tuple[int, ...] | None,
    accent: tuple[int, ...] | None = None,
    highlights: tuple[str, ...] = (),
) -> None:
    """Draw the card's lines onto ``target``, moved by ``offset``; the words of
    ``highlights`` in ``accent`` where it is given."""
    dx, dy = offset
    draw = ImageDraw.Draw(target)
    for x, y, line in layout.lines:
        mask = highlight_mask(line, highlights) if accent else [False] * len(line)
        for piece, index, marked in pieces(chain.runs(line), mask, False):
            font = chain.font(index)
            draw.text(
                (x + dx, y + dy),
                piece,
                font=font,
                fill=accent if marked and accent else fill,
                anchor="ls",
                stroke_width=layout.stroke,
                stroke_fill=outline,
            )
            x += font.getlength(piece)


def draw_text(
    text: str,
    style: ResolvedTextStyle,
    highlights: tuple[str, ...] = (),
    frame: tuple[int, int] | None = None,
) -> Image.Image:
    """The card for ``text``; ``frame`` (the output's size) bounds how large it may be."""
    text = card_text(text)
    chain = FontChain(style.faces, style.size)
    layout = lay_out(text, style, chain)
    check_card_size(layout.width, layout.height, frame)
    image = Image.new("RGBA", (max(1, layout.width), max(1, layout.height)), (0, 0, 0, 0))
    if style.box:
        ImageDraw.Draw(image).rounded_rectangle(
            layout.box, radius=style.box.radius, fill=color_rgba(style.box.color)
        )
    if style.shadow:
        shadow = Image.new("RGBA", image.size, (0, 0, 0, 0))
        shadow_color = color_rgba(style.shadow.color)
        draw_lines(shadow, layout, chain, style.shadow.offset, shadow_color, shadow_color)
        if style.shadow.blur:
            shadow = shadow.filter(ImageFilter.GaussianBlur(style.shadow.blur))
        image = Image.alpha_composite(image, shadow)
    draw_lines(
        image,
        layout,
        chain,
        (0, 0),
        color_rgba(style.color),
        color_rgba(style.stroke.color) if style.stroke else None,
        color_rgba(style.highlight) if style.highlight and highlights else None,
        highlights,
    )
    return image


def text_card(
    text: str,
    style: ResolvedTextStyle,
    highlights: tuple[str, ...] = (),
    frame: tuple[int, int] | None = None,
) -> tuple[Path, tuple[int, int]]:
    """The cached PNG for ``text`` drawn in ``style``, and its pixel size."""
    payload = {
        "text": text,
        "style": style_payload(style),
        "fonts": face_keys(style.faces),
        "highlights": list(highlights),
    }
    key = content_key("text", payload)

    def write(path: Path) -> None:
        draw_text(text, style, highlights, frame).save(path, format="PNG")

    path = cached_file(key, ".png", write)
    with Image.open(path) as image:
        size = image.size
    check_card_size(size[0], size[1], frame)  # a card drawn for a larger frame, from the cache
    return path, size


def face_keys(faces: tuple[Face, ...]) -> list[list[object]]:
    """What of each face a drawing depends on, for cache keys: its file's content hash, its
    index in a collection and its weight."""
    return [[digest_of(Path(f.path)), f.index, f.weight] for f in faces]


def style_payload(style: ResolvedTextStyle) -> dict[str, object]:
    data = asdict(style)
    data.pop("faces")
    for name in ("stroke", "shadow", "box"):
        value = getattr(style, name)
        data[name] = value.model_dump() if value is not None else None
    return data
