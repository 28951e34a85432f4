"""Sane upper bounds on what a spec may ask for, overridable through the environment."""

from __future__ import annotations

from dataclasses import dataclass

from engine.env import env_limit
from engine.spec.common import DEFAULT_MAX_FPS, DEFAULT_MAX_SIDE

#: Pixels of one drawn text card (a text layer, overlay or caption): 8192 × 8192, the largest
#: frame at the default REELSPEC_MAX_SIDE; a bigger card can never be seen whole.
DEFAULT_MAX_CARD_PIXELS = 8192 * 8192


@dataclass(frozen=True)
class Limits:
    max_side: int = DEFAULT_MAX_SIDE
    max_fps: float = DEFAULT_MAX_FPS
    max_duration: float = 6 * 3600.0

    @classmethod
    def from_env(cls) -> Limits:
        # A value that is not a positive finite number is a ConfigError naming the variable.
        return cls(
            max_side=int(env_limit("REELSPEC_MAX_SIDE", cls.max_side)),
            max_fps=env_limit("REELSPEC_MAX_FPS", cls.max_fps, integer=False),
            max_duration=env_limit("REELSPEC_MAX_DURATION", cls.max_duration, integer=False),
        )


def max_card_pixels() -> int:
    return int(env_limit("REELSPEC_MAX_CARD_PIXELS", DEFAULT_MAX_CARD_PIXELS))


#: Frames of one animated text (until its last change; the last picture is then held), and
#: pixels of the distinct pictures drawn for it: 500,000,000 is about 240 full-HD frames.
DEFAULT_MAX_ANIMATED_FRAMES = 10_000
DEFAULT_MAX_ANIMATED_PIXELS = 500_000_000


def max_animated_frames() -> int:
    return int(env_limit("REELSPEC_MAX_ANIMATED_FRAMES", DEFAULT_MAX_ANIMATED_FRAMES))


def max_animated_pixels() -> int:
    return int(env_limit("REELSPEC_MAX_ANIMATED_PIXELS", DEFAULT_MAX_ANIMATED_PIXELS))
