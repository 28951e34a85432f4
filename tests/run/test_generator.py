"""Generator layers, rendered for real with the shipped demo model: frames streamed over pipes
into ffmpeg, checked frame by frame against the model's own output."""

from __future__ import annotations

import hashlib
import itertools
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main
from engine.errors import FeedError
from engine.gan.loading import load_model
from engine.gan.motion import motion_latents
from engine.gan.sources import MODEL_FRAMES
from engine.pipeline import prepare, render_spec, render_still
from engine.spec.motion import Keyframes, RandomWalk
from tests.conftest import SpecWriter
from tests.farm.test_farm import decoded_md5s
from tests.media import count_frames, frame, probe

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "specs" / "models" / "demo-dcgan.keras"
LOSSLESS = "video: {codec: h264, preset: ultrafast, crf: 0, pix_fmt: yuv444p}, audio: null"


def walk_spec(seed: int = 42, size: str = "64x64", batch: int = 8) -> str:
    return f"""version: 1
output: {{path: out.mp4, size: {size}, fps: 10, {LOSSLESS}}}
scenes:
  - layers:
      - type: generator
        model: {DEMO}
        seed: {seed}
        motion: {{kind: keyframes, keyframes: 3, interpolation: slerp, loop: true}}
        duration: 3
        batch: {batch}
  - layers:
      - {{type: generator, model: {DEMO}, seed: 5, duration: 1,
         motion: {{kind: random_walk, step: 0.5}}}}
"""


def expected_frames(motion: object, seed: int, layer_frames: int, frames: list[int]) -> np.ndarray:
    """What the model itself makes for those frames, computed here without ffmpeg."""
    model = load_model(DEMO, trust=False)
    z = motion_latents(
        motion,  # type: ignore[arg-type]
        seed=seed,
        latent_dim=int(model.input_shape[1]),
        layer_frames=layer_frames,
        fps=Fraction(10),
        frames=frames,
    )
    out = np.asarray(model(z, training=False))
    return np.clip(np.rint((out + 1) * 127.5), 0, 255).astype(np.uint8)


def mean_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("walk")
    spec = folder / "spec.yaml"
    spec.write_text(walk_spec(), encoding="utf-8")
    return render_spec(spec).output


def test_frames_stream_in_and_are_the_models_own(walk: Path) -> None:
    info = probe(walk)
    assert (info.width, info.height, info.video_codec) == (64, 64, "h264")
    assert count_frames(walk) == 40
    keyframes = Keyframes(kind="keyframes", keyframes=3, loop=True)
    wanted = [0, 7, 13, 29]
    expected = expected_frames(keyframes, 42, 30, wanted)
    for i, index in enumerate(wanted):
        shown = frame(walk, index)
        # Only the RGB -> YUV 4:4:4 round trip separates the shown frame from the model's
        # output ...
        assert mean_diff(shown, expected[i]) < 2.0
        # ... and the frame is in its right place in time, not a neighbour's.
        neighbour = expected_frames(keyframes, 42, 30, [index + 3])[0]
        assert mean_diff(shown, neighbour) > mean_diff(shown, expected[i])
    # The second scene is the second feed (pipe:3), with its own seed and motion.
    walk_motion = RandomWalk(kind="random_walk", step=0.5)
    assert mean_diff(frame(walk, 35), expected_frames(walk_motion, 5, 10, [5])[0]) < 4.0


def test_the_manifest_records_models_and_seeds(walk: Path) -> None:
    import json

    manifest = json.loads(walk.with_name("out.mp4.reelspec.json").read_text(encoding="utf-8"))
    feeds = manifest["model_feeds"]
    assert [(f["pipe"], f["seed"]) for f in feeds] == [(0, 42), (3, 5)]
    assert feeds[0]["model_sha256"] == hashlib.sha256(DEMO.read_bytes()).hexdigest()
    assert manifest["tensorflow"] and manifest["keras"]


def test_consecutive_frames_change_smoothly(walk: Path) -> None:
    from engine.gan.producer import sample_pictures

    frames = [frame(walk, i) for i in range(30)]
    steps = [mean_diff(a, b) for a, b in itertools.pairwise(frames)]
    # How far apart two unrelated pictures of this model are: what noise would look like.
    pictures = sample_pictures(DEMO, list(range(100, 116)))
    unrelated = np.mean([mean_diff(a, b) for a, b in itertools.combinations(pictures, 2)])
    assert min(steps) > 0.2  # moving, never frozen
    assert max(steps) < 0.35 * unrelated  # every frame close to the last: no jumps, no noise
    assert np.median(steps) < 0.15 * unrelated


def test_same_seed_same_frames_other_seed_other_frames(
    walk: Path, write_spec: SpecWriter, tmp_path: Path
) -> None:
    again = render_spec(write_spec(walk_spec()), tmp_path / "again.mp4").output
    assert decoded_md5s(again) == decoded_md5s(walk)
    other = render_spec(write_spec(walk_spec(seed=43)), tmp_path / "other.mp4").output
    differing = [
        a != b for a, b in zip(decoded_md5s(other)[:30], decoded_md5s(walk)[:30], strict=True)
    ]
    assert all(differing)


def test_another_batch_size_changes_pixels_by_rounding_at_most(
    walk: Path, write_spec: SpecWriter, tmp_path: Path
) -> None:
    # The CPU kernels may round differently for another batch shape; the picture is the same.
    other = render_spec(write_spec(walk_spec(batch=5)), tmp_path / "batch5.mp4").output
    for index in (0, 6, 17, 33):
        difference = np.abs(frame(other, index).astype(int) - frame(walk, index).astype(int))
        assert difference.max() <= 3 and difference.mean() < 0.01


def test_plan_names_the_pipes(write_spec: SpecWriter) -> None:
    from engine.compile.compiler import compile_plan

    plan = compile_plan(prepare(write_spec(walk_spec())).resolved)
    assert [i.target for i in plan.inputs] == ["pipe:0", "pipe:3"]
    assert [feed.pipe for feed in plan.feeds] == [0, 3]
    assert "pipe:3 <- generator" in plan.pretty()


def test_a_still_makes_only_the_frames_it_shows(
    walk: Path, write_spec: SpecWriter, tmp_path: Path
) -> None:
    from engine.compile.compiler import compile_still

    spec = write_spec(walk_spec())
    plan = compile_still(prepare(spec).resolved, 22, str(tmp_path / "still.png"))
    (feed,) = plan.feeds
    assert (feed.first, feed.count) == (22, 1)  # type: ignore[union-attr]
    still = render_still(spec, 2.2, tmp_path / "still.png").output
    from PIL import Image

    picture = np.asarray(Image.open(still).convert("RGB"))
    assert mean_diff(picture, frame(walk, 22)) < 1.5


def failing_spec(model: Path) -> str:
    return f"""version: 1
output: {{path: out.mp4, size: 32x32, fps: 10, {LOSSLESS}}}
scenes:
  - layers:
      - type: generator
        model: {model}
        trust_model: true
        duration: 4
        batch: 4
        # Linear from ordinary vectors towards a large one: the model's check (x**40 stays
        # finite) fails once the latents grow, a few batches into the stream.
        motion: {{kind: latents, interpolation: linear,
                  points: [1, 2, [1000, 1, 1, 1, 1, 1, 1, 1]]}}
"""


def test_a_model_failing_mid_stream_stops_ffmpeg_and_leaves_nothing(
    write_spec: SpecWriter, model_files: dict[str, Path], tmp_path: Path
) -> None:
    spec = write_spec(failing_spec(model_files["lambda.keras"]))
    with pytest.raises(FeedError, match="overflow") as caught:
        render_spec(spec)
    assert "a model feeding frames failed mid-render" in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


def test_the_cli_reports_a_failing_model_without_a_traceback(
    write_spec: SpecWriter,
    model_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = write_spec(failing_spec(model_files["lambda.keras"]))
    assert main(["render", str(spec), "-q"]) == 3
    err = capsys.readouterr().err
    assert "error: a model feeding frames failed mid-render" in err and "Traceback" not in err
    assert not (tmp_path / "out.mp4").exists()


def test_ctrl_c_during_a_generator_render_leaves_nothing(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    spec = write_spec(f"""version: 1
output: {{path: out.mp4, size: 640x360, fps: 30, video: {{preset: veryslow}}}}
scenes:
  - layers: [{{type: generator, model: {DEMO}, duration: 600, batch: 8}}]
""")
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "render", str(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not any(".part" in p.name for p in tmp_path.iterdir()):
        time.sleep(0.1)
    assert any(".part" in p.name for p in tmp_path.iterdir()), "the render never started"
    time.sleep(2.0)  # frames are streaming by now
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does to the job
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        pytest.fail(f"still running 60 s after Ctrl-C; stderr:\n{stderr}")
    assert process.returncode == 130, (process.returncode, stderr)
    assert "interrupted" in stderr and "Traceback" not in stderr, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"], stderr


def test_a_generator_without_a_duration_needs_one_from_its_scene(write_spec: SpecWriter) -> None:
    from engine.errors import SpecError

    spec = write_spec(f"""version: 1
output: {{path: out.mp4, size: 64x64, fps: 10}}
scenes:
  - layers: [{{type: generator, model: {DEMO}}}]
""")
    with pytest.raises(SpecError, match="scenes\\[0\\]: scene needs a duration"):
        prepare(spec)
    spec = write_spec(f"""version: 1
output: {{path: out.mp4, size: 64x64, fps: 10, {LOSSLESS}}}
scenes:
  - duration: 2
    layers: [{{type: generator, model: {DEMO}, duration: 1}}]
""")
    out = render_spec(spec).output
    # The layer lasts 1 s; the scene holds its last frame for the second second.
    assert count_frames(out) == 20
    assert decoded_md5s(out)[9:] == [decoded_md5s(out)[9]] * 11


def test_a_slow_reader_still_gets_the_end_of_the_stream(write_spec: SpecWriter) -> None:
    # Regression: when the model had made every frame while the pipe and the queue were full
    # (ffmpeg busy), the end-of-stream marker was dropped after a 1 s wait, the pipe never
    # closed, and ffmpeg waited for more frames until the stall watchdog killed it. Here the
    # test reads the pipe itself, as a slow ffmpeg would: 100 frames of 64x64 fill the 1 MiB
    # pipe, the writer's batch and the two-batch queue, and nothing is read for 3 s.
    import os
    import threading
    import time

    from engine.compile.compiler import compile_plan
    from engine.run.feeds import Feeders

    spec = write_spec(f"""version: 1
output: {{path: out.mp4, size: 64x64, fps: 10}}
scenes:
  - layers: [{{type: generator, model: {DEMO}, duration: 10, batch: 8}}]
""")
    plan = compile_plan(prepare(spec).resolved)
    feeders = Feeders(plan.feeds, MODEL_FRAMES)
    _, stdin, _ = feeders.open(plan.argv())
    assert stdin is not None
    reader = os.dup(stdin)  # ffmpeg's end, kept by the test
    feeders.start(on_error=lambda: None)
    time.sleep(3.0)
    received = bytearray()

    def drain() -> None:
        while chunk := os.read(reader, 1 << 16):
            received.extend(chunk)

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    thread.join(timeout=20)
    finished = not thread.is_alive()
    feeders.stop()
    os.close(reader)
    assert finished, "the pipe was never closed"
    assert len(received) == 100 * 64 * 64 * 3
