"""Files of sound alone (.mp3, .m4a, .wav, .flac, .ogg, .opus): the whole timeline's mix, as
long as the video would be to the sample, in the container's own codec, with no picture made.
Expectations come from the spec: frames = round(length × fps), samples = round(frames ÷ fps
× rate), and each sound where the spec puts it."""

from __future__ import annotations

import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from engine.farm.package import make_portable
from engine.farm.render import farm_render
from engine.farm.worker import render_chunk
from engine.pipeline import prepare, render_spec
from engine.run.render import render
from tests.conftest import SpecWriter
from tests.media import audio_samples, probe, tone_level

RATE = 48000
FPS = Fraction(12)
#: 1.3 s + 1.55 s - 0.4 s of transition = 2.45 s: 29 frames at 12 fps.
FRAMES = round(Fraction("2.45") * FPS)
SAMPLES = round(Fraction(FRAMES) / FPS * RATE)

BODY = """scenes:
  - {duration: 1.3, layers: [{type: color, color: red}, {type: text, text: "Title"}]}
  - {duration: 1.55, transition: {type: fade, duration: 0.4},
     layers: [{type: video, src: {assets}/clip.mp4}]}
audio:
  - {src: {assets}/tone.wav, start: 0.2, volume: 0.8}
"""


def spec_for(write_spec: SpecWriter, path: str, output: str = "") -> Path:
    head = f"version: 1\noutput: {{path: {path}, size: 160x90, fps: 12{output}}}\n"
    return write_spec(head + BODY, name=f"{Path(path).stem}-{Path(path).suffix[1:]}.yaml")


def at(spec: Path, line: int, token: str) -> str:
    """``file:line:column`` of the first ``token`` on that line of the spec."""
    text = spec.read_text(encoding="utf-8").splitlines()[line - 1]
    return f"{spec}:{line}:{text.index(token) + 1}"


def reelspec(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    ("path", "output", "codec"),
    [
        ("out.mp3", "", "mp3"),
        ("out.m4a", "", "aac"),
        ("out.wav", "", "pcm_s16le"),
        ("out.flac", "", "flac"),
        ("out.ogg", "", "vorbis"),
        ("out.ogg", ", audio: {codec: opus}", "opus"),
        ("out.opus", "", "opus"),
    ],
    ids=["mp3", "m4a", "wav", "flac", "ogg", "ogg-opus", "opus"],
)
def test_a_sound_file_holds_the_mix_as_long_as_the_video(
    write_spec: SpecWriter, path: str, output: str, codec: str
) -> None:
    spec = spec_for(write_spec, path, output)
    out = render_spec(spec).output
    assert out.suffix == Path(path).suffix
    info = probe(out)
    assert (info.video_streams, info.audio_streams) == (0, 1)
    assert info.audio_codec == codec
    assert info.sample_rate == RATE and info.channels == "stereo"
    samples = audio_samples(out)
    assert SAMPLES == 116000
    # (An mp3 of about one length in 25 decodes up to 46 samples long: when LAME flushes one
    # frame more than the sound fills, ffmpeg's wrapper marks that frame as sound, and the
    # LAME tag records the wrong end padding. Here 116000 samples leave LAME 399 samples of
    # padding in its last frame, so the mp3 is exact too; docs/spec.md says so.)
    assert len(samples) == SAMPLES
    # The 440 Hz track (amplitude 0.5 at volume 0.8) from 0.2 s for its one second.
    assert tone_level(samples, 440, 0.0, 0.18) < 0.01
    assert tone_level(samples, 440, 0.25, 1.15) == pytest.approx(0.4, rel=0.06)
    assert tone_level(samples, 440, 1.3, 2.4) < 0.01
    # The clip's own 660 Hz sound (amplitude 1/8) from its scene's first frame, 11 ÷ 12 s.
    assert tone_level(samples, 660, 0.0, 0.88) < 0.005
    assert tone_level(samples, 660, 1.35, 2.4) == pytest.approx(0.125, rel=0.08)


def test_a_sound_file_plan_has_no_picture(write_spec: SpecWriter, tmp_path: Path) -> None:
    from engine.compile.compiler import compile_plan

    plan = compile_plan(prepare(spec_for(write_spec, "out.m4a")).resolved)
    assert plan.filter_graph == () and plan.feeds == () and plan.frame_count == 0
    # Only what sounds is read: the music track and the clip (for its sound).
    assert sorted(Path(i.target).name for i in plan.inputs) == ["clip.mp4", "tone.wav"]
    assert len(plan.maps) == 1 and plan.maps[0].startswith("[a")
    assert "-c:v" not in plan.output_args and "-r" not in plan.output_args
    assert plan.output_args[:4] == ("-c:a", "aac", "-b:a", "192k")
    assert plan.duration == pytest.approx(float(Fraction(FRAMES) / FPS))
    # The mix is the one the video of the same spec gets (its inputs numbered after the
    # pictures').
    video = compile_plan(prepare(spec_for(write_spec, "out.mp4")).resolved)

    def unnumbered(graph: tuple[str, ...]) -> list[str]:
        return [re.sub(r"\[\d+:a\]", "[N:a]", chain) for chain in graph]

    assert video.filter_graph
    assert unnumbered(video.audio_graph) == unnumbered(plan.audio_graph)
    # A window where nothing sounds yet (its 2 frames end before the track starts at 0.2 s)
    # is still that long: silence.
    resolved = prepare(spec_for(write_spec, "out.wav")).resolved
    quiet = compile_plan(resolved, (0, 2))
    assert quiet.inputs == () and quiet.audio_graph[0].startswith("anullsrc=")
    out = render(quiet, tmp_path / "quiet.wav", write_manifest=False).output
    samples = audio_samples(out)
    assert len(samples) == 8000 and not samples.any()


def test_video_settings_are_ignored_and_burned_captions_not_drawn(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    """The same spec writes its video or, with only the extension changed, its sound: an odd
    size and a codec no sound file holds are left unused, and captions come as sidecars."""
    (tmp_path / "captions.srt").write_text(
        "1\n00:00:00,500 --> 00:00:01,500\nHello\n", encoding="utf-8"
    )
    spec = write_spec(
        "version: 1\n"
        "output: {path: out.flac, size: 161x91, fps: 12, video: {codec: prores, crf: 3}}\n"
        + BODY
        + "subtitles: {src: captions.srt, burn: true, files: [srt]}\n"
    )
    result = reelspec("render", "-q", str(spec))
    assert result.returncode == 0, result.stderr
    info = probe(tmp_path / "out.flac")
    assert (info.video_streams, info.audio_streams, info.audio_codec) == (0, 1, "flac")
    assert len(audio_samples(tmp_path / "out.flac")) == SAMPLES
    assert "Hello" in (tmp_path / "out.srt").read_text(encoding="utf-8")
    validated = reelspec("validate", str(spec))
    assert "sound alone (flac, 116000 samples)" in validated.stdout


def test_a_sound_file_with_nothing_to_hear_is_a_located_error(write_spec: SpecWriter) -> None:
    spec = write_spec(
        "version: 1\noutput: {path: out.wav, fps: 12}\nscenes:\n"
        "  - {duration: 1, layers: [{type: video, src: {assets}/clip.mp4, audio: false}]}\n"
    )
    result = reelspec("render", str(spec))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        f"{at(spec, 2, 'out.wav')}: output.path: a .wav file holds only sound, and this spec "
        "has none: add an audio track, narration or a video clip with sound, or write a video file"
    ) in result.stderr
    assert not (spec.parent / "out.wav").exists()


def test_a_sound_file_cannot_turn_its_sound_off(write_spec: SpecWriter) -> None:
    spec = write_spec("version: 1\noutput: {path: out.mp3, audio: false}\n" + BODY)
    result = reelspec("validate", str(spec))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        f"{at(spec, 2, 'false')}: output.audio: a .mp3 file holds only sound, so output.audio "
        "cannot be off; write a video file (.mp4, .mov, .mkv, .webm, .gif) for pictures without "
        "sound"
    ) in result.stderr


def test_still_refuses_a_sound_file_and_the_farm_renders_it_once(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    spec = spec_for(write_spec, "out.opus")
    result = reelspec("still", str(spec), "--at", "1", "-o", str(tmp_path / "f.png"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        f"{at(spec, 2, 'out.opus')}: output.path: a .opus file holds only sound, so there is "
        "no frame to show; `still` needs a spec that writes a video"
    ) in result.stderr
    assert not (tmp_path / "f.png").exists()
    # No frames to share out: the farm renders the sound once, as `render` does, without a
    # cluster (and so without Dask's start-up).
    farmed = farm_render(spec, tmp_path / "farmed.opus", chunks=4).output
    rendered = render_spec(spec, tmp_path / "rendered.opus").output
    assert farmed.read_bytes() == rendered.read_bytes()
    assert len(audio_samples(farmed)) == SAMPLES
    # A row of `farm batch` is one task: a worker renders the whole spec it was shipped.
    portable = make_portable(prepare(spec).resolved)
    blobs = {name: path.read_bytes() for name, path in portable.files.items()}
    assert render_chunk(portable.resolved, None, blobs, True).data == rendered.read_bytes()


def test_an_mp3_is_never_short_and_at_most_46_samples_long(write_spec: SpecWriter) -> None:
    """The one inexact format, within the bound docs/spec.md gives: 17 frames at 12 fps are
    68000 samples, which leave LAME 15 samples of padding in its last frame, the case where
    ffmpeg's wrapper records the padding short (it decodes 15 samples long with ffmpeg 9)."""
    spec = write_spec(
        "version: 1\noutput: {path: out.mp3, fps: 12}\nscenes:\n"
        "  - {duration: 1.4167, layers: [{type: color}]}\n"
        "audio:\n  - {src: {assets}/long_tone.wav}\n"
    )
    samples = audio_samples(render_spec(spec).output)
    assert round(Fraction("1.4167") * FPS) == 17
    assert 68000 <= len(samples) <= 68000 + 46
    assert tone_level(samples, 330, 0.05, 1.35) == pytest.approx(0.5, rel=0.05)
