"""Piper speech with the real engine and the voice installed as a package."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from engine.errors import ConfigError, MediaError
from engine.proc import neural_tts
from tests.voices import VOICE, needs_piper

ROOT = Path(__file__).resolve().parents[2]


def _wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        data = np.frombuffer(audio.readframes(audio.getnframes()), np.int16)
        return data.astype(np.float64) / 32768, audio.getframerate()


def _rms(samples: np.ndarray, rate: int, t0: float, t1: float) -> float:
    window = samples[int(t0 * rate) : int(t1 * rate)]
    return float(np.sqrt(np.mean(np.square(window)))) if len(window) else 0.0


@needs_piper
def test_the_installed_voice_is_found_with_its_language_and_rate() -> None:
    voice = neural_tts.find(VOICE)
    assert (voice.language, voice.sample_rate) == ("en_US", 22050)
    assert voice.model.is_file() and voice.model.name == f"{VOICE}.onnx"
    assert neural_tts.find("joe") == voice  # its speaker, as the only voice of that name
    with pytest.raises(MediaError, match=rf"unknown piper voice 'nobody'; installed: .*{VOICE}"):
        neural_tts.find("nobody")


@needs_piper
def test_speech_is_words_in_time_each_word_timed_where_its_sound_is(tmp_path: Path) -> None:
    texts = [
        "Red, green, blue.",
        "Reelspec renders a video from a plain text file, in the order written.",
    ]
    items = [(text, tmp_path / f"{n}.wav") for n, text in enumerate(texts)]
    neural_tts.synthesize(items, f"piper/{VOICE}", None, 1.0)
    for text, path in items:
        samples, rate = _wav(path)
        seconds = len(samples) / rate
        count = len(text.split())
        # Speech at a human pace: 0.15 to 0.8 seconds a word.
        assert 0.15 * count < seconds < 0.8 * count, (text, seconds)
        assert _rms(samples, rate, 0, seconds) > 0.05  # speech, not silence
        words = json.loads(Path(f"{path}.words.json").read_text(encoding="utf-8"))
        expected, at = [], 0
        for token in text.split():
            at = text.index(token.strip(",."), at)
            expected.append((at, at + len(token.strip(",."))))
        # Every word is timed, in order, its offsets naming it in the text.
        assert [(w["from"], w["to"]) for w in words] == expected
        times = [(w["start"], w["end"]) for w in words]
        assert all(0 <= a < b <= seconds for a, b in times)
        assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(times))
        # The words hold the speech: each has sound, together nearly all of it; the comma
        # pauses between words are near silence.
        levels = [_rms(samples, rate, a, b) for a, b in times]
        assert min(levels) > 0.02, levels
        inside = sum(_rms(samples, rate, a, b) ** 2 * (b - a) for a, b in times)
        assert inside > 0.9 * _rms(samples, rate, 0, seconds) ** 2 * seconds
        if text.startswith("Red"):
            gaps = [(b1, a2) for (_, b1), (a2, _) in itertools.pairwise(times)]
            assert all(a2 - b1 > 0.05 for b1, a2 in gaps), gaps
            assert all(_rms(samples, rate, b1, a2) < 0.3 * min(levels) for b1, a2 in gaps)


@needs_piper
def test_rate_sets_the_pace(tmp_path: Path) -> None:
    text = "The quick brown fox jumps over the lazy dog, twice in a row."
    slow, fast = tmp_path / "slow.wav", tmp_path / "fast.wav"
    neural_tts.synthesize([(text, slow)], f"piper/{VOICE}", 100, 1.0)
    neural_tts.synthesize([(text, fast)], f"piper/{VOICE}", 250, 1.0)
    ratio = len(_wav(slow)[0]) / len(_wav(fast)[0])
    assert 2.0 < ratio < 3.0  # 250/100 = 2.5, give or take the pauses


def test_without_the_engine_piper_voices_are_a_config_error_naming_the_install() -> None:
    """A Python where `import piper` fails (as without the extra) gets the pip command."""
    code = (
        "import sys; sys.modules['piper'] = None\n"
        "from engine.resolve.narration import resolve_voice\n"
        "from engine.spec.voice import EngineVoice\n"
        "from engine.errors import ConfigError\n"
        "try:\n"
        "    resolve_voice(EngineVoice(engine='piper', name='joe'))\n"
        "except ConfigError as exc:\n"
        "    print('ConfigError:', exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == (
        "ConfigError: the piper engine is not installed; install it with: "
        "pip install 'reelspec[voices]'"
    )
    assert issubclass(ConfigError, Exception)


@needs_piper
def test_the_same_text_is_the_same_samples_whatever_was_spoken_before(tmp_path: Path) -> None:
    """Piper's noise is random; each text is spoken from the same seed, so speech cached by
    content is what a fresh render would speak, and scene lengths do not move."""
    text = "Every render of this line lasts exactly as long."
    first, second = tmp_path / "first.wav", tmp_path / "second.wav"
    neural_tts.synthesize([(text, first)], f"piper/{VOICE}", None, 1.0)
    neural_tts.synthesize(
        [("Something else first.", tmp_path / "x.wav"), (text, second)], f"piper/{VOICE}", None, 1.0
    )
    assert first.read_bytes() == second.read_bytes()
    assert Path(f"{first}.words.json").read_text() == Path(f"{second}.words.json").read_text()
