"""Recognisable media, made once per session: every picture says what it is and every sound
says where it came from, so the renders can be read back without trusting the engine.

- Solid colours (images and overlays): one flat colour each, from a palette whose colours are
  far apart in RGB (levels 0/128/255), so even after 4:2:0 chroma subsampling and a YUV round
  trip the nearest palette colour names the source.
- Clips and image sequences: the top half of every frame is the source's identity colour; the
  bottom half is the frame number in binary as 8 vertical black/white stripes (MSB first).
- Sounds: each clip has one sine tone of its own frequency for its whole length; each music
  track is a few tone segments of distinct frequencies, so a trim or a loop shows as which
  frequency plays when. No two sources share a frequency.

The facts the oracle needs (frame counts, rates, lengths, segment layouts) are recorded here,
by construction, in a :class:`Catalogue`.
"""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

from engine.proc.ffmpeg import ffmpeg_binary

#: Output frame size of every generated spec: 16:9 like every picture source, so any fit
#: mode shows the whole picture.
WIDTH, HEIGHT = 96, 54
#: Peak amplitude of every tone (low enough that a mix of all sources never clips).
TONE_AMPLITUDE = 0.2
#: Stripes of the binary frame code.
BITS = 8

#: Colours at levels 0/128/255 except black and white (which the frame code uses).
PALETTE: tuple[tuple[int, int, int], ...] = tuple(
    (r, g, b)
    for r in (0, 128, 255)
    for g in (0, 128, 255)
    for b in (0, 128, 255)
    if (r, g, b) not in ((0, 0, 0), (255, 255, 255))
)


def hex_colour(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


@dataclass(frozen=True)
class Clip:
    name: str
    path: Path
    colour: tuple[int, int, int]
    fps: Fraction
    frames: int
    #: Tone frequency of its sound; None for a clip without an audio stream.
    tone: float | None

    @property
    def length(self) -> Fraction:
        return Fraction(self.frames) / self.fps


@dataclass(frozen=True)
class Sequence:
    name: str
    #: ``src`` as a spec writes it: a printf pattern or a glob, absolute.
    src: str
    colour: tuple[int, int, int]
    frames: int


@dataclass(frozen=True)
class Track:
    name: str
    path: Path
    #: (start seconds, end seconds, frequency) of each tone segment of the file.
    segments: tuple[tuple[Fraction, Fraction, float], ...]

    @property
    def length(self) -> Fraction:
        return self.segments[-1][1]


@dataclass(frozen=True)
class Solid:
    name: str
    path: Path
    colour: tuple[int, int, int]
    size: tuple[int, int]


@dataclass(frozen=True)
class Catalogue:
    root: Path
    clips: tuple[Clip, ...]
    sequences: tuple[Sequence, ...]
    tracks: tuple[Track, ...]
    #: Full-frame pictures (16:9) and small sprites for placed images and overlays.
    images: tuple[Solid, ...]
    sprites: tuple[Solid, ...]
    #: Palette colours no media uses: for colour layers and backgrounds.
    free_colours: tuple[tuple[int, int, int], ...]
    #: Narration texts and the seconds each lasts when spoken (measured from the synthesised
    #: speech, the one fact about speech we cannot know by construction).
    speech: dict[str, Fraction] = field(default_factory=dict)

    def frequencies(self) -> list[float]:
        """Every tone any media of the catalogue can play."""
        clips = [c.tone for c in self.clips if c.tone is not None]
        return clips + [freq for t in self.tracks for _, _, freq in t.segments]

    def clip(self, path: str) -> Clip:
        return next(c for c in self.clips if str(c.path) == path)

    def sequence(self, src: str) -> Sequence:
        return next(s for s in self.sequences if s.src == src)

    def track(self, path: str) -> Track:
        return next(t for t in self.tracks if str(t.path) == path)

    def solid(self, path: str) -> Solid:
        return next(s for s in (*self.images, *self.sprites) if str(s.path) == path)


def coded_frame(number: int, colour: tuple[int, int, int], size: tuple[int, int]) -> np.ndarray:
    """An RGB frame: identity colour on top, ``number`` as 8 black/white stripes below."""
    width, height = size
    frame = np.zeros((height, width, 3), np.uint8)
    frame[: height // 2] = colour
    stripe = width // BITS
    for bit in range(BITS):
        if number >> (BITS - 1 - bit) & 1:
            frame[height // 2 :, bit * stripe : (bit + 1) * stripe] = 255
    return frame


def _tone_samples(freq: float, seconds: Fraction, rate: int) -> np.ndarray:
    count = int(seconds * rate)
    assert count == seconds * rate, "tone lengths are whole samples by construction"
    t = np.arange(count) / rate
    return TONE_AMPLITUDE * np.sin(2 * np.pi * freq * t)


def _write_wav(path: Path, samples: np.ndarray, rate: int, channels: int = 1) -> None:
    pcm = np.round(np.clip(samples, -1, 1) * 32767).astype("<i2")
    if channels == 2:
        pcm = np.repeat(pcm, 2)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())


def _make_clip(
    root: Path,
    name: str,
    colour: tuple[int, int, int],
    size: tuple[int, int],
    fps: Fraction,
    frames: int,
    tone: float | None,
    container: str,
) -> Clip:
    path = root / f"{name}.{container}"
    pictures = b"".join(coded_frame(n, colour, size).tobytes() for n in range(frames))
    args = [
        ffmpeg_binary(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{size[0]}x{size[1]}",
        "-framerate",
        str(fps),
        "-i",
        "pipe:0",
    ]
    if tone is not None:
        wav = root / f"{name}.wav"
        _write_wav(wav, _tone_samples(tone, Fraction(frames) / fps, 48000), 48000)
        args += ["-i", str(wav)]
    # Lossless, so the stripes and the identity colour come back exactly as drawn.
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p"]
    if tone is not None:
        args += ["-c:a", "aac" if container == "mp4" else "pcm_s16le"]
    subprocess.run([*args, str(path)], input=pictures, check=True, capture_output=True)
    return Clip(name, path, colour, fps, frames, tone)


def _make_sequence(
    root: Path,
    name: str,
    colour: tuple[int, int, int],
    size: tuple[int, int],
    frames: int,
    first: int,
    naming: str,
    glob: bool = False,
) -> Sequence:
    folder = root / name
    folder.mkdir()
    for n in range(frames):
        Image.fromarray(coded_frame(n, colour, size)).save(folder / (naming % (first + n)))
    # A glob reads every match sorted by name (zero padding keeps that the numeric order).
    src = str(folder / "*.png") if glob else str(folder / naming)
    return Sequence(name, src, colour, frames)


def _make_track(
    root: Path,
    name: str,
    segments: list[tuple[Fraction, float]],
    rate: int,
    channels: int,
) -> Track:
    parts, placed, start = [], [], Fraction(0)
    for seconds, freq in segments:
        parts.append(_tone_samples(freq, seconds, rate))
        placed.append((start, start + seconds, freq))
        start += seconds
    path = root / f"{name}.wav"
    _write_wav(path, np.concatenate(parts), rate, channels)
    return Track(name, path, tuple(placed))


def _make_solid(
    root: Path, name: str, colour: tuple[int, int, int], size: tuple[int, int]
) -> Solid:
    path = root / f"{name}.png"
    Image.new("RGB", size, colour).save(path)
    return Solid(name, path, colour, size)


def make_catalogue(root: Path) -> Catalogue:
    colours = iter(PALETTE)
    F = Fraction
    clips = (
        _make_clip(root, "clip_a", next(colours), (96, 54), F(25), 50, 330.0, "mp4"),
        _make_clip(root, "clip_b", next(colours), (192, 108), F(30), 90, 470.0, "mkv"),
        _make_clip(root, "clip_c", next(colours), (96, 54), F(24), 36, None, "mp4"),
        _make_clip(root, "clip_d", next(colours), (96, 54), F(10), 40, 610.0, "mp4"),
        _make_clip(root, "clip_e", next(colours), (160, 90), F(15), 36, 750.0, "mkv"),
        _make_clip(root, "clip_f", next(colours), (96, 54), F(50), 60, None, "mkv"),
    )
    sequences = (
        _make_sequence(root, "seq_a", next(colours), (96, 54), 20, 1, "f_%03d.png"),
        _make_sequence(root, "seq_b", next(colours), (160, 90), 30, 7, "img%04d.png"),
        _make_sequence(root, "seq_c", next(colours), (96, 54), 16, 0, "shot_%02d.png", glob=True),
    )
    tracks = (
        _make_track(root, "track_a", [(F(1), 890.0), (F(1), 1010.0), (F(1), 1130.0)], 44100, 1),
        _make_track(
            root,
            "track_b",
            [(F(1, 2), 1250.0), (F(1, 2), 1370.0), (F(1, 2), 410.0), (F(1, 2), 540.0)],
            48000,
            2,
        ),
        _make_track(root, "track_c", [(F(3, 2), 680.0), (F(3, 2), 820.0)], 48000, 1),
    )
    images = tuple(_make_solid(root, f"image_{i}", next(colours), (160, 90)) for i in range(4))
    sprites = tuple(_make_solid(root, f"sprite_{i}", next(colours), (16, 12)) for i in range(5))
    return Catalogue(root, clips, sequences, tracks, images, sprites, tuple(colours))


#: Narration texts the generator may use (few, so speech is synthesised once each).
NARRATION_TEXTS = ("Hello there.", "One two three.", "Good morning everyone.")


def measure_speech(texts: tuple[str, ...] = NARRATION_TEXTS) -> dict[str, Fraction]:
    """Seconds of speech for each text, measured on the synthesised WAV (resolve-side I/O,
    cached by content, so the render later reads the very same file)."""
    from engine.resolve.narration import narration_audio
    from engine.spec.models import Narration

    lengths = {}
    for text in texts:
        spoken = narration_audio(Narration(text=text, voice="en"))
        with wave.open(str(spoken.path), "rb") as audio:
            lengths[text] = Fraction(audio.getnframes(), audio.getframerate())
    return lengths
