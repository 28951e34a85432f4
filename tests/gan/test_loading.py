"""Models are checked when a spec is validated: unsafe, corrupt, missing or wrongly shaped
models are located spec errors, found before ffmpeg starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.errors import ModelError, SpecError
from engine.gan.loading import inspect_model, load_model
from engine.pipeline import prepare
from tests.conftest import SpecWriter

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "specs" / "models" / "demo-dcgan.keras"


def generator_spec(model: Path, extra: str = "") -> str:
    return f"""version: 1
output: {{path: out.mp4, size: 64x64, fps: 10, audio: null}}
scenes:
  - layers:
      - type: generator
        model: {model}
        duration: 1{extra}
"""


def problems(write_spec: SpecWriter, body: str) -> str:
    with pytest.raises(SpecError) as caught:
        prepare(write_spec(body))
    return str(caught.value)


def test_the_shipped_demo_model_reads_as_a_generator() -> None:
    info = inspect_model(DEMO, trust=False)
    assert info.format == "keras" and info.output_range == "tanh"
    assert len(info.input_shape) == 1 and info.output_shape == (64, 64, 3)
    assert DEMO.stat().st_size <= 5 * 1024 * 1024


def test_missing_model_is_a_located_error(write_spec: SpecWriter, tmp_path: Path) -> None:
    text = problems(write_spec, generator_spec(tmp_path / "nowhere.keras"))
    assert "spec.yaml:6:16:" in text and "scenes[0].layers[0].model" in text
    assert "model file not found" in text and "nowhere.keras" in text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("corrupt.keras", "corrupt or not a Keras model"),
        ("model.pt", "not a Keras model file"),
        ("legacy.h5", "legacy HDF5 (.h5) model can run arbitrary code"),
        ("saved_model", "a TensorFlow SavedModel can run arbitrary code"),
        ("lambda.keras", "Lambda layer(s)"),
        ("gray.keras", "must output RGB pictures of a fixed size"),
        ("frame.keras", "takes one latent vector per frame"),
        ("linear.keras", "cannot tell the range of the model's output"),
    ],
)
def test_unusable_models_are_refused_with_the_reason(
    write_spec: SpecWriter, model_files: dict[str, Path], name: str, expected: str
) -> None:
    text = problems(write_spec, generator_spec(model_files[name]))
    assert expected in text and "scenes[0].layers[0].model" in text


def test_unsafe_models_load_only_when_trusted(
    write_spec: SpecWriter, model_files: dict[str, Path]
) -> None:
    for name in ("legacy.h5", "lambda.keras", "saved_model"):
        extra = "\n        trust_model: true"
        if name == "saved_model":  # its graph keeps no activation names to read the range from
            extra += "\n        value_range: tanh"
        resolved = prepare(write_spec(generator_spec(model_files[name], extra))).resolved
        layer = resolved.scenes[0].layers[0]
        assert layer.model is not None and layer.model.out_size == (16, 16)


def test_a_trusted_saved_model_renders(
    write_spec: SpecWriter, model_files: dict[str, Path], tmp_path: Path
) -> None:
    extra = "\n        trust_model: true\n        value_range: tanh"
    spec = write_spec(generator_spec(model_files["saved_model"], extra))
    from engine.pipeline import render_spec
    from tests.media import count_frames

    assert count_frames(render_spec(spec).output) == 10


def test_value_range_can_be_given_when_the_model_does_not_say(
    write_spec: SpecWriter, model_files: dict[str, Path]
) -> None:
    spec = write_spec(generator_spec(model_files["linear.keras"], "\n        value_range: sigmoid"))
    model = prepare(spec).resolved.scenes[0].layers[0].model
    assert model is not None and model.value_range == "sigmoid"


def test_latent_vectors_must_match_the_model(
    write_spec: SpecWriter, model_files: dict[str, Path]
) -> None:
    extra = "\n        motion: {kind: latents, points: [1, [0.1, 0.2, 0.3]]}"
    text = problems(write_spec, generator_spec(model_files["tiny.keras"], extra))
    assert "motion.points[1] has 3 numbers; the model's latent vectors have 8" in text


def test_frame_model_shapes_are_checked(
    write_spec: SpecWriter, model_files: dict[str, Path], assets: Path
) -> None:
    def video(model: str) -> str:
        return f"""version: 1
output: {{path: out.mp4, size: 64x64, fps: 10, audio: null}}
scenes:
  - layers:
      - {{type: video, src: {assets}/clip.mp4, model: {model}}}
"""

    assert "must return RGB pictures of the size it is given" in problems(
        write_spec, video(str(model_files["shrinks.keras"]))
    )
    assert "a frame model takes RGB pictures" in problems(
        write_spec, video(str(model_files["tiny.keras"]))
    )
    layer = prepare(write_spec(video(str(model_files["frame.keras"])))).resolved.scenes[0].layers[0]
    # A size-free model works at the clip's size, shrunk into the 64×64 frame.
    assert layer.model is not None and layer.model.in_size == (64, 36)
    assert layer.size == (64, 36)


def test_load_model_translates_keras_errors(model_files: dict[str, Path]) -> None:
    with pytest.raises(ModelError, match="corrupt"):
        load_model(model_files["corrupt.keras"], trust=False)


def test_without_tensorflow_the_message_names_the_extra(tmp_path: Path) -> None:
    # A stand-in package that fails to import, as on a machine without the extra.
    blocker = tmp_path / "blocker" / "tensorflow"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('no tensorflow', name='tensorflow')")
    spec = tmp_path / "spec.yaml"
    # A fresh model name, so no cached shapes let validation skip TensorFlow.
    model = tmp_path / "m.keras"
    model.write_bytes(DEMO.read_bytes())
    spec.write_text(generator_spec(model), encoding="utf-8")
    env = {"PYTHONPATH": str(blocker.parent), "REELSPEC_CACHE": str(tmp_path / "cache")}
    import os

    result = subprocess.run(
        [sys.executable, "-m", "engine", "validate", str(spec)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "pip install 'reelspec[gan]'" in result.stderr
    assert "Traceback" not in result.stderr
