"""Anchors of audio tracks that name nothing, or a place outside the video: located errors,
all reported at once, exit code 2 and no traceback from the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.errors import SpecError
from engine.pipeline import prepare
from tests.conftest import SpecWriter

HEAD = """version: 1
output: {path: out.mp4, size: 320x180, fps: 10}
scenes:
  - {name: intro, duration: 1, layers: [{type: color}]}
  - {name: middle, duration: 1, layers: [{type: color}, {type: text, text: hi, start: 0.5}]}
  - {name: middle, duration: 1, layers: [{type: color}]}
audio:
"""


def problems(spec: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    return [str(issue) for issue in caught.value.issues]


def at(spec: Path, line: int, token: str) -> str:
    """``file:line:column`` of the first ``token`` on that line of the spec."""
    text = spec.read_text(encoding="utf-8").splitlines()[line - 1]
    return f"{spec}:{line}:{text.index(token) + 1}"


def test_anchors_that_name_nothing_are_located(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """  - {src: {assets}/tone.wav, at: {scene: intr}}
  - {src: {assets}/tone.wav, at: {scene: 3}}
  - {src: {assets}/tone.wav, at: {scene: 1, layer: 2}}
  - {src: {assets}/tone.wav, at: {scene: middle}}
  - {src: {assets}/tone.wav, at: {scene: 0, offset: -0.5}}
  - {src: {assets}/tone.wav, at: {scene: 2, offset: 1.5}}
"""
    )
    found = problems(spec)
    assert found == [
        f"{at(spec, 8, 'intr')}: audio[0].at.scene: no scene is named 'intr'; "
        "did you mean 'intro'? (the named scenes: 'intro', 'middle', 'middle')",
        f"{at(spec, 9, '3}')}: audio[1].at.scene: there is no scene 3: "
        "the spec has 3 scenes, counted from 0",
        f"{at(spec, 10, '2}')}: audio[2].at.layer: scene 1 has 2 layers "
        "(counted from 0); there is no layer 2",
        f"{at(spec, 11, 'middle')}: audio[3].at.scene: scenes 1, 2 are all named "
        "'middle'; name the one you mean by its index",
        f"{at(spec, 12, '-0.5')}: audio[4].at.offset: the track anchored here starts "
        "at -0.5s, 0.5s before the video begins",
        f"{at(spec, 13, '{scene')}: audio[5].at: the track anchored here starts at "
        "3.5s, after the video ends (3s)",
    ]


def test_start_and_at_together_are_refused(write_spec: SpecWriter) -> None:
    spec = write_spec(HEAD + "  - {src: {assets}/tone.wav, start: 1, at: {scene: 1}}\n")
    (found,) = problems(spec)
    assert found == (
        f"{at(spec, 8, '{src')}: audio[0]: a track starts either at a time (start) "
        "or at a scene or layer (at), not both"
    )


def test_a_scene_index_is_a_number_and_a_name_is_text(write_spec: SpecWriter) -> None:
    spec = write_spec(HEAD + '  - {src: {assets}/tone.wav, at: {scene: "1"}}\n')
    (found,) = problems(spec)
    assert "audio[0].at.scene: no scene is named '1'" in found
    spec = write_spec(HEAD + "  - {src: {assets}/tone.wav, at: {scene: 1.5}}\n", "float.yaml")
    (found,) = problems(spec)
    assert "audio[0].at.scene: " in found


def test_a_bad_anchor_exits_2_without_a_traceback(write_spec: SpecWriter) -> None:
    spec = write_spec(HEAD + "  - {src: {assets}/tone.wav, at: {scene: midle}}\n")
    result = subprocess.run(
        [sys.executable, "-m", "engine", "render", str(spec)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert f"{at(spec, 8, 'midle')}: audio[0].at.scene: no scene is named 'midle'" in result.stderr
    assert "did you mean 'middle'?" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (spec.parent / "out.mp4").exists()
