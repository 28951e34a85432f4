"""Trains the demo generator shipped as ``specs/models/demo-dcgan.keras``.

The footage is synthesised by ffmpeg itself, so nothing is downloaded: zooms into the
Mandelbrot set along four paths (ffmpeg's ``mandelbrot`` source), rendered at 192×192 and
read at the training size. Fractal zooms are varied (the set's outline, spirals, filaments,
smooth colour fields) yet share one look, which is what a small GAN can learn in about an
hour on two CPU cores.

    python specs/models/train_demo.py            # ~1 h on 2 cores; --steps for a shorter run
    python specs/models/train_demo.py --resume   # continue from the last checkpoint

The run's settings, the footage's hashes and the library versions are written beside the
model (``demo-dcgan.keras.json``); checkpoints, sample grids and loss plots go to
``demo-dcgan.training/`` (not kept in git).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from engine.gan.train import TrainConfig, TrainProgress, train  # noqa: E402
from engine.proc.ffmpeg import ffmpeg_binary  # noqa: E402

#: (start_x, start_y, end_scale): where each zoom heads and how deep it goes.
ZOOMS = (
    (-0.743643887037158704752191506114774, 0.131825904205311970493132056385139, 0.3),
    (-0.1011, 0.9563, 0.01),
    (-1.25066, 0.02012, 0.02),
    (0.2549, 0.0005, 0.03),
)
FRAMES_PER_ZOOM = 400


def make_footage(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (x, y, end_scale) in enumerate(ZOOMS):
        path = folder / f"mandelbrot-{i}.mkv"
        if not path.exists():
            source = (
                f"mandelbrot=s=192x192:r=25:start_x={x}:start_y={y}:end_scale={end_scale}"
                f":end_pts={FRAMES_PER_ZOOM}"
            )
            subprocess.run(
                [
                    ffmpeg_binary(),
                    "-hide_banner",
                    "-loglevel",
                    "error",
                    "-y",
                    "-f",
                    "lavfi",
                    "-i",
                    source,
                    "-frames:v",
                    str(FRAMES_PER_ZOOM),
                    "-c:v",
                    "ffv1",
                    str(path),
                ],
                check=True,
            )
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10000)
    parser.add_argument("--output", default=str(HERE / "demo-dcgan.keras"))
    parser.add_argument("--resume", action="store_true")
    parser.add_argument(
        "--compare-only",
        action="store_true",
        help="only complete the training record and redraw docs/demo-samples.png",
    )
    args = parser.parse_args()
    footage = make_footage(HERE / "footage")
    if args.compare_only:
        record_recipe(Path(args.output))
        compare(footage, Path(args.output))
        return
    config = TrainConfig(
        footage=tuple(str(p) for p in footage),
        output=args.output,
        size=64,
        latent_dim=64,
        steps=args.steps,
        batch=16,
        seed=7,
        width=0.5,
        checkpoint_every=500,
    )
    started = time.monotonic()

    def report(p: TrainProgress) -> None:
        if p.step % 100 == 0 or p.checkpoint:
            rate = p.steps_per_second
            print(
                f"step {p.step}/{p.steps}  d {p.d_loss:.3f}  g {p.g_loss:.3f}  "
                f"{rate:.2f} steps/s  {time.monotonic() - started:.0f}s",
                flush=True,
            )

    model = train(config, resume=args.resume, on_progress=report)
    print("model:", model)
    record_recipe(model)
    compare(footage, model)


def record_recipe(model: Path) -> None:
    """Add to the training record how the footage was made, so the run can be repeated."""
    import json

    from engine.publish import write_json_atomic

    path = model.with_name(model.name + ".json")
    record = json.loads(path.read_text(encoding="utf-8"))
    record["trained_with"] = "python specs/models/train_demo.py"
    record["footage_recipe"] = {
        "ffmpeg_source": "mandelbrot=s=192x192:r=25:start_x=X:start_y=Y:end_scale=S"
        f":end_pts={FRAMES_PER_ZOOM}, first {FRAMES_PER_ZOOM} frames, ffv1",
        "zooms": [{"start_x": x, "start_y": y, "end_scale": s} for x, y, s in ZOOMS],
    }
    write_json_atomic(path, record)


def compare(footage: list[Path], model: Path) -> None:
    """docs/demo-samples.png: 32 random frames of the footage beside 32 generated pictures."""
    import numpy as np
    from PIL import Image, ImageDraw

    from engine.gan.producer import sample_pictures
    from engine.gan.train import sample_grid
    from engine.proc.frames import read_frames

    real = np.concatenate([read_frames(path, 64) for path in footage])
    pick = np.sort(np.random.default_rng(0).choice(len(real), 32, replace=False))
    left = Image.fromarray(sample_grid(real[pick], columns=4))
    right = Image.fromarray(sample_grid(sample_pictures(model, list(range(32))), columns=4))
    width = left.width + right.width + 24
    sheet = Image.new("RGB", (width, left.height + 28), "white")
    sheet.paste(left, (0, 28))
    sheet.paste(right, (left.width + 24, 28))
    draw = ImageDraw.Draw(sheet)
    draw.text((4, 6), "real frames (ffmpeg mandelbrot zooms)", fill="black")
    draw.text((left.width + 28, 6), "generated (demo-dcgan.keras, seeds 0-31)", fill="black")
    scale = 2
    sheet = sheet.resize((sheet.width * scale, sheet.height * scale), Image.NEAREST)
    target = HERE.parents[1] / "docs" / "demo-samples.png"
    sheet.save(target)
    print("wrote", target)


if __name__ == "__main__":
    main()
