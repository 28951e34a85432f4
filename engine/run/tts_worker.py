"""Runs in a child process: speaks text to a WAV file with pyttsx3, or lists voices.

Reads one JSON request on stdin (so text is data: a leading "-" or markup-like text is spoken,
never parsed as an option), writes one JSON answer on stdout. espeak drivers can hang, which
is why the parent runs this in a process it can kill.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def _load_engine() -> Any:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            import espeakng_loader
        except ImportError:
            pass
        else:
            # pyttsx3 opens "libespeak-ng.so.1" by name; a library with that soname loaded
            # first (the one in the espeakng-loader wheel) is the one it gets.
            os.environ.setdefault("ESPEAK_DATA_PATH", espeakng_loader.get_data_path())
            ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_GLOBAL)
    import pyttsx3

    return pyttsx3.init()


ANSWER = "reelspec-tts-answer "


def _answer(data: dict[str, Any]) -> None:
    # pyttsx3 prints its own messages on stdout; ours is the line with this prefix.
    sys.stdout.write("\n" + ANSWER + json.dumps(data) + "\n")


def main() -> int:
    request = json.loads(sys.stdin.read())
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


#: pyttsx3's espeak driver writes the file from espeak's end-of-message callback with what it
#: has buffered by then; on a CPU-starved machine that was seen to be nothing (twice in one
#: session with two training jobs beside the tests), so an empty result is spoken again.
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
