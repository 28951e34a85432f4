"""What is inside a media file, read from ffmpeg's own description of its input.

The imageio-ffmpeg wheel ships ffmpeg without ffprobe, so we parse the stream summary that
``ffmpeg -i`` prints. Only the stable parts of that summary are used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from engine.errors import MediaError
from engine.run.ffmpeg import run_capture

_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+\S*: Video: (\w+)(.*)")
_AUDIO = re.compile(r"Stream #\d+:\d+\S*: Audio: (\w+)(.*)")
_DIMS = re.compile(r"(?<![\w.])(\d{1,5})x(\d{1,5})(?![\w])")
_FPS = re.compile(r"([\d.]+(?:k)?) (fps|tbr)")
_RATE = re.compile(r"(\d+) Hz")


@dataclass(frozen=True)
class MediaInfo:
    path: str
    duration: float | None
    video_codec: str | None = None
    width: int | None = None
    height: int | None = None
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
        duration = int(h) * 3600 + int(m) * 60 + float(s)
    video = [m for m in _VIDEO.finditer(text) if "attached pic" not in m.group(2)]
    audio = list(_AUDIO.finditer(text))
    info: dict[str, object] = {}
    if video:
        codec, rest = video[0].groups()
        info["video_codec"] = codec
        dims = _DIMS.search(rest)
        if dims:
            info["width"], info["height"] = int(dims.group(1)), int(dims.group(2))
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
    except (UnidentifiedImageError, OSError):
        return probe(path)
    if frames != 1:
        return probe(path)  # animated pictures are media ffmpeg should describe
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
