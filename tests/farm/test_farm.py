"""Chunked renders on a real Dask cluster match the single-process render."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from engine.errors import RenderError
from engine.farm.render import farm_render
from engine.pipeline import render_spec
from engine.proc.ffmpeg import ffmpeg_binary
from tests.conftest import SpecWriter
from tests.media import audio_samples, count_frames, probe, run_ffmpeg, stream_starts, tone_level

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
    assert stream_starts(farmed) == stream_starts(single)
    assert set(stream_starts(farmed).values()) == {0.0}
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


def test_farm_sound_is_the_local_sound_and_farm_renders_repeat_byte_for_byte(
    write_spec: SpecWriter, dask_cluster: str, tmp_path: Path
) -> None:
    """Regression (issue 10): with a trimmed clip's sound in a later scene the farm put the
    sound 3 s early and left the end silent."""
    spec = write_spec("""version: 1
output: {path: out.mp4, size: 96x54, fps: 10, video: {codec: h264, preset: ultrafast, crf: 0}}
scenes:
  - {duration: 1.5, layers: [{type: color, color: red}]}
  - {duration: 1.2, transition: {type: fade, duration: 0.4},
     layers: [{type: video, src: {assets}/clip.mp4, trim: {start: 0.5}}]}
  - {duration: 1.5, transition: {type: cut}, layers: [{type: color, color: blue}]}
audio:
  - {src: {assets}/long_tone.wav, volume: 0.5, fade_in: 0.2}
""")
    reference = render_spec(spec, tmp_path / "single.mp4").output
    farmed = [
        farm_render(spec, tmp_path / f"farmed{n}.mp4", scheduler=dask_cluster, chunks=3).output
        for n in range(2)
    ]
    assert_same_video(reference, farmed[0])
    assert farmed[0].read_bytes() == farmed[1].read_bytes()
    samples = audio_samples(farmed[0])
    assert len(samples) == count_frames(farmed[0]) * 4800
    assert tone_level(samples, 330, 3.6, 3.9) == pytest.approx(0.25, rel=0.15)  # to the end
    assert tone_level(samples, 660, 0.2, 1.0) < 0.005  # the clip only in its own scene
    assert tone_level(samples, 660, 1.6, 2.3) == pytest.approx(0.125, rel=0.15)


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
    # The killed worker's half-made chunk was removed with the job's scratch space.
    assert scratch_left(dask_cluster) == []
    assert [p.name for p in tmp_path.iterdir() if ".farm-" in p.name] == []


def scratch_contents(dask_worker: object = None) -> list[str]:
    from engine.farm.worker import scratch_root

    root = scratch_root(dask_worker)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def scratch_left(address: str) -> list[str]:
    """What reelspec jobs left in the scratch space of every worker of the cluster."""
    from distributed import Client

    with Client(address, timeout="30s") as client:
        found = client.run(scratch_contents)
    return sorted(name for names in found.values() for name in names)


def test_worker_scratch_space_is_removed_when_the_job_ends(
    write_spec: SpecWriter, dask_cluster: str, tmp_path: Path
) -> None:
    """Chunks are made in a per-job folder beside each worker's local directory; nothing of
    a job is left on any worker after it, whether it succeeded or failed."""
    spec = write_spec(spec_text())
    farm_render(spec, tmp_path / "farmed.mp4", scheduler=dask_cluster, chunks=3)
    assert scratch_left(dask_cluster) == []
    bad = write_spec(spec_text(preset="no-such-preset"), "bad.yaml")
    with pytest.raises(RenderError):
        farm_render(bad, tmp_path / "bad.mp4", scheduler=dask_cluster, chunks=3)
    assert scratch_left(dask_cluster) == []


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


def test_workers_compile_the_plan_the_client_resolved(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    """A worker gets the resolved spec, not the spec: it neither speaks nor probes nor draws,
    and with the shipped files under its own folder it compiles the client's plan."""
    import shutil

    from engine.compile.compiler import compile_plan
    from engine.farm.package import make_portable, settle
    from engine.pipeline import prepare

    spec = write_spec("""version: 1
output: {path: out.mp4, size: 160x90, fps: 10}
scenes:
  - narration: {text: "Hello there."}
    layers: [{type: image, src: {assets}/quad.png}, {type: text, text: "card"}]
  - layers: [{type: image_sequence, src: "{assets}/frames/f_%03d.png", fps: 5}]
overlays:
  - {type: image, src: {assets}/logo.png, start: 0.5}
audio:
  - {src: {assets}/tone.wav, loop: true}
subtitles: {burn: true}
""")
    resolved = prepare(spec).resolved
    portable = make_portable(resolved)
    root = tmp_path / "worker"
    for name, path in portable.files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, root / name)
    here, there = compile_plan(resolved), compile_plan(settle(portable.resolved, root))
    assert there.filter_graph == here.filter_graph and there.audio_graph == here.audio_graph
    assert [i.options for i in there.inputs] == [i.options for i in here.inputs]
    assert there.output_args == here.output_args
    for entry in there.inputs:
        target = Path(entry.target)
        assert target.is_relative_to(root), target
        assert target.is_file() or (target.parent.is_dir() and "%" in target.name), target
    sequence = [name for name in portable.files if name.startswith("s/")]
    assert len(sequence) == 10  # every frame of the sequence, and nothing else of its folder


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


def test_a_farmed_video_carries_the_caption_track(
    write_spec: SpecWriter, dask_cluster: str, tmp_path: Path
) -> None:
    """Chunks hold pictures only; the captions go in when they are joined, as in a local
    render of the same spec."""
    (tmp_path / "in.srt").write_text(
        "1\n00:00:00,500 --> 00:00:02,000\nFirst words\n\n"
        "2\n00:00:03,000 --> 00:00:05,500\nLater words\n",
        encoding="utf-8",
    )
    captions = "subtitles: {src: in.srt, files: [], track: true, language: fra}\n"
    spec = write_spec(spec_text() + captions)
    local = render_spec(spec, tmp_path / "local.mp4").output
    farmed = farm_render(spec, tmp_path / "farmed.mp4", scheduler=dask_cluster, chunks=3).output

    def track(path: Path) -> str:
        return run_ffmpeg("-i", str(path), "-map", "0:s:0", "-f", "srt", "-").decode()

    assert "First words" in track(farmed) and "00:00:03,000 --> 00:00:05,500" in track(farmed)
    assert track(farmed) == track(local)
    assert_same_video(local, farmed)
    assert (
        "(fra): Subtitle: mov_text"
        in subprocess.run(
            [ffmpeg_binary(), "-hide_banner", "-nostdin", "-i", str(farmed)],
            capture_output=True,
            text=True,
        ).stderr
    )
