"""Helpers that look inside rendered files with the real ffmpeg: stream facts, exact frame
counts, decoded pixels of a given frame, and audio loudness over a time window."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from engine.resolve.probe import MediaInfo, count_frames, probe
from engine.run.ffmpeg import ffmpeg_binary

__all__ = ["MediaInfo", "audio_samples", "count_frames", "frame", "probe", "rms", "run_ffmpeg"]


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
