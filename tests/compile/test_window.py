"""Any time window compiles on its own and shows the same frames as the whole render."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.compile.compiler import compile_plan
from engine.pipeline import prepare
from engine.run.render import render
from tests.conftest import SpecWriter
from tests.media import count_frames, frame

SPEC = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10, video: {codec: h264, preset: ultrafast, crf: 4}}
defaults:
  transition: {type: wipeleft, duration: 0.5}
scenes:
  - duration: 1.5
    layers: [{type: image, src: {assets}/quad.png, zoom: {from: 1, to: 2}}]
  - {duration: 1, layers: [{type: color, color: blue}]}
  - {duration: 1.5, transition: {type: cut}, layers: [{type: gradient, colors: [red, lime]}]}
overlays:
  - {type: image, src: {assets}/logo.png, position: center, start: 0.8, end: 3.2, fade: 0.4}
audio:
  - {src: {assets}/tone.wav, loop: true}
"""


def test_window_only_compiles_the_scenes_it_touches(write_spec: SpecWriter) -> None:
    resolved = prepare(write_spec(SPEC)).resolved
    assert resolved.frame_count == 35
    plan = compile_plan(resolved, (26, 30))
    assert plan.frame_count == 4
    assert "zoompan" not in plan.graph_text and "quad.png" not in " ".join(plan.argv())
    with pytest.raises(ValueError, match="empty window"):
        compile_plan(resolved, (50, 60))


@pytest.mark.parametrize("window", [(0, 12), (11, 23), (19, 35)])
def test_window_frames_match_the_full_render(
    write_spec: SpecWriter, tmp_path: Path, window: tuple[int, int]
) -> None:
    resolved = prepare(write_spec(SPEC)).resolved
    full = render(compile_plan(resolved), tmp_path / "full.mp4", write_manifest=False).output
    part = render(
        compile_plan(resolved, window), tmp_path / "part.mp4", write_manifest=False
    ).output
    first, count = window[0], window[1] - window[0]
    assert count_frames(part) == count
    for offset in range(count):
        a = frame(full, first + offset).astype(int)
        b = frame(part, offset).astype(int)
        assert np.abs(a - b).mean() < 4, f"frame {first + offset} differs"
