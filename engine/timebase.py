"""Time, exactly: the seconds a spec writes, and the frames and samples they become.

Every time the spec gives is read as the decimal the user wrote (a
:class:`~fractions.Fraction`), every place on the timeline is computed from absolute times
with rationals, and each is rounded once, at the end, to a whole frame (pictures) or a whole
sample (sound). So a frame count is ``round(length × fps)`` however many transitions there
are, and nothing drifts against anything else (docs/decisions/0008).
"""

from __future__ import annotations

import math
from fractions import Fraction


def exact(seconds: float | int | Fraction | str) -> Fraction:
    """``seconds`` as the exact decimal it was written as (``0.1`` is 1/10, not the binary
    float nearest to it): the shortest text that reads back as the same float is the text the
    user wrote."""
    if isinstance(seconds, Fraction):
        return seconds
    if isinstance(seconds, bool):
        raise TypeError("a time is a number, not a boolean")
    if isinstance(seconds, int):
        return Fraction(seconds)
    if isinstance(seconds, float):
        if not math.isfinite(seconds):
            raise ValueError(f"a time must be finite (got {seconds!r})")
        return Fraction(repr(seconds))
    return Fraction(seconds)


def frame_at(seconds: Fraction, fps: Fraction) -> int:
    """The frame that shows time ``seconds``: the nearest frame (Python's ``round``, half to
    even, on the exact product, so the result never depends on float error)."""
    return round(seconds * fps)


def sample_at(seconds: Fraction, rate: int) -> int:
    """The sample at time ``seconds``, rounded once, like :func:`frame_at`."""
    return round(seconds * rate)


def frames_to_samples(frame: int, fps: Fraction, rate: int) -> int:
    """The sample at which frame ``frame`` begins."""
    return sample_at(Fraction(frame) / fps, rate)


def microseconds_down(seconds: Fraction) -> str:
    """Seconds as ffmpeg's time options hold them (whole microseconds), never later than
    ``seconds``: an end that must exclude a frame beginning exactly there."""
    whole = math.floor(seconds * 1_000_000)
    return f"{whole // 1_000_000}.{whole % 1_000_000:06d}"
