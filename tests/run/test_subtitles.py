"""Subtitles from narration timing, sidecar files, burned-in captions, and .srt input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.errors import SpecError
from engine.pipeline import prepare, render_spec
from engine.resolve.narration import narration_audio
from engine.resolve.subtitles import parse_srt
from engine.spec.models import Narration
from tests.conftest import SpecWriter
from tests.media import audio_samples, frame, rms

HEAD = """version: 1
output: {path: out.mp4, size: 320x180, fps: 25, video: {preset: ultrafast}}
"""
TEXT = "The first sentence is short. The second one comes after a pause."


def test_cues_follow_the_real_timing_of_each_sentence(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    spec = write_spec(
        HEAD
        + f"""scenes:
  - {{duration: 1, layers: [{{type: color}}]}}
  - narration: {{text: "{TEXT}", delay: 0.2}}
    layers: [{{type: color, color: navy}}]
subtitles: {{files: [srt, vtt]}}
"""
    )
    result = render_spec(spec)
    cues = parse_srt((tmp_path / "out.srt").read_text(encoding="utf-8"), "out.srt")
    assert [c.text for c in cues] == [
        "The first sentence is short.",
        "The second one comes after a pause.",
    ]
    first_alone = narration_audio(Narration(text="The first sentence is short."))
    frame_time = 1 / 25
    assert cues[0].start == pytest.approx(1.2, abs=frame_time)  # scene start + delay
    assert cues[0].end - cues[0].start == pytest.approx(first_alone.length, abs=frame_time)
    samples = audio_samples(result.output)
    assert rms(samples, cues[0].start + 0.1, cues[0].end - 0.1) > 0.02
    assert rms(samples, cues[0].end + 0.05, cues[1].start - 0.05) < 0.01  # the pause
    assert rms(samples, cues[1].start + 0.1, cues[1].end - 0.1) > 0.02
    assert (tmp_path / "out.vtt").read_text(encoding="utf-8").startswith("WEBVTT\n\n00:00:01.2")


def test_burned_captions_appear_only_while_spoken(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + f"""scenes:
  - narration: {{text: "{TEXT}", padding: 1}}
    layers: [{{type: color, color: black}}]
subtitles: {{burn: true, files: [], style: {{size: 14, color: white}}}}
"""
    )
    resolved = prepare(spec).resolved
    out = render_spec(spec).output
    first = resolved.subtitles[0]
    during = frame(out, int((first.start + first.end) / 2 * 25))
    after = frame(out, resolved.frame_count - 3)  # in the padding, nothing is spoken
    band = slice(110, 180)
    assert during[band].max() > 200 and after[band].max() < 40


def test_an_existing_srt_file_is_burned_and_written_back(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    (tmp_path / "in.srt").write_text(
        "1\n00:00:00,500 --> 00:00:01,500\nHello: [world] 100%\n\n"
        "2\n00:00:02,000 --> 00:00:09,000\nCut at the end\n",
        encoding="utf-8",
    )
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 3, layers: [{type: color, color: black}]}
subtitles: {src: in.srt, burn: true, files: [srt]}
"""
    )
    out = render_spec(spec).output
    assert np.asarray(frame(out, 25))[110:].max() > 200
    assert np.asarray(frame(out, 45))[110:].max() < 40
    written = parse_srt((tmp_path / "out.srt").read_text(encoding="utf-8"), "out.srt")
    assert [(c.start, c.text) for c in written] == [
        (0.5, "Hello: [world] 100%"),
        (2.0, "Cut at the end"),
    ]


def test_subtitles_need_a_source(write_spec: SpecWriter) -> None:
    spec = write_spec(HEAD + "scenes:\n  - {duration: 1, layers: [{type: color}]}\nsubtitles: {}\n")
    with pytest.raises(SpecError, match="subtitles need narration"):
        prepare(spec)
    spec = write_spec(
        HEAD + "scenes:\n  - {duration: 1, layers: [{type: color}]}\nsubtitles: {src: none.srt}\n",
        name="b.yaml",
    )
    with pytest.raises(SpecError, match=r"subtitles\.src: file not found"):
        prepare(spec)
