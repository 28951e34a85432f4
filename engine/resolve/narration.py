"""Narration: speech drawn from text, cached by content like text cards."""

from __future__ import annotations

import unicodedata
import wave
from pathlib import Path

from engine.errors import MediaError
from engine.resolve.cache import cached_file, content_key
from engine.run import tts
from engine.spec.models import Narration

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


def resolve_voice(name: str) -> tts.Voice:
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


def narration_audio(narration: Narration) -> tuple[Path, float]:
    """The cached WAV for a narration and its length in seconds."""
    voice = resolve_voice(narration.voice)
    check_speakable(narration.text, voice)
    key = content_key(
        "tts",
        {
            "text": narration.text,
            "voice": voice.id,
            "rate": narration.rate,
            "volume": narration.volume,
        },
    )

    def write(path: Path) -> None:
        tts.synthesize(narration.text, voice.id, narration.rate, narration.volume, path)

    path = cached_file(key, ".wav", write)
    with wave.open(str(path), "rb") as audio:
        return path, audio.getnframes() / float(audio.getframerate())
