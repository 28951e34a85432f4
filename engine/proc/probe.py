"""What is inside a media file, read from ffmpeg's own description of its input.

The imageio-ffmpeg wheel ships ffmpeg without ffprobe, so we parse the stream summary that
``ffmpeg -i`` prints. Only the stable parts of that summary are used.

Probing is also where a file is checked to *be* media: specs can come from strangers, and
ffmpeg will happily follow a playlist or a concat script to other files (or, with HLS, to
URLs). A file whose first bytes are such a text, or that ffmpeg opens with a demuxer that
reads other files, is refused before it reaches a render; probes read local files only.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from engine.env import env_limit
from engine.errors import MediaError
from engine.proc.ffmpeg import run_capture
from engine.resolved import MediaInfo

if TYPE_CHECKING:
    from PIL import Image

_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+\S*: Video: (\w+)(.*)")
_AUDIO = re.compile(r"Stream #\d+:\d+\S*: Audio: (\w+)(.*)")
_DIMS = re.compile(r"(?<![\w.])(\d{1,5})x(\d{1,5})(?![\w])")
_FPS = re.compile(r"([\d.]+(?:k)?) (fps|tbr)")
_RATE = re.compile(r"(\d+) Hz")
_SAR = re.compile(r"\[SAR (\d+):(\d+) DAR")
_ROTATION = re.compile(r"Display Matrix: rotation of (-?[\d.]+) degrees")
#: A VP8/VP9 stream whose alpha lies in the WebM side data (ffmpeg's own decoder ignores it).
_ALPHA_MODE = re.compile(r"^\s*alpha_mode\s*:\s*1\s*$", re.MULTILINE)
#: The decoders that read that alpha, by codec.
_ALPHA_DECODERS = {"vp8": "libvpx", "vp9": "libvpx-vp9"}
_INPUT = re.compile(r"Input #0, ([\w,]+), from")
#: The pixel format and its color description: ``yuv420p10le(tv, bt2020nc/bt2020/smpte2084``.
_PIXELS = re.compile(r"^,? ?(\w+)(?:\(([^)]*)\))?")
#: EXIF orientations (5-8) whose picture is shown turned a quarter: width and height swap.
_QUARTER_TURNS = {5, 6, 7, 8}
#: Demuxers that read other files or URLs than the one given: playlists, concat scripts,
#: manifests, session descriptions, and ffmpeg's own filter and tee devices.
_INDIRECT = {
    "hls",
    "applehttp",
    "dash",
    "concat",
    "ffconcat",
    "sdp",
    "rtp",
    "rtsp",
    "tee",
    "lavfi",
    "imf",
    "webm_dash_manifest",
    "subfile",
}
#: First bytes of texts that point at other media, refused before ffmpeg even opens them
#: (probing a playlist already makes ffmpeg read what it lists).
_INDIRECT_HEADS = (b"#EXTM3U", b"ffconcat", b"[playlist]", b"<?xml", b"<MPD", b"v=0")
#: Pixel formats with an alpha plane (ffmpeg's names).
_ALPHA = re.compile(r"^(yuva|gbrap|rgba|bgra|argb|abgr|ya\d|pal8$)")
#: The largest picture (width × height) a source may have: a header claiming more is refused
#: before anything decodes it (a few bytes of PNG can claim gigapixels).
DEFAULT_MAX_MEDIA_PIXELS = 200_000_000


def max_media_pixels() -> int:
    return int(env_limit("REELSPEC_MAX_MEDIA_PIXELS", DEFAULT_MAX_MEDIA_PIXELS))


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
            if codec in _ALPHA_DECODERS and _ALPHA_MODE.search(_stream_block(text, video[0].end())):
                info["has_alpha"], info["decoder"] = True, _ALPHA_DECODERS[codec]
            if rotation % 180 == 90:
                width, height = height, width
            info["width"], info["height"], info["rotation"] = width, height, rotation
        pixels = _PIXELS.match(rest.split(",", 1)[1] if "," in rest else "")
        if pixels:
            info["pix_fmt"] = pixels.group(1)
            info["has_alpha"] = info.get("has_alpha") or bool(_ALPHA.match(pixels.group(1)))
            colors = (pixels.group(2) or "").split(",")[1:2]
            described = colors[0].strip().split("/") if colors else []
            if len(described) == 3:
                info["transfer"] = described[2]
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


def _stream_block(text: str, after: int) -> str:
    """What is printed about the stream whose line ends at ``after``: its metadata and side
    data, up to the next stream's line."""
    following = text[after:]
    next_stream = following.find("Stream #")
    return following if next_stream < 0 else following[:next_stream]


def _stream_rotation(text: str, after: int) -> int:
    """The display-matrix rotation printed in the side data of the stream whose line ends at
    ``after`` (before the next stream's line), in whole degrees 0-359."""
    match = _ROTATION.search(_stream_block(text, after))
    return round(float(match.group(1))) % 360 if match else 0


def probe(path: Path) -> MediaInfo:
    """Describe ``path``; raise MediaError when it is missing, not a regular file, not media
    ffmpeg can decode, or a file that makes ffmpeg read other files."""
    _check_file(path)
    result = run_capture(
        ["-hide_banner", "-nostdin", "-i", str(path)],
        check=False,
    )
    text = result.stderr
    demuxer = _INPUT.search(text)
    if demuxer and _INDIRECT & set(demuxer.group(1).split(",")):
        raise MediaError(
            f"{path} is a {demuxer.group(1).split(',')[0]} file, which makes ffmpeg read other "
            f"files or URLs; give the media file itself"
        )
    if "Invalid data found" in text or ("Stream #" not in text):
        lines = [ln for ln in text.strip().splitlines() if ln.strip()]
        tail = lines[-1][:200] if lines else "no streams"
        raise MediaError(f"not a media file ffmpeg can read: {path} ({tail})")
    info = parse_probe(text, str(path))
    _check_pixels(path, info.width, info.height)
    if info.duration is None and info.has_video:
        # Animated WebP: ffmpeg's demuxer states no duration; its frames' delays are the length.
        info = _with_animation_length(path, info)
    return info


def probe_still(path: Path) -> MediaInfo:
    """Describe a still picture from its header with Pillow (no process start: ~100× faster
    than asking ffmpeg); anything Pillow cannot identify is asked of ffmpeg instead."""
    from PIL import UnidentifiedImageError

    _check_file(path)
    try:
        with pillow_open(path) as image:
            width, height = image.size
            codec = (image.format or "image").lower()
            frames = getattr(image, "n_frames", 1)
            orientation = image.getexif().get(0x0112, 1)
            alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
                "transparency" in image.info
            )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return probe(path)
    if frames != 1:
        return probe(path)  # animated pictures are media ffmpeg should describe
    if orientation in _QUARTER_TURNS:
        # ffmpeg turns the picture upright as it decodes it; its shown size is the turned one.
        width, height = height, width
    return MediaInfo(
        str(path),
        None,
        video_codec=codec,
        width=width,
        height=height,
        video_streams=1,
        has_alpha=alpha,
    )


@contextmanager
def pillow_open(path: Path) -> Iterator[Image.Image]:
    """Pillow's ``Image.open`` under reelspec's own pixel limit: Pillow's (89 megapixels, a
    warning; twice that, an error) would warn on an ordinary 96-megapixel photo and refuse
    pictures the limit allows."""
    from PIL import Image

    limit = max_media_pixels()
    Image.MAX_IMAGE_PIXELS = limit  # Pillow's own refusal comes only at twice this
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except Image.DecompressionBombError:
            raise MediaError(
                f"{path} is over the limit of {limit:,} pixels a picture "
                f"(REELSPEC_MAX_MEDIA_PIXELS)"
            ) from None
    with image:
        _check_pixels(path, *image.size)
        yield image


def _check_file(path: Path) -> None:
    """A regular file, not a device, FIFO or folder, and not a text that lists other media."""
    if not path.exists():
        raise MediaError(f"file not found: {path}")
    if not path.is_file():
        raise MediaError(f"not a regular file: {path}")
    try:
        with path.open("rb") as handle:
            head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise MediaError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head.startswith(_INDIRECT_HEADS):
        raise MediaError(
            f"{path} is a playlist, concat script or manifest, which makes ffmpeg read other "
            f"files or URLs; give the media file itself"
        )


def _check_pixels(path: Path, width: int | None, height: int | None) -> None:
    limit = max_media_pixels()
    if width and height and width * height > limit:
        raise MediaError(
            f"{path} is {width}x{height}, over the limit of {limit:,} pixels a picture "
            f"(REELSPEC_MAX_MEDIA_PIXELS)"
        )


def _with_animation_length(path: Path, info: MediaInfo) -> MediaInfo:
    from dataclasses import replace

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.seek(getattr(image, "n_frames", 1) - 1)
            image.load()  # the frame's timing is read with its pixels
            total = int(image.info.get("timestamp") or 0) + int(image.info.get("duration") or 0)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return info
    return replace(info, duration=Fraction(total, 1000)) if total else info


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
