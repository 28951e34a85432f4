"""Narration with the real offline speech engine (espeak-ng)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import wave
from pathlib import Path

import numpy as np
import pytest

from engine.errors import MediaError, SpecError
from engine.pipeline import prepare, render_spec
from engine.resolve.narration import narration_audio, resolve_voice
from engine.spec.models import Narration
from tests.conftest import SpecWriter
from tests.media import audio_samples, count_frames, rms

HEAD = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10, video: {preset: ultrafast}}
"""


def test_voices_by_language_and_unknown_voice_lists_them() -> None:
    assert resolve_voice("en").id.endswith("/en")
    assert resolve_voice("zh").id == resolve_voice("cmn").id
    assert resolve_voice("zh").id.rsplit("/", 1)[-1].startswith("cmn")
    with pytest.raises(MediaError, match=r"unknown voice 'no-such-voice'; available: .*\ben\b"):
        resolve_voice("no-such-voice")


def test_speech_is_cached_and_text_is_spoken_not_parsed() -> None:
    first = narration_audio(Narration(text="-v --help <b>bold</b> hello"))
    assert first.length > 0.8  # the whole text was spoken, not taken as options or markup
    assert narration_audio(Narration(text="-v --help <b>bold</b> hello")).path == first.path


def test_chinese_text_needs_a_chinese_voice() -> None:
    with pytest.raises(MediaError, match="cannot speak Chinese characters"):
        narration_audio(Narration(text="欢迎观看", voice="en"))
    assert (
        narration_audio(Narration(text="欢迎观看我们的新产品介绍视频。", voice="zh")).length > 1.5
    )


def test_scene_lasts_as_long_as_its_narration_and_speech_is_where_it_belongs(
    write_spec: SpecWriter,
) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 1, layers: [{type: color}]}
  - narration: {text: "Welcome to reelspec. Every line is timed to the voice.", padding: 0.5}
    layers: [{type: color, color: navy}]
"""
    )
    resolved = prepare(spec).resolved
    spoken = resolved.scenes[1].narration
    assert spoken is not None
    assert resolved.scenes[1].duration == pytest.approx(spoken.length + 0.5, abs=0.1)
    out = render_spec(spec).output
    assert count_frames(out) == resolved.frame_count
    samples = audio_samples(out)
    assert rms(samples, 0.1, 0.9) < 0.001  # the first scene is silent
    assert rms(samples, 1.2, 1.0 + spoken.length - 0.2) > 0.02  # the voice, where placed
    assert rms(samples, 1.0 + spoken.length + 0.1, resolved.duration - 0.05) < 0.005


def test_bad_narrations_are_spec_errors(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 1, narration: {text: "   "}, layers: [{type: color}]}
  - {duration: 0.5, narration: {text: "This sentence is far too long for half a second."},
     layers: [{type: color}]}
  - {duration: 1, narration: {text: "hi", voice: nope}, layers: [{type: color}]}
"""
    )
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    assert "scenes[0].narration.text: narration text is empty" in str(caught.value)
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 0.5, narration: {text: "This sentence is far too long for half a second."},
     layers: [{type: color}]}
  - {duration: 1, narration: {text: "hi", voice: nope}, layers: [{type: color}]}
""",
        name="b.yaml",
    )
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    text = str(caught.value)
    assert "scenes[0].duration: the narration lasts" in text
    assert "scenes[1].narration: unknown voice 'nope'" in text
    too_long = write_spec(
        HEAD
        + f"""scenes:
  - {{duration: 1, narration: {{text: "{"word " * 1001}"}}, layers: [{{type: color}}]}}
""",
        name="c.yaml",
    )
    with pytest.raises(SpecError, match="at most 5000 characters"):
        prepare(too_long)


def test_the_same_text_is_spoken_to_the_same_samples_even_on_a_busy_machine(
    tmp_path: Path,
) -> None:
    """Regression (issue 10): pyttsx3's espeak driver wrote the file before adding the last
    piece of sound espeak handed it, so speech lost its end (0.5 s of a 4 s sentence) and its
    length depended on timing. Speech now comes from espeak-ng synchronously: every sample,
    the same every time, also while the CPU is busy."""
    from engine.proc import tts

    text = "First we speak. Then we speak again, at length, with many words."
    voice = resolve_voice("en").id
    stop = multiprocessing.Event()
    burners = [multiprocessing.Process(target=_burn, args=(stop,)) for _ in range(2)]
    for burner in burners:
        burner.start()
    try:
        outputs = [tmp_path / f"{n}.wav" for n in range(4)]
        for output in outputs:
            tts.synthesize([(text, output)], voice, None, 1.0)
    finally:
        stop.set()
        for burner in burners:
            burner.join()
    assert len({output.read_bytes() for output in outputs}) == 1
    with wave.open(str(outputs[0]), "rb") as audio:
        rate = audio.getframerate()
        samples = np.frombuffer(audio.readframes(audio.getnframes()), np.int16)
    loud = np.nonzero(np.abs(samples) > 300)[0]
    # espeak ends a text with a sentence pause: the speech is whole when the file ends in one.
    assert (len(samples) - loud[-1]) / rate > 0.2


def _burn(stop: multiprocessing.synchronize.Event) -> None:
    while not stop.is_set():
        sum(range(10_000))


def test_a_decimal_point_does_not_end_a_sentence() -> None:
    from engine.resolve.narration import sentences

    assert sentences("Sales grew 45.5% this year. Costs fell 3.2%!") == [
        "Sales grew 45.5% this year.",
        "Costs fell 3.2%!",
    ]
    assert sentences('He said "stop." Then he left.') == ['He said "stop."', "Then he left."]
    assert sentences("你好。世界！Hello.\nNext") == ["你好。", "世界！", "Hello.", "Next"]
