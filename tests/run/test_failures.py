"""A failed or interrupted render leaves the destination as it was and no temporaries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.errors import RenderError
from engine.pipeline import render_spec
from tests.conftest import SpecWriter


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".part" in p.name)


def test_ffmpeg_failure_keeps_the_old_output_and_names_the_problem(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    (tmp_path / "out.mp4").write_bytes(b"previous render")
    spec = write_spec("""version: 1
output: {path: out.mp4, size: 160x90, fps: 10, video: {codec: h264, preset: not-a-preset}}
scenes:
  - {duration: 1, layers: [{type: color}]}
""")
    with pytest.raises(RenderError) as caught:
        render_spec(spec)
    assert (tmp_path / "out.mp4").read_bytes() == b"previous render"
    assert leftovers(tmp_path) == []
    assert "ffmpeg failed" in str(caught.value)
    assert "not-a-preset" in " ".join(caught.value.command)
    assert caught.value.stderr_tail  # ffmpeg's own words are kept for the user


def test_ctrl_c_stops_ffmpeg_and_leaves_nothing(write_spec: SpecWriter, tmp_path: Path) -> None:
    spec = write_spec("""version: 1
output: {path: out.mp4, size: 1280x720, fps: 30, video: {codec: h264, preset: veryslow}}
scenes:
  - {duration: 600, layers: [{type: gradient, colors: [red, blue]}, {type: text, text: slow}]}
""")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "render", str(spec)],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not leftovers(tmp_path):
        time.sleep(0.1)
    assert leftovers(tmp_path), "the render never started writing"
    time.sleep(1.0)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does to the job
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "out.mp4").exists()
    assert leftovers(tmp_path) == []


def test_a_stalled_ffmpeg_is_stopped_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An input that never delivers (a FIFO nobody writes) must not hang the render."""
    from engine.compile.graph import Input
    from engine.compile.plan import Plan
    from engine.run.render import render

    fifo = tmp_path / "never"
    os.mkfifo(fifo)
    monkeypatch.setenv("REELSPEC_STALL_SECONDS", "1.5")
    monkeypatch.setenv("REELSPEC_STALL_RETRIES", "1")  # stalls twice, then gives up
    monkeypatch.setattr("engine.run.supervise.FIRST_OUTPUT_SECONDS", 1.5)
    plan = Plan(
        inputs=(Input(str(fifo), ("-f", "rawvideo", "-s", "16x16", "-pix_fmt", "gray")),),
        filter_graph=(),
        maps=("0:v",),
        output_args=("-c:v", "ffv1"),
        output_path=str(tmp_path / "out.mkv"),
        duration=1.0,
        frame_count=10,
        has_audio=False,
    )
    started = time.monotonic()
    with pytest.raises(RenderError, match=r"no progress for 1.5s"):
        render(plan, tmp_path / "out.mkv")
    assert time.monotonic() - started < 30
    assert not (tmp_path / "out.mkv").exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize("previous", [True, False], ids=["over-a-previous-set", "new"])
def test_a_set_is_published_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, previous: bool
) -> None:
    """When the last rename of a set fails (a full disk can refuse a new folder entry), the
    files already renamed get their previous content back, or are removed."""
    import errno

    from engine import publish as files

    srt, video = tmp_path / "x.srt", tmp_path / "x.mp4"
    if previous:
        srt.write_bytes(b"old srt")
        video.write_bytes(b"old video")
    staged = [
        (files.write_temporary(srt, b"new srt"), srt),
        (files.write_temporary(video, b"new video"), video),
    ]
    rename = os.replace

    def full_disk_at_the_video(source: object, target: object) -> None:
        if Path(str(target)) == video and ".part" in str(source):
            raise OSError(errno.ENOSPC, "No space left on device")
        rename(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "replace", full_disk_at_the_video)
    with pytest.raises(OSError):
        files.publish_together(staged)
    for temporary, _ in staged:
        temporary.unlink(missing_ok=True)
    if previous:
        assert srt.read_bytes() == b"old srt" and video.read_bytes() == b"old video"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp4", "x.srt"]
    else:
        assert list(tmp_path.iterdir()) == []


def test_only_frames_or_sound_coming_out_count_as_progress() -> None:
    """Regression (issue 10): ffmpeg's first reports say frame=0 while it still opens inputs;
    taking them for progress gave a busy machine the short stall limit (then the
    conformance suite's 3 s) before anything had come out, and renders were stopped as
    stalled that were only slow to start."""
    import io

    from engine.compile.plan import Plan
    from engine.run.supervise import _read_progress

    reports = [
        "frame=0\nout_time_us=N/A\nprogress=continue\n",
        "frame=0\nout_time_us=0\nprogress=continue\n",
        "frame=0\nout_time_us=-23000\nprogress=continue\n",
        "frame=1\nout_time_us=33333\nprogress=continue\n",
        "frame=1\nout_time_us=33333\nprogress=continue\n",
        "frame=2\nout_time_us=66666\nprogress=end\n",
    ]
    plan = Plan((), (), (), (), "out.mp4", 1.0, 30, False)
    seen: list[int] = []
    _read_progress(io.StringIO("".join(reports)), plan, None, lambda: seen.append(1))
    assert len(seen) == 2  # frame 1, then frame 2: nothing before the first frame
