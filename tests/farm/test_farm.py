"""Chunked renders on a real Dask cluster match the single-process render."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from engine.errors import RenderError
from engine.farm.render import farm_render
from engine.pipeline import render_spec
from tests.conftest import SpecWriter
from tests.media import audio_samples, count_frames, probe, run_ffmpeg

SPEC = """version: 1
output: {{path: out.mp4, size: {size}, fps: 10, video: {{codec: h264, preset: {preset}, crf: 0}}}}
defaults:
  transition: {{type: fade, duration: 0.5}}
scenes:
  - {{duration: 2, layers: [{{type: image, src: {{assets}}/quad.png, zoom: {{from: 1, to: 1.5}}}},
                          {{type: text, text: "Chunk 1"}}]}}
  - duration: 2
    transition: {{type: wipeleft, duration: 0.6}}
    layers: [{{type: gradient, colors: [red, blue]}}]
  - {{layers: [{{type: video, src: {{assets}}/clip.mp4, fit: contain}}]}}
  - {{duration: 1.5, transition: {{type: cut}}, layers: [{{type: color, color: lime}}]}}
overlays:
  - {{type: image, src: {{assets}}/logo.png, position: top-right, start: 0.5, end: 6, fade: 0.5}}
audio:
  - {{src: {{assets}}/tone.wav, loop: true, fade_out: 1}}
"""


def spec_text(size: str = "160x90", preset: str = "ultrafast") -> str:
    return SPEC.format(size=size, preset=preset)


def decoded_md5s(path: Path) -> list[str]:
    text = run_ffmpeg("-i", str(path), "-map", "0:v", "-f", "framemd5", "-").decode()
    return [
        line.rsplit(",", 1)[1].strip()
        for line in text.splitlines()
        if line and not line.startswith("#")
    ]


def assert_same_video(single: Path, farmed: Path) -> None:
    assert count_frames(farmed) == count_frames(single)
    assert probe(farmed).duration == probe(single).duration
    # Lossless H.264 (crf 0): the decoded pictures of both renders are bit-identical.
    assert decoded_md5s(farmed) == decoded_md5s(single)
    assert np.array_equal(audio_samples(farmed), audio_samples(single))


@pytest.fixture
def single(write_spec: SpecWriter, tmp_path: Path) -> tuple[Path, Path]:
    spec = write_spec(spec_text())
    return spec, render_spec(spec, tmp_path / "single.mp4").output


def test_farm_on_a_real_scheduler_matches_single_render(
    dask_cluster: str, single: tuple[Path, Path], tmp_path: Path
) -> None:
    spec, reference = single
    seen = []
    result = farm_render(
        spec, tmp_path / "farmed.mp4", scheduler=dask_cluster, chunks=4, on_progress=seen.append
    )
    assert count_frames(reference) == 20 + 20 + 20 + 15 - 6 - 5  # scenes less two overlaps
    assert_same_video(reference, result.output)
    assert seen[-1].chunks_done == seen[-1].chunks_total == 4
    assert seen[-1].frames_done == 64 and seen[-1].workers == 2
    assert not [p for p in tmp_path.iterdir() if ".farm-" in p.name]  # temporaries gone


def test_local_cluster_is_the_default(single: tuple[Path, Path], tmp_path: Path) -> None:
    spec, reference = single
    result = farm_render(spec, tmp_path / "local.mp4", chunk_seconds=2, workers=2)
    assert_same_video(reference, result.output)


def test_lossy_chunks_stay_close(write_spec: SpecWriter, dask_cluster: str, tmp_path: Path) -> None:
    spec = write_spec(spec_text().replace("crf: 0", "crf: 20"))
    single = render_spec(spec, tmp_path / "single.mp4").output
    farmed = farm_render(spec, tmp_path / "farmed.mp4", scheduler=dask_cluster, chunks=3).output
    assert count_frames(farmed) == count_frames(single)
    a = np.frombuffer(
        run_ffmpeg("-i", str(farmed), "-f", "rawvideo", "-pix_fmt", "gray", "-"), np.uint8
    ).astype(float)
    b = np.frombuffer(
        run_ffmpeg("-i", str(single), "-f", "rawvideo", "-pix_fmt", "gray", "-"), np.uint8
    ).astype(float)
    mse = np.mean((a - b) ** 2)
    assert mse == 0 or 10 * np.log10(255**2 / mse) >= 35  # PSNR in dB


def test_killed_worker_chunk_is_redone_elsewhere(
    write_spec: SpecWriter, dask_cluster: str, tmp_path: Path
) -> None:
    """Kill the worker process while it renders a chunk: the chunk is rendered again on a
    worker that lives, and the result is the same as an undisturbed render."""
    from distributed import Client

    spec = write_spec(spec_text(size="640x360", preset="veryslow"))
    reference = render_spec(spec, tmp_path / "single.mp4").output
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = farm_render(
                spec, tmp_path / "farmed.mp4", scheduler=dask_cluster, chunks=6
            )
        except Exception as exc:  # reported by the assertion below
            outcome["error"] = exc

    job = threading.Thread(target=run)
    job.start()
    killed = None
    with Client(dask_cluster, timeout="30s") as observer:
        deadline = time.monotonic() + 60
        while killed is None and time.monotonic() < deadline:
            busy = [
                addr
                for addr, keys in observer.processing().items()
                if any("render_chunk" in str(k) for k in keys)
            ]
            if busy:
                pid = observer.run(os.getpid, workers=[busy[0]])[busy[0]]
                time.sleep(0.3)  # well inside the chunk's encode
                os.kill(pid, signal.SIGKILL)
                killed = busy[0]
            time.sleep(0.05)
    job.join(timeout=300)
    assert killed is not None, "no chunk was ever seen running"
    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert_same_video(reference, result.output)  # type: ignore[attr-defined]


def test_a_failing_chunk_fails_the_job_once_with_its_error(
    write_spec: SpecWriter, dask_cluster: str, tmp_path: Path
) -> None:
    spec = write_spec(spec_text(preset="no-such-preset"))
    started = time.monotonic()
    with pytest.raises(RenderError, match="ffmpeg failed") as caught:
        farm_render(spec, tmp_path / "farmed.mp4", scheduler=dask_cluster, chunks=3)
    assert "no-such-preset" in " ".join(caught.value.command)
    assert time.monotonic() - started < 60
    assert not (tmp_path / "farmed.mp4").exists()
    assert not [p for p in tmp_path.iterdir() if ".farm-" in p.name]


def test_narrated_spec_with_burned_captions_matches(
    write_spec: SpecWriter, tmp_path: Path, dask_cluster: str
) -> None:
    """Workers get narration-made timing as plain durations and captions as overlays."""
    spec = write_spec("""version: 1
output: {path: out.mp4, size: 160x90, fps: 10, video: {preset: ultrafast, crf: 0}}
scenes:
  - narration: {text: "First we speak. Then we speak again."}
    layers: [{type: color, color: navy}]
  - {duration: 1, layers: [{type: color, color: black}]}
subtitles: {burn: true, files: [srt], style: {size: 12}}
""")
    reference = render_spec(spec, tmp_path / "single.mp4").output
    farmed = farm_render(spec, tmp_path / "farmed.mp4", scheduler=dask_cluster, chunks=3).output
    assert_same_video(reference, farmed)
    assert (tmp_path / "farmed.srt").read_text() == (tmp_path / "single.srt").read_text()


def test_portable_spec_carries_no_narration(write_spec: SpecWriter) -> None:
    from engine.farm.package import make_portable
    from engine.pipeline import prepare

    spec = write_spec("""version: 1
output: {path: out.mp4, size: 160x90, fps: 10}
scenes:
  - narration: {text: "Hello there."}
    layers: [{type: color}]
subtitles: {burn: true}
""")
    prepared = prepare(spec)
    portable = make_portable(prepared.loaded, prepared.resolved)
    assert "narration" not in portable.spec_text and "subtitles" not in portable.spec_text
    assert '"Hello there."' in portable.spec_text  # now a caption overlay


def test_generator_layers_render_identically_in_chunks(
    write_spec: SpecWriter, tmp_path: Path, dask_cluster: str
) -> None:
    """A generator's frame i is a function of the spec and i alone: chunks rendered on other
    workers, from their own copy of the model, match the single render bit for bit."""
    model = Path(__file__).resolve().parents[2] / "specs" / "models" / "demo-dcgan.keras"
    spec = write_spec(f"""version: 1
output: {{path: out.mp4, size: 96x96, fps: 10, video: {{preset: ultrafast, crf: 0}}}}
scenes:
  - layers:
      - {{type: generator, model: {model}, seed: 3, duration: 2, batch: 6,
         motion: {{kind: keyframes, keyframes: 3}}}}
  - transition: {{type: fade, duration: 0.5}}
    layers:
      - {{type: color, color: navy}}
      - {{type: generator, model: {model}, seed: 4, duration: 2, fit: contain,
         motion: {{kind: random_walk, step: 0.5}}}}
  - {{duration: 1, transition: {{type: cut}}, layers: [{{type: color, color: black}}]}}
overlays:
  - {{type: text, text: "walk", position: bottom, start: 0.5, end: 4}}
audio:
  - {{src: {{assets}}/tone.wav, loop: true}}
""")
    reference = render_spec(spec, tmp_path / "single.mp4").output
    farmed = farm_render(spec, tmp_path / "farmed.mp4", scheduler=dask_cluster, chunks=3).output
    assert count_frames(reference) == 20 + 20 + 10 - 5
    assert_same_video(reference, farmed)
