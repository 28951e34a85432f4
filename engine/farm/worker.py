"""What a farm worker runs: the engine's own function, with the spec and its files as data.

Nothing here is a closure or user code: a worker receives JSON spec text, a window of
frames, and file bytes; it resolves, compiles and renders with the same engine as a local
render, and returns the encoded chunk as bytes (the client writes every file itself, so a
late result from a lost worker can never touch the output).
"""

from __future__ import annotations

import tempfile
from fractions import Fraction
from pathlib import Path

from engine.compile import compile_plan
from engine.resolve import resolve
from engine.run.render import render
from engine.spec.loader import load_spec_text


def render_chunk(
    spec_text: str, window: tuple[int, int] | None, blobs: dict[str, bytes], audio: bool = False
) -> bytes:
    """Render frames [f0, f1) (or the whole video, with sound, when ``window`` is None)."""
    with tempfile.TemporaryDirectory(prefix="reelspec-chunk-") as folder:
        root = Path(folder)
        for name, data in blobs.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        loaded = load_spec_text(spec_text, file="farm task", base_dir=root)
        resolved = resolve(loaded)
        seconds = None
        if window is not None:
            fps = resolved.fps
            seconds = (float(Fraction(window[0]) / fps), float(Fraction(window[1]) / fps))
        plan = compile_plan(resolved, seconds, audio=audio)
        output = root / ("out" + Path(loaded.spec.output.path).suffix)
        render(plan, output, write_manifest=False)
        return output.read_bytes()
