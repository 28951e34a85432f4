"""Decoding video files into raw RGB frames (for training and for frame models).

Frames come out of ffmpeg as ``rgb24`` rawvideo on a pipe; nothing is written to disk.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np

from engine.errors import MediaError, RenderError
from engine.proc.ffmpeg import ffmpeg_binary, guard_inputs


def square_crop_filters(size: int, fps: float | Fraction | None) -> str:
    """Resample to ``fps``, scale the short side to ``size`` and crop the centre square."""
    chain = [f"fps={fps}"] if fps else []
    chain += [
        f"scale={size}:{size}:force_original_aspect_ratio=increase:flags=area",
        f"crop={size}:{size}",
        "format=rgb24",
    ]
    return ",".join(chain)


def read_frames(
    path: Path, size: int, *, fps: float | None = None, max_frames: int | None = None
) -> np.ndarray:
    """All frames of ``path`` (or the first ``max_frames``) as uint8 (N, size, size, 3)."""
    if not path.is_file():
        raise MediaError(f"{path}: no such file")
    argv = [
        ffmpeg_binary(),
        *guard_inputs(["-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path)]),
    ]
    argv += ["-vf", square_crop_filters(size, fps), "-an"]
    if max_frames:
        argv += ["-frames:v", str(max_frames)]
    argv += ["-f", "rawvideo", "pipe:1"]
    result = subprocess.run(argv, capture_output=True, check=False)
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise MediaError(f"{path}: ffmpeg could not decode it:\n  " + "\n  ".join(tail))
    frame_bytes = size * size * 3
    count = len(result.stdout) // frame_bytes
    if count == 0:
        raise MediaError(f"{path}: no video frames")
    data = np.frombuffer(result.stdout[: count * frame_bytes], dtype=np.uint8)
    return data.reshape(count, size, size, 3)


class FrameReader:
    """Streams decoded frames of a fixed size from an ffmpeg process (for frame models)."""

    def __init__(self, argv: list[str], width: int, height: int) -> None:
        self.argv = argv
        self.frame_bytes = width * height * 3
        self.shape = (height, width, 3)
        try:
            self.process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except OSError as exc:
            raise RenderError(f"cannot start ffmpeg: {exc}", argv) from None

    def batches(self, batch: int, total: int) -> Iterator[np.ndarray]:
        assert self.process.stdout is not None
        done = 0
        while done < total:
            want = min(batch, total - done)
            data = self.process.stdout.read(want * self.frame_bytes)
            got = len(data) // self.frame_bytes
            if got == 0:
                break
            done += got
            yield np.frombuffer(data[: got * self.frame_bytes], np.uint8).reshape(got, *self.shape)
            if got < want:
                break

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def stderr_tail(self) -> str:
        if self.process.stderr is None:
            return ""
        return "\n".join(self.process.stderr.read().decode("utf-8", "replace").splitlines()[-10:])
