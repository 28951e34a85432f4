"""Problems found before anything renders: files, media, impossible timings, limits."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from engine.errors import SpecError
from engine.pipeline import prepare
from engine.resolve.limits import Limits
from engine.resolve.resolver import resolve
from engine.spec.loader import load_spec
from tests.conftest import SpecWriter

HEAD = """version: 1
output: {path: out.mp4, size: 320x180, fps: 10}
"""


def problems(spec: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    return [str(issue) for issue in caught.value.issues]


def test_missing_and_unreadable_files_are_located(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - duration: 1
    layers:
      - {type: image, src: missing.png}
      - {type: image, src: {assets}/notmedia.png}
audio:
  - {src: {assets}/red.png}
"""
    )
    found = problems(spec)
    assert len(found) == 3, found
    assert found[0].startswith(f"{spec}:6:28: scenes[0].layers[0].src: file not found: ")
    assert "missing.png" in found[0]
    assert "scenes[0].layers[1].src: not a readable image: " in found[1]
    assert "audio[0].src: " in found[2] and "has no audio stream" in found[2]


def test_impossible_timings(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 1, layers: [{type: color}]}
  - duration: 1
    transition: {type: fade, duration: 1.5}
    layers: [{type: color}]
  - layers: [{type: color}]
overlays:
  - {type: text, text: late, start: 5}
  - {type: text, text: long, start: 0, end: 9}
"""
    )
    joined = "\n".join(problems(spec))
    assert "scenes[1].transition: transition of 1.5s is not shorter than the scenes" in joined
    assert "scenes[2]: scene needs a duration" in joined
    assert "overlays[0].start: overlay starts at 5s, after the video ends" in joined
    assert "overlays[1].end: overlay ends at 9s, past the end of the video" in joined


def test_a_transition_longer_than_the_scene_before_is_reported(write_spec: SpecWriter) -> None:
    # Regression: the message named the shorter scene's length as a Fraction, which Python
    # 3.11 cannot format with :g, so the user got a crash instead of the problem.
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 0.3, layers: [{type: color}]}
  - {duration: 2, transition: {type: fade, duration: 0.5}, layers: [{type: color}]}
"""
    )
    (problem,) = problems(spec)
    assert "transition of 0.5s is not shorter than the scenes it joins (0.3s)" in problem


def test_transitions_on_both_sides_must_fit_in_the_scene(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """defaults:
  transition: {type: fade, duration: 0.6}
scenes:
  - {duration: 2, layers: [{type: color}]}
  - {duration: 1, layers: [{type: color}]}
  - {duration: 2, layers: [{type: color}]}
"""
    )
    (message,) = problems(spec)
    assert "scenes[1]: the transitions into and out of this scene (0.6s + 0.6s)" in message


def test_trim_past_the_end_of_a_clip(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - layers: [{type: video, src: {assets}/clip.mp4, trim: {start: 5}}]
"""
    )
    assert "trim.start 5s is past the end of" in problems(spec)[0]


def test_limits_are_enforced_and_configurable(write_spec: SpecWriter) -> None:
    spec = write_spec(HEAD + "scenes:\n  - {duration: 100, layers: [{type: color}]}\n")
    loaded = load_spec(spec)
    with pytest.raises(SpecError, match=r"over the limit of 60s \(REELSPEC_MAX_DURATION\)"):
        resolve(loaded, Limits(max_duration=60))
    with pytest.raises(SpecError, match="exceeds the limit of 200 pixels"):
        resolve(loaded, Limits(max_side=200))
    assert resolve(loaded, Limits()).duration == 100


def test_unknown_font_is_a_spec_problem(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - duration: 1
    layers: [{type: text, text: hi, style: {font: No Such Family 123}}]
"""
    )
    (message,) = problems(spec)
    assert "scenes[0].layers[0].style.font: font family 'No Such Family 123' not found" in message


def test_timeline_places_scenes_with_overlaps(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """defaults:
  transition: {type: fade, duration: 0.5}
scenes:
  - {duration: 2, layers: [{type: color}]}
  - {duration: 2, layers: [{type: color}]}
  - {duration: 1, transition: {type: cut}, layers: [{type: color}]}
"""
    )
    resolved = prepare(spec).resolved
    assert [s.start for s in resolved.scenes] == [0, 1.5, 3.5]
    assert resolved.duration == 4.5 and resolved.frame_count == 45
    assert resolved.scenes[0].transition is None and resolved.scenes[2].transition is None


def test_printf_sequence_starts_at_the_lowest_number_and_stops_at_a_gap(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    from PIL import Image

    for number in (5, 6, 7, 9, 123):
        Image.new("RGB", (16, 16)).save(tmp_path / f"img_{number:04d}.png")
    Image.new("RGB", (16, 16)).save(tmp_path / "img_08.png")  # not %04d: not a frame
    spec = write_spec(
        HEAD + "scenes:\n  - layers: [{type: image_sequence, src: img_%04d.png, fps: 10}]\n"
    )
    layer = prepare(spec).resolved.scenes[0].layers[0]
    assert (layer.start_number, layer.frame_count, layer.length) == (5, 3, Fraction(3, 10))


def test_a_character_no_font_has_is_a_located_error(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - duration: 1
    layers: [{type: text, text: "a hieroglyph \\U00013000"}]
"""
    )
    (message,) = problems(spec)
    assert "scenes[0].layers[0].text: no font can draw '\U00013000' (U+13000)" in message
    assert "style.font" in message  # how to fix it


def test_a_frame_sized_gradient_is_drawn_in_bands_within_sensible_memory() -> None:
    """Regression (issue 11): an 8192x8192 gradient, within the limits, took 5-6 GB of float
    arrays; rows are now drawn a band at a time."""
    import subprocess
    import sys

    probe = (
        "from engine.resolve.gradient import draw_gradient\n"
        "image = draw_gradient(['#ff0000', '#0000ff'], 0, 'radial', 8192, 8192)\n"
        "assert image.getpixel((4096, 4096))[:3] == (255, 0, 0), image.getpixel((4096, 4096))\n"
        "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) < 800 * 1024  # kB: the picture itself is 256 MB
