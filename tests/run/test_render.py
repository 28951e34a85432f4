"""Real renders of small specs, probed and sampled: the picture is where the spec says."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine.pipeline import render_spec, render_still
from tests.conftest import SpecWriter
from tests.media import count_frames, frame, probe

FAST = "video: {codec: h264, preset: ultrafast, crf: 12}"


def near(pixel: np.ndarray, rgb: tuple[int, int, int], tol: int = 40) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - np.array(rgb)) <= tol))


def spec_head(path: str = "out.mp4", extra: str = "", fps: str = "10") -> str:
    return f"""version: 1
output: {{path: {path}, size: 320x180, fps: {fps}, {FAST}{extra}}}
"""


def test_fade_transition_timeline_and_pixels(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - {duration: 1, layers: [{type: color, color: red}]}
  - duration: 1
    transition: {type: fade, duration: 0.5}
    layers: [{type: color, color: blue}]
"""
    )
    result = render_spec(spec)
    info = probe(result.output)
    # 10 + 10 frames overlapping by 5.
    assert count_frames(result.output) == 15
    assert info.duration == pytest.approx(1.5, abs=0.1)
    assert (info.width, info.height, info.video_codec) == (320, 180, "h264")
    assert near(frame(result.output, 2)[90, 160], (255, 0, 0))
    assert near(frame(result.output, 14)[90, 160], (0, 0, 255))
    middle = frame(result.output, 7)[90, 160].astype(int)
    assert 60 < middle[0] < 200 and 60 < middle[2] < 200, middle  # a real mix of both


def test_cut_joins_scenes_back_to_back(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - {duration: 1, layers: [{type: color, color: red}]}
  - {duration: 0.5, layers: [{type: color, color: blue}]}
  - {duration: 1, layers: [{type: color, color: lime}]}
"""
    )
    out = render_spec(spec).output
    assert count_frames(out) == 25
    assert near(frame(out, 9)[90, 160], (255, 0, 0))
    assert near(frame(out, 10)[90, 160], (0, 0, 255))
    assert near(frame(out, 14)[90, 160], (0, 0, 255))
    assert near(frame(out, 15)[90, 160], (0, 255, 0))


def test_a_covering_layer_hides_the_layers_below_it(write_spec: SpecWriter) -> None:
    # Regression: the hidden layer's stream used to stay in the graph, unconnected, and
    # ffmpeg refused the whole graph.
    spec = write_spec(
        spec_head()
        + """scenes:
  - duration: 0.5
    layers:
      - {type: image, src: {assets}/quad.png}
      - {type: color, color: blue}
      - {type: text, text: "on top", position: top-left, style: {color: "#00ff00"}}
"""
    )
    result = render_spec(spec)
    assert "quad.png" not in " ".join(result.argv)
    image = frame(result.output, 2)
    assert near(image[150, 280], (0, 0, 255))


def test_wipe_transition_splits_the_frame(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - {duration: 1, layers: [{type: color, color: red}]}
  - duration: 1
    transition: {type: wipeleft, duration: 0.6}
    layers: [{type: color, color: blue}]
"""
    )
    out = render_spec(spec).output
    assert count_frames(out) == 14
    # Halfway through a wipe to the left, the new scene has taken the right half.
    mid = frame(out, 7)
    assert near(mid[90, 10], (255, 0, 0)) and near(mid[90, 310], (0, 0, 255))
    assert near(frame(out, 3)[90, 310], (255, 0, 0))


def test_overlay_position_timing_and_fade(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - {duration: 3, layers: [{type: color, color: black}]}
overlays:
  - {type: image, src: {assets}/logo.png, position: top-right, margin: 10, start: 1, end: 2.5,
     fade_in: 0.4}
"""
    )
    out = render_spec(spec).output
    assert count_frames(out) == 30
    inside = (30, 290)  # row, column inside the 40×40 logo at top-right with margin 10
    assert near(frame(out, 9)[inside], (0, 0, 0))
    assert near(frame(out, 15)[inside], (255, 255, 255))
    assert near(frame(out, 15)[90, 160], (0, 0, 0))  # only the corner changes
    fading = frame(out, 11)[inside].astype(int)  # 0.1 s into a 0.4 s fade
    assert 20 < fading.mean() < 200, fading
    assert near(frame(out, 25)[inside], (0, 0, 0))  # gone at end: 2.5 s


def test_text_layer_is_drawn_where_anchored(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - duration: 1
    layers:
      - {type: color, color: black}
      - {type: text, text: "█████", position: top-left, margin: 4,
         style: {size: 40, color: "#00ff00"}}
"""
    )
    out = render_spec(spec).output
    image = frame(out, 5)
    assert near(image[30, 30], (0, 255, 0))
    assert near(image[150, 280], (0, 0, 0))


@pytest.mark.parametrize(
    ("fit", "edge", "center"),
    [
        ("contain", (0, 0, 0), (0, 200, 0)),
        ("cover", (0, 200, 0), (0, 200, 0)),
        ("fill", (0, 200, 0), (0, 200, 0)),
    ],
)
def test_image_fits(
    write_spec: SpecWriter, fit: str, edge: tuple[int, int, int], center: tuple[int, int, int]
) -> None:
    spec = write_spec(
        spec_head()
        + f"""scenes:
  - duration: 0.5
    layers: [{{type: image, src: {{assets}}/green_square.png, fit: {fit}}}]
"""
    )
    image = frame(render_spec(spec).output, 2)
    assert near(image[90, 5], edge) and near(image[90, 160], center)


def test_blur_background_fills_the_bars(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - duration: 0.5
    layers: [{type: image, src: {assets}/green_square.png, fit: contain, background: blur}]
"""
    )
    image = frame(render_spec(spec).output, 2)
    assert image[90, 5, 1] > 100  # the bars show a blurred green copy, not black


def test_ken_burns_zoom_moves_towards_the_center(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - duration: 1
    layers: [{type: image, src: {assets}/quad.png, zoom: {from: 1, to: 3}}]
"""
    )
    out = render_spec(spec).output
    first, last = frame(out, 0), frame(out, 9)
    assert near(first[20, 20], (255, 0, 0))  # the whole picture at the start
    assert near(last[90, 160], (0, 0, 0))  # the black centre square fills the middle at 3×
    dark_first = (first.sum(axis=2) < 100).mean()
    dark_last = (last.sum(axis=2) < 100).mean()
    assert dark_last > 4 * dark_first


def test_video_scene_length_comes_from_the_clip_trim_and_speed(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - layers: [{type: video, src: {assets}/clip.mp4, trim: {start: 0.5}}]
  - layers: [{type: video, src: {assets}/clip.mp4, speed: 2, audio: false}]
"""
    )
    out = render_spec(spec).output
    assert count_frames(out) == 15 + 10  # 1.5 s, then 2 s at double speed
    info = probe(out)
    assert info.has_audio and info.duration == pytest.approx(2.5, abs=0.1)


def test_image_sequence_by_pattern_and_glob(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - layers: [{type: image_sequence, src: "{assets}/frames/f_%03d.png", fps: 5, fit: fill}]
  - layers: [{type: image_sequence, src: "{assets}/frames/*.png", fps: 10, fit: fill}]
"""
    )
    out = render_spec(spec).output
    assert count_frames(out) == 20 + 10
    first, later = frame(out, 0)[45, 80], frame(out, 19)[45, 80]
    assert later.mean() > first.mean() + 100  # the sequence brightens frame by frame


def test_rational_frame_rate(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head(fps="30000/1001")
        + """scenes:
  - {duration: 2, layers: [{type: color, color: white}]}
"""
    )
    out = render_spec(spec).output
    assert count_frames(out) == 60
    assert probe(out).fps == pytest.approx(29.97, abs=0.01)


def test_manifest_records_provenance(write_spec: SpecWriter) -> None:
    spec = write_spec(spec_head() + "scenes:\n  - {duration: 0.5, layers: [{type: color}]}\n")
    result = render_spec(spec)
    assert result.manifest is not None
    data = json.loads(result.manifest.read_text())
    assert data["frame_count"] == 5 and data["duration"] == 0.5
    assert len(data["spec_hash"]) == 64
    assert data["command"][-1] == str(result.output)
    assert data["ffmpeg"]["version"]


def test_outputs_get_ordinary_permissions(write_spec: SpecWriter) -> None:
    import os

    spec = write_spec(spec_head() + "scenes:\n  - {duration: 0.3, layers: [{type: color}]}\n")
    result = render_spec(spec)
    mask = os.umask(0)
    os.umask(mask)
    assert result.output.stat().st_mode & 0o777 == 0o666 & ~mask
    assert result.manifest is not None
    assert result.manifest.stat().st_mode & 0o777 == 0o666 & ~mask


def test_output_path_is_relative_to_the_spec(write_spec: SpecWriter, tmp_path: Path) -> None:
    spec = write_spec(
        spec_head(path="nested/dir/out.mp4")
        + "scenes:\n  - {duration: 0.3, layers: [{type: color}]}\n"
    )
    assert render_spec(spec).output == (tmp_path / "nested/dir/out.mp4").resolve()


def test_still_renders_the_frame_at_a_time(write_spec: SpecWriter, tmp_path: Path) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - {duration: 1, layers: [{type: color, color: red}]}
  - {duration: 1, layers: [{type: color, color: blue}]}
overlays:
  - {type: image, src: {assets}/logo.png, position: top-left, start: 1.5, end: 2}
"""
    )
    from PIL import Image

    render_still(spec, 1.6, tmp_path / "still.png")
    with Image.open(tmp_path / "still.png") as image:
        pixels = np.asarray(image.convert("RGB"))
    assert pixels.shape == (180, 320, 3)
    assert near(pixels[90, 160], (0, 0, 255)) and near(pixels[10, 10], (255, 255, 255))
    render_still(spec, 0.2, tmp_path / "early.png")
    with Image.open(tmp_path / "early.png") as image:
        assert near(np.asarray(image.convert("RGB"))[10, 10], (255, 0, 0))
