"""Finding the ffmpeg binary and running short ffmpeg commands whose output we read.

The binary shipped in the ``imageio-ffmpeg`` wheel is the default, so a fresh machine needs only
pip. ``REELSPEC_FFMPEG`` names another binary (a system ffmpeg with NVENC, say).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from engine.errors import ConfigError

ENV_VAR = "REELSPEC_FFMPEG"


@functools.cache
def ffmpeg_binary() -> str:
    configured = os.environ.get(ENV_VAR)
    if configured:
        found = shutil.which(configured) or (configured if Path(configured).is_file() else None)
        if not found:
            raise ConfigError(f"{ENV_VAR}={configured!r} does not name an ffmpeg executable")
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        raise ConfigError(
            "no ffmpeg: install the imageio-ffmpeg package or set REELSPEC_FFMPEG"
        ) from None
    return imageio_ffmpeg.get_ffmpeg_exe()


@functools.cache
def ffmpeg_version() -> str:
    out = run_capture(["-version"], check=False).stdout
    match = re.search(r"ffmpeg version (\S+)", out)
    return match.group(1) if match else "unknown"


@functools.cache
def has_encoder(name: str) -> bool:
    out = run_capture(["-hide_banner", "-encoders"], check=False).stdout
    return re.search(rf"^\s*\S+\s+{re.escape(name)}\s", out, re.MULTILINE) is not None


def run_capture(
    args: Sequence[str], *, check: bool = True, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """Run ``ffmpeg args`` to completion and return its text output (for probes and queries)."""
    argv = [ffmpeg_binary(), *args]
    try:
        result = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(f"cannot run ffmpeg at {argv[0]}") from None
    if check and result.returncode != 0:
        from engine.errors import RenderError

        raise RenderError("ffmpeg failed", argv, "\n".join(result.stderr.splitlines()[-15:]))
    return result
