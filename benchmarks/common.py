"""Shared pieces of the benchmarks: timing child processes, medians, and the report table."""

from __future__ import annotations

import os
import platform
import resource
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Timing:
    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median_wall(self) -> float:
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


def photos_and_music(work: Path, size: tuple[int, int], quality: int, count: int = 6) -> list[Path]:
    """``count`` procedural photos (made once, kept between runs) and the example music, in
    ``work``; returns the photos."""
    from specs.make_assets import landscape

    work.mkdir(parents=True, exist_ok=True)
    photos = []
    for i in range(count):
        path = work / f"photo{i + 1}.jpg"
        if not path.exists():
            landscape(i, size).save(path, quality=quality)
        photos.append(path)
    shutil.copy(ROOT / "specs" / "assets" / "music.ogg", work / "music.ogg")
    return photos


def x264_aac(preset: str, crf: int = 23) -> list[str]:
    """The encoder arguments of the hand-written commands: what reelspec's specs ask for."""
    return [
        "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "192k",
    ]  # fmt: skip


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def time_command(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (all child processes) of one command run to completion."""
    cpu0 = _children_cpu()
    start = time.perf_counter()
    subprocess.run(
        argv,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    return time.perf_counter() - start, _children_cpu() - cpu0


def time_call(function: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of an in-process call (plus any children it waits for)."""
    cpu0 = _self_cpu() + _children_cpu()
    start = time.perf_counter()
    function()
    return time.perf_counter() - start, _self_cpu() + _children_cpu() - cpu0


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def report(timings: list[Timing], baseline: str) -> str:
    base = next(t for t in timings if t.name == baseline)
    lines = [f"{'method':<28}{'median wall s':>14}{'median cpu s':>14}{'wall ratio':>12}", "-" * 68]
    for timing in timings:
        ratio = timing.median_wall / base.median_wall
        lines.append(
            f"{timing.name:<28}{timing.median_wall:>14.2f}{timing.median_cpu:>14.2f}{ratio:>11.2f}x"
        )
    lines.append(f"(ratios against '{baseline}'; runs per method: {len(base.wall)})")
    return "\n".join(lines)
