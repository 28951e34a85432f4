"""Benchmark: a generator layer streamed into ffmpeg, against its two halves alone.

A 20 s, 30 fps latent walk through the shipped demo generator (64×64 frames), upscaled to
1280×720 and encoded with libx264 veryfast crf 20 — the showcase spec's settings. Three runs:

- generator alone: the feed's producer makes every frame (batched ``tf.function`` inference
  into rgb24 bytes) and nothing consumes them;
- encoding alone: the same rgb24 frames, made beforehand and held in memory, written into the
  very ffmpeg command the plan runs (same graph, same encoder);
- pipeline: ``render()`` of the plan: feeder threads making frames while ffmpeg encodes.

The target is the pipeline within 10 % of the slower half. Both halves want the CPU here
(inference and x264 each use every core), so on a CPU-only machine the pipeline can only
approach the slower half when the other is much cheaper; on a GPU the halves use different
hardware. Run: ``python benchmarks/gan.py [--seconds 20] [--repeat 3] [--size 1280x720]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Timing, machine, time_call  # noqa: E402

SPEC = """version: 1
output: {{path: out.mp4, size: {size}, fps: 30, audio: null,
          video: {{codec: h264, crf: 20, preset: veryfast}}}}
scenes:
  - layers:
      - type: generator
        model: {model}
        seed: 42
        motion: {{kind: keyframes, keyframes: 8, loop: true}}
        duration: {seconds}
        fit: cover
        batch: {batch}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()

    from engine.compile.compiler import compile_plan
    from engine.gan.producer import GeneratorFrames
    from engine.gan.sources import MODEL_FRAMES
    from engine.pipeline import prepare
    from engine.proc.ffmpeg import ffmpeg_binary
    from engine.run.render import render

    work = Path(tempfile.mkdtemp(prefix="reelspec-bench-gan-"))
    spec = work / "spec.yaml"
    spec.write_text(
        SPEC.format(
            size=args.size,
            model=ROOT / "specs" / "models" / "demo-dcgan.keras",
            seconds=args.seconds,
            batch=args.batch,
        ),
        encoding="utf-8",
    )
    plan = compile_plan(prepare(spec).resolved)
    (feed,) = plan.feeds
    frames = plan.frame_count
    producer = GeneratorFrames(feed)  # type: ignore[arg-type]
    held = b"".join(producer.batches())  # warm-up, and the frames the encoder run is fed

    def generate() -> None:
        for _ in producer.batches():
            pass

    def encode() -> None:
        quiet = ("-y", "-loglevel", "error")
        argv = plan.argv(ffmpeg_binary(), output=str(work / "enc.mp4"), extra_global=quiet)
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        assert process.stdin is not None
        writer = threading.Thread(target=lambda: (process.stdin.write(held), process.stdin.close()))
        writer.start()
        writer.join()
        if process.wait() != 0:
            raise SystemExit("the encoding run failed")

    def pipeline() -> None:
        render(plan, work / "pipe.mp4", write_manifest=False, frames=MODEL_FRAMES)

    timings = [Timing("generator alone"), Timing("encoding alone"), Timing("pipeline (render)")]
    runs = (generate, encode, pipeline)
    for _ in range(args.repeat):
        for timing, run in zip(timings, runs, strict=True):
            wall, cpu = time_call(run)
            timing.wall.append(wall)
            timing.cpu.append(cpu)
            time.sleep(0.5)

    slower = max(timings[0].median_wall, timings[1].median_wall)
    print(f"machine: {machine()}")
    print(f"{frames} frames {args.size}, model 64×64, batch {args.batch}, medians of {args.repeat}")
    print(f"{'run':<22}{'wall s':>9}{'cpu s':>9}{'frames/s':>10}{'vs slower half':>16}")
    for timing in timings:
        print(
            f"{timing.name:<22}{timing.median_wall:>9.2f}{timing.median_cpu:>9.2f}"
            f"{frames / timing.median_wall:>10.1f}{timing.median_wall / slower:>15.2f}×"
        )
    total = timings[0].median_wall + timings[1].median_wall
    cores = os.cpu_count() or 1
    floor = (timings[0].median_cpu + timings[1].median_cpu) / cores
    print(f"no overlap at all (sum of the halves): {total:.2f} s")
    print(
        f"CPU floor (both halves' CPU seconds / {cores} cores): {floor:.2f} s; "
        f"pipeline / floor = {timings[2].median_wall / floor:.2f}"
    )


if __name__ == "__main__":
    main()
