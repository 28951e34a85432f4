"""Narration: speech drawn from text, cached by content like text cards."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from engine.cache import cache_dir, cache_path, cached_file, content_key
from engine.errors import MediaError
from engine.proc import neural_tts, tts
from engine.resolve.word_timing import WORDS_SUFFIX, time_words
from engine.resolved import SpokenWord
from engine.spec.models import Narration
from engine.spec.voice import EngineVoice

_ALIASES = {
    "zh": "cmn",
    "zh-cn": "cmn",
    "chinese": "cmn",
    "mandarin": "cmn",
    "english": "en",
    "en-gb": "en",
}
#: Voices (by language code) that can read Han characters.
_HAN_LANGUAGES = {"cmn", "yue", "hak", "ja", "zh"}


def resolve_voice(name: str | EngineVoice) -> tts.Voice:
    if isinstance(name, EngineVoice):
        if name.engine == "piper":
            return neural_tts.find(name.name).voice
        name = name.name
    wanted = _ALIASES.get(name.strip().lower(), name.strip().lower())
    available = tts.voices()
    for voice in available:
        last = voice.id.rsplit("/", 1)[-1].lower()
        if wanted in (voice.id.lower(), last, voice.name.lower()):
            return voice
    codes = sorted({v.id.rsplit("/", 1)[-1] for v in available})
    raise MediaError(f"unknown voice {name!r}; available: {', '.join(codes)}")


def _language(voice: tts.Voice) -> str:
    return voice.id.rsplit("/", 1)[-1].split("-")[0].lower()


def check_speakable(text: str, voice: tts.Voice) -> None:
    """A voice reads letters of its own script; Han characters need a CJK voice (an English
    voice would spell out "Chinese letter" for each)."""
    han = [c for c in text if unicodedata.name(c, "").startswith("CJK UNIFIED")]
    if han and _language(voice) not in _HAN_LANGUAGES:
        raise MediaError(
            f"voice {voice.id!r} cannot speak Chinese characters such as "
            f"{han[0]!r}; use a Chinese voice (voice: zh)"
        )


#: Where a sentence ends: Latin punctuation (perhaps inside a closing quote or bracket)
#: followed by white space — so "45.5%" and "e.g.x" stay whole — Chinese punctuation
#: anywhere, or a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+|(?<=[.!?;…][\"'”’)\]])\s+|(?<=[。！？；…])\s*|\n+")
#: Silence between two sentences of one narration, in seconds.
PAUSE = Fraction(1, 4)


def sentences(text: str) -> list[str]:
    """Sentences of English or Chinese text (a line break also ends one)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


@dataclass(frozen=True)
class Speech:
    path: Path
    #: Exact seconds: the joined file's samples ÷ its rate.
    length: Fraction
    #: (start, end, text) of each sentence, exact seconds from the start of the speech.
    cues: tuple[tuple[Fraction, Fraction, str], ...]
    #: The words of each sentence (one tuple per cue), timed from the start of the speech.
    words: tuple[tuple[SpokenWord, ...], ...] = ()


def _speak(texts: list[str], voice: tts.Voice, narration: Narration) -> list[Path]:
    """The cached WAV of each text; the ones not cached yet are spoken in one child process."""
    paths = [
        cache_path(
            content_key(
                "tts",
                {
                    "text": text,
                    "engine": voice.engine,
                    "voice": voice.id,
                    "rate": narration.rate,
                    "volume": narration.volume,
                    # Version 2: with the words' timing beside the WAV.
                    "format": 2,
                },
            ),
            ".wav",
        )
        for text in texts
    ]
    missing = [(text, path) for text, path in zip(texts, paths, strict=True) if not path.exists()]
    if missing:
        with tempfile.TemporaryDirectory(prefix=".tts-", dir=cache_dir()) as folder:
            spoken = [(text, Path(folder) / f"{n}.wav") for n, (text, _) in enumerate(missing)]
            speak = neural_tts.synthesize if voice.engine == "piper" else tts.synthesize
            speak(spoken, voice.id, narration.rate, narration.volume)
            for (_, made), (_, target) in zip(spoken, missing, strict=True):
                target.parent.mkdir(parents=True, exist_ok=True)
                # The words first: a cached WAV is what marks the pair complete.
                words = Path(str(made) + WORDS_SUFFIX)
                if words.exists():
                    os.replace(words, Path(str(target) + WORDS_SUFFIX))
                os.replace(made, target)
    return paths


def narration_audio(narration: Narration) -> Speech:
    """The narration spoken sentence by sentence (so each sentence's real timing is known,
    for subtitles), joined with short pauses into one cached WAV."""
    voice = resolve_voice(narration.voice)
    check_speakable(narration.text, voice)
    texts = sentences(narration.text)
    parts = list(zip(texts, _speak(texts, voice, narration), strict=True))
    key = content_key("tts-joined", {"parts": [str(p) for _, p in parts], "pause": str(PAUSE)})
    with wave.open(str(parts[0][1]), "rb") as first:
        params = first.getparams()
    # Positions are counted in samples of the joined file, so every cue is exact.
    pause = int(PAUSE * params.framerate)
    cues: list[tuple[Fraction, Fraction, str]] = []
    words: list[tuple[SpokenWord, ...]] = []
    position = 0
    for index, (text, path) in enumerate(parts):
        with wave.open(str(path), "rb") as audio:
            samples = audio.getnframes()
        rate = params.framerate
        begin = Fraction(position, rate)
        cues.append((begin, Fraction(position + samples, rate), text))
        timed = time_words(text, path, Fraction(samples, rate))
        words.append(tuple(_shifted(word, begin) for word in timed))
        position += samples + (pause if index < len(parts) - 1 else 0)

    def write(path: Path) -> None:
        silence = b"\0" * (pause * params.sampwidth * params.nchannels)
        with wave.open(str(path), "wb") as out:
            out.setparams(params)
            for index, (_, part) in enumerate(parts):
                with wave.open(str(part), "rb") as audio:
                    out.writeframes(audio.readframes(audio.getnframes()))
                if index < len(parts) - 1:
                    out.writeframes(silence)

    joined = cached_file(key, ".wav", write)
    with wave.open(str(joined), "rb") as audio:
        length = Fraction(audio.getnframes(), audio.getframerate())
    return Speech(joined, length, tuple(cues), tuple(words))


def _shifted(word: SpokenWord, by: Fraction) -> SpokenWord:
    return SpokenWord(word.start + by, word.end + by, word.text, word.first, word.last)
