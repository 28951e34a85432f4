"""Audio tracks and clip sound, measured: where it is loud, where it is silent, where it ends."""

from __future__ import annotations

import hashlib
import math
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from engine.pipeline import render_spec
from engine.proc.ffmpeg import ffmpeg_binary
from tests.conftest import SpecWriter
from tests.media import audio_samples, count_frames, probe, rms, stream_starts, tone_level

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


def test_a_trimmed_clip_in_a_later_scene_leaves_the_sound_before_it_alone(
    write_spec: SpecWriter,
) -> None:
    """Regression (issue 10): an input-seeked clip with sound after the first scene made the
    whole sound stream start at the clip (the README's showcase had no sound for 3 s)."""
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 1.5, layers: [{type: color, color: red}]}
  - {duration: 1, transition: {type: fade, duration: 0.5},
     layers: [{type: video, src: {assets}/clip.mp4, trim: {start: 0.5}}]}
  - {duration: 1.5, transition: {type: cut}, layers: [{type: color, color: blue}]}
audio:
  - {src: {assets}/long_tone.wav, volume: 0.5}
"""
    )
    out = render_spec(spec).output
    assert stream_starts(out) == {"video": 0.0, "audio": 0.0}
    samples = audio_samples(out)
    frames = count_frames(out)
    assert frames == 35  # 1.5 + 1 + 1.5 - 0.5 s at 10 fps
    assert len(samples) == frames * 4800
    # The music (330 Hz) is there from the first instant to the last.
    for t in (0.0, 0.5, 1.0, 2.0, 3.0, 3.3):
        assert tone_level(samples, 330, t, t + 0.2) == pytest.approx(0.25, rel=0.15), t
    # The clip's own 660 Hz tone only while its scene shows: 1.0 s to 2.0 s.
    assert tone_level(samples, 660, 0.2, 0.9) < 0.005
    assert tone_level(samples, 660, 1.6, 1.95) == pytest.approx(0.125, rel=0.15)
    assert tone_level(samples, 660, 2.1, 3.4) < 0.005


def test_the_same_spec_renders_to_the_same_bytes_every_time(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    """Regression (issue 10): clip sound mixed with looped music came out with a last AAC
    frame of 565 or 704 samples, about one render in three. Five renders, two of them while
    another render loads the machine, must give one file."""
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 1.3, layers: [{type: video, src: {assets}/clip.mp4, trim: {start: 0.3}}],
     narration: {text: "Same every time."}}
  - {duration: 1.2, transition: {type: fade, duration: 0.4},
     layers: [{type: video, src: {assets}/clip.mp4}]}
audio:
  - {src: {assets}/tone.wav, loop: true, volume: 0.4, duck: {depth: 6}}
"""
    )
    digests = set()
    for attempt in range(3):
        out = render_spec(spec, tmp_path / f"plain{attempt}.mp4").output
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    busy = write_spec(
        HEAD + "scenes:\n  - {duration: 20, layers: [{type: gradient, colors: [red, blue]}]}\n",
        "busy.yaml",
    )
    with ThreadPoolExecutor(max_workers=1) as pool:
        load = pool.submit(render_spec, busy, tmp_path / "busy.mp4")
        for attempt in range(2):
            out = render_spec(spec, tmp_path / f"loaded{attempt}.mp4").output
            digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
        load.result()
    assert len(digests) == 1


def test_a_clips_sound_fades_in_over_its_scenes_whole_transition(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    """A clip entering with a 0.1 s transition fades its sound in over 0.1 s, even where the
    transition is a frame and a half (15 fps) and the timeline rounds it to one frame. The
    scene starts at 1.1 - 0.1 = 1.0 s (frame 15); the ramp is the default crossfade curve,
    qsin (sin(πx/2) of the way x through it), so the 660 Hz tone is at sin(π/8), sin(π/4) and
    sin(3π/8) of its level 25, 50 and 75 ms in. (Regression from the issue 12 refactor, which
    briefly faded over the rounded frame: full level by 67 ms.)"""
    spec = write_spec(
        """version: 1
output: {path: out.mp4, size: 160x90, fps: 15, video: {codec: h264, preset: ultrafast}}
scenes:
  - {duration: 1.1, layers: [{type: color, color: red}]}
  - {duration: 1.0, transition: {type: fade, duration: 0.1},
     layers: [{type: video, src: {assets}/clip.mp4}]}
"""
    )
    samples = audio_samples(render_spec(spec, tmp_path / "out.mp4").output)
    full = tone_level(samples, 660, 1.3, 1.5)
    assert full > 0.05
    for offset, x in ((0.025, 0.25), (0.05, 0.5), (0.075, 0.75)):
        level = tone_level(samples, 660, 1.0 + offset - 0.01, 1.0 + offset + 0.01) / full
        assert abs(level - math.sin(math.pi * x / 2)) < 0.08, (offset, level)
