"""Offline speech: pyttsx3 in a child process with a timeout (espeak-ng on Linux through the
espeakng-loader wheel, SAPI5 on Windows, NSSpeechSynthesizer on macOS)."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ConfigError, MediaError
from engine.proc.tts_worker import ANSWER

TIMEOUT_SECONDS = 60.0
PER_ITEM_SECONDS = 30.0


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...]
    #: Which engine speaks it: espeak here, piper in engine.proc.neural_tts.
    engine: str = "espeak"


def run_worker(
    module: str, request: Mapping[str, object], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run a speech worker (``python -m module``) on one JSON request, killed after
    ``timeout`` seconds (speech engines can hang): MediaError then."""
    try:
        return subprocess.run(
            [sys.executable, "-m", module],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise MediaError(f"speech synthesis took more than {timeout:g}s and was stopped") from None


def last_line(stderr: str) -> str:
    """What a failed worker said last."""
    return (stderr.strip().splitlines() or ["no message"])[-1]


def _ask(request: dict[str, object], timeout: float) -> dict[str, object]:
    result = run_worker("engine.proc.tts_worker", request, timeout)
    if result.returncode != 0:
        last = last_line(result.stderr)
        if "eSpeak" in result.stderr or "No module named 'pyttsx3'" in result.stderr:
            raise ConfigError(f"no speech engine: {last}")
        raise MediaError(f"speech synthesis failed: {last}")
    for line in reversed(result.stdout.splitlines()):
        if line.startswith(ANSWER):
            answer: dict[str, object] = json.loads(line[len(ANSWER) :])
            return answer
    raise MediaError("speech synthesis gave no answer")


@functools.lru_cache(maxsize=1)
def voices() -> tuple[Voice, ...]:
    listed = _ask({"command": "voices"}, 60.0).get("voices", [])
    assert isinstance(listed, list)  # the worker's own answer
    return tuple(Voice(v["id"], v["name"], tuple(v["languages"])) for v in listed)


def synthesize(
    items: list[tuple[str, Path]], voice_id: str, rate: int | None, volume: float
) -> None:
    """Speak each (text, output WAV) pair, all in one child process."""
    answer = _ask(
        {
            "command": "speak",
            "items": [{"text": text, "output": str(output)} for text, output in items],
            "voice": voice_id,
            "rate": rate,
            "volume": volume,
        },
        TIMEOUT_SECONDS + PER_ITEM_SECONDS * len(items),
    )
    if not answer.get("ok") or any(
        not output.exists() or output.stat().st_size <= 44 for _, output in items
    ):
        raise MediaError("speech synthesis produced no audio")
