"""`reelspec farm` as a user runs it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.conftest import SpecWriter
from tests.media import count_frames

SPEC = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10, video: {preset: ultrafast}}
defaults:
  transition: {type: fade, duration: 0.5}
scenes:
  - {duration: 2, layers: [{type: color, color: red}, {type: text, text: one}]}
  - {duration: 2, layers: [{type: image, src: {assets}/quad.png}]}
audio:
  - {src: {assets}/tone.wav, loop: true}
"""


def reelspec(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], capture_output=True, text=True, timeout=300
    )


def test_farm_render_on_a_local_cluster(write_spec: SpecWriter, tmp_path: Path) -> None:
    spec = write_spec(SPEC)
    result = reelspec("farm", "render", str(spec), "--chunks", "2", "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert "dask dashboard: http://127.0.0.1:" in result.stderr
    assert "chunks 2/2  frames 35/35  workers 2" in result.stderr
    assert count_frames(tmp_path / "out.mp4") == 35
    manifest = json.loads((tmp_path / "out.mp4.reelspec.json").read_text())
    assert manifest["farm"]["chunks"] == [[0, 20], [20, 35]]


def test_farm_refuses_gif_and_reports_bad_specs(write_spec: SpecWriter) -> None:
    gif = write_spec(
        SPEC.replace("out.mp4", "out.gif").replace("preset: ultrafast", "codec: gif"), "gif.yaml"
    )
    result = reelspec("farm", "render", str(gif), "--workers", "1")
    assert result.returncode == 2 and "GIF" in result.stderr and "Traceback" not in result.stderr
    bad = write_spec(SPEC.replace("quad.png", "nowhere.png"), "bad.yaml")
    result = reelspec("farm", "render", str(bad), "--workers", "1")
    assert result.returncode == 2 and "nowhere.png" in result.stderr


def test_farm_batch_sends_rows_to_the_scheduler(
    dask_cluster: str, tmp_path: Path, assets: Path
) -> None:
    (tmp_path / "t.yaml.j2").write_text(
        'version: 1\noutput: {path: "out/{{ name }}.mp4", size: 160x90, fps: 10, '
        "video: {preset: ultrafast}}\nscenes:\n  - {duration: {{ seconds }}, layers: "
        f'[{{type: image, src: "{assets}/{{{{ picture }}}}"}}, '
        '{type: text, text: "{{ name }}"}]}\n',
        encoding="utf-8",
    )
    (tmp_path / "rows.csv").write_text(
        "name,seconds,picture\nalpha,0.5,red.png\nbeta,0.8,blue.png\ngamma,0.3,missing.png\n",
        encoding="utf-8",
    )
    args = (
        "farm",
        "batch",
        str(tmp_path / "t.yaml.j2"),
        "--data",
        str(tmp_path / "rows.csv"),
        "--scheduler",
        dask_cluster,
    )
    result = reelspec(*args)
    assert result.returncode == 1, result.stderr  # the row with a missing picture
    assert "2 rendered, 0 up to date, 1 failed" in result.stdout
    assert count_frames(tmp_path / "out" / "alpha.mp4") == 5
    assert count_frames(tmp_path / "out" / "beta.mp4") == 8
    # A row made on the cluster is put in place as a local row is: with its manifest.
    made = json.loads((tmp_path / "out" / "alpha.mp4.reelspec.json").read_text())
    assert made["output"] == "alpha.mp4" and made["frame_count"] == 5
    # Regression (issue 10): the rows rendered on the client; they must render in a worker
    # process of the cluster, which the manifest names.
    from distributed import Client

    with Client(dask_cluster, timeout="30s") as client:
        workers = {f"{socket.gethostname()}:{pid}" for pid in client.run(os.getpid).values()}
    manifest = json.loads((tmp_path / "t.batch.json").read_text())
    rendered = [row for row in manifest["rows"] if row["status"] == "rendered"]
    assert len(rendered) == 2 and all(row["rendered_by"] in workers for row in rendered)
    again = reelspec(*args)
    assert "0 rendered, 2 up to date, 1 failed" in again.stdout
