"""Video → video: every frame of a clip goes through an image-to-image model (the shipped
example stylizer) on its way into the render."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.gan.loading import load_model
from engine.pipeline import render_spec
from tests.conftest import SpecWriter
from tests.media import count_frames, frame, probe, run_ffmpeg

STYLIZE = Path(__file__).resolve().parents[2] / "specs" / "models" / "stylize.keras"


def source_frame(clip: Path, index: int) -> np.ndarray:
    raw = run_ffmpeg(
        "-i", str(clip), "-vf", f"fps=25,select=eq(n\\,{index})", "-frames:v", "1",
        "-pix_fmt", "rgb24", "-f", "rawvideo", "-",
    )  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(180, 320, 3)


def diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))


def test_every_frame_is_restyled_by_the_model(write_spec: SpecWriter, assets: Path) -> None:
    spec = write_spec(f"""version: 1
output: {{path: out.mp4, size: 320x180, fps: 25,
          video: {{codec: h264, preset: ultrafast, crf: 0, pix_fmt: yuv444p}}}}
scenes:
  - layers:
      - {{type: video, src: {{assets}}/clip.mp4, trim: {{start: 0.4}},
         model: {{path: {STYLIZE}, batch: 6}}}}
""")
    out = render_spec(spec).output
    info = probe(out)
    assert count_frames(out) == 40  # 1.6 s of the clip at 25 fps
    assert info.has_audio  # the clip's own sound is kept
    model = load_model(STYLIZE, trust=False)
    for index in (0, 17, 39):
        original = source_frame(assets / "clip.mp4", index + 10)  # trim 0.4 s = 10 frames
        restyled = np.asarray(model(original[None].astype("float32") / 255.0, training=False))
        expected = np.clip(np.rint(restyled[0] * 255), 0, 255).astype(np.uint8)
        shown = frame(out, index)
        assert diff(shown, expected) < 2.0  # the model's output, in its place in time
        assert diff(shown, original) > 8.0  # and visibly not the clip as shot
