"""Clips that loop, play backwards or freeze on one frame, rendered and read back.

The clips are the conformance suite's: every frame shows its own number in binary stripes, so
which source frame each output frame shows is read from the pictures, and the expectation is
worked out from the spec alone (times, rates, trims), not from the engine."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.compile.clips import loop_samples, looped_sound
from engine.farm.render import farm_render
from engine.pipeline import render_spec, render_still
from tests.conformance.media import Catalogue, Clip, coded_frame, make_catalogue
from tests.conformance.observe import decode, read_code
from tests.media import audio_samples, probe, run_ffmpeg, tone_level

FPS = 25
HEAD = f"""version: 1
output: {{path: out.mp4, size: 96x54, fps: {FPS},
         video: {{codec: h264, preset: ultrafast, crf: 0}}}}
"""


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    return make_catalogue(tmp_path_factory.mktemp("coded"))


def clip(media: Catalogue, name: str) -> Clip:
    return next(c for c in media.clips if c.name == name)


def shown(
    source: Clip,
    n: int,
    trim: tuple[Fraction, Fraction] | None = None,
    speed: Fraction = Fraction(1),
    *,
    loop: bool = False,
    reverse: bool = False,
) -> int:
    """The source frame output frame ``n`` of a scene shows, from the spec's own terms: one
    pass is the trimmed clip's time at ``speed`` rounded to output frames; frame k of a pass is
    the source frame on screen at trim start + k / fps × speed; a loop starts the pass again
    every pass, a reversed pass counts k down, and a clip played once holds its last frame."""
    start, end = trim or (Fraction(0), source.length)
    passes = round((end - start) / speed * FPS)
    k = n % passes if loop else min(n, passes - 1)
    if reverse:
        k = passes - 1 - k
    at = start + Fraction(k, FPS) * speed
    return min(math.floor(at * source.fps), math.ceil(end * source.fps) - 1)


# One render holds every case, a scene each (cuts only, so no frame is a blend of two).
CASES = """scenes:
  - {duration: 2, layers: [{type: video, src: A, trim: {start: 0.4, end: 1.2}, loop: true}]}
  - {duration: 2, layers: [{type: video, src: D, trim: {start: 1, end: 2}, loop: true}]}
  - {duration: 1.5, layers: [{type: video, src: A, trim: {start: 0.4, end: 1.2}, speed: 2,
                              loop: true}]}
  - layers: [{type: video, src: A, trim: {start: 0.4, end: 1.2}, reverse: true}]
  - {duration: 1.2, layers: [{type: video, src: A, trim: {start: 0.4, end: 1.2}, reverse: true}]}
  - {duration: 2.4, layers: [{type: video, src: D, trim: {start: 1, end: 1.5}, speed: 0.5,
                              reverse: true, loop: true}]}
  - {duration: 0.4, layers: [{type: video, src: D, freeze: 2.26}]}
  - {duration: 0.4, layers: [{type: video, src: A, freeze: 1.01}]}
  - {duration: 0.4, layers: [{type: video, src: A, freeze: 1.03}]}
  - {duration: 0.4, layers: [{type: video, src: A, freeze: 1.99}]}
"""


def expected_cases(media: Catalogue) -> list[int]:
    """The source frame of every output frame of CASES, scene after scene."""
    a, d = clip(media, "clip_a"), clip(media, "clip_d")
    F = Fraction
    trim_a, half = (F(2, 5), F(6, 5)), F(1, 2)
    codes: list[int] = []
    codes += [shown(a, n, trim_a, loop=True) for n in range(50)]
    codes += [shown(d, n, (F(1), F(2)), loop=True) for n in range(50)]
    # 1.5 s from 4 s: frames 100 to round(137.5) = 138 (half to even).
    codes += [shown(a, n, trim_a, F(2), loop=True) for n in range(38)]
    # A reversed clip decides its scene's length as a forward one does: 0.8 s.
    codes += [shown(a, n, trim_a, reverse=True) for n in range(20)]
    codes += [shown(a, n, trim_a, reverse=True) for n in range(30)]
    codes += [shown(d, n, (F(1), F(3, 2)), half, loop=True, reverse=True) for n in range(60)]
    # Frozen: the source frame whose start is nearest the time, for the whole scene.
    codes += [round(F(226, 100) * d.fps)] * 10
    codes += [round(F(101, 100) * a.fps)] * 10 + [round(F(103, 100) * a.fps)] * 10
    # 1.99 s is nearest to frame 50, which a 50-frame clip does not have: its last is.
    codes += [min(round(F(199, 100) * a.fps), a.frames - 1)] * 10
    return codes


@pytest.fixture(scope="module")
def cases(media: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rendered CASES (``out.mp4`` beside the spec); the spec's path."""
    folder = tmp_path_factory.mktemp("cases")
    spec = folder / "spec.yaml"
    text = CASES.replace("src: A", f"src: {clip(media, 'clip_a').path}")
    spec.write_text(HEAD + text.replace("src: D", f"src: {clip(media, 'clip_d').path}"))
    render_spec(spec)
    return spec


@pytest.fixture(scope="module")
def frames(cases: Path) -> np.ndarray:
    return decode(cases.parent / "out.mp4").frames


def test_looped_reversed_and_frozen_clips_show_the_frames_the_spec_names(
    media: Catalogue, cases: Path, frames: np.ndarray
) -> None:
    expected = expected_cases(media)
    assert len(frames) == len(expected) == 50 + 50 + 38 + 20 + 30 + 60 + 40
    codes = [read_code(frame) for frame in frames]
    assert codes == expected
    # The plain facts, spelled out: a loop starts over after its last trimmed frame, a
    # reversed clip starts on its last trimmed frame and ends holding its first.
    assert codes[18:22] == [28, 29, 10, 11]
    assert codes[138:141] == [29, 28, 27] and codes[177:188] == [10] * 11
    assert codes[-40:] == [23] * 10 + [25] * 10 + [26] * 10 + [49] * 10
    # The clips that play keep their sound (a frozen one has none: see the sound test).
    assert probe(cases.parent / "out.mp4").has_audio


@pytest.mark.parametrize("n", [0, 20, 71, 120, 138, 185, 230, 252, 275, 285])
def test_a_still_is_the_frame_of_the_render(cases: Path, frames: np.ndarray, n: int) -> None:
    render_still(cases, float((n + Fraction(1, 4)) / FPS), cases.parent / f"still{n}.png")
    with Image.open(cases.parent / f"still{n}.png") as image:
        still = np.asarray(image.convert("RGB"), dtype=np.int16)
    whole = frames[n].astype(np.int16)
    assert read_code(still) == read_code(whole)
    assert int(np.abs(still - whole).max()) <= 3  # the YUV to RGB conversion, nothing more


# --- sound ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clip of 40 coded frames at 25 fps (1.6 s) whose sound is 440 Hz for its first 0.8 s
    and 880 Hz for the rest: which half of the clip is heard shows as which tone plays."""
    folder = tmp_path_factory.mktemp("steps")
    rate = 48000
    t = np.arange(round(1.6 * rate)) / rate
    tone = 0.3 * np.sin(2 * np.pi * np.where(t < 0.8, 440, 880) * t)
    with wave.open(str(folder / "steps.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.round(tone * 32767).astype("<i2").tobytes())
    raw = folder / "steps.rgb"
    raw.write_bytes(b"".join(coded_frame(n, (0, 128, 255), (96, 54)).tobytes() for n in range(40)))
    path = folder / "steps.mkv"
    run_ffmpeg(
        *("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "96x54", "-framerate", "25"),
        *("-i", str(raw), "-i", str(folder / "steps.wav")),
        *("-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-c:a", "pcm_s16le"),
        str(path),
    )
    return path


def test_a_looped_clip_s_sound_repeats_with_its_pictures(steps: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        HEAD
        + f"""scenes:
  - {{duration: 4, layers: [{{type: video, src: {steps}, loop: true}}]}}
  - layers: [{{type: video, src: {steps}, reverse: true}}]
  - {{duration: 0.8, layers: [{{type: video, src: {steps}, freeze: 0.49}}]}}
"""
    )
    out = render_spec(spec).output
    decoded = decode(out)
    codes = [read_code(frame) for frame in decoded.frames]
    assert codes[:100] == [n % 40 for n in range(100)]
    assert codes[100:140] == list(range(39, -1, -1))
    assert codes[140:] == [round(0.49 * 25)] * 20
    sound = audio_samples(out)
    assert len(sound) == 160 * 48000 // FPS

    def level(freq: int, t0: float, t1: float) -> float:
        return tone_level(sound, freq, t0, t1)

    # Looped (a pass is 40 frames, 1.6 s): each tone where its half of the clip shows, and
    # the switch from the end back to the start exactly where the pictures start over.
    halves = [(0, 440), (0.8, 880), (1.6, 440), (2.4, 880), (3.2, 440)]
    for start, freq in halves:
        other = 1320 - freq
        assert level(freq, start + 0.1, start + 0.7) > 0.25, (start, freq)
        assert level(other, start + 0.1, start + 0.7) < 0.01, (start, freq)
    for boundary in (1.6, 3.2):
        assert level(880, boundary - 0.05, boundary - 0.005) > 0.2
        assert level(440, boundary - 0.05, boundary - 0.005) < 0.03
        assert level(440, boundary + 0.005, boundary + 0.05) > 0.2
        assert level(880, boundary + 0.005, boundary + 0.05) < 0.03
    # Reversed: the second half's tone first.
    assert level(880, 4.1, 4.7) > 0.25 and level(440, 4.1, 4.7) < 0.01
    assert level(440, 4.9, 5.5) > 0.25 and level(880, 4.9, 5.5) < 0.01
    # Frozen: no sound from the clip.
    assert level(440, 5.7, 6.3) < 0.002 and level(880, 5.7, 6.3) < 0.002


@pytest.mark.parametrize(
    ("rate", "fps", "pass_frames", "first_frame"),
    [
        (44100, Fraction(24), 25, 7),
        (48000, Fraction(30000, 1001), 7, 3),
        (48000, Fraction(25), 20, 50),
    ],
)
def test_each_repetition_of_looped_sound_starts_on_the_sample_of_its_first_frame(
    rate: int, fps: Fraction, pass_frames: int, first_frame: int
) -> None:
    """A pass of 25 frames at 24 fps is 45937.5 samples at 44.1 kHz: the loop must neither
    drift from the pictures nor leave gaps. A marked pass (first sample 0.9, last 0.5, the rest
    0.1) is looped by the engine's filters and every repetition found in the result."""
    samples = loop_samples(pass_frames, fps, rate)
    mark = f"if(eq(n,0),0.9,if(eq(n,{samples - 1}),0.5,0.1))"
    repetitions = 30
    starts = [
        round(Fraction(first_frame + k * pass_frames) / fps * rate) for k in range(repetitions + 1)
    ]
    length = starts[-1] - starts[0]
    chain = [
        f"aevalsrc=exprs='{mark}':s={rate}:d={samples / rate + 1}",
        f"aformat=sample_fmts=fltp:channel_layouts=mono,atrim=end_sample={samples}",
        *(str(step) for step in looped_sound(first_frame, pass_frames, fps, rate)),
        f"atrim=end_sample={length}",
    ]
    raw = run_ffmpeg("-filter_complex", ",".join(chain), "-f", "f32le", "-c:a", "pcm_f32le", "-")
    out = np.frombuffer(raw, np.float32)
    assert len(out) == length
    places = [start - starts[0] for start in starts]
    for k in range(repetitions):
        a, b = places[k], places[k + 1]
        # Its start: its own first sample, or (where two repetitions overlap by the sample
        # the pictures' time rounds away) the last of the one before.
        whole = k == 0 or a - places[k - 1] == samples
        assert out[a] == pytest.approx(0.9 if whole else 0.5), k
        assert np.allclose(out[a + 1 : b - 1], 0.1), k
        assert out[b - 1] == pytest.approx(0.5 if b - a == samples else 0.1), k
    assert not np.any(np.abs(out) < 0.05)  # no gap of silence anywhere


# --- through a frame model --------------------------------------------------------------------


def test_a_looped_reversed_clip_goes_through_a_frame_model_in_its_place(
    media: Catalogue, tmp_path: Path
) -> None:
    """The model's own decoder turns and repeats the pass as the graph does; a still (a window
    of one frame, late in the loop) decodes the pass from its start and picks the same frame."""
    from engine.gan.tf import require

    _, keras = require()
    image = keras.Input((None, None, 3))
    conv = keras.layers.Conv2D(3, 1, use_bias=False)
    same = keras.Model(image, conv(image))
    conv.set_weights([np.eye(3, dtype="float32").reshape(1, 1, 3, 3)])  # the picture as it is
    same.save(tmp_path / "same.keras")
    d = clip(media, "clip_d")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        HEAD
        + f"""scenes:
  - {{duration: 2.4, layers: [{{type: video, src: {d.path}, trim: {{start: 1, end: 1.5}},
       speed: 0.5, reverse: true, loop: true,
       model: {{path: {tmp_path / "same.keras"}, value_range: sigmoid}}}}]}}
"""
    )
    frames = decode(render_spec(spec).output).frames
    expected = [
        shown(d, n, (Fraction(1), Fraction(3, 2)), Fraction(1, 2), loop=True, reverse=True)
        for n in range(60)
    ]
    assert [read_code(frame) for frame in frames] == expected
    for n in (37, 59):
        render_still(spec, float((n + Fraction(1, 4)) / FPS), tmp_path / "still.png")
        with Image.open(tmp_path / "still.png") as picture:
            assert read_code(np.asarray(picture.convert("RGB"))) == expected[n]


# --- farm -------------------------------------------------------------------------------------


def test_a_farm_render_of_looped_clips_is_the_local_render(
    media: Catalogue, tmp_path: Path
) -> None:
    """Each chunk compiles its window of frames on its own: the looped and reversed frames it
    picks depend only on their absolute numbers, so the joined chunks are the whole render."""
    a, d = clip(media, "clip_a").path, clip(media, "clip_d").path
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        HEAD
        + f"""scenes:
  - {{duration: 1.8,
     layers: [{{type: video, src: {a}, trim: {{start: 0.4, end: 1.2}}, loop: true}}]}}
  - {{duration: 1.2, transition: {{type: fade, duration: 0.4}},
     layers: [{{type: video, src: {d}, trim: {{start: 1, end: 1.5}}, reverse: true, loop: true}}]}}
"""
    )
    local = decode(render_spec(spec, tmp_path / "local.mp4").output)
    farmed = decode(farm_render(spec, tmp_path / "farm.mp4", chunks=2, workers=1).output)
    assert len(local.frames) == 65  # 45 + 30 frames, less the 10 they share
    assert np.array_equal(farmed.frames, local.frames)  # lossless: the very same pixels
    assert local.audio is not None and farmed.audio is not None
    assert np.array_equal(farmed.audio, local.audio)
    # The chunks split the first scene mid-pass (frame 33 of 65): both halves loop in place
    # (up to frame 35, where the fade into the next scene begins).
    assert [read_code(frame) for frame in farmed.frames[:35]] == [
        shown(clip(media, "clip_a"), n, (Fraction(2, 5), Fraction(6, 5)), loop=True)
        for n in range(35)
    ]


# --- mistakes ---------------------------------------------------------------------------------


def reelspec(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_impossible_clip_options_are_located_errors(media: Catalogue, tmp_path: Path) -> None:
    a = clip(media, "clip_a").path  # 2 s, 50 frames of 96x54
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        HEAD
        + f"""scenes:
  - {{duration: 1, layers: [{{type: video, src: {a}, freeze: 2}}]}}
  - {{duration: 1, layers: [{{type: video, src: {a}, freeze: 0.5, loop: true, speed: 2}}]}}
  - layers: [{{type: video, src: {a}, trim: {{end: 0.4}}, loop: true}}]
  - {{duration: 1, layers: [{{type: video, src: {a}, reverse: true}}]}}
"""
    )
    # 50 frames of 96x54 are 259,200 pixels.
    result = reelspec("validate", str(spec), env={"REELSPEC_MAX_HELD_PIXELS": "250000"})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    err = result.stderr
    assert f"{spec}:5:" in err and "scenes[0].layers[0].freeze: freeze 2s is past the end" in err
    assert "scenes[1].layers[0].loop: freeze shows one frame of the whole clip" in err
    assert "scenes[1].layers[0].speed: freeze shows one frame" in err
    assert "scenes[2]: scene needs a duration" in err and "a looped or frozen video" in err
    assert "scenes[3].layers[0].reverse: reverse holds one pass of the clip in memory" in err
    assert "50 frames of 96x54 (259,200 pixels)" in err and "REELSPEC_MAX_HELD_PIXELS" in err
    # Within the limit, the same reversed clip is fine.
    spec.write_text(HEAD + f"scenes:\n  - layers: [{{type: video, src: {a}, reverse: true}}]\n")
    assert (
        reelspec("validate", str(spec), env={"REELSPEC_MAX_HELD_PIXELS": "259200"}).returncode == 0
    )


def test_malformed_clip_options_are_located_errors(media: Catalogue, tmp_path: Path) -> None:
    a = clip(media, "clip_a").path
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        HEAD
        + f"""scenes:
  - {{duration: 1, layers: [{{type: video, src: {a}, freeze: -1, loop: often}}]}}
"""
    )
    result = reelspec("render", str(spec))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "scenes[0].layers[0].freeze" in result.stderr
    assert "scenes[0].layers[0].loop" in result.stderr
    assert not (tmp_path / "out.mp4").exists()
