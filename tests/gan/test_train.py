"""``reelspec gan train``: a tiny model trained for a few steps on footage ffmpeg makes, with
checkpoints, sample grids, a loss plot, a record of the run, and exact resumption."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.cli import main
from engine.gan.loading import inspect_model, load_model
from engine.gan.train import TrainConfig, train
from tests.media import run_ffmpeg


@pytest.fixture(scope="module")
def footage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("footage") / "life.mkv"
    run_ffmpeg(
        "-f", "lavfi", "-i", "life=s=48x32:r=10:mold=10:ratio=0.3:seed=4", "-frames:v", "20",
        "-c:v", "ffv1", str(path),
    )  # fmt: skip
    return path


def tiny(footage: Path, output: Path, steps: int) -> TrainConfig:
    return TrainConfig(
        footage=(str(footage),), output=str(output), size=16, latent_dim=8, steps=steps,
        batch=4, seed=1, width=0.25, checkpoint_every=2,
    )  # fmt: skip


def test_cli_trains_a_model_that_a_spec_can_use(footage: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine.keras"
    code = main([
        "gan", "train", str(footage), "--size", "16", "--steps", "4", "--batch", "4",
        "--latent-dim", "8", "--width", "0.25", "--checkpoint-every", "2", "-o", str(out), "-q",
    ])  # fmt: skip
    assert code == 0
    info = inspect_model(out, trust=False)  # safe_mode loads it: built-in layers only
    assert info.input_shape == (8,) and info.output_shape == (16, 16, 3)
    assert info.output_range == "tanh"
    work = tmp_path / "mine.training"
    checkpoints = sorted(p.name for p in work.glob("ckpt-*.npz"))
    assert checkpoints == ["ckpt-0000002.npz", "ckpt-0000004.npz"]
    grid = Image.open(work / "samples-0000004.png")
    assert grid.size == (8 * 18 - 2, 8 * 18 - 2)  # 64 samples, 8 a row, 2-pixel gaps
    assert Image.open(work / "loss-0000004.png").size[0] > 100
    record = json.loads((tmp_path / "mine.keras.json").read_text())
    assert record["steps"] == 4 and record["config"]["seed"] == 0
    assert record["footage"][0]["frames"] == 20 and len(record["footage"][0]["sha256"]) == 64
    assert record["training_frames"] == 40  # with mirrored copies


def test_resumed_training_continues_exactly(footage: Path, tmp_path: Path) -> None:
    straight = train(tiny(footage, tmp_path / "a" / "m.keras", 4))
    train(tiny(footage, tmp_path / "b" / "m.keras", 2))
    resumed = train(tiny(footage, tmp_path / "b" / "m.keras", 4), resume=True)
    a = load_model(straight, trust=False).get_weights()
    b = load_model(resumed, trust=False).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    record = json.loads((tmp_path / "b" / "m.keras.json").read_text())
    assert record["steps"] == 4


def test_bad_training_input_is_a_user_error(footage: Path, tmp_path: Path) -> None:
    from engine.errors import MediaError, UserError

    with pytest.raises(UserError, match=r"\*\.keras"):
        train(tiny(footage, tmp_path / "m.h5", 2))
    with pytest.raises(MediaError, match="no such file"):
        train(tiny(tmp_path / "missing.mp4", tmp_path / "m.keras", 2))
    with pytest.raises(UserError, match="no checkpoint"):
        train(tiny(footage, tmp_path / "fresh.keras", 2), resume=True)
