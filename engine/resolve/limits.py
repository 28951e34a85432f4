"""Sane upper bounds on what a spec may ask for, overridable through the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_side: int = 8192
    max_fps: float = 240.0
    max_duration: float = 6 * 3600.0

    @classmethod
    def from_env(cls) -> Limits:
        def read(name: str, default: float) -> float:
            value = os.environ.get(name)
            return float(value) if value else default

        return cls(
            max_side=int(read("REELSPEC_MAX_SIDE", cls.max_side)),
            max_fps=read("REELSPEC_MAX_FPS", cls.max_fps),
            max_duration=read("REELSPEC_MAX_DURATION", cls.max_duration),
        )
