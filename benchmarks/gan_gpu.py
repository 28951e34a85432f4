"""Generator inference on a GPU machine without TensorFlow: the shipped ``.keras`` demo model
run by Keras 3 on its JAX backend (the lent GPU machines have JAX with CUDA and no way to
install TensorFlow), checked against the CPU and timed at several batch sizes.

Not part of the test suite (CI has no GPU). Run on the GPU machine with Keras importable and
``KERAS_BACKEND=jax``: ``python benchmarks/gan_gpu.py``. Also reports whether a system ffmpeg
there offers NVENC, and times h264_nvenc against libx264 on generated frames when it does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "specs" / "models" / "demo-dcgan.keras"


def main() -> None:
    import jax
    import keras
    import numpy as np

    print(f"keras {keras.__version__} on {keras.backend.backend()}, jax {jax.__version__}")
    print("devices:", jax.devices())
    model = keras.saving.load_model(MODEL, compile=False, safe_mode=True)
    latent = model.input_shape[1]

    def runner(device: object) -> object:
        params = [v.value for v in model.trainable_variables]
        state = [v.value for v in model.non_trainable_variables]

        @jax.jit
        def call(z: object) -> object:
            out, _ = model.stateless_call(params, state, z, training=False)
            return jax.numpy.clip(jax.numpy.round((out + 1.0) * 127.5), 0, 255).astype("uint8")

        return lambda z: call(jax.device_put(z, device))

    gpu = jax.devices()[0]
    cpu = jax.devices("cpu")[0]
    z = np.random.default_rng(0).standard_normal((64, latent)).astype("float32")
    on_gpu = np.asarray(runner(gpu)(z)).astype(int)
    on_cpu = np.asarray(runner(cpu)(z)).astype(int)
    print(
        f"GPU vs CPU pixels: max |diff| {np.abs(on_gpu - on_cpu).max()}, "
        f"mean {np.abs(on_gpu - on_cpu).mean():.4f} (0-255 scale)"
    )

    print(f"{'device':<6}{'batch':>7}{'frames/s':>12}")
    for name, device in (("gpu", gpu), ("cpu", cpu)):
        run = runner(device)
        for batch in (32, 256, 2048):
            if name == "cpu" and batch > 256:
                continue
            zb = np.random.default_rng(1).standard_normal((batch, latent)).astype("float32")
            np.asarray(run(zb))  # compile
            repeats = max(3, 20000 // batch) if name == "gpu" else 5
            start = time.perf_counter()
            for _ in range(repeats):
                np.asarray(run(zb))  # includes the copy back to the host, as a feed needs
            rate = batch * repeats / (time.perf_counter() - start)
            print(f"{name:<6}{batch:>7}{rate:>12.0f}")

    ffmpeg = shutil.which("ffmpeg")
    print("system ffmpeg:", ffmpeg or "none")
    if not ffmpeg:
        return
    encoders = subprocess.run(
        [ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True
    ).stdout
    print("h264_nvenc offered:", "h264_nvenc" in encoders)
    frames = np.asarray(
        runner(gpu)(np.random.default_rng(2).standard_normal((600, latent)).astype("float32"))
    ).tobytes()
    for codec in ("libx264", "h264_nvenc"):
        if codec not in encoders:
            continue
        argv = [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            "64x64",
            "-framerate",
            "30",
            "-i",
            "pipe:0",
            "-vf",
            "scale=1280:720:flags=lanczos,format=yuv420p",
            "-c:v",
            codec,
            "-f",
            "null",
            "-",
        ]
        start = time.perf_counter()
        result = subprocess.run(argv, input=frames, capture_output=True)
        took = time.perf_counter() - start
        status = "ok" if result.returncode == 0 else result.stderr.decode()[-300:]
        print(f"{codec}: 600 frames 720p in {took:.2f}s ({600 / took:.0f} fps) {status}")


if __name__ == "__main__":
    sys.exit(main())
