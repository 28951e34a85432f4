"""When each word of a spoken sentence is heard, in exact seconds of its WAV.

A speech engine reports where its words start (espeak-ng: a WORD event per word, with its
place in the text and its first sample; see engine/proc/tts_worker.py), as ``<wav>.words.json``
beside the sentence's WAV. Captions show *words as a reader sees them* — whitespace-separated
tokens with their punctuation, and for Chinese the words jieba finds — which need not be the
engine's words (espeak reads "你好" as one word and "今天天气" as four), so each shown word
takes its time from the engine's words that begin inside it, or, inside a longer engine word,
its share of that word by characters. Then the sound itself decides the edges: a start that
lands in silence (the pause after a comma) moves to where the sound begins, and an end moves
back over the silence before the next word, so a highlighted word is lit while it is heard.
Without timing from the engine (pyttsx3 on Windows/macOS), words share the sentence by length.
"""

from __future__ import annotations

import json
import re
import unicodedata
import wave
from fractions import Fraction
from pathlib import Path

from engine.errors import MediaError
from engine.resolved import SpokenWord

#: Beside each spoken WAV (the speech engines' contract; engine/proc/tts_worker.py).
WORDS_SUFFIX = ".words.json"
#: Sound below this share of the sentence's loudest 10 ms counts as silence (-30 dB).
SILENCE_SHARE = 10 ** (-30 / 20)
#: The window loudness is measured over, in seconds.
WINDOW = Fraction(1, 100)


def _is_han(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEO"))


_TOKEN = re.compile(r"\S+")


def shown_words(text: str) -> list[tuple[int, int]]:
    """Character ranges of the words a caption shows: whitespace-separated tokens (their
    punctuation kept), with runs of Chinese characters cut into words by jieba."""
    out: list[tuple[int, int]] = []
    for token in _TOKEN.finditer(text):
        start, end = token.span()
        if not any(_is_han(c) for c in token.group()):
            out.append((start, end))
            continue
        out.extend(_han_words(text, start, end))
    return out


def _han_words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A token with Chinese characters in it, cut by jieba; punctuation (，。！) joins the word
    before it, as it is shown with it."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    pieces: list[tuple[int, int]] = []
    position = start
    for piece in jieba.cut(text[start:end], HMM=False):
        span = (position, position + len(piece))
        position += len(piece)
        if pieces and not any(c.isalnum() for c in piece):
            pieces[-1] = (pieces[-1][0], span[1])
        else:
            pieces.append(span)
    return pieces


def read_spans(wav: Path) -> list[tuple[Fraction, Fraction, int, int]] | None:
    """The engine's words for ``wav``: (start, end, first, last), or None when it gave none."""
    listing = Path(str(wav) + WORDS_SUFFIX)
    if not listing.is_file():
        return None
    try:
        raw = json.loads(listing.read_text(encoding="utf-8"))
        spans = [
            (
                Fraction(str(item["start"])),
                Fraction(str(item["end"])),
                int(item["from"]),
                int(item["to"]),
            )
            for item in raw
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise MediaError(f"unreadable word timing {listing.name}: {exc}") from None
    return sorted(spans, key=lambda s: (s[2], s[0]))


def _loudness(wav: Path) -> tuple[list[float], Fraction]:
    """The peak of each 10 ms window of ``wav`` (16-bit; none for other sample sizes), and
    the window's exact length in seconds."""
    import numpy as np

    with wave.open(str(wav), "rb") as audio:
        rate, width, channels = audio.getframerate(), audio.getsampwidth(), audio.getnchannels()
        data = audio.readframes(audio.getnframes())
    if width != 2:
        return [], Fraction(1, 100)
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    step = max(1, int(rate * WINDOW))
    count = len(samples) // step
    peaks = np.abs(samples[: count * step]).reshape(count, step).max(axis=1) if count else []
    return [float(p) for p in peaks], Fraction(step, rate)


def time_words(text: str, wav: Path, length: Fraction) -> tuple[SpokenWord, ...]:
    """Every shown word of ``text`` (spoken into ``wav``, ``length`` seconds), timed."""
    ranges = shown_words(text)
    if not ranges:
        return ()
    spans = read_spans(wav)
    starts = _starts(ranges, spans, length) if spans else starts_by_length(ranges, length)
    peaks, window = _loudness(wav)
    loud = max(peaks, default=0.0) * SILENCE_SHARE

    def heard(at: Fraction) -> bool:
        index = int(at / window)
        return 0 <= index < len(peaks) and peaks[index] > loud

    words: list[SpokenWord] = []
    for index, (first, last) in enumerate(ranges):
        start = starts[index]
        following = starts[index + 1] if index + 1 < len(ranges) else length
        # The start moves forward over silence, the end back over it: never past each other.
        while start + window < following and peaks and not heard(start):
            start += window
        end = following
        while end - window > start and peaks and not heard(end - window):
            end -= window
        words.append(SpokenWord(start, max(end, start), text[first:last], first, last))
    return tuple(words)


def _starts(
    ranges: list[tuple[int, int]],
    spans: list[tuple[Fraction, Fraction, int, int]],
    length: Fraction,
) -> list[Fraction]:
    """Each shown word's start from the engine's words: the earliest engine word beginning
    inside it, else its place by characters inside the engine word that covers it."""
    out: list[Fraction] = []
    for first, last in ranges:
        inside = [s for s in spans if first <= s[2] < last]
        if inside:
            start = min(s[0] for s in inside)
        else:
            covering = [s for s in spans if s[2] <= first]
            if covering:
                begin, end, word_first, word_last = covering[-1]
                later = [s[0] for s in spans if s[2] > word_first]
                stop = min(later) if later else max(end, begin)
                reach = max(word_last, last, word_first + 1)
                start = begin + (stop - begin) * Fraction(first - word_first, reach - word_first)
            else:
                start = Fraction(0)
        out.append(min(max(start, out[-1] if out else Fraction(0)), length))
    return out


def starts_by_length(ranges: list[tuple[int, int]], length: Fraction) -> list[Fraction]:
    """No timing from the engine: each word gets a share of the sentence by its length."""
    total = sum(last - first for first, last in ranges) or 1
    out, position = [], Fraction(0)
    for first, last in ranges:
        out.append(position)
        position += length * Fraction(last - first, total)
    return out
