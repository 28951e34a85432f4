"""A clip's part and the ways it plays, checked while the spec is resolved, so that every
refusal is a located spec error before anything decodes: the trimmed part, the frame a frozen
clip shows, and the memory a looped or reversed one needs.

A looped or reversed clip is held in memory: ffmpeg's ``loop`` and ``reverse`` keep every
frame of one pass (after fitting, at the output's size), ``aloop`` and ``areverse`` all of its
sound. So a pass is bounded: frames × pixels a frame (REELSPEC_MAX_HELD_PIXELS), and its
sound's length."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from engine.env import env_limit
from engine.timebase import exact

if TYPE_CHECKING:
    from engine.layers.base import PathKey
    from engine.resolve.context import ResolveContext
    from engine.resolved import MediaInfo
    from engine.spec.parts import Trim

#: Pixels of the frames one looped or reversed pass may hold (frames × width × height):
#: about 8 s of 1080p at 30 fps, 750 MB in 8-bit 4:2:0.
DEFAULT_MAX_HELD_PIXELS = 500_000_000
#: Seconds of sound one looped or reversed pass may hold (230 MB of stereo float samples at
#: 48 kHz). Fixed: at any frame size that matters the pixel limit is reached long before.
MAX_HELD_SOUND = 600


def max_held_pixels() -> int:
    return int(env_limit("REELSPEC_MAX_HELD_PIXELS", DEFAULT_MAX_HELD_PIXELS))


def trimmed_length(
    ctx: ResolveContext, path: PathKey, trim: Trim, name: str, media: MediaInfo
) -> Fraction | None:
    """Seconds of the source ``trim`` keeps; None with the problem recorded."""
    available = media.duration or Fraction(0)
    start = exact(trim.start)
    end = exact(trim.end) if trim.end is not None else available
    if start >= available:
        ctx.add(
            (*path, "trim", "start"),
            f"trim.start {trim.start:g}s is past the end of {name} ({float(available):g}s)",
        )
        return None
    if end > available + Fraction(1, 1000):
        ctx.add(
            (*path, "trim", "end"),
            f"trim.end {float(end):g}s is past the end of {name} ({float(available):g}s)",
        )
        return None
    return min(end, available) - start


def frozen_at(
    ctx: ResolveContext,
    path: PathKey,
    freeze: float,
    name: str,
    media: MediaInfo,
    taken: list[str],
) -> Fraction | None:
    """Where a clip frozen at ``freeze`` seconds (of the whole source) is sought: half a frame,
    at the clip's own rate, later. The frame on screen there is the one nearest ``freeze`` (a
    time exactly between two frames takes the later). None with the problems recorded: a time
    at or past the clip's end, and ``taken``, the keys written with ``freeze`` that it cannot
    take (one frame has no part, speed or direction)."""
    for key in taken:
        ctx.add((*path, key), f"freeze shows one frame of the whole clip: it takes no {key}")
    at, available = exact(freeze), media.duration or Fraction(0)
    if at >= available:
        ctx.add(
            (*path, "freeze"),
            f"freeze {freeze:g}s is past the end of {name} ({float(available):g}s)",
        )
        return None
    if taken:
        return None
    return at + (1 / (2 * exact(media.fps)) if media.fps else Fraction(0))


def held_pass(
    ctx: ResolveContext,
    path: PathKey,
    what: str,
    pass_frames: int,
    frame: tuple[int, int],
    *,
    sound: bool,
) -> bool:
    """Whether one pass of ``pass_frames`` frames of size ``frame`` (and its sound, when it
    has one) may be held in memory; False with the problem recorded at ``path``."""
    width, height = frame
    pixels, limit = pass_frames * width * height, max_held_pixels()
    if pixels > limit:
        ctx.add(
            path,
            f"{what} holds one pass of the clip in memory: {pass_frames} frames of "
            f"{width}x{height} ({pixels:,} pixels) is over the limit of {limit:,} "
            f"(REELSPEC_MAX_HELD_PIXELS); trim the clip shorter",
        )
        return False
    seconds = Fraction(pass_frames) / ctx.fps
    if sound and seconds > MAX_HELD_SOUND:
        ctx.add(
            path,
            f"{what} holds one pass of the clip's sound in memory: {float(seconds):g}s is over "
            f"the limit of {MAX_HELD_SOUND}s; trim the clip shorter, or leave its sound out "
            f"(audio: false)",
        )
        return False
    return True
