"""Word timing from the speech engine, checked against the rendered sound: a word's time is
where its sound begins, measured from the audio's energy, not what the engine says."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.pipeline import render_spec
from engine.resolve.narration import narration_audio
from engine.resolve.word_timing import shown_words
from engine.spec.models import Narration
from tests.conftest import SpecWriter
from tests.media import audio_samples
from tests.voices import VOICE, needs_piper

RATE = 48000
#: How far a caption's word time may be from the word's audible onset.
TOLERANCE = 0.080
ENGLISH = [
    "apple", "banana", "cherry", "dragon", "elephant", "forest", "guitar", "harbor",
    "island", "jungle", "kitchen", "lemon", "mountain", "needle", "orange", "pepper",
    "rabbit", "salmon", "tiger", "umbrella", "velvet", "window", "yellow", "zebra",
]  # fmt: skip
CHINESE = ["苹果", "香蕉", "西瓜", "老虎", "森林", "音乐", "城市", "火车", "月亮", "太阳"]


STAMP = re.compile(r"<(\d\d:\d\d:\d\d\.\d{3})>")


def vtt_word_times(text: str) -> list[float]:
    """Every word start the WebVTT sidecar gives: its inline stamp, or for a cue's first
    word without one, the cue's start."""
    times = []
    for block in text.split("\n\n")[1:]:
        lines = block.strip().splitlines()
        if not lines:
            continue
        body = "\n".join(lines[1:])
        if not body.startswith("<"):
            times.append(_seconds(lines[0].split(" --> ")[0]))
        times += [_seconds(stamp) for stamp in STAMP.findall(body)]
    return times


def _seconds(clock: str) -> float:
    h, m, s = clock.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def onsets(samples: np.ndarray, gap: float = 0.06) -> list[float]:
    """Where sound starts after at least ``gap`` seconds of silence (10 ms windows, 30 dB
    below the loudest), measured on the rendered file."""
    window = RATE // 100
    count = len(samples) // window
    peaks = np.abs(samples[: count * window]).reshape(count, window).max(axis=1)
    loud = peaks > peaks.max() * 10 ** (-30 / 20)
    quiet_run = int(gap / 0.01)
    found, silent = [], quiet_run
    for index, is_loud in enumerate(loud):
        if is_loud and silent >= quiet_run:
            found.append(index * 0.01)
        silent = 0 if is_loud else silent + 1
    return found


def spoken_spec(text: str, voice: str) -> str:
    return f"""version: 1
output: {{path: out.mp4, size: 160x90, fps: 25, video: {{preset: ultrafast}}}}
scenes:
  - {{duration: 0.6, layers: [{{type: color}}]}}
  - narration: {{text: "{text}", voice: {voice}, delay: 0.3}}
    layers: [{{type: color, color: navy}}]
subtitles: {{files: [vtt], mode: karaoke}}
"""


def check_onsets(write_spec: SpecWriter, tmp_path: Path, words: list[str], voice: str) -> None:
    separator = "，" if voice == "zh" else ", "
    text = separator.join(words) + ("。" if voice == "zh" else ".")
    result = render_spec(write_spec(spoken_spec(text, voice)))
    stamps = vtt_word_times((tmp_path / "out.vtt").read_text(encoding="utf-8"))
    assert len(stamps) == len(words)
    assert stamps == sorted(stamps)
    heard = onsets(audio_samples(result.output))
    # Each word follows a pause (a comma), so each begins a burst of sound of its own.
    assert len(heard) >= len(words)
    for stamp in stamps:
        nearest = min(heard, key=lambda t: abs(t - stamp))
        assert abs(nearest - stamp) <= TOLERANCE, (stamp, heard)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(ENGLISH), min_size=2, max_size=5, unique=True))
def test_english_word_times_are_within_80ms_of_where_each_word_is_heard(
    write_spec: SpecWriter, tmp_path: Path, words: list[str]
) -> None:
    check_onsets(write_spec, tmp_path, words, "en")


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(CHINESE), min_size=2, max_size=4, unique=True))
def test_chinese_word_times_are_within_80ms_of_where_each_word_is_heard(
    write_spec: SpecWriter, tmp_path: Path, words: list[str]
) -> None:
    check_onsets(write_spec, tmp_path, words, "zh")


@needs_piper
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(ENGLISH), min_size=2, max_size=4, unique=True))
def test_neural_voice_word_times_are_within_80ms_of_where_each_word_is_heard(
    write_spec: SpecWriter, tmp_path: Path, words: list[str]
) -> None:
    check_onsets(write_spec, tmp_path, words, f"{{engine: piper, name: {VOICE}}}")


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        ("The quick brown fox jumps over the lazy dog. Then it sleeps!", "en"),
        ("今天天气很好，我们去公园散步吧。Hello 朋友们！", "zh"),
    ],
)
def test_words_are_in_order_inside_their_sentence_and_cover_the_text(text: str, voice: str) -> None:
    speech = narration_audio(Narration(text=text, voice=voice))
    assert len(speech.words) == len(speech.cues)
    for (start, end, sentence), words in zip(speech.cues, speech.words, strict=True):
        assert [w.text for w in words] == [sentence[a:b] for a, b in shown_words(sentence)]
        assert "".join(w.text for w in words) == "".join(sentence.split())
        for word, following in itertools.pairwise(words):
            assert word.start <= word.end <= following.start
        assert all(start <= w.start <= w.end <= end for w in words)


def test_chinese_is_shown_in_words_not_characters() -> None:
    assert [
        "今天天气很好，我们去公园。"[a:b] for a, b in shown_words("今天天气很好，我们去公园。")
    ] == ["今天天气", "很", "好，", "我们", "去", "公园。"]
