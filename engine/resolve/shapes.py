"""Shapes drawn antialiased into a transparent picture: rectangles (rounded or not), circles,
ellipses, lines and polygons, filled with a color or a gradient and stroked inside their
outline.

Each coverage mask is drawn by Pillow at ``SCALE`` times the picture's size and averaged down
(an exact box average of SCALE×SCALE samples per pixel), a band of rows at a time so a large
shape never needs a mask of gigabytes; numpy then paints the fill and the stroke through the
masks. The stroke takes the place of the fill where it lies, so where both are opaque an
edge pixel is exactly as opaque as the shape covers it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from engine.cache import cached_file, content_key
from engine.errors import MediaError
from engine.resolve.gradient import draw_gradient
from engine.resolve.limits import max_card_pixels
from engine.resolve.text_card import MAX_CARD_SIDE, MIN_FRAME_CARD_PIXELS
from engine.spec.common import color_rgba

#: Samples per pixel along each side.
SCALE = 4
#: Output rows drawn at a time (their masks are SCALE² times as many samples).
BAND_ROWS = 128

Point = tuple[float, float]


@dataclass(frozen=True)
class Gradient:
    colors: tuple[str, ...]
    angle: float
    kind: str


@dataclass(frozen=True)
class Outline:
    """What to draw. ``kind``: rect, circle, ellipse, line or polygon; ``width``/``height``:
    the box (for lines and polygons each may be None: just big enough for the points);
    ``points``: positions in the box; ``thickness`` and ``cap``: a line's."""

    kind: str
    width: int | None
    height: int | None
    points: tuple[Point, ...] = ()
    radius: float = 0.0
    thickness: float = 0.0
    cap: str = "round"


def _line_parts(outline: Outline) -> tuple[list[Point], list[Point]]:
    """A line as its body (a quadrilateral) and the centres of its round caps."""
    (x0, y0), (x1, y1) = outline.points
    length = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    half = outline.thickness / 2
    reach = half if outline.cap == "square" else 0.0
    ax, ay, bx, by = x0 - ux * reach, y0 - uy * reach, x1 + ux * reach, y1 + uy * reach
    nx, ny = -uy * half, ux * half
    body = [(ax + nx, ay + ny), (bx + nx, by + ny), (bx - nx, by - ny), (ax - nx, ay - ny)]
    caps = [(x0, y0), (x1, y1)] if outline.cap == "round" else []
    return body, caps


def box_size(outline: Outline) -> tuple[int, int]:
    """The picture's size: the box as given, or what the points reach (a line's thickness and
    caps included)."""
    if outline.kind == "circle":
        side = outline.width or outline.height or 1
        return side, side
    xs = [p[0] for p in outline.points]
    ys = [p[1] for p in outline.points]
    if outline.kind == "line":
        body, caps = _line_parts(outline)
        half = outline.thickness / 2
        xs = [p[0] for p in body] + [c[0] + half for c in caps]
        ys = [p[1] for p in body] + [c[1] + half for c in caps]
    width = outline.width or max(1, math.ceil(max(xs, default=1)))
    height = outline.height or max(1, math.ceil(max(ys, default=1)))
    return width, height


def check_box(size: tuple[int, int], frame: tuple[int, int]) -> None:
    """Refuse a picture over the limit drawn pictures share with text cards: REELSPEC_MAX_CARD_
    PIXELS, and four times the frame (no more of it can be seen), at least
    MIN_FRAME_CARD_PIXELS; and MAX_CARD_SIDE a side."""
    width, height = size
    limit, why = max_card_pixels(), "REELSPEC_MAX_CARD_PIXELS"
    relative = max(4 * frame[0] * frame[1], MIN_FRAME_CARD_PIXELS)
    if relative < limit:
        limit = relative
        why = f"four times the {frame[0]}x{frame[1]} frame, at least {MIN_FRAME_CARD_PIXELS:,}"
    if width * height > limit or max(width, height) > MAX_CARD_SIDE:
        raise MediaError(
            f"the shape would be drawn {width}x{height} pixels ({width * height:,} in all), over "
            f"the limit of {limit:,} pixels ({why}) or {MAX_CARD_SIDE} a side; make it smaller"
        )


def _trace(
    pen: ImageDraw.ImageDraw, outline: Outline, size: tuple[int, int], top: int, stroke: float
) -> None:
    """Draw ``outline`` (its area, or with ``stroke`` > 0 a band that wide inside its edge) on
    a mask whose first row is output row ``top``."""
    s = SCALE
    shift = top * s

    def at(point: Point) -> Point:  # box position -> sample centre coordinates
        return point[0] * s - 0.5, point[1] * s - 0.5 - shift

    fill, edge = (255, None) if stroke <= 0 else (None, 255)
    width = max(1, round(stroke * s))
    box = (0, -shift, size[0] * s - 1, size[1] * s - 1 - shift)
    if outline.kind == "rect":
        radius = min(outline.radius, size[0] / 2, size[1] / 2) * s
        if radius >= 1:
            pen.rounded_rectangle(box, round(radius), fill, edge, width)
        else:
            pen.rectangle(box, fill, edge, width)
    elif outline.kind in ("circle", "ellipse"):
        pen.ellipse(box, fill, edge, width)
    elif outline.kind == "polygon":
        pen.polygon([at(p) for p in outline.points], fill, edge, width)
    else:  # a line: always its whole area
        body, caps = _line_parts(outline)
        pen.polygon([at(p) for p in body], fill=255)
        r = outline.thickness / 2 * s
        for cx, cy in (at(c) for c in caps):
            pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)


def _coverage(
    outline: Outline, size: tuple[int, int], top: int, rows: int, stroke: float = 0.0
) -> np.ndarray:
    """Rows [top, top + rows) of the shape's coverage (0-1) of each pixel."""
    mask = Image.new("L", (size[0] * SCALE, rows * SCALE), 0)
    _trace(ImageDraw.Draw(mask), outline, size, top, stroke)
    small = mask.resize((size[0], rows), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float32) / 255.0


def _rgba(color: str) -> np.ndarray:
    return np.array(color_rgba(color), dtype=np.float32)


def draw_shape(
    outline: Outline, fill: str | Gradient | None, stroke: tuple[str, float] | None
) -> Image.Image:
    """The shape as an RGBA picture of :func:`box_size`; ``stroke`` is (color, width)."""
    width, height = size = box_size(outline)
    if isinstance(fill, Gradient):
        painted = draw_gradient(fill.colors, fill.angle, fill.kind, width, height)
        fill_pixels: np.ndarray | None = np.asarray(painted, dtype=np.uint8)
        fill_color = np.zeros(4, dtype=np.float32)
    else:
        fill_pixels = None
        fill_color = _rgba(fill) if fill else np.zeros(4, dtype=np.float32)
    stroke_color = _rgba(stroke[0]) if stroke else np.zeros(4, dtype=np.float32)
    out = np.zeros((height, width, 4), dtype=np.uint8)
    for top in range(0, height, BAND_ROWS):
        rows = min(BAND_ROWS, height - top)
        whole = _coverage(outline, size, top, rows)
        edge = _coverage(outline, size, top, rows, stroke[1]) if stroke else np.zeros_like(whole)
        inner = np.clip(whole - edge, 0.0, 1.0)
        paint = (
            fill_pixels[top : top + rows].astype(np.float32)
            if fill_pixels is not None
            else np.broadcast_to(fill_color, (rows, width, 4))
        )
        fill_weight = inner * paint[..., 3] / 255.0
        stroke_weight = edge * stroke_color[3] / 255.0
        alpha = fill_weight + stroke_weight
        color = (
            fill_weight[..., None] * paint[..., :3] + stroke_weight[..., None] * stroke_color[:3]
        )
        shown = alpha[..., None] > 0
        color = np.divide(color, alpha[..., None], out=np.zeros_like(color), where=shown)
        out[top : top + rows, :, :3] = np.clip(np.rint(color), 0, 255).astype(np.uint8)
        out[top : top + rows, :, 3] = np.clip(np.rint(alpha * 255.0), 0, 255).astype(np.uint8)
    return Image.fromarray(out)


def shape_image(
    outline: Outline,
    fill: str | Gradient | None,
    stroke: tuple[str, float] | None,
    frame: tuple[int, int],
) -> tuple[Path, tuple[int, int]]:
    """The drawn shape as a cached PNG, and its size; a MediaError when it is too big."""
    size = box_size(outline)
    check_box(size, frame)
    drawing = {"outline": _plain(outline), "fill": _plain(fill), "stroke": stroke}
    key = content_key("drawn-shape", {**drawing, "size": list(size)})

    def write(path: Path) -> None:
        draw_shape(outline, fill, stroke).save(path, format="PNG")

    return cached_file(key, ".png", write), size


def _plain(value: Outline | Gradient | str | None) -> object:
    return asdict(value) if isinstance(value, (Outline, Gradient)) else value
