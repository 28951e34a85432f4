"""The ``shape`` layer, rendered and sampled. Every expectation comes from docs/spec.md: a
shape's box is ``width``×``height`` pixels with its top-left corner where ``x``/``y`` (or the
anchor, margin and offset) put it; ``points`` are positions in the box; a stroke lies inside
the outline; a line is ``stroke.width`` thick around the segment between its points.

Videos are 160x90 at 10 fps, lossless 4:4:4 H.264, so a pixel well inside or outside a shape
comes back within a few levels of its colour (only the RGB ↔ YUV conversion rounds)."""

from __future__ import annotations

import math
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np

from engine.layers import type_of
from engine.pipeline import prepare, render_spec, render_still
from engine.resolved import with_files
from tests.conftest import SpecWriter
from tests.media import frame

ROOT = Path(__file__).resolve().parents[2]
HEAD = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10,
         video: {codec: h264, preset: ultrafast, crf: 0, pix_fmt: yuv444p}}
"""
RED, GREEN, BLUE, WHITE, BLACK = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)
YELLOW = (255, 255, 0)


def near(pixel: np.ndarray, rgb: tuple[int, int, int], tol: int = 6) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - np.array(rgb)) <= tol))


def scene(layers: str, duration: float = 1, background: str = "#0000ff") -> str:
    color = f'      - {{type: color, color: "{background}"}}\n'
    return f"scenes:\n  - duration: {duration}\n    layers:\n{color}{layers}"


def shape(body: str) -> str:
    return f"      - {{type: shape, {body}}}\n"


def render(write_spec: SpecWriter, text: str, at: int = 5) -> np.ndarray:
    return frame(render_spec(write_spec(HEAD + text)).output, at)


def test_a_rect_fills_its_box_exactly(write_spec: SpecWriter) -> None:
    f = render(
        write_spec,
        scene(shape('shape: rect, width: 60, height: 40, x: 50, y: 25, fill: "#ff0000"')),
    )
    # The box is columns 50..109, rows 25..64.
    for row, col in [(45, 80), (25, 50), (25, 109), (64, 50), (64, 109)]:
        assert near(f[row, col], RED), (row, col, f[row, col])
    for row, col in [(24, 50), (25, 49), (65, 109), (64, 110), (5, 5), (85, 150)]:
        assert near(f[row, col], BLUE), (row, col, f[row, col])


def test_a_shape_is_placed_by_anchor_margin_and_offset(write_spec: SpecWriter) -> None:
    body = (
        "shape: rect, width: 30, height: 20, position: bottom-right, margin: 10, "
        "offset: [-5, 3], fill: red"
    )
    f = render(write_spec, scene(shape(body)))
    # 160 - 30 - 10 - 5 = 115, 90 - 20 - 10 + 3 = 63: columns 115..144, rows 63..82.
    for row, col in [(63, 115), (82, 144), (70, 130)]:
        assert near(f[row, col], RED), (row, col)
    for row, col in [(62, 115), (63, 114), (83, 144), (82, 145)]:
        assert near(f[row, col], BLUE), (row, col)


def test_circle_and_ellipse(write_spec: SpecWriter) -> None:
    layers = shape("shape: circle, width: 40, position: center, fill: white")
    f = render(write_spec, scene(layers))
    # Centred: box 60..99 x 25..64, centre (80, 45), radius 20.
    assert near(f[45, 80], WHITE) and near(f[45, 61], WHITE) and near(f[26, 80], WHITE)
    assert near(f[25, 60], BLUE) and near(f[27, 62], BLUE) and near(f[64, 99], BLUE)
    f = render(write_spec, scene(shape("shape: ellipse, width: 80, height: 20, fill: white")))
    # Box 40..119 x 35..54: the ends reach the box's sides, its corners stay empty.
    assert near(f[45, 80], WHITE) and near(f[45, 42], WHITE) and near(f[45, 117], WHITE)
    assert near(f[36, 45], BLUE) and near(f[53, 115], BLUE) and near(f[33, 80], BLUE)


def test_a_rounded_rect_has_empty_corners_and_straight_edges(write_spec: SpecWriter) -> None:
    body = "shape: rect, width: 80, height: 50, radius: 20, x: 40, y: 20, fill: red"
    f = render(write_spec, scene(shape(body)))
    # Box 40..119 x 20..69; the top-left arc is centred on (60, 40).
    for row, col in [(20, 40), (22, 42), (69, 119), (20, 119), (69, 40)]:
        assert near(f[row, col], BLUE), (row, col, f[row, col])
    for row, col in [(20, 80), (45, 40), (69, 80), (45, 119), (45, 80), (27, 47)]:
        assert near(f[row, col], RED), (row, col, f[row, col])


def test_a_stroke_lies_inside_the_edge(write_spec: SpecWriter) -> None:
    body = (
        "shape: rect, width: 60, height: 40, x: 50, y: 25, fill: red, "
        'stroke: {color: "#00ff00", width: 4}'
    )
    f = render(write_spec, scene(shape(body)))
    for row, col in [(45, 50), (45, 53), (25, 80), (28, 80), (64, 80), (45, 109), (45, 106)]:
        assert near(f[row, col], GREEN), (row, col, f[row, col])
    for row, col in [(45, 54), (29, 80), (45, 80), (60, 105)]:
        assert near(f[row, col], RED), (row, col, f[row, col])
    assert near(f[45, 49], BLUE) and near(f[24, 80], BLUE)
    # An outline alone: a transparent fill shows what is below inside it.
    body = "shape: circle, width: 40, fill: transparent, stroke: {color: white, width: 3}"
    f = render(write_spec, scene(shape(body)))
    assert near(f[45, 80], BLUE) and near(f[45, 70], BLUE)
    assert near(f[45, 61], WHITE) and near(f[45, 98], WHITE) and near(f[26, 80], WHITE)
    assert near(f[45, 58], BLUE)


def test_a_line_covers_the_segment_between_its_points(write_spec: SpecWriter) -> None:
    body = (
        "shape: line, points: [[10, 10], [150, 80]], x: 0, y: 0, stroke: {color: yellow, width: 6}"
    )
    f = render(write_spec, scene(shape(body)))
    length = math.hypot(140, 70)
    normal = (-70 / length, 140 / length)
    for t in (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0):
        x, y = 10 + 140 * t, 10 + 70 * t
        assert near(f[int(y), int(x)], YELLOW), (t, f[int(y), int(x)])
        for side in (-1, 1):  # 8 px off the line (it reaches 3 px) is background
            px, py = x + side * 8 * normal[0], y + side * 8 * normal[1]
            if 0 <= px < 160 and 0 <= py < 90:
                assert near(f[int(py), int(px)], BLUE), (t, side)


def test_line_caps(write_spec: SpecWriter) -> None:
    layers = "".join(
        shape(
            f"shape: line, points: [[20, {row}], [100, {row}]], cap: {cap}, x: 0, y: 0, "
            "stroke: {color: white, width: 10}"
        )
        for row, cap in ((20, "round"), (45, "square"), (70, "butt"))
    )
    f = render(write_spec, scene(layers))
    round_, square, butt = f[15:25], f[40:50], f[65:75]  # rows y-5 .. y+4: 10 px thick
    for band in (round_, square, butt):
        assert near(band[5, 60], WHITE) and near(band[1, 60], WHITE) and near(band[9, 60], WHITE)
        assert near(band[5, 21], WHITE)
    # 3 px past the first point: a round or square cap reaches it, a butt end does not.
    assert near(round_[5, 17], WHITE) and near(square[5, 17], WHITE) and near(butt[5, 17], BLUE)
    # The cap's corner: only a square cap fills it.
    assert near(square[0, 15], WHITE) and near(round_[0, 15], BLUE) and near(butt[0, 15], BLUE)
    assert near(square[9, 104], WHITE) and near(round_[9, 104], BLUE) and near(butt[9, 104], BLUE)
    for row in (14, 25, 39, 50, 64, 75):  # nothing above or below the lines
        assert near(f[row, 60], BLUE), row


def _inside(point: tuple[float, float], corners: list[tuple[float, float]]) -> bool:
    """Ray casting: whether ``point`` is inside the polygon."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _edge_distance(point: tuple[float, float], corners: list[tuple[float, float]]) -> float:
    best = math.inf
    for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1], strict=True):
        dx, dy = x1 - x0, y1 - y0
        t = max(0.0, min(1.0, ((point[0] - x0) * dx + (point[1] - y0) * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(point[0] - x0 - t * dx, point[1] - y0 - t * dy))
    return best


def test_polygons_fill_what_is_inside_them(write_spec: SpecWriter) -> None:
    triangle = [(0, 60), (40, 0), (80, 60)]
    arrow = [(0, 10), (30, 10), (30, 0), (50, 20), (30, 40), (30, 30), (0, 30)]  # concave
    layers = shape(
        f"shape: polygon, points: {[list(p) for p in triangle]}, x: 10, y: 15, fill: red"
    )
    layers += shape(
        f"shape: polygon, points: {[list(p) for p in arrow]}, x: 100, y: 25, fill: white"
    )
    f = render(write_spec, scene(layers))
    checked = 0
    for corners, (ox, oy), color in ((triangle, (10, 15), RED), (arrow, (100, 25), WHITE)):
        placed = [(x + ox, y + oy) for x, y in corners]
        for row in range(90):
            for col in range(160):
                centre = (col + 0.5, row + 0.5)
                if _edge_distance(centre, placed) < 1.5:
                    continue  # antialiased edge pixels
                if not (ox - 2 <= col <= ox + 82 and oy - 2 <= row <= oy + 62):
                    continue
                expected = color if _inside(centre, placed) else BLUE
                assert near(f[row, col], expected), (corners[0], row, col, f[row, col])
                checked += 1
    assert checked > 3000


def test_opacity_blends_halfway(write_spec: SpecWriter) -> None:
    layers = shape("shape: rect, width: 40, height: 40, x: 20, y: 20, fill: white, opacity: 0.5")
    layers += shape('shape: rect, width: 40, height: 40, x: 100, y: 20, fill: "#ffffff80"')
    f = render(write_spec, scene(layers, background="#000000"))
    assert near(f[40, 40], (128, 128, 128), 4), f[40, 40]
    assert near(f[40, 120], (128, 128, 128), 4), f[40, 120]
    assert near(f[10, 10], BLACK, 3)


def test_a_gradient_fill_spans_the_box(write_spec: SpecWriter) -> None:
    body = (
        "shape: rect, width: 100, height: 40, x: 30, y: 25, "
        'fill: {colors: ["#ff0000", "#0000ff"], angle: 0}'
    )
    f = render(write_spec, scene(shape(body), background="#000000"))
    assert near(f[45, 30], RED, 8) and near(f[45, 129], BLUE, 8)
    assert near(f[45, 80], (128, 0, 128), 8), f[45, 80]
    assert near(f[45, 29], BLACK, 3) and near(f[45, 130], BLACK, 3)


def test_start_and_end_within_the_scene(write_spec: SpecWriter) -> None:
    layers = shape("shape: circle, width: 30, fill: white, start: 0.5, end: 1")
    out = render_spec(write_spec(HEAD + scene(layers, duration=1.5))).output
    shown = {n: near(frame(out, n)[45, 80], WHITE) for n in (0, 4, 5, 9, 10, 14)}
    assert shown == {0: False, 4: False, 5: True, 9: True, 10: False, 14: False}


def test_an_overlay_shows_at_absolute_times_at_its_own_size(write_spec: SpecWriter) -> None:
    text = (
        HEAD
        + """scenes:
  - {duration: 1, layers: [{type: color, color: black}]}
  - {duration: 1, layers: [{type: color, color: blue}]}
overlays:
  - {type: shape, shape: rect, width: 21, height: 11, x: 10, y: 10, fill: red, start: 0.5, end: 1.5}
"""
    )
    out = render_spec(write_spec(text)).output
    shown = {n: near(frame(out, n)[15, 20], RED) for n in (4, 5, 9, 10, 14, 15, 19)}
    assert shown == {4: False, 5: True, 9: True, 10: True, 14: True, 15: False, 19: False}
    f = frame(out, 12)
    # Columns 10..30, rows 10..20: an odd height is drawn as it is, not scaled to even.
    assert near(f[20, 30], RED) and near(f[10, 10], RED)
    assert near(f[21, 30], BLUE) and near(f[20, 31], BLUE) and near(f[9, 10], BLUE)


def test_a_still_is_the_frame_of_the_render(write_spec: SpecWriter, tmp_path: Path) -> None:
    from PIL import Image

    layers = shape(
        "shape: rect, width: 70, height: 40, radius: 12, x: 5, y: 5, fill: red, "
        "stroke: {color: white, width: 3}, fade_in: 0.5"
    )
    layers += shape(
        "shape: polygon, points: [[0, 30], [20, 0], [40, 30]], position: right, "
        "fill: {kind: radial, colors: [yellow, green]}, opacity: 0.7"
    )
    layers += shape("shape: line, points: [[5, 5], [100, 30]], position: bottom-left, cap: square")
    spec = write_spec(
        HEAD
        + scene(layers, duration=2)
        + "overlays:\n  - {type: shape, shape: ellipse, width: 31, height: 17, "
        "position: top-right, fill: cyan, start: 0.2, fade: 0.4}\n"
    )
    out = render_spec(spec).output
    for n in (3, 12):
        render_still(spec, (n + 0.25) / 10, tmp_path / f"still{n}.png")
        with Image.open(tmp_path / f"still{n}.png") as image:
            still = np.asarray(image.convert("RGB"), dtype=np.int16)
        whole = frame(out, n).astype(np.int16)
        assert int(np.abs(still - whole).max()) <= 3, n


def test_a_full_frame_opaque_rect_covers_the_frame(write_spec: SpecWriter) -> None:
    def covers(body: str) -> bool:
        spec = write_spec(HEAD + scene(shape(body)), name="covers.yaml")
        layer = prepare(spec).resolved.scenes[0].layers[1]
        return type_of(layer.spec).covers_frame(layer, "cover")

    assert covers("shape: rect, width: 160, height: 90, fill: green")
    assert covers("shape: rect, width: 200, height: 100, fill: {colors: [red, blue]}")
    assert not covers("shape: rect, width: 160, height: 90, fill: green, offset: [1, 0]")
    assert not covers("shape: rect, width: 160, height: 90, fill: green, radius: 4")
    assert not covers('shape: rect, width: 160, height: 90, fill: "#00ff0080"')
    assert not covers("shape: ellipse, width: 400, height: 400, fill: green")
    f = render(write_spec, scene(shape("shape: rect, width: 160, height: 90, fill: lime")))
    assert near(f[0, 0], GREEN) and near(f[89, 159], GREEN) and near(f[45, 80], GREEN)


def test_the_drawing_is_cached_by_content(write_spec: SpecWriter) -> None:
    body = "shape: circle, width: 20, fill: red"
    spec = write_spec(
        HEAD + scene(shape(body) + shape(body + ", x: 3") + shape("shape: circle, width: 21"))
    )
    _, a, b, c = prepare(spec).resolved.scenes[0].layers
    assert a.src == b.src and a.src != c.src and a.src.is_file()


def test_a_resolved_shape_travels_to_farm_workers(write_spec: SpecWriter, tmp_path: Path) -> None:
    """Workers get the resolved spec pickled, with its files renamed (engine.resolved)."""
    layers = shape("shape: ellipse, width: 30, height: 20, fill: red")
    overlay = "overlays:\n  - {type: shape, shape: circle, height: 9, fill: blue}\n"
    resolved = prepare(write_spec(HEAD + scene(layers) + overlay)).resolved
    assert pickle.loads(pickle.dumps(resolved)) == resolved
    moved = with_files(resolved, lambda path, kind, members: tmp_path / path.name)
    assert moved.scenes[0].layers[1].src == tmp_path / resolved.scenes[0].layers[1].src.name
    assert moved.overlays[0].image == tmp_path / resolved.overlays[0].image.name
    assert resolved.overlays[0].size == resolved.overlays[0].shown == (9, 9)


def reelspec(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "engine", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_bad_values_are_located_spec_errors(write_spec: SpecWriter) -> None:
    lines = [
        "shape: circle, width: 30, radius: 4",
        "shape: rect, width: 30",
        "shape: line, points: [[0, 0], [1, 1], [2, 2]]",
        "shape: line, points: [[3, 3], [3, 3]]",
        "shape: line, points: [[0, 0], [9, 9]], fill: red",
        "shape: polygon, points: [[0, 0], [5, -1], [9, 9]]",
        "shape: rect, width: 99999, height: 10",
        "shape: star, width: 3",
        "shape: rect, width: 3, height: 4, fill: {colors: [red]}",
        "shape: rect, width: 3, height: 4, stroke: {width: 0}",
        "shape: ellipse, width: 3, height: 4, cap: round",
        "shape: circle, width: 3, height: 4",
        "shape: polygon, points: " + str([[i, i % 7] for i in range(1001)]),
        "shape: rect, width: 3, height: 4, opacity: 1.5",
    ]
    spec = write_spec(HEAD + scene("".join(shape(b) for b in lines)), name="bad.yaml")
    result = reelspec("validate", spec)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    expected = [
        (8, "layers[1].radius: only a rect has a corner radius"),
        (9, "layers[2]: a rect needs a width and a height"),
        (10, "layers[3].points: a line has exactly two points (got 3)"),
        (11, "layers[4].points: a line's two points must differ"),
        (12, "layers[5].fill: a line has no fill"),
        (13, "layers[6].points[1][1]:"),
        (14, "layers[7].width:"),
        (15, "layers[8].shape: expected one of rect, circle, ellipse, line, polygon"),
        (16, "layers[9].fill.colors:"),
        (17, "layers[10].stroke.width:"),
        (18, "layers[11].cap: only a line has caps"),
        (19, "layers[12]: a circle's width and height are its diameter"),
        (20, "layers[13].points:"),
        (21, "layers[14].opacity:"),
    ]
    for line, text in expected:
        assert f"{spec}:{line}:" in result.stderr and f"scenes[0].{text}" in result.stderr, text
    # Too big to draw: found while resolving, for a layer and an overlay alike.
    big = write_spec(HEAD + scene(shape("shape: rect, width: 3000, height: 3000")), name="big.yaml")
    result = reelspec("validate", big)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"{big}:8:9: scenes[0].layers[1]: the shape would be drawn 3000x3000" in result.stderr
    text = (
        HEAD
        + scene("")
        + "overlays:\n  - {type: shape, shape: line, points: [[0, 0], [9000, 900]]}\n"
    )
    big = write_spec(text, name="big_overlay.yaml")
    result = reelspec("validate", big)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"{big}:9:5: overlays[0]: the shape would be drawn" in result.stderr
