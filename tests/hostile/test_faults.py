"""Faults through the real CLI: a full disk, ffmpeg killed, renders racing for one output,
a batch stopped by SIGINT or SIGTERM. Nothing partial is left, and a stopped batch resumes
to the same bytes as one that was never stopped."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.support import Work, assert_refused, reelspec, temporaries

# --- a full disk -------------------------------------------------------------------------

TINY = """version: 1
output: {path: out/x.mp4, size: 64x36, fps: 5, video: {preset: ultrafast}, audio: null}
scenes:
  - {duration: 1, layers: [{type: color, color: "COLOR"}]}
subtitles: {src: subs.srt, files: [srt, vtt]}
"""


@pytest.fixture
def small_disk(work: Work) -> Iterator[Path]:
    """A 1 MiB tmpfs as the spec's folder (needs root; skipped where mounting is refused)."""
    disk = work.root / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace')}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path, pages_left: int) -> None:
    """Fill ``disk`` but for ``pages_left`` pages (tmpfs gives every file whole pages)."""
    info = os.statvfs(disk)
    size = (info.f_bavail - pages_left) * info.f_frsize
    with open(disk / "filler", "wb") as handle:
        handle.write(b"\0" * size)
    assert os.statvfs(disk).f_bavail == pages_left


def tiny_spec(disk: Path, color: str = "red") -> Path:
    (disk / "subs.srt").write_text("1\n00:00:00,000 --> 00:00:00,800\nhi\n", encoding="utf-8")
    spec = disk / "spec.yaml"
    spec.write_text(TINY.replace("COLOR", color), encoding="utf-8")
    return spec


def test_disk_full_while_ffmpeg_writes_is_a_render_error_leaving_nothing(
    small_disk: Path,
) -> None:
    spec = tiny_spec(small_disk)
    fill(small_disk, 0)
    result = reelspec("render", spec, "-q")
    assert_refused(result, 3, "no space left on the device")
    out = small_disk / "out"
    assert not out.exists() or list(out.iterdir()) == []


def test_disk_full_while_manifest_and_sidecars_are_written_leaves_none_of_them(
    small_disk: Path,
) -> None:
    """The video fits (one page), its subtitles and manifest do not: exit 3, and neither the
    video nor any of its files is left; a previous set is kept whole."""
    spec = tiny_spec(small_disk)
    fill(small_disk, 1)
    result = reelspec("render", spec, "-q")
    assert_refused(result, 3, "no space left on the device")
    out = small_disk / "out"
    assert sorted(p.name for p in out.iterdir()) == []
    # Now with a complete previous render in place: it survives a failed new one.
    (small_disk / "filler").unlink()
    assert reelspec("render", spec, "-q").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(before) == ["x.mp4", "x.mp4.reelspec.json", "x.srt", "x.vtt"]
    tiny_spec(small_disk, "blue")
    fill(small_disk, 1)
    result = reelspec("render", spec, "-q")
    assert_refused(result, 3, "no space left on the device")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert temporaries(small_disk) == []


# --- ffmpeg killed, renders racing ---------------------------------------------------------

SLOW = """version: 1
output: {path: out/x.mp4, size: 1280x720, fps: 30, video: {preset: veryslow}, audio: null}
scenes:
  - {duration: 600, layers: [{type: gradient, colors: [red, blue]}, {type: text, text: slow}]}
"""


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return found


def test_ffmpeg_killed_mid_render_is_a_render_error_leaving_nothing(work: Work) -> None:
    spec = work.spec(SLOW)
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "render", str(spec), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not temporaries(work.root / "out"):
        time.sleep(0.1)
    assert temporaries(work.root / "out"), "the render never started"
    time.sleep(1.0)
    ffmpeg = [
        pid for pid in children(process.pid) if "ffmpeg" in Path(f"/proc/{pid}/cmdline").read_text()
    ]
    assert ffmpeg, "no ffmpeg child found"
    os.kill(ffmpeg[0], signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    result = subprocess.CompletedProcess(process.args, process.returncode, "", stderr)
    assert_refused(result, 3, "ffmpeg failed", "killed by signal 9")
    assert list((work.root / "out").iterdir()) == []


def test_concurrent_renders_to_one_output_leave_one_whole_set(work: Work) -> None:
    text = SLOW.replace("1280x720", "320x180").replace("600", "2").replace("veryslow", "medium")
    spec = work.spec(text)
    reference = work.spec(text.replace("out/x.mp4", "ref/x.mp4"), "ref.yaml")
    assert reelspec("render", reference, "-q").returncode == 0
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "engine", "render", str(spec), "-q"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
    out = work.root / "out"
    assert sorted(p.name for p in out.iterdir()) == ["x.mp4", "x.mp4.reelspec.json"]
    assert (out / "x.mp4").read_bytes() == (work.root / "ref" / "x.mp4").read_bytes()
    assert json.loads((out / "x.mp4.reelspec.json").read_text())["output"] == "x.mp4"


# --- a batch stopped by a signal -----------------------------------------------------------

BATCH = """version: 1
output: {path: "out/{{ id }}.mp4", size: 640x360, fps: 25, video: {preset: veryslow, crf: 18},
         audio: null}
scenes:
  - duration: 3
    layers:
      - {type: gradient, colors: ["{{ color }}", blue], angle: {{ angle }}}
      - {type: text, text: "row {{ id }}"}
"""
ROWS = "id,color,angle\n" + "".join(f"r{i},red,{i * 25}\n" for i in range(1, 7))


def batch_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.yaml.j2").write_text(BATCH, encoding="utf-8")
    (folder / "rows.csv").write_text(ROWS, encoding="utf-8")
    return folder


def batch_args(folder: Path) -> list[str]:
    return ["batch", str(folder / "t.yaml.j2"), "--data", str(folder / "rows.csv"), "--jobs", "2"]


def videos(folder: Path) -> list[Path]:
    """Finished videos (a temporary's name starts with a dot)."""
    out = folder / "out"
    return (
        sorted(p for p in out.glob("*.mp4") if not p.name.startswith(".")) if out.exists() else []
    )


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in videos(folder)}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = batch_folder(tmp_path_factory.mktemp("uninterrupted"))
    result = reelspec(*batch_args(folder), "-q")
    assert result.returncode == 0, result.stderr
    return digests(folder)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_batch_stopped_by_a_signal_resumes_to_the_same_bytes(
    work: Work, uninterrupted: dict[str, str], signum: int
) -> None:
    """The signal goes to the reelspec process alone (as a supervisor sends it), twice: the
    running renders stop, every row that finished is in the manifest, and a rerun renders
    only the rest, to the bytes of a batch that was never stopped."""
    folder = batch_folder(work.root / "b")
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", *batch_args(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(videos(folder)) < 2:
        time.sleep(0.05)
    process.send_signal(signum)
    time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signum)  # an impatient supervisor
    stdout, stderr = process.communicate(timeout=120)
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    assert_refused(result, 130, "interrupted")
    assert temporaries(folder / "out") == []
    made = digests(folder)
    manifest = json.loads((folder / "t.batch.json").read_text(encoding="utf-8"))
    rendered = {
        Path(row["output"]).name: row["output_hash"]
        for row in manifest["rows"]
        if row["status"] == "rendered"
    }
    # Every row that finished, also while the batch shut down, is recorded.
    assert rendered == made
    assert 2 <= len(made) < 6, made
    again = reelspec(*batch_args(folder), "-q")
    assert again.returncode == 0, again.stderr
    assert f"{6 - len(made)} rendered, {len(made)} up to date, 0 failed" in again.stdout
    assert digests(folder) == uninterrupted
    shutil.rmtree(folder)
