"""A crop window that moves, rendered and read back: every pixel of the source picture says
where it came from (red = its x, green = its y), so a frame shows which part of the picture
it was cut from. Expected windows come from the spec through tests/easing_reference.py and
docs/spec.md's rule: the window (fractions of the picture) is scaled to cover the frame,
centred on its centre."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.errors import SpecError
from engine.pipeline import prepare, render_spec
from tests.conftest import SpecWriter
from tests.easing_reference import keyframed
from tests.media import frame, run_ffmpeg

HEAD = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10,
         video: {codec: h264, preset: ultrafast, crf: 0, pix_fmt: yuv444p}}
"""
IW, IH = 1024, 576


def coordinates(path: Path) -> None:
    x = np.linspace(0, 255, IW).round().astype(np.uint8)
    y = np.linspace(0, 255, IH).round().astype(np.uint8)
    rgb = np.zeros((IH, IW, 3), np.uint8)
    rgb[:, :, 0] = x[None, :]
    rgb[:, :, 1] = y[:, None]
    Image.fromarray(rgb).save(path)


def source_of(pixel: np.ndarray) -> tuple[float, float]:
    """Where in the picture (fractions) a rendered pixel came from."""
    return float(pixel[0]) / 255, float(pixel[1]) / 255


def expected(window: dict[str, object], t: Fraction) -> tuple[float, float, float, float]:
    def value(name: str, default: float) -> float:
        v = window.get(name, default)
        return keyframed(v, t) if isinstance(v, list) else float(v)  # type: ignore[arg-type]

    return value("x", 0), value("y", 0), value("width", 1), value("height", 1)


def check(shown: np.ndarray, window: tuple[float, float, float, float]) -> None:
    """Same aspect as the frame: the frame's centre is the window's, its left and right
    edges the window's (within a few levels of the coordinate ramps)."""
    x, y, w, h = window
    centre = source_of(shown[45, 80])
    assert abs(centre[0] - (x + w / 2)) < 0.02 and abs(centre[1] - (y + h / 2)) < 0.02, (
        centre,
        window,
    )
    left, right = source_of(shown[45, 0])[0], source_of(shown[45, 159])[0]
    assert abs(left - x) < 0.02 and abs(right - (x + w)) < 0.02, (left, right, window)


def test_an_image_window_pans_and_zooms_on_its_keyframes(write_spec: SpecWriter) -> None:
    spec_path = write_spec(HEAD + "scenes: []\n")
    folder = spec_path.parent
    coordinates(folder / "coords.png")
    window = {
        "x": [[0, 0], [1, 0.5, "ease-in-out-cubic"]],
        "y": 0.25,
        "width": [[0, 0.5], [1, 0.25, "ease-out-quad"]],
        "height": [[0, 0.5], [1, 0.25, "ease-out-quad"]],
    }
    body = (
        "scenes:\n  - duration: 1.5\n    layers:\n"
        f"      - {{type: image, src: coords.png, crop: {json.dumps(window)}}}\n"
    )
    out = render_spec(write_spec(HEAD + body)).output
    for k in (0, 3, 5, 8, 10, 14):
        check(frame(out, k), expected(window, Fraction(k, 10)))


def test_a_late_image_layer_counts_its_keyframes_from_its_start(write_spec: SpecWriter) -> None:
    folder = write_spec(HEAD + "scenes: []\n").parent
    coordinates(folder / "coords.png")
    window = {"x": [[0, 0], [1, 0.5]], "width": 0.5, "height": 0.5}
    body = (
        "scenes:\n  - duration: 2\n    layers:\n      - {type: color, color: '#0000ff'}\n"
        f"      - {{type: image, src: coords.png, start: 0.5, crop: {json.dumps(window)}}}\n"
    )
    out = render_spec(write_spec(HEAD + body)).output
    for k in (5, 8, 12, 19):
        check(frame(out, k), expected(window, Fraction(k - 5, 10)))


def test_a_clip_window_moves_over_the_clip(write_spec: SpecWriter) -> None:
    folder = write_spec(HEAD + "scenes: []\n").parent
    coordinates(folder / "coords.png")
    run_ffmpeg(
        "-loop", "1", "-framerate", "10", "-t", "2", "-i", str(folder / "coords.png"),
        "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv444p",
        str(folder / "coords.mp4"),
    )  # fmt: skip
    window = {"x": [[0, 0.5], [2, 0, "ease-in-sine"]], "y": [[0, 0], [2, 0.5]], "width": 0.5,
              "height": 0.5}  # fmt: skip
    body = (
        "scenes:\n  - duration: 2\n    layers:\n"
        f"      - {{type: video, src: coords.mp4, crop: {json.dumps(window)}}}\n"
    )
    out = render_spec(write_spec(HEAD + body)).output
    for k in (0, 4, 10, 16, 19):
        check(frame(out, k), expected(window, Fraction(k, 10)))


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ("{type: image, src: coords.png, fit: none, crop: {width: 0.5}}", "full-frame picture"),
        ("{type: image, src: coords.png, zoom: {to: 1.2}, crop: {x: 0.1}}", "zoom or pan"),
        ("{type: image, src: coords.png, crop: {width: 0}}", "between 0.01 and 1"),
        ("{type: video, src: coords.png, width: 80, crop: {x: 0.1}}", "full-frame clip"),
    ],
)
def test_a_crop_window_where_it_cannot_be_is_a_located_error(
    write_spec: SpecWriter, layer: str, message: str
) -> None:
    body = f"scenes:\n  - duration: 1\n    layers:\n      - {layer}\n"
    path = write_spec(HEAD + body)
    coordinates(path.parent / "coords.png")
    with pytest.raises(SpecError) as raised:
        prepare(path)
    assert message in str(raised.value) and f"{path}:" in str(raised.value)
