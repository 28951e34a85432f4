"""Narration in a neural voice (engine: piper), rendered; and the shape of `voice`."""

from __future__ import annotations

import pytest

from engine.errors import SpecError
from engine.pipeline import prepare, render_spec
from engine.resolve.narration import narration_audio, resolve_voice
from engine.spec.models import Narration
from engine.spec.voice import EngineVoice
from tests.conftest import SpecWriter
from tests.media import audio_samples, count_frames, rms
from tests.voices import VOICE, needs_piper

HEAD = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10, video: {preset: ultrafast}}
"""


def test_a_word_and_engine_espeak_are_the_same_espeak_voice() -> None:
    assert resolve_voice(EngineVoice(engine="espeak", name="en")) == resolve_voice("en")
    assert resolve_voice("en").engine == "espeak"


@needs_piper
def test_a_piper_narration_renders_where_the_scene_places_it(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + f"""scenes:
  - {{duration: 1, layers: [{{type: color}}]}}
  - narration: {{text: "Welcome to reelspec. Every line is timed to the voice.",
                 voice: {{engine: piper, name: {VOICE}}}, padding: 0.5}}
    layers: [{{type: color, color: navy}}]
"""
    )
    resolved = prepare(spec).resolved
    spoken = resolved.scenes[1].narration
    assert spoken is not None
    # Two sentences of 3 and 7 words at a human pace (0.15 to 0.8 s a word), one pause.
    assert 1.5 < spoken.length < 8.0
    assert [cue[2] for cue in spoken.cues] == [
        "Welcome to reelspec.",
        "Every line is timed to the voice.",
    ]
    assert resolved.scenes[1].duration == pytest.approx(spoken.length + 0.5, abs=0.1)
    out = render_spec(spec).output
    assert count_frames(out) == resolved.frame_count
    samples = audio_samples(out)
    assert rms(samples, 0.1, 0.9) < 0.001  # the first scene is silent
    assert rms(samples, 1.2, 1.0 + spoken.length - 0.2) > 0.02  # the voice, where placed
    assert rms(samples, 1.0 + spoken.length + 0.1, resolved.duration - 0.05) < 0.005


@needs_piper
def test_the_engine_is_part_of_what_speech_is_cached_by() -> None:
    text = "The same words in two voices."
    piper = narration_audio(Narration(text=text, voice=EngineVoice(engine="piper", name=VOICE)))
    espeak = narration_audio(Narration(text=text, voice="en"))
    assert piper.path != espeak.path
    again = narration_audio(Narration(text=text, voice=EngineVoice(engine="piper", name="joe")))
    assert again.path == piper.path  # cached: the voice by its speaker is the same voice


def test_voice_shapes_and_unknown_voices_are_located_errors(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 1, narration: {text: hi, voice: {engine: kokoro, name: x}}, layers: [{type: color}]}
  - {duration: 1, narration: {text: hi, voice: [en]}, layers: [{type: color}]}
  - {duration: 1, narration: {text: hi, voice: {engine: piper}}, layers: [{type: color}]}
  - {duration: 1, narration: {text: hi, voice: {engine: piper, name: x, y: 1}},
     layers: [{type: color}]}
"""
    )
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    text = str(caught.value)
    assert (
        ":4:" in text and "scenes[0].narration.voice.engine: expected one of espeak, piper" in text
    )
    assert "scenes[1].narration.voice: expected a language or voice id such as en" in text
    assert "scenes[2].narration.voice.name: missing required key 'name'" in text
    assert "scenes[3].narration.voice.y:" in text


@needs_piper
def test_an_unknown_piper_voice_is_located_and_lists_the_installed_ones(
    write_spec: SpecWriter,
) -> None:
    spec = write_spec(
        HEAD
        + """scenes:
  - {duration: 1, narration: {text: hi, voice: {engine: piper, name: nobody}},
     layers: [{type: color}]}
"""
    )
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    assert f"scenes[0].narration: unknown piper voice 'nobody'; installed: {VOICE}" in str(
        caught.value
    )
