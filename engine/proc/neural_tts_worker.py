"""Runs in a child process: speaks text to WAV files with a Piper voice, and writes each WAV's
word timing beside it (``<wav>.words.json``).

Reads one JSON request on stdin (text is data, never options), writes one JSON answer line on
stdout. The parent runs this in a process it can kill: a model that hangs or runs away is
stopped by its timeout. Nothing here reaches the network: the voice is a file of an installed
package, and Piper phonemizes with the espeak-ng built into its own wheel.
"""

from __future__ import annotations

import json
import sys
import wave
from typing import Any

from engine.proc.speech_words import Timed, word_times, words

ANSWER = "reelspec-neural-tts-answer "


def _load(request: dict[str, Any]) -> tuple[Any, bool]:
    """The voice, and whether it reports phoneme timing (Piper patches the model in memory
    to expose it, which needs the onnx package)."""
    from piper import PiperVoice

    try:
        import onnx  # noqa: F401
    except ImportError:
        timed = False
    else:
        timed = True
    voice = PiperVoice.load(request["model"], request["config"], include_alignments=timed)
    return voice, timed


def _speak(voice: Any, item: dict[str, Any], settings: Any, timed: bool) -> None:
    text = str(item["text"])
    spoken: list[Timed] = []
    position = 0
    aligned = timed
    with wave.open(item["output"], "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(voice.config.sample_rate)
        for chunk in voice.synthesize(text, syn_config=settings, include_alignments=timed):
            out.writeframes(chunk.audio_int16_bytes)
            if chunk.phoneme_alignments is None:
                aligned = False
            else:
                at = position
                for phoneme in chunk.phoneme_alignments:
                    spoken.append(Timed(phoneme.phoneme, at, at + int(phoneme.num_samples)))
                    at += int(phoneme.num_samples)
            position += len(chunk.audio_int16_array)
    if not aligned:
        return
    text_words = words(text)
    read = [
        [symbol for sentence in voice.phonemize(word.token) for symbol in sentence]
        for word in text_words
    ]
    times = word_times(text_words, read, spoken, voice.config.sample_rate)
    if times is not None:
        with open(item["output"] + ".words.json", "w", encoding="utf-8") as out:
            json.dump(times, out)


def main() -> int:
    request = json.loads(sys.stdin.read())
    from piper import SynthesisConfig

    voice, timed = _load(request)
    scale = request.get("length_scale")
    settings = SynthesisConfig(
        length_scale=None if scale is None else float(scale) * voice.config.length_scale,
        volume=float(request.get("volume", 1.0)),
    )
    for item in request["items"]:
        _speak(voice, item, settings, timed)
    sys.stdout.write("\n" + ANSWER + json.dumps({"ok": True, "timed": timed}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
