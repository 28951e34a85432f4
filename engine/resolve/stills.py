"""Pictures far larger than the frame can show are shrunk once, with Pillow, before ffmpeg
sees them.

A 12000×8000 phone or camera photo holds 96 megapixels; a 1080p frame shows 2. ffmpeg would
decode the whole picture (and a placed picture, once per frame) only to scale it down again.
Pillow decodes a JPEG straight at a fraction of its size (``draft``), turns it upright by its
EXIF orientation, and the result is cached by content like a drawn text card, so a picture is
shrunk once however many renders use it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

from engine.cache import cached_file, content_key, digest_of
from engine.errors import MediaError
from engine.proc.probe import pillow_open
from engine.resolved import MediaInfo

#: A picture is shrunk when it is more than this many times larger (in width and height)
#: than the most of it that can be shown; below that, ffmpeg's own scaling is as cheap.
SHRINK_ABOVE = 2.0


def shown_size(media: MediaInfo) -> tuple[int, int]:
    return media.width or 0, media.height or 0


def small_enough(path: Path, media: MediaInfo, box: tuple[int, int]) -> tuple[Path, MediaInfo]:
    """``path``, or a cached copy shrunk to just cover ``box`` (the largest size the picture
    is drawn at), with its description."""
    width, height = shown_size(media)
    if not width or not height or not box[0] or not box[1]:
        return path, media
    scale = max(box[0] / width, box[1] / height)
    if scale * SHRINK_ABOVE >= 1:
        return path, media
    target = (max(2, math.ceil(width * scale)), max(2, math.ceil(height * scale)))
    key = content_key("still", {"file": digest_of(path), "size": list(target)})

    def write(out: Path) -> None:
        _shrink(path, target, out)

    small = cached_file(key, ".png", write)
    return small, replace(media, path=str(small), width=target[0], height=target[1])


def _shrink(path: Path, target: tuple[int, int], out: Path) -> None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with pillow_open(path) as image:
            stored = target
            if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                stored = (target[1], target[0])  # the file holds the picture turned a quarter
            image.draft("RGB", stored)  # JPEG: decode at 1/2, 1/4 or 1/8 of the size, enough
            upright = ImageOps.exif_transpose(image)
            alpha = upright.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
                "transparency" in upright.info
            )
            if upright.mode.startswith("I"):
                # 16-bit grey: Pillow's convert would clip, not scale, to 8 bits.
                upright = upright.convert("I").point(lambda value: value * (1 / 256)).convert("L")
            picture = upright.convert("RGBA" if alpha else "RGB")
            picture = picture.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
            picture.save(out, format="PNG", compress_level=1)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"cannot read the picture {path}: {exc}") from None
