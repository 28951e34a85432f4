"""Helpers for hostile cases run through the real CLI: a work folder (the root) beside an
outside folder, the exit code and message checked, and the filesystem around the root
listed before and after so that nothing appears outside it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

ROOT_VARS = ("REELSPEC_MEDIA_ROOT", "REELSPEC_OUTPUT_ROOT")

SMALL = """version: 1
output: {{path: {output}, size: 64x36, fps: 5, video: {{preset: ultrafast}}, audio: null}}
scenes:
  - {{duration: 1, layers: [{{type: image, src: {src}}}]}}
"""


@dataclass
class Work:
    """``root``: the spec's folder; ``outside``: a folder beside it; ``base``: both."""

    base: Path
    root: Path
    outside: Path

    def spec(self, text: str, name: str = "spec.yaml") -> Path:
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return path

    def small(
        self, output: str = "out/x.mp4", src: str = "pic.png", name: str = "spec.yaml"
    ) -> Path:
        return self.spec(SMALL.format(output=output, src=src), name)

    def outside_listing(self) -> set[str]:
        """Every name under ``base`` outside the root, and the names beside ``base``."""
        seen = {f"../{p.name}" for p in self.base.parent.iterdir()}
        for folder, dirs, files in os.walk(self.base):
            here = Path(folder)
            if here == self.root or self.root in here.parents:
                continue
            for name in [*dirs, *files]:
                seen.add(str((here / name).relative_to(self.base)))
        return seen


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Work]:
    """A root with a picture, an outside folder with another, and no root widened (the
    suite's own media root is removed for these cases)."""
    for name in ROOT_VARS:
        monkeypatch.delenv(name, raising=False)
    root, outside = tmp_path / "work", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    Image.new("RGB", (64, 36), (200, 0, 0)).save(root / "pic.png")
    Image.new("RGB", (64, 36), (0, 0, 200)).save(outside / "secret.png")
    yield Work(tmp_path, root, outside)


def reelspec(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def assert_refused(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    """A clear error: the exit code, every word in the message, and no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def temporaries(folder: Path) -> list[str]:
    """Files a render leaves only while it runs (``.name.XXXX.part...``, ``.old``)."""
    if not folder.exists():
        return []
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if ".part" in p.name or p.name.endswith(".old") or ".farm-" in p.name
    )
