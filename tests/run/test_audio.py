"""Audio tracks and clip sound, measured: where it is loud, where it is silent, where it ends."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from engine.pipeline import render_spec
from engine.run.ffmpeg import ffmpeg_binary
from tests.conftest import SpecWriter
from tests.media import audio_samples, count_frames, probe, rms

HEAD = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10, video: {codec: h264, preset: ultrafast}}
"""


def test_looped_music_fills_the_video_and_ends_with_it(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 3.5, layers: [{type: color}]}
audio:
  - {src: {assets}/tone.wav, loop: true, volume: 0.8}
"""
    )
    out = render_spec(spec).output
    info = probe(out)
    assert info.has_audio and info.audio_codec == "aac" and info.sample_rate == 48000
    samples = audio_samples(out)
    assert len(samples) / 48000 == pytest.approx(3.5, abs=0.05)
    for start in (0.2, 1.2, 2.2, 3.1):  # the 1 s tone repeats all the way
        assert rms(samples, start, start + 0.2) > 0.2


def test_start_offset_fades_and_volume(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 4, layers: [{type: color}]}
audio:
  - {src: {assets}/long_tone.wav, start: 1, fade_in: 1, fade_out: 1, volume: 0.5}
"""
    )
    samples = audio_samples(render_spec(spec).output)
    assert rms(samples, 0.05, 0.95) < 0.005  # silent before the track starts
    rising, full = rms(samples, 1.0, 1.3), rms(samples, 2.2, 2.7)
    assert full == pytest.approx(0.5 * 0.5 / 2**0.5, rel=0.1)  # amplitude 0.5 at volume 0.5
    assert rising < 0.5 * full
    assert rms(samples, 3.85, 4.0) < 0.3 * full  # fading out as the video ends


def test_trimmed_track_plays_once_then_silence(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 3, layers: [{type: color}]}
audio:
  - {src: {assets}/long_tone.wav, trim: {start: 2, end: 3}}
"""
    )
    samples = audio_samples(render_spec(spec).output)
    assert len(samples) / 48000 == pytest.approx(3.0, abs=0.05)
    assert rms(samples, 0.1, 0.9) > 0.2
    assert rms(samples, 1.2, 2.9) < 0.005


def test_clip_audio_is_placed_at_its_scene_and_mixed(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 1, layers: [{type: color}]}
  - layers: [{type: video, src: {assets}/clip.mp4}]
"""
    )
    out = render_spec(spec).output
    assert count_frames(out) == 30
    samples = audio_samples(out)
    assert len(samples) / 48000 == pytest.approx(3.0, abs=0.05)
    assert rms(samples, 0.1, 0.9) < 0.005
    assert rms(samples, 1.3, 2.8) > 0.06  # the clip's sine is at 1/8 amplitude: rms 0.088


def test_dropped_clip_audio_and_no_audio_output(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD + "scenes:\n  - layers: [{type: video, src: {assets}/clip.mp4, audio: false}]\n"
    )
    assert not probe(render_spec(spec).output).has_audio
    spec = write_spec(
        HEAD.replace("preset: ultrafast}", "preset: ultrafast}, audio: null")
        + "scenes:\n  - layers: [{type: video, src: {assets}/clip.mp4}]\n"
        + "audio:\n  - {src: {assets}/tone.wav}\n",
        name="quiet.yaml",
    )
    info = probe(render_spec(spec).output)
    assert info.has_video and not info.has_audio


def test_music_ducks_under_narration_by_the_depth_and_comes_back(write_spec: SpecWriter) -> None:
    # A silent narration (volume 0) keeps its timing, so what is measured is the music alone.
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 1.5, layers: [{type: color}]}
  - narration: {text: "This is the voice over the music.", volume: 0, padding: 1.5}
    layers: [{type: color}]
audio:
  - {src: {assets}/long_tone.wav, duck: {depth: 12, attack: 0.2, release: 0.5}}
"""
    )
    from engine.pipeline import prepare

    resolved = prepare(spec).resolved
    spoken = resolved.scenes[1].narration
    assert spoken is not None
    samples = audio_samples(render_spec(spec).output)
    start, end = resolved.scenes[1].start, resolved.scenes[1].start + spoken.length
    before = rms(samples, 0.2, start - 0.4)
    under = rms(samples, start + 0.1, end - 0.1)
    after = rms(samples, end + 0.7, resolved.duration - 0.1)
    assert 20 * np.log10(before / under) >= 12 - 0.5
    assert after == pytest.approx(before, rel=0.05)


def test_loudness_normalisation_reaches_the_target(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD.replace("preset: ultrafast}", "preset: ultrafast}, audio: {loudness: -23}")
        + """scenes:
  - {duration: 4, layers: [{type: color}]}
audio:
  - {src: {assets}/long_tone.wav, volume: 0.3}
"""
    )
    out = render_spec(spec).output
    report = subprocess.run(
        [
            ffmpeg_binary(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(out),
            "-map",
            "0:a",
            "-af",
            "ebur128",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
    ).stderr
    integrated = float(report.rsplit("I:", 1)[1].split("LUFS")[0])
    assert integrated == pytest.approx(-23, abs=1.0)
    assert probe(out).sample_rate == 48000
