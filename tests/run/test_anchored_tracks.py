"""Tracks anchored to a scene or a layer (sound effects), rendered and measured: each is heard
from the sample where its scene's first frame (or its layer's) begins, and follows the scene
when the scenes before it change. Expectations are worked out here from the spec's own
numbers: scene i starts at S(i) = S(i-1) + D(i-1) - T(i), its first frame is round(S·fps),
and the sound begins at round((frame ÷ fps + offset) × rate)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from engine.pipeline import prepare, render_spec
from tests.conftest import SpecWriter
from tests.media import audio_samples, rms, tone_level

FPS = Fraction(12)
RATE = 48000
#: One millisecond of sound.
MS = RATE // 1000
#: PCM in Matroska: the sound comes back sample for sample, so an onset is measured exactly.
HEAD = """version: 1
output: {path: out.mkv, size: 160x90, fps: 12, video: {codec: h264, preset: ultrafast},
         audio: {codec: pcm}}
"""


def first_frames(scenes: list[tuple[str, str | None]]) -> list[int]:
    """Each scene's first frame, from its (duration, incoming transition) as written."""
    frames, start, previous = [], Fraction(0), Fraction(0)
    for index, (duration, transition) in enumerate(scenes):
        if index:
            start += previous - Fraction(transition or 0)
        frames.append(round(start * FPS))
        previous = Fraction(duration)
    return frames


def sample_of(frame: int, offset: str = "0") -> int:
    return round((Fraction(frame) / FPS + Fraction(offset)) * RATE)


def onset(samples: np.ndarray, after: int = 0, threshold: float = 0.01) -> int:
    """The first sample from ``after`` on where anything sounds."""
    loud = np.flatnonzero(np.abs(samples[after:]) > threshold)
    assert len(loud), "nothing sounds"
    return after + int(loud[0])


def spec_text(first: str, transition: str, extra_scene0: str = "") -> str:
    return (
        HEAD
        + f"""scenes:
  - {{duration: {first}, {extra_scene0}layers: [{{type: color, color: red}}]}}
  - {{name: middle, duration: 1.05, transition: {{type: fade, duration: {transition}}},
     layers: [{{type: color}}]}}
  - {{name: last, duration: 1.5, layers: [{{type: color, color: blue}}]}}
audio:
  - {{src: {{assets}}/tone.wav, at: {{scene: 2}}}}
  - {{src: {{assets}}/long_tone.wav, at: {{scene: middle, offset: 0.25}}, trim: {{end: 0.3}}}}
"""
    )


def test_a_track_anchored_to_a_scene_starts_on_its_first_frame(write_spec: SpecWriter) -> None:
    out = render_spec(write_spec(spec_text("1.3", "0.4"))).output
    samples = audio_samples(out)
    frames = first_frames([("1.3", None), ("1.05", "0.4"), ("1.5", None)])
    assert frames == [0, 11, 23]  # 0.9 s and 1.95 s at 12 fps
    total = round(Fraction(round((Fraction("3.45")) * FPS)) / FPS * RATE)
    assert len(samples) == total
    # By name with an offset: 0.3 s of the 330 Hz tone from 0.25 s after scene 1's first frame.
    named = sample_of(frames[1], "0.25")
    assert abs(onset(samples) - named) <= MS
    assert rms(samples, 0, (named - MS) / RATE) == 0.0
    assert tone_level(samples, 330, named / RATE + 0.01, named / RATE + 0.29) == pytest.approx(
        0.5, rel=0.05
    )
    # By index: the 440 Hz tone from scene 2's first frame, silent before it.
    third = sample_of(frames[2])
    assert abs(onset(samples, named + RATE * 3 // 10 + MS) - third) <= MS
    assert tone_level(samples, 440, 0, (third - MS) / RATE) < 0.002
    assert tone_level(samples, 440, third / RATE + 0.01, third / RATE + 0.95) == pytest.approx(
        0.5, rel=0.05
    )


def test_an_anchored_track_follows_its_scene_when_earlier_scenes_change(
    write_spec: SpecWriter,
) -> None:
    # A longer first scene and a longer transition move both anchors; a silent narration that
    # decides the first scene's length moves them by however long the speech is.
    narrated = 'narration: {text: "A few words first.", volume: 0, padding: 0.3}, '
    variants = {
        "longer": spec_text("2.2", "0.6"),
        "narrated": spec_text("2.2", "0.6", narrated).replace("duration: 2.2, ", ""),
    }
    for name, text in variants.items():
        spec = write_spec(text, name=f"{name}.yaml")
        if name == "narrated":
            spoken = prepare(spec).resolved.scenes[0].narration
            assert spoken is not None
            first = spoken.length + Fraction("0.3")
        else:
            first = Fraction("2.2")
        frames = first_frames([(str(first), None), ("1.05", "0.6"), ("1.5", None)])
        samples = audio_samples(render_spec(spec, spec.parent / f"{name}.mkv").output)
        named = sample_of(frames[1], "0.25")
        third = sample_of(frames[2])
        assert abs(onset(samples) - named) <= MS, name
        assert abs(onset(samples, named + RATE * 3 // 10 + MS) - third) <= MS, name
        assert tone_level(samples, 440, 0, (third - MS) / RATE) < 0.002, name
    assert frames != first_frames([("1.3", None), ("1.05", "0.4"), ("1.5", None)])


def test_a_track_anchored_to_a_layer_starts_when_the_layer_shows(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 1.3, layers: [{type: color, color: red}]}
  - duration: 1.5
    transition: {type: fade, duration: 0.4}
    layers:
      - {type: color}
      - {type: text, text: "Now", start: 0.45, fade_in: 0.2}
audio:
  - {src: {assets}/tone.wav, at: {scene: 1, layer: 1, offset: 0.05}}
"""
    )
    samples = audio_samples(render_spec(spec).output)
    scene = Fraction("0.9")
    shows = round((scene + Fraction("0.45")) * FPS)  # the layer's first frame: 16
    assert shows == 16
    expected = sample_of(shows, "0.05")
    assert abs(onset(samples) - expected) <= MS
    assert rms(samples, 0, (expected - MS) / RATE) == 0.0
    assert tone_level(samples, 440, expected / RATE + 0.01, expected / RATE + 0.9) == (
        pytest.approx(0.5, rel=0.05)
    )


def test_an_anchored_track_keeps_its_trim_loop_volume_and_fades(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 1.3, layers: [{type: color, color: red}]}
  - {duration: 2.5, transition: {type: fade, duration: 0.4}, layers: [{type: color}]}
audio:
  - {src: {assets}/long_tone.wav, at: {scene: 1}, trim: {start: 1, end: 1.5}, loop: true,
     volume: 0.5, fade_in: 0.2, fade_out: 0.3}
"""
    )
    out: Path = render_spec(spec).output
    samples = audio_samples(out)
    start = sample_of(first_frames([("1.3", None), ("2.5", "0.4")])[1]) / RATE
    end = len(samples) / RATE
    assert end == pytest.approx(3.4167, abs=0.001)  # 41 frames at 12 fps
    assert rms(samples, 0, start - 0.001) == 0.0
    full = tone_level(samples, 330, start + 0.3, start + 1.3)
    assert full == pytest.approx(0.25, rel=0.05)  # amplitude 0.5 at volume 0.5
    assert tone_level(samples, 330, start, start + 0.1) < 0.6 * full  # fading in
    # Looped past the half second it was trimmed to, to the video's end, fading out there.
    assert tone_level(samples, 330, end - 1.0, end - 0.4) == pytest.approx(full, rel=0.05)
    assert rms(samples, end - 0.08, end) < 0.3 * rms(samples, end - 1.0, end - 0.4)
