"""docs/layers.md promises that a layer type is one module plus one registry line. This builds
the page's own example into a copy of the engine, exactly as written there, and uses it as a
user would: validate, render, still, schema, and a located mistake."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.media import count_frames, frame

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "layers.md"


def page_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.DOTALL)


@pytest.fixture(scope="module")
def engine_with_checker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the engine with the page's module and registry line added, and nothing else."""
    module, registry = page_blocks()[:2]
    root = tmp_path_factory.mktemp("extended")
    shutil.copytree(ROOT / "engine", root / "engine", ignore=shutil.ignore_patterns("__pycache__"))
    layers = root / "engine" / "layers"
    (layers / "checker.py").write_text(module, encoding="utf-8")
    init = (layers / "__init__.py").read_text(encoding="utf-8")
    imports = registry.splitlines()[0]
    old_imports = re.search(r"^from engine\.layers import .*$", init, re.MULTILINE)
    assert old_imports is not None
    init = init.replace(old_imports.group(0), imports)
    line = re.search(r"^\s+checker\.TYPE,$", registry, re.MULTILINE)
    assert line is not None
    start = init.index("TYPES: tuple[LayerType, ...] = (")
    end = init.index("\n)", start)
    init = f"{init[:end]}\n{line.group(0)}{init[end:]}"
    (layers / "__init__.py").write_text(init, encoding="utf-8")
    return root


def reelspec(root: Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-m", "engine", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


SPEC = """\
version: 1
output: {path: board.mp4, size: 160x96, fps: 10}
scenes:
  - duration: 1
    layers:
      - {type: color, color: "#00ff00"}
      - {type: checker, colors: ["#ff0000", "#0000ff"], cells: 4}
"""


def test_the_documented_type_renders_as_its_spec_says(
    engine_with_checker: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "board.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    checked = reelspec(engine_with_checker, "validate", spec, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    made = reelspec(engine_with_checker, "render", spec, "--quiet", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    video = tmp_path / "board.mp4"
    assert count_frames(video) == 10
    # 4 squares across 160 pixels: 40-pixel squares, red in the top-left corner, alternating.
    red, blue = np.array([255, 0, 0]), np.array([0, 0, 255])
    for index in (0, 9):
        pixels = frame(video, index).astype(int)
        for (x, y), want in {(20, 20): red, (60, 20): blue, (20, 60): blue, (60, 60): red}.items():
            assert np.abs(pixels[y, x] - want).max() < 40, (index, x, y, pixels[y, x])
    plan = reelspec(engine_with_checker, "plan", spec, "--json", cwd=tmp_path)
    assert plan.returncode == 0, plan.stderr
    # The green color layer is hidden below an opaque board, so it is not compiled at all.
    assert "00ff00" not in json.dumps(json.loads(plan.stdout)["filter_graph"]).lower()


def test_the_documented_type_is_in_the_schema_and_its_mistakes_are_located(
    engine_with_checker: Path, tmp_path: Path
) -> None:
    schema = reelspec(engine_with_checker, "schema", "-o", tmp_path / "s.json", cwd=tmp_path)
    assert schema.returncode == 0, schema.stderr
    assert '"checker"' in (tmp_path / "s.json").read_text(encoding="utf-8")
    spec = tmp_path / "bad.yaml"
    spec.write_text(SPEC.replace("cells: 4", "cells: 0"), encoding="utf-8")
    checked = reelspec(engine_with_checker, "validate", spec, cwd=tmp_path)
    assert checked.returncode == 2
    assert "bad.yaml:7:" in checked.stderr and "cells" in checked.stderr
    assert "Traceback" not in checked.stderr


def test_the_engine_itself_has_no_such_type() -> None:
    """The copy above is what made the difference: the real engine refuses the type."""
    from engine.layers import names

    assert "checker" not in names()
