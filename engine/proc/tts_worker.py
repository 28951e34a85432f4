"""Runs in a child process: speaks text to WAV files, or lists voices.

Reads one JSON request on stdin (so text is data: a leading "-" or markup-like text is spoken,
never parsed as an option), writes one JSON answer on stdout. espeak drivers can hang, which
is why the parent runs this in a process it can kill.

On Linux, speech comes from espeak-ng itself (the library in the espeakng-loader wheel),
called synchronously: pyttsx3's espeak driver writes the file when espeak reports the end of
the message, *before* adding the samples that came with that report, so the last piece of
speech (up to its one-second buffer) was lost whenever the two arrived together — which
depends on timing, so the same text came out at different lengths on a busy machine (see
docs/decisions/0009). pyttsx3 still lists the voices, and speaks on Windows and macOS.

Word timing: espeak-ng reports a WORD event for each word it speaks, with the word's place in
the text (characters, from 1) and the sample of the output where its sound starts. Each
item's WAV gets ``<wav>.words.json`` beside it: ``[{"start", "end", "from", "to"}]`` — seconds
in the WAV, character offsets into the item's text (``end`` is where the next word starts;
the resolver trims the silence). pyttsx3's drivers give no word timing.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from engine.proc.espeak_events import EVENT_END_OF_LIST, EVENT_WORD, event_type, word_spans


def _espeak_library() -> Any:
    """espeak-ng from the espeakng-loader wheel (Linux), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        import espeakng_loader
    except ImportError:
        return None
    os.environ.setdefault("ESPEAK_DATA_PATH", espeakng_loader.get_data_path())
    # RTLD_GLOBAL: pyttsx3 opens "libespeak-ng.so.1" by name; a library with that soname
    # loaded first (this one) is the one it gets.
    return ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_GLOBAL)


def _load_engine() -> Any:
    _espeak_library()
    import pyttsx3

    return pyttsx3.init()


#: espeak-ng's API constants (speak_lib.h).
_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_RATE = 1
_VOLUME = 2
#: Beside each WAV: its words' timing (see the module's docstring).
WORDS_SUFFIX = ".words.json"


def _speak_with_espeak(lib: Any, request: dict[str, Any]) -> bool:
    """Every item spoken synchronously, every sample kept: espeak_Synth returns only once
    all of the text's sound has been handed to the callback."""
    import ctypes

    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    rate = lib.espeak_Initialize(_SYNCHRONOUS, 0, None, 0)
    if rate <= 0:
        raise RuntimeError("eSpeak could not start")
    if lib.espeak_SetVoiceByName(str(request["voice"]).encode("utf-8")) != 0:
        raise RuntimeError(f"eSpeak has no voice {request['voice']!r}")
    if request.get("rate"):
        lib.espeak_SetParameter(_RATE, int(request["rate"]), 0)
    # The same scale pyttsx3 uses: volume 1.0 is espeak's 100.
    lib.espeak_SetParameter(_VOLUME, int(round(float(request.get("volume", 1.0)) * 100, 2)), 0)
    chunks: list[bytes] = []
    words: list[tuple[int, int, int]] = []
    callback_type = ctypes.CFUNCTYPE(
        ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(event_type())
    )

    def collect(samples: Any, count: int, events: Any) -> int:
        if count > 0 and samples:
            chunks.append(ctypes.string_at(samples, count * 2))
        index = 0
        while events and events[index].type != EVENT_END_OF_LIST:
            event = events[index]
            if event.type == EVENT_WORD:
                # ``sample`` counts the samples of this synthesis: the word's exact start.
                words.append((event.text_position, event.length, event.sample))
            index += 1
        return 0

    callback = callback_type(collect)  # kept alive until the last synthesis returns
    lib.espeak_SetSynthCallback(callback)
    for item in request["items"]:
        chunks.clear()
        words.clear()
        text = str(item["text"]).encode("utf-8") + b"\0"
        flags = _CHARS_UTF8 | _ENDPAUSE
        if lib.espeak_Synth(text, len(text), 0, _POS_CHARACTER, 0, flags, None, None) != 0:
            raise RuntimeError("eSpeak refused the text")
        _write(item, b"".join(chunks), rate, words)
    return all(_samples(item["output"]) > 0 for item in request["items"])


def _write(
    item: dict[str, Any], audio: bytes, rate: int, words: list[tuple[int, int, int]]
) -> None:
    """An item's WAV (mono, 16-bit) and its words' timing beside it."""
    import wave

    with wave.open(item["output"], "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(audio)
    spans = word_spans(words, str(item["text"]), len(audio) // 2, rate)
    with open(item["output"] + WORDS_SUFFIX, "w", encoding="utf-8") as listing:
        json.dump(spans, listing)


ANSWER = "reelspec-tts-answer "


def _answer(data: dict[str, Any]) -> None:
    # pyttsx3 prints its own messages on stdout; ours is the line with this prefix.
    sys.stdout.write("\n" + ANSWER + json.dumps(data) + "\n")


def main() -> int:
    request = json.loads(sys.stdin.read())
    if request["command"] == "speak":
        library = _espeak_library()
        if library is not None:
            _answer({"ok": _speak_with_espeak(library, request)})
            return 0
    engine = _load_engine()
    if request["command"] == "voices":
        voices = [
            {"id": v.id, "name": v.name, "languages": [str(x) for x in v.languages or []]}
            for v in engine.getProperty("voices")
        ]
        _answer({"voices": voices})
        return 0
    engine.setProperty("voice", request["voice"])
    if request.get("rate"):
        engine.setProperty("rate", int(request["rate"]))
    engine.setProperty("volume", float(request.get("volume", 1.0)))
    # One engine speaks every item; each needs its own runAndWait (queued save_to_file
    # calls keep only the last file with the espeak driver).
    for item in request["items"]:
        for _ in range(ATTEMPTS):
            engine.save_to_file(item["text"], item["output"])
            engine.runAndWait()
            if _samples(item["output"]) > 0:
                break
    _answer({"ok": all(_samples(item["output"]) > 0 for item in request["items"])})
    return 0


#: pyttsx3's drivers (Windows, macOS) are asynchronous; an empty result is spoken again.
ATTEMPTS = 3


def _samples(path: str) -> int:
    import wave

    try:
        with wave.open(path, "rb") as audio:
            return audio.getnframes()
    except (OSError, EOFError, wave.Error):
        return 0


if __name__ == "__main__":
    sys.exit(main())
