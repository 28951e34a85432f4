"""The CLI as a user runs it: exit codes, messages, no tracebacks for user mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SpecWriter
from tests.media import probe

ROOT = Path(__file__).resolve().parents[2]


def reelspec(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


GOOD = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10, video: {preset: ultrafast}}
scenes:
  - {duration: 1, layers: [{type: color, color: red}, {type: text, text: "hi: 'there' %{n}"}]}
"""


def test_validate_ok_and_bad(write_spec: SpecWriter) -> None:
    good = write_spec(GOOD)
    result = reelspec("validate", str(good))
    assert result.returncode == 0 and "ok:" in result.stdout and "10 frames" in result.stdout
    bad = write_spec(GOOD.replace("color: red}", "colr: red}"), name="bad.yaml")
    result = reelspec("validate", str(bad))
    assert result.returncode == 2
    assert f"{bad}:4:42: scenes[0].layers[0].colr: unknown key 'colr'" in result.stderr
    assert "did you mean 'color'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_media_is_named_without_traceback(write_spec: SpecWriter) -> None:
    spec = write_spec(
        GOOD.replace("{type: color, color: red}", "{type: image, src: pics/nowhere.jpg}")
    )
    result = reelspec("render", str(spec))
    assert result.returncode == 2
    assert "file not found" in result.stderr and "pics/nowhere.jpg" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (spec.parent / "out.mp4").exists()


def test_debug_shows_the_traceback(write_spec: SpecWriter) -> None:
    spec = write_spec("version: 1\n")
    result = reelspec("--debug", "validate", str(spec))
    assert result.returncode == 2 and "Traceback" in result.stderr


def test_render_writes_video_and_manifest(write_spec: SpecWriter, tmp_path: Path) -> None:
    spec = write_spec(GOOD)
    result = reelspec("render", "-q", str(spec), "-o", str(tmp_path / "custom.mp4"))
    assert result.returncode == 0, result.stderr
    assert probe(tmp_path / "custom.mp4").duration == pytest.approx(1.0, abs=0.05)
    manifest = json.loads((tmp_path / "custom.mp4.reelspec.json").read_text())
    assert manifest["frame_count"] == 10


def test_render_shows_progress_when_not_quiet(write_spec: SpecWriter) -> None:
    result = reelspec("render", str(write_spec(GOOD)))
    assert result.returncode == 0
    assert "100.0%" in result.stderr and "frame 10/10" in result.stderr


def test_plan_prints_command_and_json(write_spec: SpecWriter) -> None:
    spec = write_spec(GOOD)
    text = reelspec("plan", str(spec)).stdout
    assert "-filter_complex" in text and "# filter graphs, one chain a line:" in text
    # User text never enters the graph: it is a picture now.
    assert "there" not in text and "%{n}" not in text
    data = json.loads(reelspec("plan", "--json", str(spec)).stdout)
    assert data["frame_count"] == 10 and data["argv"][-1].endswith("out.mp4")
    windowed = json.loads(reelspec("plan", "--json", "--window", "0.5:0.8", str(spec)).stdout)
    assert windowed["frame_count"] == 3
    for bad in ("5:6", "x:1", "0.8:0.5"):
        result = reelspec("plan", "--window", bad, str(spec))
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr


def test_still(write_spec: SpecWriter, tmp_path: Path) -> None:
    result = reelspec("still", str(write_spec(GOOD)), "--at", "0.5", "-o", str(tmp_path / "f.png"))
    assert result.returncode == 0 and (tmp_path / "f.png").stat().st_size > 0


def test_schema_check(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert reelspec("schema", "-o", str(target), "--check").returncode == 1
    assert reelspec("schema", "-o", str(target)).returncode == 0
    assert reelspec("schema", "-o", str(target), "--check").returncode == 0


def test_validate_starts_without_heavy_imports() -> None:
    heavy = (
        "tensorflow",
        "keras",
        "dask",
        "distributed",
        "matplotlib",
        "jieba",
        "snownlp",
        "yake",
        "pyttsx3",
        "rich",  # the progress display is imported by the commands that draw one
    )
    code = (
        "import sys, engine.cli; engine.cli.build_parser(); import engine.pipeline; "
        "from engine.pipeline import prepare; prepare('specs/showcase.yaml'); "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.stdout.strip() == "[]"
