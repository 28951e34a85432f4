"""Trains the example frame model shipped as ``specs/models/stylize.keras``.

A frame model is an image-to-image network a ``video`` layer runs every frame through. This
one learns a look defined in a few lines of numpy (``target`` below): a warm, slightly
posterised colour grade with dark ink along edges. It is fully convolutional, so it works at
any frame size. The training pictures are synthesised by ffmpeg (``testsrc2``, ``mandelbrot``
and ``cellauto`` frames), so nothing is downloaded; training takes about a minute on two cores.

    python specs/models/train_stylize.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from engine.gan.tf import require  # noqa: E402
from engine.proc.ffmpeg import ffmpeg_binary  # noqa: E402

SOURCES = ("testsrc2=s=256x256:r=5", "mandelbrot=s=256x256:r=5", "cellauto=s=256x256:r=5:rule=110")
GRADE = np.array([[1.05, 0.10, 0.0], [0.05, 0.90, 0.05], [0.0, 0.10, 0.70]])


def pictures(frames_per_source: int = 40) -> np.ndarray:
    """uint8 (N, 256, 256, 3) training pictures from ffmpeg's procedural sources."""
    out = []
    for source in SOURCES:
        raw = subprocess.run(
            [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", source,
             "-frames:v", str(frames_per_source), "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"],
            check=True, capture_output=True,
        ).stdout  # fmt: skip
        out.append(np.frombuffer(raw, np.uint8).reshape(-1, 256, 256, 3))
    return np.concatenate(out)


def target(images: np.ndarray) -> np.ndarray:
    """The look to learn, on float images in [0, 1]."""
    graded = np.clip(images @ GRADE.T, 0, 1)
    graded = np.round(graded * 6) / 6 * 0.7 + graded * 0.3  # gentle posterisation
    luma = images @ np.array([0.299, 0.587, 0.114])
    gy = np.abs(np.diff(luma, axis=1, append=luma[:, -1:, :]))
    gx = np.abs(np.diff(luma, axis=2, append=luma[:, :, -1:]))
    ink = np.clip((gx + gy) * 4.0, 0, 1)[..., None]
    return (graded * (1.0 - 0.85 * ink)).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--output", default=str(HERE / "stylize.keras"))
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    tf, keras = require()
    keras.utils.set_random_seed(args.seed)
    data = pictures().astype(np.float32) / 255.0
    rng = np.random.default_rng(args.seed)

    inputs = keras.Input((None, None, 3), name="frame")
    x = keras.layers.Conv2D(24, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.Conv2D(24, 3, padding="same", activation="relu")(x)
    x = keras.layers.Concatenate()([x, inputs])
    outputs = keras.layers.Conv2D(3, 1, activation="sigmoid", name="rgb")(x)
    model = keras.Model(inputs, outputs, name="stylize")
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mae")

    def crops(count: int, size: int = 48) -> np.ndarray:
        idx = rng.integers(0, len(data), count)
        ys = rng.integers(0, 256 - size, count)
        xs = rng.integers(0, 256 - size, count)
        corners = zip(idx, ys, xs, strict=True)
        return np.stack([data[i, y : y + size, x : x + size] for i, y, x in corners])

    x_train = crops(args.steps * 16 // 10)
    history = model.fit(x_train, target(x_train), batch_size=16, epochs=10, verbose=2)
    x_test = crops(256)
    error = float(np.mean(np.abs(model.predict(x_test, verbose=0) - target(x_test))))
    model.save(args.output)
    Path(args.output + ".json").write_text(
        json.dumps(
            {
                "model": Path(args.output).name,
                "trained_with": "specs/models/train_stylize.py",
                "seed": args.seed,
                "sources": SOURCES,
                "final_loss": history.history["loss"][-1],
                "held_out_mean_abs_error": error,
                "tensorflow": tf.__version__,
                "keras": keras.__version__,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {args.output}: held-out mean abs error {error:.4f} (0..1 pixel scale)")


if __name__ == "__main__":
    main()
