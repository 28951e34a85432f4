"""The filters the sound graph is built from, run through the real ffmpeg."""

from __future__ import annotations

import re
import subprocess

from engine.compile.sounds import FRESH_PTS
from engine.proc.ffmpeg import ffmpeg_binary


def test_fresh_timestamps_are_exact_sample_counts_at_every_frame_boundary() -> None:
    """Regression: ``asetpts=N/SR/TB`` is evaluated in floating point and truncated, so a
    frame starting at sample 3003 got pts 3002 (and 6006 got 6005). Where frames are cut
    depends on thread timing in a mix, so renders under load differed by a sample in their
    AAC timestamps. Frames of 3003 samples hit the bad counts every time."""
    result = subprocess.run(
        [
            ffmpeg_binary(),
            "-hide_banner",
            "-f",
            "lavfi",
            "-i",
            "aevalsrc=0:s=48000:n=3003:d=1",
            "-af",
            f"{FRESH_PTS},ashowinfo",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    stamps = [int(p) for p in re.findall(r"\bpts:(\d+)", result.stderr)]
    assert len(stamps) == 16
    assert stamps == [3003 * i for i in range(len(stamps))]
