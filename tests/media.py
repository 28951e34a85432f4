"""Helpers that look inside rendered files with the real ffmpeg: stream facts, exact frame
counts, decoded pixels of a given frame, and audio loudness over a time window."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from engine.proc.ffmpeg import ffmpeg_binary
from engine.proc.probe import MediaInfo, count_frames, probe

__all__ = [
    "MediaInfo",
    "audio_samples",
    "count_frames",
    "frame",
    "probe",
    "rms",
    "run_ffmpeg",
    "stream_starts",
    "tone_level",
]


def run_ffmpeg(*args: str) -> bytes:
    result = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-nostdin", *args],
        capture_output=True,
        check=True,
    )
    return result.stdout


def frame(path: Path, index: int) -> np.ndarray:
    """Decoded RGB pixels of frame ``index`` (0-based), as an H×W×3 uint8 array."""
    info = probe(path)
    assert info.width and info.height
    raw = run_ffmpeg(
        "-i",
        str(path),
        "-map",
        "0:v:0",
        "-vf",
        f"select=eq(n\\,{index})",
        "-fps_mode",
        "passthrough",
        "-frames:v",
        "1",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-",
    )
    expected = info.width * info.height * 3
    assert len(raw) == expected, f"frame {index} of {path} not found"
    return np.frombuffer(raw, np.uint8).reshape(info.height, info.width, 3)


def audio_samples(path: Path, rate: int = 48000) -> np.ndarray:
    raw = run_ffmpeg(
        "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(rate), "-f", "f32le", "-"
    )
    return np.frombuffer(raw, np.float32)


def rms(samples: np.ndarray, t0: float, t1: float, rate: int = 48000) -> float:
    window = samples[int(t0 * rate) : int(t1 * rate)]
    return float(np.sqrt(np.mean(np.square(window, dtype=np.float64)))) if len(window) else 0.0


def tone_level(samples: np.ndarray, freq: float, t0: float, t1: float, rate: int = 48000) -> float:
    """The amplitude of the sine at ``freq`` Hz in [t0, t1) (Goertzel: one DFT bin, of a
    Hann-windowed stretch), so one tone can be measured under others of other pitches."""
    window = samples[int(t0 * rate) : int(t1 * rate)].astype(np.float64)
    if len(window) == 0:
        return 0.0
    taper = np.hanning(len(window))
    phase = np.exp(-2j * np.pi * freq * np.arange(len(window)) / rate)
    return float(2 * abs(np.sum(window * taper * phase)) / np.sum(taper))


def stream_starts(path: Path) -> dict[str, float]:
    """The start time ffmpeg reports for each kind of stream ("video", "audio") of ``path``
    (0 when it prints none: the stream starts with the file)."""
    import re

    result = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
    )
    starts: dict[str, float] = {}
    for kind, rest in re.findall(r"Stream #\d+:\d+\S*: (Video|Audio): (.*)", result.stderr):
        match = re.search(r"start (-?[\d.]+)", rest)
        starts.setdefault(kind.lower(), float(match.group(1)) if match else 0.0)
    return starts


def subtitle_streams(path: Path) -> list[tuple[str, str]]:
    """(codec, language) of each subtitle stream ffmpeg finds in ``path``."""
    import re

    text = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
    ).stderr
    return re.findall(r"Stream #\d+:\d+(?:\[\w+\])?\((\w+)\): Subtitle: (\w+)", text)
