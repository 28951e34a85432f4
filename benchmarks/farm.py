"""Benchmark: the cost of chunking, and scaling from one worker to two.

(a) Overhead: total CPU seconds of `reelspec farm render` (scheduler, workers, chunk encodes,
    the sound and the join, everything the command starts) against `reelspec render` of the
    same spec; and, without Dask, the CPU of encoding the same chunks one after another against
    one encode of the whole, which is the cost of chunking itself.
(b) Scaling: a real `dask scheduler` on loopback with 1, then 2 `dask worker` processes, each
    pinned to its own core with `taskset` and encoding with one x264 thread; wall time of the
    chunk phase (first task sent to last chunk back) and of the whole command. This spec has
    no sound, so the client's sound render does not compete with the two pinned workers.

The spec: 60 s of 1280×720@30 slideshow (12 photos, crossfades, titles, music), x264 veryfast.
Run: ``python benchmarks/farm.py [--repeat 1]``.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    Timing,
    machine,
    photos_and_music,
    report,
    time_call,
    time_command,
)

CHUNKS = 6


def write_spec(work: Path, threads: int | None) -> Path:
    photos_and_music(work, (1600, 1067), quality=88)
    scenes = "\n".join(
        f"  - {{duration: 5.5, layers: [{{type: image, src: photo{i % 6 + 1}.jpg, "
        f"zoom: {{from: 1, to: 1.1}}}}, {{type: text, text: 'Part {i + 1}', position: bottom, "
        f"margin: 40, style: {{size: 48}}}}]}}"
        for i in range(12)
    )
    thread_option = f", threads: {threads}" if threads else ""
    sound = "" if threads else "audio:\n  - {src: music.ogg, loop: true, fade_out: 2}\n"
    spec = work / f"farm{threads or ''}.yaml"
    spec.write_text(
        f"""version: 1
output:
  path: out{threads or ""}.mp4
  size: 1280x720
  fps: 30
  video: {{codec: h264, preset: veryfast, crf: 23{thread_option}}}
defaults:
  transition: {{type: fade, duration: 0.5}}
scenes:
{scenes}
{sound}""",
        encoding="utf-8",
    )
    return spec


def chunk_encodes(spec: Path) -> None:
    """The chunks of a farm render, encoded here one after another (no Dask)."""
    from engine.compile.compiler import compile_plan
    from engine.farm.chunks import plan_chunks
    from engine.pipeline import prepare
    from engine.run.render import render

    resolved = prepare(spec).resolved
    with tempfile.TemporaryDirectory() as folder:
        for index, (f0, f1) in enumerate(plan_chunks(resolved, chunks=CHUNKS)):
            window = (f0 / float(resolved.fps), f1 / float(resolved.fps))
            render(
                compile_plan(resolved, window, audio=False),
                Path(folder) / f"c{index}.mp4",
                write_manifest=False,
            )


def whole_encode(spec: Path) -> None:
    from engine.compile.compiler import compile_plan
    from engine.pipeline import prepare
    from engine.run.render import render

    resolved = prepare(spec).resolved
    with tempfile.TemporaryDirectory() as folder:
        render(compile_plan(resolved, audio=False), Path(folder) / "w.mp4", write_manifest=False)


@contextlib.contextmanager
def pinned_cluster(workers: int, folder: Path):
    """A scheduler and ``workers`` single-threaded workers, worker i pinned to core i."""
    info = folder / f"scheduler-{workers}.json"
    info.unlink(missing_ok=True)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(info),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        while not info.exists():
            time.sleep(0.2)
        for core in range(workers):
            procs.append(
                subprocess.Popen(
                    [
                        "taskset",
                        "-c",
                        str(core),
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_worker",
                        "--scheduler-file",
                        str(info),
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        with Client(scheduler_file=str(info)) as client:
            client.wait_for_workers(workers, timeout=120)
            yield client
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def timed_farm(spec: Path, client: object) -> tuple[float, float]:
    """(chunk phase seconds, whole farm_render seconds)."""
    from engine.farm.render import farm_render

    marks: list[float] = []
    start = time.perf_counter()
    farm_render(
        spec,
        spec.with_suffix(".farm.mp4"),
        chunks=CHUNKS,
        client=client,
        on_progress=lambda p: marks.append(time.perf_counter()),
    )
    return marks[-1] - marks[0], time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--work", type=Path, default=HERE / "out" / "farm")
    args = parser.parse_args()
    spec = write_spec(args.work, None)
    spec_1t = write_spec(args.work, 1)
    cli = [sys.executable, "-m", "engine"]
    overhead = [
        Timing("render (one process)"),
        Timing("farm render, 2 workers"),
        Timing("whole, video only"),
        Timing(f"{CHUNKS} chunks in a row"),
    ]
    scaling = [
        Timing("1 pinned worker: chunks"),
        Timing("2 pinned workers: chunks"),
        Timing("1 pinned worker: command"),
        Timing("2 pinned workers: command"),
    ]
    for _ in range(args.repeat):
        for timing, argv in (
            (overhead[0], [*cli, "render", "-q", str(spec)]),
            (
                overhead[1],
                [
                    *cli,
                    "farm",
                    "render",
                    "-q",
                    str(spec),
                    "--chunks",
                    str(CHUNKS),
                    "--workers",
                    "2",
                ],
            ),
        ):
            wall, cpu = time_command(argv)
            timing.wall.append(wall)
            timing.cpu.append(cpu)
            print(f"  {timing.name}: {wall:.2f}s wall, {cpu:.2f}s cpu", file=sys.stderr)
        for count in (1, 2):
            with pinned_cluster(count, args.work) as client:
                phase, whole = timed_farm(spec_1t, client)
            scaling[count - 1].wall.append(phase)
            scaling[count - 1].cpu.append(0.0)
            scaling[count + 1].wall.append(whole)
            scaling[count + 1].cpu.append(0.0)
            print(
                f"  {count} pinned worker(s): chunks {phase:.2f}s, command {whole:.2f}s",
                file=sys.stderr,
            )
        for timing, function in (
            (overhead[2], lambda: whole_encode(spec)),
            (overhead[3], lambda: chunk_encodes(spec)),
        ):
            wall, cpu = time_call(function)
            timing.wall.append(wall)
            timing.cpu.append(cpu)
            print(f"  {timing.name}: {wall:.2f}s wall, {cpu:.2f}s cpu", file=sys.stderr)
    print(f"machine: {machine()}")
    print("spec: 60 s of 1280x720@30, 12 scenes, x264 veryfast;", CHUNKS, "chunks")
    print(report(overhead, "render (one process)"))
    print(f"CPU, farm / one process: {overhead[1].median_cpu / overhead[0].median_cpu:.2f}x")
    print(
        f"CPU, chunks / whole (encoding only): "
        f"{overhead[3].median_cpu / overhead[2].median_cpu:.2f}x"
    )
    print(report(scaling, "1 pinned worker: chunks"))
    print(
        f"speed-up of the chunk phase, 2 workers / 1 worker: "
        f"{scaling[0].median_wall / scaling[1].median_wall:.2f}x; of the whole command: "
        f"{scaling[2].median_wall / scaling[3].median_wall:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
