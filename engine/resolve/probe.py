"""What is inside a media file, read from ffmpeg's own description of its input.

The imageio-ffmpeg wheel ships ffmpeg without ffprobe, so we parse the stream summary that
``ffmpeg -i`` prints. Only the stable parts of that summary are used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from engine.errors import MediaError
from engine.run.ffmpeg import run_capture

_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+\S*: Video: (\w+)(.*)")
_AUDIO = re.compile(r"Stream #\d+:\d+\S*: Audio: (\w+)(.*)")
_DIMS = re.compile(r"(?<![\w.])(\d{1,5})x(\d{1,5})(?![\w])")
_FPS = re.compile(r"([\d.]+(?:k)?) (fps|tbr)")
_RATE = re.compile(r"(\d+) Hz")
_SAR = re.compile(r"\[SAR (\d+):(\d+) DAR")
_ROTATION = re.compile(r"Display Matrix: rotation of (-?[\d.]+) degrees")
#: EXIF orientations (5-8) whose picture is shown turned a quarter: width and height swap.
_QUARTER_TURNS = {5, 6, 7, 8}


@dataclass(frozen=True)
class MediaInfo:
    path: str
    #: Exact seconds, as the container states them.
    duration: Fraction | None
    video_codec: str | None = None
    #: The picture's size as it is shown: turned upright (ffmpeg applies a display matrix
    #: or EXIF orientation when decoding) and with square pixels.
    width: int | None = None
    height: int | None = None
    #: Degrees the stored picture is turned when shown (a phone clip held upright: 90).
    rotation: int = 0
    fps: float | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: str | None = None
    audio_streams: int = 0
    video_streams: int = 0

    @property
    def has_video(self) -> bool:
        return self.video_streams > 0

    @property
    def has_audio(self) -> bool:
        return self.audio_streams > 0


def parse_probe(text: str, path: str) -> MediaInfo:
    duration = None
    match = _DURATION.search(text)
    if match:
        h, m, s = match.groups()
        duration = Fraction(int(h) * 3600 + int(m) * 60) + Fraction(s)
    video = [m for m in _VIDEO.finditer(text) if "attached pic" not in m.group(2)]
    audio = list(_AUDIO.finditer(text))
    info: dict[str, object] = {}
    if video:
        codec, rest = video[0].groups()
        info["video_codec"] = codec
        dims = _DIMS.search(rest)
        if dims:
            width, height = int(dims.group(1)), int(dims.group(2))
            sar = _SAR.search(rest)
            if sar and int(sar.group(1)) and int(sar.group(2)):
                # Non-square pixels: the picture is shown wider (or narrower) than stored.
                width = max(1, round(width * int(sar.group(1)) / int(sar.group(2))))
            rotation = _stream_rotation(text, video[0].end())
            if rotation % 180 == 90:
                width, height = height, width
            info["width"], info["height"], info["rotation"] = width, height, rotation
        rates = {unit: value for value, unit in _FPS.findall(rest)}
        rate = rates.get("fps") or rates.get("tbr")
        if rate:
            info["fps"] = float(rate[:-1]) * 1000 if rate.endswith("k") else float(rate)
    if audio:
        codec, rest = audio[0].groups()
        info["audio_codec"] = codec
        rate_match = _RATE.search(rest)
        if rate_match:
            info["sample_rate"] = int(rate_match.group(1))
        parts = [p.strip() for p in rest.split(",")]
        if len(parts) > 2:
            info["channels"] = parts[2]
    return MediaInfo(
        path=path,
        duration=duration,
        audio_streams=len(audio),
        video_streams=len(video),
        **info,  # type: ignore[arg-type]
    )


def _stream_rotation(text: str, after: int) -> int:
    """The display-matrix rotation printed in the side data of the stream whose line ends at
    ``after`` (before the next stream's line), in whole degrees 0-359."""
    following = text[after:]
    next_stream = following.find("Stream #")
    block = following if next_stream < 0 else following[:next_stream]
    match = _ROTATION.search(block)
    return round(float(match.group(1))) % 360 if match else 0


def probe(path: Path) -> MediaInfo:
    """Describe ``path``; raise MediaError when it is missing or not decodable media."""
    if not path.exists():
        raise MediaError(f"file not found: {path}")
    if not path.is_file():
        raise MediaError(f"not a file: {path}")
    result = run_capture(["-hide_banner", "-nostdin", "-i", str(path)], check=False)
    text = result.stderr
    if "Invalid data found" in text or ("Stream #" not in text):
        tail = text.strip().splitlines()[-1] if text.strip() else "no streams"
        raise MediaError(f"not a media file ffmpeg can read: {path} ({tail})")
    return parse_probe(text, str(path))


def probe_still(path: Path) -> MediaInfo:
    """Describe a still picture from its header with Pillow (no process start: ~100× faster
    than asking ffmpeg); anything Pillow cannot identify is asked of ffmpeg instead."""
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        return probe(path)
    try:
        with Image.open(path) as image:
            width, height = image.size
            codec = (image.format or "image").lower()
            frames = getattr(image, "n_frames", 1)
            orientation = image.getexif().get(0x0112, 1)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return probe(path)
    if frames != 1:
        return probe(path)  # animated pictures are media ffmpeg should describe
    if orientation in _QUARTER_TURNS:
        # ffmpeg turns the picture upright as it decodes it; its shown size is the turned one.
        width, height = height, width
    return MediaInfo(
        str(path), None, video_codec=codec, width=width, height=height, video_streams=1
    )


def count_frames(path: Path) -> int:
    """Exact number of video frames, by demuxing every packet of the first video stream."""
    result = run_capture(
        [
            "-hide_banner",
            "-nostdin",
            "-i",
            str(path),
            "-map",
            "0:v:0",
            "-c",
            "copy",
            "-f",
            "null",
            "-",
        ],
    )
    counts = re.findall(r"frame=\s*(\d+)", result.stderr)
    if not counts:
        raise MediaError(f"no video frames in {path}")
    return int(counts[-1])
