"""Benchmark: keyframed motion at 1080p30, against the same layers standing still, the encode
floor and MoviePy.

One 20 s scene at 1920×1080, 30 fps (600 frames), libx264 preset medium, crf 23:

- a full-frame background photo (3000×2000 JPEG, cover-fitted);
- a clip (``specs/assets/clip.mp4``, looped, no sound) positioned in a box a third of the
  frame wide at the top right, with rounded corners and a border (:func:`pip_layer`);
- two photos placed with ``fit: none`` (scaled to a width): one sliding in from the left and
  across (ease-out-cubic, a cubic-bezier, ease-in-out-sine) while it grows and settles on a
  spring, the other rising from below the frame (ease-out-back, a bouncy cubic-bezier) while
  fading in, with a spring-damped wobble;
- a title entering with ``pop`` and leaving with ``fade``;
- a rounded badge (a ``shape``) turning twice round, on a cubic-bezier then a spring.

Four ways, timed in one run, interleaved:

- **motion** — ``reelspec render`` of that spec (CLI start-up and validation included);
- **static** — the same spec with every animation removed: the same layers at the places the
  motion ends at (keyframed x/y at their last value, no scale, rotation or opacity keyframes,
  no enter/exit), so the ratio is what motion costs;
- **encode floor** — the same encoder on the very frames the motion spec's graph makes, fed
  from a raw file (as in ``slideshow.py``): the cost of encoding alone;
- **MoviePy 2** — ``benchmarks/motion_moviepy.py``: the same pictures composited by MoviePy,
  placed, turned, scaled and faded frame by frame from tables of reelspec's own per-frame
  values, so both show the same motion.

Run: ``python benchmarks/motion.py [--repeat 3] [--skip-moviepy] [--moviepy-python PY]``;
``--quick`` (or ``REELSPEC_BENCH_QUICK=1``) makes a 384×216, 15 fps, 3 s version of the same
composition, a smoke test of a few seconds, whose timings mean nothing. MoviePy 2 wants
Pillow < 12, so it may live in its own environment: ``--moviepy-python`` names that Python.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

#: The encoder settings every method uses (the specs ask for the same).
ENCODE = x264_aac("medium")
TARGETS = {"motion / static": 1.3, "motion / encode floor": 1.2}


@dataclass(frozen=True)
class Size:
    width: int
    height: int
    fps: int
    seconds: float

    @property
    def frames(self) -> int:
        return round(self.fps * self.seconds)


FULL = Size(1920, 1080, 30, 20.0)
QUICK = Size(384, 216, 15, 3.0)


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def motion_layers(size: Size) -> list[dict[str, Any]]:
    """The four keyframed layers, laid out for ``size``; times are the 20 s version's scaled to
    its length, so the quick mode has the same motion, faster."""
    W, H = size.width, size.height
    s = size.seconds / 20

    def t(seconds: float) -> float:
        return round(seconds * s, 4)

    a_width, b_width, badge = _even(0.30 * W), _even(0.26 * W), _even(0.2 * H)

    def in_out() -> dict[str, Any]:
        return {"cubic_bezier": [0.65, 0, 0.35, 1]}

    return [
        {
            "type": "image", "src": "photo2.jpg", "fit": "none", "width": a_width,
            "x": [[0, -a_width], [t(2.5), round(0.06 * W), "ease-out-cubic"],
                  [t(9), round(0.35 * W), in_out()], [t(16), round(0.06 * W), "ease-in-out-sine"]],
            "y": round(0.1 * H),
            "scale": [[0, 0.7], [t(2.5), 1.0, "spring"], [t(9), 1.2, "ease-in-out-quad"],
                      [t(16), 1.0, {"spring": {"stiffness": 180, "damping": 12}}]],
        },
        {
            "type": "image", "src": "photo3.jpg", "fit": "none", "width": b_width,
            "x": round(0.62 * W),
            "y": [[0, H], [t(4), round(0.5 * H), "ease-out-back"],
                  [t(12), round(0.4 * H), "ease-in-out-cubic"],
                  [t(20), round(0.5 * H), {"cubic_bezier": [0.34, 1.56, 0.64, 1]}]],
            "opacity": [[0, 0], [t(4), 1, "ease-in-quad"]],
            "rotation": [[t(6), 0], [t(8), -8, "ease-in-out-sine"], [t(10), 0, "spring"]],
        },
        {
            "type": "text", "text": "Keyframe motion", "position": "center",
            "start": t(1), "end": t(19),
            "style": {"size": round(0.09 * H), "weight": "bold"},
            "enter": {"pop": t(0.4)}, "exit": {"fade": t(0.3)},
        },
        {
            "type": "shape", "shape": "rect", "width": badge, "height": badge,
            "radius": round(0.03 * H),
            "fill": {"kind": "linear", "colors": ["#ff7a18", "#af002d"], "angle": 45},
            "position": "bottom-right", "margin": round(0.06 * H),
            "rotation": [[0, 0], [t(10), 360, in_out()], [t(20), 720, "spring"]],
        },
    ]  # fmt: skip


def pip_layer(size: Size) -> dict[str, Any]:
    """The clip of the composition: positioned (picture in picture), a box a third of the
    frame's width at the top right, a margin away from the edges, with rounded corners and a
    border, looped, without sound."""
    return {"type": "video", "src": "clip.mp4", "loop": True, "audio": False,
            "width": _even(size.width / 3), "position": "top-right",
            "margin": round(0.04 * size.height), "radius": round(0.02 * size.height),
            "border": {"width": 4, "color": "#ffffff"}}  # fmt: skip


def without_motion(layer: dict[str, Any]) -> dict[str, Any]:
    """The layer standing still where its motion ends: keyframed x/y at their last value, no
    scale, rotation or opacity keyframes, no entrance or exit."""
    still: dict[str, Any] = {}
    for key, value in layer.items():
        if key in ("enter", "exit"):
            continue
        if isinstance(value, list) and key in ("x", "y"):
            still[key] = round(value[-1][1])
        elif isinstance(value, list) and key in ("scale", "rotation", "opacity"):
            continue
        else:
            still[key] = value
    return still


def spec_text(size: Size, layers: list[dict[str, Any]], output: str) -> str:
    import yaml

    spec = {
        "version": 1,
        "output": {
            "path": output,
            "size": f"{size.width}x{size.height}",
            "fps": size.fps,
            "video": {"codec": "h264", "preset": "medium", "crf": 23},
        },
        "scenes": [
            {
                "duration": size.seconds,
                "layers": [{"type": "image", "src": "photo1.jpg", "fit": "cover"}, *layers],
            }
        ],
    }
    text: str = yaml.safe_dump(spec, sort_keys=False, default_flow_style=None, width=100)
    return text


def make_inputs(work: Path, size: Size) -> dict[str, Path]:
    """The photos (camera-sized: each is scaled), the clip and the two specs (motion, static)
    in ``work``."""
    photos_and_music(work, (3000, 2000) if size == FULL else (600, 400), quality=90, count=3)
    shutil.copy(ROOT / "specs" / "assets" / "clip.mp4", work / "clip.mp4")
    layers = [pip_layer(size), *motion_layers(size)]
    motion, static = work / "motion.yaml", work / "static.yaml"
    motion.write_text(spec_text(size, layers, "motion.mp4"), encoding="utf-8")
    still = [without_motion(layer) for layer in layers]
    static.write_text(spec_text(size, still, "static.mp4"), encoding="utf-8")
    return {"motion": motion, "static": static}


def write_floor_input(ffmpeg: str, spec: Path, raw: Path) -> None:
    """One run of reelspec's own graph for ``spec``, its pictures written raw (lossless)."""
    from engine.compile.compiler import compile_plan
    from engine.pipeline import prepare

    plan = compile_plan(prepare(spec).resolved, audio=False)
    argv = [ffmpeg, "-y", "-v", "error"]
    for entry in plan.inputs:
        argv += [*entry.options, "-i", entry.target]
    for graph in plan.graphs():
        argv += ["-filter_complex", graph]
    argv += ["-map", plan.maps[0], "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw)]
    subprocess.run(argv, check=True)


def moviepy_plan(spec: Path) -> dict[str, Any]:
    """What ``motion_moviepy.py`` composites: every layer's picture and, per frame of its life,
    the corner, size, turn and opacity reelspec gives it (from its compiled placement)."""
    from engine.compile.compiler import canvas_for
    from engine.compile.graph import GraphBuilder
    from engine.compile.motion import placement
    from engine.compile.pictures import SceneContext
    from engine.layers import type_of
    from engine.pipeline import prepare

    resolved = prepare(spec).resolved
    canvas = canvas_for(resolved)
    (scene,) = resolved.scenes
    ctx = SceneContext(GraphBuilder(), canvas, scene.frames, scene.background, scene.fit)
    layers: list[dict[str, Any]] = []
    for layer in scene.layers:
        stream = type_of(layer.spec).compile(ctx, layer)
        window = layer.window
        assert window is not None
        box = stream.box or canvas.size
        entry: dict[str, Any] = {
            "type": layer.spec.type,
            "src": str(getattr(layer, "src", "")),
            "size": list(box),
            "full": stream.full,
            "start": window.start,
            "frames": window.frames,
            "x": [stream.x],
            "y": [stream.y],
        }
        animation = window.animation
        if animation is not None:
            moved = placement(
                animation, window.frames, (stream.x, stream.y), box, canvas.size, canvas.fps, "rgba"
            )
            entry["x"], entry["y"] = list(moved.x), list(moved.y)
            states = [
                animation.state(k, (stream.x, stream.y), box, canvas.size)
                for k in range(window.frames)
            ]
            if animation.turns():
                entry["square"] = 2 * math.ceil(math.hypot(*box) / 2)
                entry["rotation"] = [s.rotation for s in states]
            side = entry.get("square")
            turned = (side, side) if side else box
            if animation.scales():
                entry["shown"] = [
                    [max(1, math.floor(n * s.scale + 0.5)) for n in turned] for s in states
                ]
            if any(s.opacity < 1 or s.scale == 0 for s in states):
                entry["opacity"] = [0.0 if s.scale == 0 else s.opacity for s in states]
        layers.append(entry)
    return {"size": list(canvas.size), "fps": float(canvas.fps), "frames": scene.frames,
            "layers": layers}  # fmt: skip


def moviepy_python(requested: str | None) -> str | None:
    """A Python that can import MoviePy: the one asked for, else this one; None if neither."""
    python = requested or os.environ.get("REELSPEC_MOVIEPY_PYTHON") or sys.executable
    probe = subprocess.run([python, "-c", "import moviepy"], capture_output=True, check=False)
    return python if probe.returncode == 0 else None


def time_runs(runs: dict[str, list[str]], repeat: int) -> dict[str, Timing]:
    """Each command ``repeat`` times, interleaved, with this checkout's engine on the path
    (whatever an installed reelspec points at); a failure shows the command's own errors."""
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    timings = {name: Timing(name) for name in runs}
    for _ in range(repeat):
        for name, argv in runs.items():
            try:
                wall, cpu = time_command(argv, env)
            except subprocess.CalledProcessError as error:
                tail = (error.stderr or b"").decode(errors="replace")[-3000:]
                raise SystemExit(f"{name} failed ({error.returncode}):\n{tail}") from None
            timings[name].wall.append(wall)
            timings[name].cpu.append(cpu)
            print(f"  {name}: {wall:.2f}s wall, {cpu:.2f}s cpu", file=sys.stderr)
    return timings


def print_results(timings: dict[str, Timing], size: Size, quick: bool) -> None:
    from engine.proc.ffmpeg import ffmpeg_version

    frames = size.frames
    print(f"machine: {machine()}")
    print(
        f"ffmpeg: {ffmpeg_version()}  video: {size.width}x{size.height}@{size.fps}, "
        f"{size.seconds:g}s ({frames} frames), libx264 medium crf 23"
        + ("  [QUICK: a smoke test, not a measurement]" if quick else "")
    )
    print(report(list(timings.values()), "encode floor"))
    for timing in timings.values():
        print(f"{timing.name:<28}{frames / timing.median_wall:>8.1f} fps (median wall)")
    wall = {name: t.median_wall for name, t in timings.items()}
    ratios = {
        "motion / static": wall["reelspec motion"] / wall["reelspec static"],
        "motion / encode floor": wall["reelspec motion"] / wall["encode floor"],
    }
    if "MoviePy 2" in wall:
        ratios["MoviePy / motion"] = wall["MoviePy 2"] / wall["reelspec motion"]
    for name, ratio in ratios.items():
        target = TARGETS.get(name)
        verdict = "met" if target is not None and ratio <= target else "NOT met"
        print(f"{name}: {ratio:.2f}x" + (f"  (target ≤ {target:g}: {verdict})" if target else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=None, help="runs per method (3; quick: 1)")
    parser.add_argument("--quick", action="store_true", help="tiny smoke-test version")
    parser.add_argument("--skip-moviepy", action="store_true")
    parser.add_argument("--moviepy-python", help="a Python with MoviePy 2 (default: this one)")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    quick = args.quick or os.environ.get("REELSPEC_BENCH_QUICK", "") not in ("", "0")
    size = QUICK if quick else FULL
    work = args.work or HERE / "out" / ("motion-quick" if quick else "motion")

    from engine.errors import UserError
    from engine.pipeline import prepare
    from engine.proc.ffmpeg import ffmpeg_binary

    ffmpeg = ffmpeg_binary()
    specs = make_inputs(work, size)
    try:
        for spec in specs.values():
            prepare(spec)
    except UserError as error:
        print(f"the benchmark's specs do not validate here:\n{error}", file=sys.stderr)
        return 2
    python = None if args.skip_moviepy else moviepy_python(args.moviepy_python)
    if python is None and not args.skip_moviepy:
        print("MoviePy is not importable: skipped (pip install 'reelspec[bench]', or give "
              "--moviepy-python)", file=sys.stderr)  # fmt: skip

    def render(spec: Path) -> list[str]:
        return [sys.executable, "-m", "engine", "render", "-q", "--no-manifest", str(spec)]

    # The floor's input: exactly the frames the motion spec's graph makes, written raw.
    raw = work / "frames.yuv"
    floor = [
        ffmpeg, "-y", "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
        "-s", f"{size.width}x{size.height}", "-r", str(size.fps), "-i", str(raw),
        *ENCODE, str(work / "floor.mp4"),
    ]  # fmt: skip
    runs = {
        "reelspec motion": render(specs["motion"]),
        "reelspec static": render(specs["static"]),
        "encode floor": floor,
    }
    if python is not None:
        tables = work / "moviepy_plan.json"
        tables.write_text(json.dumps(moviepy_plan(specs["motion"])), encoding="utf-8")
        script = str(HERE / "motion_moviepy.py")
        runs["MoviePy 2"] = [python, script, str(tables), str(work / "moviepy.mp4")]
    # Caches are warm for every method: reelspec's title and badge were drawn above.
    try:
        write_floor_input(ffmpeg, specs["motion"], raw)
        timings = time_runs(runs, args.repeat or (1 if quick else 3))
    finally:
        raw.unlink(missing_ok=True)  # 1.9 GB at full size
    print_results(timings, size, quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
