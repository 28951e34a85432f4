"""Limits and settings read from ``REELSPEC_*`` environment variables."""

from __future__ import annotations

import math
import os

from engine.errors import ConfigError, excerpt


def env_limit(name: str, default: float, *, integer: bool = True, minimum: float = 1) -> float:
    """A limit read from the environment variable ``name`` (unset or empty: ``default``).
    Anything that is not a finite number of at least ``minimum`` is a ConfigError naming the
    variable, so a typo never silently disables a limit."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text) if not integer else int(text.replace("_", ""))
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise ConfigError(f"{name} must be {kind}, got {excerpt(text)}") from None
    if not math.isfinite(value) or value < minimum:
        raise ConfigError(f"{name} must be a finite number of at least {minimum:g}, got {text!r}")
    return value
