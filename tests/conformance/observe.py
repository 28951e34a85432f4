"""Reading a rendered file back: one ffmpeg call decodes every frame (rgb24), all the sound
(f32le at the output rate) and the timestamps of the decoded audio; small pure readers then
name colours, decode frame codes and measure tones and speech."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.proc.ffmpeg import ffmpeg_binary
from tests.conformance.media import BITS, HEIGHT, PALETTE, WIDTH
from tests.conformance.oracle import CODE_ROW, RGB, Rect

SAMPLE_RATE = 48000


@dataclass(frozen=True)
class Decoded:
    #: N × H × W × 3 uint8.
    frames: np.ndarray
    #: Mono (channels averaged) float64 samples at SAMPLE_RATE on the video's timeline:
    #: sample i is time i / SAMPLE_RATE (a stream that starts late is padded with silence in
    #: front, so sounds are judged where they really play). None: no audio stream.
    audio: np.ndarray | None
    #: The decoded stream as it is, every channel: samples × channels float32.
    audio_raw: np.ndarray | None
    #: Timestamp (in samples) of the first decoded audio frame.
    audio_start: int | None


def decode(path: Path) -> Decoded:
    """Every frame and every audio sample of ``path`` in one ffmpeg run (timestamps kept as
    written, ``-copyts``, so a stream that does not start at 0 shows)."""
    with tempfile.TemporaryDirectory(prefix="conformance-decode-") as folder:
        work = Path(folder)
        has_audio = _has_audio(path)
        args = [
            ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-nostdin", "-copyts",
            "-i", str(path),
            "-map", "0:v:0", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24",
            str(work / "video.raw"),
        ]  # fmt: skip
        if has_audio:
            args += [
                "-map", "0:a:0", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_f32le", "-f", "f32le",
                str(work / "audio.raw"),
                "-map", "0:a:0", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_f32le",
                "-f", "framecrc", str(work / "audio.crc"),
            ]  # fmt: skip
        subprocess.run(args, check=True, capture_output=True)
        raw = np.fromfile(work / "video.raw", np.uint8)
        frames = raw.reshape(-1, HEIGHT, WIDTH, 3)
        if not has_audio:
            return Decoded(frames, None, None, None)
        channels, first = _audio_layout((work / "audio.crc").read_text())
        samples = np.fromfile(work / "audio.raw", np.float32).reshape(-1, channels)
        mono = samples.mean(axis=1, dtype=np.float64)
        timeline = np.concatenate([np.zeros(max(0, first)), mono[max(0, -first) :]])
        return Decoded(frames, timeline, samples, first)


def _has_audio(path: Path) -> bool:
    probe = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return re.search(r"Stream #\d+:\d+\S*: Audio:", probe.stderr) is not None


def _audio_layout(crc: str) -> tuple[int, int]:
    """(channels, pts of the first frame in samples) from a framecrc listing."""
    layout = re.search(r"#channel_layout_name 0: (\w+)", crc)
    channels = {"mono": 1, "stereo": 2}[layout.group(1)] if layout else 2
    timebase = re.search(r"#tb 0: (\d+)/(\d+)", crc)
    assert timebase, crc
    first = next(line for line in crc.splitlines() if line and not line.startswith("#"))
    pts = int(first.split(",")[2])
    num, den = int(timebase.group(1)), int(timebase.group(2))
    return channels, round(pts * num * SAMPLE_RATE / den)


# --- pictures ---------------------------------------------------------------------------------

#: Every colour a block can legitimately be: the palette, plus black and white.
KNOWN: tuple[RGB, ...] = ((0, 0, 0), (255, 255, 255), *PALETTE)


def block_colour(frame: np.ndarray, block: Rect) -> np.ndarray:
    return frame[block.y0 : block.y1, block.x0 : block.x1].reshape(-1, 3).mean(axis=0)


_KNOWN = np.array(KNOWN, dtype=np.float64)


def nearest(colour: np.ndarray, tolerance: float = 48) -> RGB | None:
    """The known colour ``colour`` is, or None when it is none of them (a blend, an edge)."""
    distance = np.abs(_KNOWN - colour).max(axis=1)
    best = int(distance.argmin())
    return KNOWN[best] if distance[best] <= tolerance else None


def read_code(frame: np.ndarray) -> int | None:
    """The frame number drawn in the bottom stripes, or None when a stripe is neither black
    nor white."""
    stripe = WIDTH // BITS
    value = 0
    for bit in range(BITS):
        x = bit * stripe + stripe // 2
        level = float(frame[CODE_ROW[0] : CODE_ROW[1], x - 2 : x + 2].mean())
        if level > 200:
            value |= 1 << (BITS - 1 - bit)
        elif level > 55:
            return None
    return value


# --- sound ------------------------------------------------------------------------------------

#: Seconds of sound each measurement looks at.
WINDOW = 0.08


def windows(samples: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Hann-windowed stretch of WINDOW seconds around each time (rows), and which times
    have a whole window inside the sound."""
    half = round(WINDOW * SAMPLE_RATE / 2)
    centres = np.round(times * SAMPLE_RATE).astype(int)
    inside = (centres - half >= 0) & (centres + half <= len(samples))
    index = centres[inside, None] + np.arange(-half, half)[None, :]
    return samples[index] * np.hanning(2 * half)[None, :], inside


def tone_levels(samples: np.ndarray, times: np.ndarray, freqs: list[float]) -> np.ndarray:
    """Amplitude of a sine at each frequency (columns) around each time (rows), NaN where the
    window leaves the sound: one DFT bin per frequency, scaled so a sine of amplitude A
    reads A."""
    chunks, inside = windows(samples, times)
    length = chunks.shape[1]
    basis = np.exp(-2j * np.pi * np.outer(np.arange(length), freqs) / SAMPLE_RATE)
    levels = np.full((len(times), len(freqs)), np.nan)
    levels[inside] = 2 * np.abs(chunks @ basis) / np.hanning(length).sum()
    return levels


def band_levels(
    samples: np.ndarray, times: np.ndarray, low: float = 2000, high: float = 5000
) -> np.ndarray:
    """RMS of the sound between ``low`` and ``high`` Hz around each time, NaN where the window
    leaves the sound (speech lives in that band; the vocabulary's tones stay below 1.5 kHz)."""
    chunks, inside = windows(samples, times)
    length = chunks.shape[1]
    spectrum = np.fft.rfft(chunks, axis=1)
    freqs = np.fft.rfftfreq(length, 1 / SAMPLE_RATE)
    band = spectrum[:, (freqs >= low) & (freqs <= high)]
    # Parseval: a one-sided bin holds half of a real signal's power; the window's own mean
    # power is divided out.
    power = 2 * np.sum(np.abs(band) ** 2, axis=1) / length**2 / np.mean(np.hanning(length) ** 2)
    levels = np.full(len(times), np.nan)
    levels[inside] = np.sqrt(power)
    return levels
