"""Benchmark: 50 short 720p videos from one template, `reelspec batch --jobs 2` against the
equivalent ffmpeg commands run two at a time by hand.

Each video: a photo (cover-fitted), a per-row title card, music; 3 s, 1280×720, 30 fps,
libx264 veryfast crf 23. The title cards are drawn once by reelspec's Pillow renderer and given
to the hand-run commands as PNGs, so both sides show the same pixels. reelspec's time includes
reading the CSV, rendering and validating all 50 specs, and the manifest.

Run: ``python benchmarks/batch.py [--rows 50] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    Timing,
    machine,
    photos_and_music,
    report,
    time_command,
    x264_aac,
)

TEMPLATE = """version: 1
output: {path: "out/{{ sku }}.mp4", size: 1280x720, fps: 30,
         video: {codec: h264, preset: veryfast, crf: 23}}
scenes:
  - duration: 3
    layers:
      - {type: image, src: "{{ photo }}", fit: cover}
      - {type: text, text: "{{ title }}", style: {size: 64, weight: bold}}
audio:
  - {src: music.ogg, volume: 0.7}
"""


def prepare(work: Path, rows: int) -> list[dict[str, str]]:
    photos_and_music(work, (1600, 1067), quality=88)
    (work / "promo.yaml.j2").write_text(TEMPLATE, encoding="utf-8")
    data = [
        {"sku": f"SKU{n:03d}", "photo": f"photo{n % 6 + 1}.jpg", "title": f"Product {n}"}
        for n in range(1, rows + 1)
    ]
    with (work / "rows.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["sku", "photo", "title"])
        writer.writeheader()
        writer.writerows(data)
    return data


def hand_commands(ffmpeg: str, work: Path, data: list[dict[str, str]]) -> list[list[str]]:
    """What a person scripts: one ffmpeg per row, the card drawn beforehand."""
    from engine.batch import prepare_batch, read_rows

    rows, _ = read_rows(work / "rows.csv")
    cards = {}
    for item in prepare_batch(work / "promo.yaml.j2", rows, {}):
        assert item.resolved is not None
        cards[item.row.values["sku"]] = item.resolved.scenes[0].layers[1].src
    (work / "hand").mkdir(exist_ok=True)
    commands = []
    for row in data:
        card = cards[row["sku"]]
        commands.append(
            [
                ffmpeg,
                "-y",
                "-v",
                "error",
                "-loop",
                "1",
                "-framerate",
                "30",
                "-t",
                "3",
                "-i",
                str(work / row["photo"]),
                "-loop",
                "1",
                "-framerate",
                "30",
                "-t",
                "3",
                "-i",
                str(card),
                "-i",
                str(work / "music.ogg"),
                "-filter_complex",
                "[0:v]scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720,setsar=1,"
                "format=yuv420p[bg];[bg][1:v]overlay=(W-w)/2:(H-h)/2[v];"
                "[2:a]volume=0.7,apad,atrim=end=3[a]",
                "-map",
                "[v]",
                "-map",
                "[a]",
                *x264_aac("veryfast"),
                "-t",
                "3",
                str(work / "hand" / f"{row['sku']}.mp4"),
            ]
        )
    return commands


def run_two_at_a_time(commands: list[list[str]]) -> tuple[float, float]:
    import resource

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    cpu0, start = cpu(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in pool.map(lambda argv: subprocess.run(argv, check=True), commands):
            pass
    return time.perf_counter() - start, cpu() - cpu0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=HERE / "out" / "batch")
    args = parser.parse_args()

    from engine.proc.ffmpeg import ffmpeg_binary, ffmpeg_version

    data = prepare(args.work, args.rows)
    commands = hand_commands(ffmpeg_binary(), args.work, data)
    batch_argv = [
        sys.executable,
        "-m",
        "engine",
        "batch",
        str(args.work / "promo.yaml.j2"),
        "--data",
        str(args.work / "rows.csv"),
        "--jobs",
        "2",
        "--force",
        "-q",
    ]
    timings = [Timing("reelspec batch --jobs 2"), Timing("hand: ffmpeg ×2 at a time")]
    for _ in range(args.repeat):
        wall, cpu = time_command(batch_argv)
        timings[0].wall.append(wall)
        timings[0].cpu.append(cpu)
        wall, cpu = run_two_at_a_time(commands)
        timings[1].wall.append(wall)
        timings[1].cpu.append(cpu)
        print(f"  reelspec {timings[0].wall[-1]:.2f}s, hand {wall:.2f}s", file=sys.stderr)
    print(f"machine: {machine()}")
    print(f"ffmpeg: {ffmpeg_version()}  {args.rows} videos, 1280x720@30, 3 s each")
    print(report(timings, "hand: ffmpeg ×2 at a time"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
