"""A farm worker's chunk task, run in this process with real ffmpeg: ending its job stops it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from engine.errors import RenderInterrupted
from engine.farm.package import make_portable
from engine.farm.worker import new_job, remove_job, render_chunk, scratch_root
from engine.pipeline import prepare
from tests.conftest import SpecWriter

# Minutes of work at this size and preset: still running when the job is ended.
LONG = """version: 1
output: {path: out.mp4, size: 1280x720, fps: 30, video: {codec: h264, preset: veryslow}}
scenes:
  - {duration: 600, layers: [{type: gradient, colors: [red, blue]}, {type: text, text: Long}]}
"""


def test_ending_a_job_stops_its_running_chunks_and_removes_their_scratch(
    write_spec: SpecWriter,
) -> None:
    """Dask cannot stop a running task when the client gives up on a failed job; the job's
    end (remove_job, run on every worker) must stop it, or it renders on and leaves files."""
    portable = make_portable(prepare(write_spec(LONG)).resolved)
    blobs = {name: path.read_bytes() for name, path in portable.files.items()}
    job = new_job()
    folder = scratch_root() / job
    outcome: dict[str, BaseException | object] = {}

    def run() -> None:
        try:
            outcome["result"] = render_chunk(portable.resolved, (0, 18000), blobs, job=job)
        except BaseException as exc:
            outcome["error"] = exc

    task = threading.Thread(target=run, daemon=True)
    task.start()
    try:
        deadline = time.monotonic() + 60
        while not list(folder.rglob("*.part.mp4")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(folder.rglob("*.part.mp4")), f"the chunk never started encoding: {outcome}"
        started = time.monotonic()
        assert remove_job(job)
        assert time.monotonic() - started < 10
    finally:
        remove_job(job)  # never leave a long encode running after a failed assertion
    # remove_job returned only after the chunk stopped: nothing is left, and the task ends
    # with "interrupted" (its thread only has its last bookkeeping to do).
    assert not folder.exists()
    task.join(5)
    assert not task.is_alive()
    assert isinstance(outcome.get("error"), RenderInterrupted)


def test_a_chunk_of_an_ended_job_does_not_start(write_spec: SpecWriter) -> None:
    portable = make_portable(prepare(write_spec(LONG)).resolved)
    job = new_job()
    remove_job(job)
    with pytest.raises(RenderInterrupted):
        render_chunk(portable.resolved, (0, 18000), {}, job=job)
    assert not (scratch_root() / job).exists()


def test_remove_job_only_touches_folders_it_named(tmp_path: Path) -> None:
    assert remove_job("../" + new_job()) is False
