"""The motion benchmark's composition made by MoviePy 2 (run by ``benchmarks/motion.py``).

``python motion_moviepy.py plan.json out.mp4``, with any Python that has MoviePy 2 (it imports
nothing of reelspec). ``plan.json`` lists the layers bottom-up: a full-frame picture (``full``,
cover-fitted), a clip, and sprites with, per frame of their life, the corner and, where they
move, the turn (degrees clockwise, in a square that holds any turn), the size and the opacity
reelspec gives them. What a MoviePy user writes for keyframes: ``rotated``, ``resized`` and
``with_position`` with functions of time, and a mask scaled by a function of time; each
picture is loaded, scaled to its placed size and padded once, with Pillow, beforehand.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from moviepy import CompositeVideoClip, ImageClip, VideoClip, VideoFileClip, vfx
from PIL import Image


def per_frame(values: Sequence[Any], fps: float) -> Callable[[float], Any]:
    """A function of the clip's own time giving the value of the frame shown then."""
    last = len(values) - 1
    return lambda t: values[min(last, max(0, round(t * fps)))]


def cover(path: str, size: tuple[int, int]) -> np.ndarray:
    with Image.open(path) as image:
        picture = image.convert("RGB")
    w, h = size
    scale = max(w / picture.width, h / picture.height)
    big = (max(w, round(picture.width * scale)), max(h, round(picture.height * scale)))
    picture = picture.resize(big, Image.Resampling.LANCZOS)
    left, top = (big[0] - w) // 2, (big[1] - h) // 2
    return np.asarray(picture.crop((left, top, left + w, top + h)))


def sprite_picture(layer: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """RGB and mask (0..1) of a sprite at its placed size, padded into its square if it turns."""
    with Image.open(layer["src"]) as image:
        picture = image.convert("RGBA")
    w, h = layer["size"]
    if picture.size != (w, h):
        picture = picture.resize((w, h), Image.Resampling.LANCZOS)
    side = layer.get("square")
    if side:
        square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
        square.paste(picture, ((side - w) // 2, (side - h) // 2))
        picture = square
    pixels = np.asarray(picture)
    return pixels[:, :, :3], pixels[:, :, 3] / 255.0


def moving(clip: VideoClip, layer: dict[str, Any], fps: float) -> VideoClip:
    """Turned, scaled, faded and placed frame by frame, as the tables say."""
    if "rotation" in layer:
        turn = per_frame(layer["rotation"], fps)
        # MoviePy turns anticlockwise.
        clip = clip.rotated(lambda t: -turn(t), expand=False, resample="bicubic")
    if "shown" in layer:
        clip = clip.resized(new_size=per_frame(layer["shown"], fps))
    if "opacity" in layer:
        opacity = per_frame(layer["opacity"], fps)
        clip = clip.with_mask(clip.mask.transform(lambda frame, t: frame(t) * opacity(t)))
    x, y = per_frame(layer["x"], fps), per_frame(layer["y"], fps)
    return clip.with_position(lambda t: (x(t), y(t)))


def main() -> int:
    plan_path, out = sys.argv[1:3]
    with open(plan_path, encoding="utf-8") as handle:
        plan = json.load(handle)
    size, fps = tuple(plan["size"]), plan["fps"]
    clips = []
    for layer in plan["layers"]:
        start, seconds = layer["start"] / fps, layer["frames"] / fps
        if layer["type"] == "video":
            clip = VideoFileClip(layer["src"], audio=False)
            clip = clip.with_effects([vfx.Loop(duration=seconds)])
            shown = layer.get("shown") or [layer["size"]]
            if tuple(shown[0]) != tuple(clip.size):
                clip = clip.resized(new_size=tuple(shown[0]))
            clip = clip.with_position((layer["x"][0], layer["y"][0]))
        elif layer["full"]:
            clip = ImageClip(cover(layer["src"], size))
        else:
            rgb, alpha = sprite_picture(layer)
            clip = ImageClip(rgb).with_mask(ImageClip(alpha, is_mask=True))
            clip = moving(clip.with_duration(seconds), layer, fps)
        clips.append(clip.with_start(start).with_duration(seconds))
    total = plan["frames"] / fps
    # The first layer fills the frame: it is the background (no mask for the whole).
    final = CompositeVideoClip(clips, size=size, use_bgclip=True).with_duration(total)
    final.write_videofile(
        out, fps=fps, codec="libx264", preset="medium", audio=False, logger=None,
        ffmpeg_params=["-crf", "23", "-pix_fmt", "yuv420p"],
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
