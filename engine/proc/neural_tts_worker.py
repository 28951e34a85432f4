"""Runs in a child process: speaks text to WAV files with a Piper voice, and writes each WAV's
word timing beside it (``<wav>.words.json``).

Reads one JSON request on stdin (text is data, never options), writes one JSON answer line on
stdout. The parent runs this in a process it can kill: a model that hangs or runs away is
stopped by its timeout. Nothing here reaches the network: the voice is a file of an installed
package, and Piper phonemizes with the espeak-ng built into its own wheel.
"""

from __future__ import annotations

import contextlib
import json
import sys
import wave
from typing import Any

from engine.proc.speech_words import Timed, word_times, words

ANSWER = "reelspec-neural-tts-answer "


#: Piper draws random noise (for natural variation) from ONNX Runtime's generator, which a
#: session seeds once and then advances with every sentence. Each text gets a session of its
#: own, seeded alike, so the same text comes out as the same samples whatever was spoken
#: before it: speech cached by content is what a fresh render would speak, and narration
#: decides scene lengths the same way every time (docs/decisions/0013).
SEED = 20_240_601


def _model(request: dict[str, Any]) -> tuple[bytes, bool]:
    """The model's bytes, and whether it reports phoneme timing: Piper's voices compute how
    long each phoneme lasts but do not output it; marking that tensor as an output (what
    ``piper.patch_voice_with_alignment`` does to a file) needs the onnx package."""
    try:
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output
    except ImportError:
        with open(request["model"], "rb") as file:
            return file.read(), False
    model = onnx.load(request["model"])
    # No such tensor, or already an output: the model as it is.
    with contextlib.suppress(ValueError):
        add_alignment_output(model)
    timed = len(model.graph.output) > 1
    return model.SerializeToString(), timed


def _voice(model: bytes, config: Any) -> Any:
    import onnxruntime
    from piper import PiperVoice

    onnxruntime.set_seed(SEED)
    options = onnxruntime.SessionOptions()
    session = onnxruntime.InferenceSession(
        model, sess_options=options, providers=["CPUExecutionProvider"]
    )
    return PiperVoice(session=session, config=config)


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
    from piper.config import PiperConfig

    with open(request["config"], encoding="utf-8") as file:
        config = PiperConfig.from_dict(json.load(file))
    model, timed = _model(request)
    scale = request.get("length_scale")
    settings = SynthesisConfig(
        length_scale=None if scale is None else float(scale) * config.length_scale,
        volume=float(request.get("volume", 1.0)),
    )
    for item in request["items"]:
        _speak(_voice(model, config), item, settings, timed)
    sys.stdout.write("\n" + ANSWER + json.dumps({"ok": True, "timed": timed}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
