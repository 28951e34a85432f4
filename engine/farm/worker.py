"""What a farm worker runs: the engine's own compiler and runner, with the resolved spec and
its files as data.

Nothing here is a closure or user code: a worker receives the resolved spec the client made
(file names relative to its own folder), a window of frames, and file bytes; it compiles and
renders with the same engine as a local render, and returns the encoded chunk as bytes (the
client writes every file itself, so a late result from a lost worker can never touch the
output).
"""

from __future__ import annotations

import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from engine.compile import compile_plan
from engine.farm.package import settle
from engine.resolve.timeline import ResolvedSpec
from engine.run.render import render


@dataclass(frozen=True)
class Chunk:
    """An encoded file and the worker process that made it."""

    data: bytes
    #: ``host:pid`` of the process that rendered it.
    made_by: str


def render_chunk(
    portable: ResolvedSpec,
    window: tuple[int, int] | None,
    blobs: dict[str, bytes],
    audio: bool = False,
) -> Chunk:
    """Render frames [f0, f1) (or the whole video, with sound, when ``window`` is None)."""
    with tempfile.TemporaryDirectory(prefix="reelspec-chunk-") as folder:
        root = Path(folder)
        for name, data in blobs.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        resolved = settle(portable, root)
        plan = compile_plan(resolved, window, audio=audio)
        render(plan, resolved.output_path, write_manifest=False)
        return Chunk(resolved.output_path.read_bytes(), f"{socket.gethostname()}:{os.getpid()}")
