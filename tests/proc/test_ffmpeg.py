from __future__ import annotations

import pytest

from engine.errors import ConfigError
from engine.proc import ffmpeg


def test_bundled_ffmpeg_is_found_and_reports_a_version() -> None:
    assert ffmpeg.ffmpeg_version() != "unknown"


def test_reelspec_ffmpeg_points_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    ffmpeg.ffmpeg_binary.cache_clear()
    try:
        monkeypatch.setenv("REELSPEC_FFMPEG", "/nowhere/ffmpeg")
        with pytest.raises(ConfigError, match="does not name an ffmpeg executable"):
            ffmpeg.ffmpeg_binary()
        bundled = __import__("imageio_ffmpeg").get_ffmpeg_exe()
        ffmpeg.ffmpeg_binary.cache_clear()
        monkeypatch.setenv("REELSPEC_FFMPEG", bundled)
        assert ffmpeg.ffmpeg_binary() == bundled
    finally:
        ffmpeg.ffmpeg_binary.cache_clear()
