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
