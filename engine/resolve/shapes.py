"""Shapes drawn antialiased into a transparent picture: rectangles (rounded or not), circles,
ellipses, lines and polygons, filled with a color or a gradient and stroked inside their
outline.

Each pixel is sampled SCALE×SCALE times, at the samples' centres, and covered by the share of
its samples inside the shape: rectangles, ellipses and a line's round ends are tested exactly
(numpy), polygons and a line's square or butt body by scanlines; only a polygon's stroke is
drawn with Pillow's wide lines (then cut to the polygon). A band of rows is sampled at a time,
so a large shape never needs masks of gigabytes. The stroke takes the place of the fill where
it lies, so where both are opaque an edge pixel is exactly as opaque as the shape covers it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from engine.cache import cached_file, content_key
from engine.errors import MediaError
from engine.resolve.gradient import draw_gradient
from engine.resolve.text_card import MAX_CARD_SIDE, drawn_pixel_limit
from engine.spec.common import color_rgba

#: Samples per pixel along each side.
SCALE = 4
#: Output rows drawn at a time, at most, and samples at most in the masks of one band (so a
#: wide shape is drawn in fewer rows at a time, and its masks stay some megabytes).
BAND_ROWS = 128
BAND_SAMPLES = 1 << 22

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
    limit, why = drawn_pixel_limit(frame)
    if width * height > limit or max(width, height) > MAX_CARD_SIDE:
        raise MediaError(
            f"the shape would be drawn {width}x{height} pixels ({width * height:,} in all), over "
            f"the limit of {limit:,} pixels ({why}) or {MAX_CARD_SIDE} a side; make it smaller"
        )


def _grid(size: tuple[int, int], top: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The centres of the samples of output rows [top, top + rows), in output pixels: a row of
    x positions and a column of y positions."""
    xs = (np.arange(size[0] * SCALE, dtype=np.float64) + 0.5) / SCALE
    ys = top + (np.arange(rows * SCALE, dtype=np.float64) + 0.5) / SCALE
    return xs[None, :], ys[:, None]


def _rounded(
    xs: np.ndarray, ys: np.ndarray, box: tuple[float, float, float, float], radius: float
) -> np.ndarray:
    """Samples inside the rectangle ``box`` (left, top, right, bottom) with rounded corners."""
    left, top, right, bottom = box
    inside = (xs >= left) & (xs <= right) & (ys >= top) & (ys <= bottom)
    if radius > 0:
        dx = np.maximum(np.maximum(left + radius - xs, xs - right + radius), 0.0)
        dy = np.maximum(np.maximum(top + radius - ys, ys - bottom + radius), 0.0)
        inside &= dx * dx + dy * dy <= radius * radius
    return inside


def _ellipse(xs: np.ndarray, ys: np.ndarray, size: tuple[int, int], inset: float) -> np.ndarray:
    """Samples inside the ellipse inscribed in the box, shrunk by ``inset`` all round."""
    rx, ry = size[0] / 2 - inset, size[1] / 2 - inset
    if rx <= 0 or ry <= 0:
        return np.zeros((ys.shape[0], xs.shape[1]), dtype=bool)
    inside: np.ndarray = ((xs - size[0] / 2) / rx) ** 2 + ((ys - size[1] / 2) / ry) ** 2 <= 1.0
    return inside


def _polygon(xs: np.ndarray, ys: np.ndarray, corners: Sequence[Point]) -> np.ndarray:
    """Samples inside the polygon (even-odd rule), by scanlines through the samples' centres:
    the crossings of each row with the edges (half-open, so a corner counts once), paired."""
    columns = xs.shape[1]
    points = np.asarray(corners, dtype=np.float64)
    x0, y0 = points[:, 0], points[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    crosses = (np.minimum(y0, y1) <= ys) & (ys < np.maximum(y0, y1))
    with np.errstate(divide="ignore", invalid="ignore"):
        at = np.where(crosses, x0 + (ys - y0) * (x1 - x0) / (y1 - y0), np.inf)
    at.sort(axis=1)
    if at.shape[1] % 2:
        at = np.concatenate([at, np.full((at.shape[0], 1), np.inf)], axis=1)
    # The first sample whose centre is at or right of each crossing.
    first = np.clip(np.ceil(at * SCALE - 0.5), 0, columns).astype(np.int64)
    marks = np.zeros((at.shape[0], columns + 1), dtype=np.int32)
    rows = np.broadcast_to(np.arange(at.shape[0])[:, None], first[:, 0::2].shape)
    np.add.at(marks, (rows, first[:, 0::2]), 1)
    np.add.at(marks, (rows, first[:, 1::2]), -1)
    inside: np.ndarray = np.cumsum(marks[:, :columns], axis=1) > 0
    return inside


def _capsule(xs: np.ndarray, ys: np.ndarray, a: Point, b: Point, reach: float) -> np.ndarray:
    """Samples within ``reach`` of the segment from ``a`` to ``b``."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = np.clip(((xs - a[0]) * dx + (ys - a[1]) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    near: np.ndarray = (xs - a[0] - t * dx) ** 2 + (ys - a[1] - t * dy) ** 2 <= reach * reach
    return near


def _polygon_edge(
    outline: Outline, size: tuple[int, int], top: int, rows: int, width: float
) -> np.ndarray:
    """Samples within ``width`` of a polygon's edges, either side (Pillow's wide lines with
    round joints: their cost grows with the edges' length, not with their number times the
    box)."""
    mask = Image.new("L", (size[0] * SCALE, rows * SCALE), 0)
    corners = [(x * SCALE - 0.5, (y - top) * SCALE - 0.5) for x, y in outline.points]
    path = [*corners, corners[0], corners[1]]
    ImageDraw.Draw(mask).line(path, fill=255, width=max(1, round(2 * width * SCALE)), joint="curve")
    return np.asarray(mask) > 0


def _masks(
    outline: Outline, size: tuple[int, int], top: int, rows: int, stroke: float
) -> tuple[np.ndarray, np.ndarray | None]:
    """Samples of output rows [top, top + rows): inside the shape, and inside its stroke."""
    xs, ys = _grid(size, top, rows)
    w, h = size
    edge = None
    if outline.kind == "rect":
        radius = min(outline.radius, w / 2, h / 2)
        whole = _rounded(xs, ys, (0, 0, w, h), radius)
        if stroke > 0:
            inner = (stroke, stroke, w - stroke, h - stroke)
            edge = whole & ~_rounded(xs, ys, inner, max(0.0, radius - stroke))
    elif outline.kind in ("circle", "ellipse"):
        whole = _ellipse(xs, ys, size, 0.0)
        if stroke > 0:
            edge = whole & ~_ellipse(xs, ys, size, stroke)
    elif outline.kind == "polygon":
        whole = _polygon(xs, ys, outline.points)
        if stroke > 0:
            edge = whole & _polygon_edge(outline, size, top, rows, stroke)
    elif outline.cap == "round":
        a, b = outline.points
        whole = _capsule(xs, ys, a, b, outline.thickness / 2)
    else:
        whole = _polygon(xs, ys, _line_parts(outline)[0])
    return whole, edge


def _coverage(mask: np.ndarray) -> np.ndarray:
    """The share of each pixel's SCALE×SCALE samples that are set."""
    rows, columns = mask.shape[0] // SCALE, mask.shape[1] // SCALE
    blocks = mask.reshape(rows, SCALE, columns, SCALE)
    share: np.ndarray = blocks.sum(axis=(1, 3), dtype=np.float32) / (SCALE * SCALE)
    return share


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
    band = max(1, min(BAND_ROWS, BAND_SAMPLES // (width * SCALE * SCALE)))
    for top in range(0, height, band):
        rows = min(band, height - top)
        inside, stroked = _masks(outline, size, top, rows, stroke[1] if stroke else 0.0)
        whole = _coverage(inside)
        edge = _coverage(stroked) if stroked is not None else np.zeros_like(whole)
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
