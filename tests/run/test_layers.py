"""More layer behaviour, rendered and sampled: gradients, pans, sprites, short clips."""

from __future__ import annotations

import numpy as np

from engine.pipeline import render_spec
from tests.conftest import SpecWriter
from tests.media import count_frames, frame, probe
from tests.run.test_render import near, spec_head


def test_linear_and_radial_gradients(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - {duration: 0.5, layers: [{type: gradient, colors: [red, blue], angle: 0}]}
  - {duration: 0.5, layers: [{type: gradient, kind: radial, colors: [white, black]}]}
"""
    )
    out = render_spec(spec).output
    linear, radial = frame(out, 2), frame(out, 7)
    assert near(linear[90, 2], (255, 0, 0), 30) and near(linear[90, 317], (0, 0, 255), 30)
    assert near(linear[90, 160], (128, 0, 128), 30)
    assert radial[90, 160].mean() > 220 and radial[2, 2].mean() < 40


def test_pan_moves_across_the_picture(write_spec: SpecWriter) -> None:
    # quad.png: red top-left, green top-right, blue bottom-left, white bottom-right.
    spec = write_spec(
        spec_head()
        + """scenes:
  - duration: 1
    layers:
      - {type: image, src: {assets}/quad.png, zoom: {from: 4, to: 4},
         pan: {from: [0, 0], to: [1, 1]}}
"""
    )
    out = render_spec(spec).output
    assert near(frame(out, 0)[90, 160], (255, 0, 0))
    assert near(frame(out, 9)[90, 160], (255, 255, 255))


def test_placed_image_with_width_opacity_and_scene_timing(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - duration: 2
    layers:
      - {type: color, color: black}
      - {type: image, src: {assets}/logo.png, fit: none, width: 80, position: bottom-left,
         opacity: 0.5, start: 1}
"""
    )
    out = render_spec(spec).output
    before, after = frame(out, 5), frame(out, 15)
    assert near(before[140, 40], (0, 0, 0))
    assert near(after[140, 40], (128, 128, 128), 25)  # half-transparent white
    assert near(after[140, 90], (0, 0, 0))  # 80 px wide, not 40 and not the full frame


def test_short_clip_holds_its_last_frame(write_spec: SpecWriter) -> None:
    spec = write_spec(
        spec_head()
        + """scenes:
  - duration: 3
    layers: [{type: video, src: {assets}/silent_clip.mp4, fit: fill}]
"""
    )
    out = render_spec(spec).output
    assert count_frames(out) == 30
    assert near(frame(out, 29)[90, 160], (255, 255, 0))
    assert not probe(out).has_audio  # a silent clip and no tracks: no audio stream


def test_text_with_filter_syntax_renders_as_text(write_spec: SpecWriter) -> None:
    tricky = r"""a:b\\c 'q' "d" [x];y,z %{pts} $(rm) 100%"""
    spec = write_spec(
        spec_head()
        + f"""scenes:
  - duration: 0.5
    layers:
      - {{type: color, color: black}}
      - {{type: text, text: '{tricky.replace("'", "''")}', style: {{size: 18}}}}
"""
    )
    image = frame(render_spec(spec).output, 2)
    lit = image.sum(axis=2) > 300
    _, cols = np.nonzero(lit)
    assert lit.sum() > 200 and cols.max() - cols.min() > 200  # one long drawn line
