"""Loading models safely and reading their shapes.

A ``.keras`` file is a zip whose ``config.json`` describes every layer, so most checks need no
TensorFlow: whether the file is a Keras model at all, whether it holds Lambda layers (which run
arbitrary Python when loaded), and the activation of its output. Shapes need the model built;
they are cached by the file's SHA-256, so validating the same model again is instant.

Keras' ``safe_mode`` refuses to deserialise Lambda layers; formats that can run code when
loaded (legacy ``.h5`` and SavedModel folders, whose graphs hold arbitrary ops) are refused too
unless the spec says ``trust_model: true``.
"""

from __future__ import annotations

import json
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import ModelError
from engine.gan.tf import require

TRUST_HINT = "set trust_model: true only if you trust where the file came from"
LEGACY_SUFFIXES = (".h5", ".hdf5")


@dataclass(frozen=True)
class ModelInfo:
    path: str
    sha256: str
    format: str
    #: Shapes without the batch axis; None where the model accepts any size.
    input_shape: tuple[int | None, ...]
    output_shape: tuple[int | None, ...]
    #: "tanh" or "sigmoid" when the output's activation says so, else None.
    output_range: str | None
    lambda_layers: tuple[str, ...] = ()
    #: Picture models of any size: the output shape for a 64×64 input.
    output_for_64: tuple[int, ...] | None = None


def shape_text(shape: tuple[int | None, ...]) -> str:
    """A model's shape as a person reads it: ``(batch, 64, 64, 3)``, ``any`` for a free size."""
    return "(batch, " + ", ".join("any" if d is None else str(d) for d in shape) + ")"


def model_format(path: Path) -> str:
    if path.is_dir():
        if (path / "saved_model.pb").is_file():
            return "savedmodel"
        raise ModelError(f"{path}: a folder, but not a SavedModel (no saved_model.pb in it)")
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    if path.suffix.lower() in LEGACY_SUFFIXES:
        return "h5"
    if path.suffix.lower() != ".keras":
        raise ModelError(f"{path}: not a Keras model file (expected a .keras file)")
    return "keras"


#: The largest config.json read from a .keras file (its size is checked in the zip's directory
#: before anything is decompressed: a zip bomb stops here).
MAX_CONFIG_BYTES = 64 * 1024 * 1024
#: Nesting of the config JSON; Keras' own configs are a few dozen levels deep.
MAX_CONFIG_DEPTH = 200


def keras_config(path: Path) -> dict[str, Any]:
    """The model description inside a ``.keras`` file, read without TensorFlow."""
    corrupt = f"{path}: corrupt or not a Keras model (a .keras file is a zip holding config.json)"
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("config.json")
            if info.file_size > MAX_CONFIG_BYTES:
                raise ModelError(
                    f"{path}: its config.json is {info.file_size} bytes, over the limit of "
                    f"{MAX_CONFIG_BYTES}"
                )
            with archive.open(info) as member:  # read no more than the directory claims
                raw = member.read(MAX_CONFIG_BYTES + 1)
            config = json.loads(raw)
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, OSError, EOFError):
        raise ModelError(corrupt) from None
    except (ValueError, RecursionError):  # not JSON, digits past Python's limit, too deep
        raise ModelError(f"{path}: its config.json is not readable JSON") from None
    if not isinstance(config, dict) or _depth(config) > MAX_CONFIG_DEPTH:
        raise ModelError(f"{path}: its config.json does not describe a Keras model")
    return config


def _depth(value: Any) -> int:
    """Nesting depth of JSON data, without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_CONFIG_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def lambda_layers(config: Any) -> list[str]:
    """Names of every Lambda layer anywhere in the config (a walk without recursion, so no
    config is too deep for it)."""
    found: list[str] = []
    stack = [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("class_name") == "Lambda":
                inner = item.get("config")
                name = inner.get("name", "lambda") if isinstance(inner, dict) else "lambda"
                found.append(str(name)[:100])
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


#: Layers that move or copy values without changing them: the range is decided before them.
_SHAPE_ONLY = {
    "Reshape", "Flatten", "Permute", "Cropping2D", "ZeroPadding2D", "UpSampling2D",
    "Dropout", "Identity", "RepeatVector", "SpatialDropout2D",
}  # fmt: skip


def output_activation(config: dict[str, Any], _nesting: int = 0) -> str | None:
    """The activation that decides a functional or sequential model's output range; None when
    the config does not say (or is not shaped as Keras writes it: Keras itself then judges
    the file when it loads it)."""
    inner = _dict(config.get("config"))
    layers = [layer for layer in _list(inner.get("layers")) if isinstance(layer, dict)]
    if not layers or _nesting > 50:
        return None
    by_name: dict[str, dict[str, Any]] = {}
    for candidate in layers:
        name = _dict(candidate.get("config")).get("name")
        if isinstance(name, str):
            by_name.setdefault(name, candidate)
    outputs = inner.get("output_layers")
    layer = layers[-1]
    if isinstance(outputs, list) and outputs:
        first = outputs[0]
        name = first[0] if isinstance(first, list) and first else first
        if isinstance(name, str):
            layer = by_name.get(name, layers[-1])
    for _ in range(len(layers)):
        kind = layer.get("class_name")
        if kind in ("Functional", "Sequential", "Model"):
            return output_activation(layer, _nesting + 1)
        if kind not in _SHAPE_ONLY:
            break
        before = _inbound(layer, by_name) or _previous(layer, layers)
        if before is None:
            return None
        layer = before
    activation = _dict(layer.get("config")).get("activation")
    if isinstance(activation, dict):  # a serialised activation object
        activation = _dict(activation.get("config")).get("name") or activation.get("class_name")
    return activation if isinstance(activation, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _inbound(layer: dict[str, Any], by_name: dict[Any, Any]) -> dict[str, Any] | None:
    text = json.dumps(layer.get("inbound_nodes", []))
    start = text.find('"keras_history": ["')
    if start < 0:
        return None
    name = text[start + len('"keras_history": ["') :].split('"', 1)[0]
    return by_name.get(name)


def _previous(layer: dict[str, Any], layers: list[dict[str, Any]]) -> dict[str, Any] | None:
    index = next((i for i, other in enumerate(layers) if other is layer), 0)
    return layers[index - 1] if index > 0 else None


def static_checks(path: Path, trust: bool) -> tuple[str, str | None, list[str]]:
    """(format, output activation, Lambda layer names), refusing unsafe models unless trusted."""
    fmt = model_format(path)
    if fmt != "keras":
        if not trust:
            kind = "a legacy HDF5 (.h5) model" if fmt == "h5" else "a TensorFlow SavedModel"
            raise ModelError(
                f"{path}: {kind} can run arbitrary code when loaded, so it is refused; "
                f"re-save it as .keras, or {TRUST_HINT}"
            )
        return fmt, None, []
    config = keras_config(path)
    lambdas = lambda_layers(config)
    if lambdas and not trust:
        named = ", ".join(lambdas[:5]) + (
            f" and {len(lambdas) - 5} more" if len(lambdas) > 5 else ""
        )
        raise ModelError(
            f"{path}: holds Lambda layer(s) {named}, which run arbitrary Python "
            f"code when loaded; {TRUST_HINT}"
        )
    return fmt, output_activation(config), lambdas


def inspect_model(path: Path, *, trust: bool) -> ModelInfo:
    """Check a model file and read its shapes (cached by content)."""
    from engine.cache import cache_path, content_key, write_json_cached

    fmt, activation, lambdas = static_checks(path, trust)
    digest = _content_digest(path, fmt)
    # The record's fields are part of the key: a new field must not meet an old record.
    key = content_key("model-info/2", [digest, fmt])
    cached = cache_path(key, ".json")
    if cached.is_file():
        data = json.loads(cached.read_text(encoding="utf-8"))
    else:
        model = load_model(path, trust=trust, fmt=fmt)
        try:
            if activation is None and fmt == "h5":
                activation = output_activation({"config": model.get_config()})
            data = {
                "input_shape": _shape(model.input_shape, path, "input"),
                "output_shape": _shape(model.output_shape, path, "output"),
                "activation": activation,
                "probe_64": _probe_64(model),
            }
        except ModelError:
            raise
        except Exception as exc:  # a model Keras loads but whose shapes make no sense to us
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            raise ModelError(
                f"{path}: cannot read the model's shapes: {first or type(exc).__name__}"
            ) from None
        write_json_cached(key, ".json", data)
    found = data["activation"]
    probe = data["probe_64"]
    return ModelInfo(
        path=str(path),
        sha256=digest,
        format=fmt,
        input_shape=tuple(data["input_shape"]),
        output_shape=tuple(data["output_shape"]),
        output_range=found if found in ("tanh", "sigmoid") else None,
        lambda_layers=tuple(lambdas),
        output_for_64=tuple(probe) if probe else None,
    )


def _probe_64(model: Any) -> list[int] | None:
    """For a picture model that accepts any size: its output shape for a 64×64 input (a
    size-changing model is caught here, where the declared shapes say only "any")."""
    shape = model.input_shape
    if not isinstance(shape, tuple) or len(shape) != 4 or shape[1] is not None:
        return None
    try:
        out = model.compute_output_shape((1, 64, 64, shape[3]))
    except Exception:  # Keras cannot always infer shapes symbolically; then run it
        import numpy as np

        out = model(np.zeros((1, 64, 64, shape[3]), "float32"), training=False).shape
    return [int(d) for d in tuple(out)[1:]]


def load_model(path: Path, *, trust: bool, fmt: str | None = None) -> Any:
    """The Keras model in ``path`` (after :func:`static_checks`), ready for inference.

    Loaded once per file content in a process: validation reading the shapes, every feed of a
    render and every row of a batch share the one copy."""
    fmt = fmt or static_checks(path, trust)[0]
    key = (str(path.resolve()), _content_digest(path, fmt), trust)
    with _LOADED_LOCK:
        if key not in _LOADED:
            _LOADED[key] = _load(path, fmt, trust)
        return _LOADED[key]


_LOADED: dict[tuple[str, str, bool], Any] = {}
_LOADED_LOCK = threading.Lock()


def _content_digest(path: Path, fmt: str) -> str:
    from engine.cache import digest_of, folder_digest

    return folder_digest(path) if fmt == "savedmodel" else digest_of(path)


def _load(path: Path, fmt: str, trust: bool) -> Any:
    tf, keras = require()
    try:
        if fmt == "savedmodel":
            return _saved_model(path, tf, keras)
        return keras.saving.load_model(path, compile=False, safe_mode=not trust)
    except Exception as exc:  # Keras raises many kinds; all mean "this file is not usable"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if len(first) > 300:  # Keras quotes the whole layer config it could not read
            first = f"{first[:300]}… ({len(first)} characters)"
        raise ModelError(f"{path}: cannot load the model: {first}") from None


def _saved_model(path: Path, tf: Any, keras: Any) -> Any:
    """A SavedModel's serving signature wrapped as a Keras model with one input and output."""
    loaded = tf.saved_model.load(str(path))
    signature = loaded.signatures.get("serving_default")
    if signature is None:
        raise ModelError(f"{path}: the SavedModel has no serving_default signature")
    _, kwargs = signature.structured_input_signature
    if len(kwargs) != 1:
        raise ModelError(f"{path}: the SavedModel's signature takes {len(kwargs)} inputs, not 1")
    spec = next(iter(kwargs.values()))
    layer = keras.layers.TFSMLayer(str(path), call_endpoint="serving_default")
    inputs = keras.Input(tuple(spec.shape[1:]), dtype=spec.dtype)
    outputs = layer(inputs)
    if isinstance(outputs, dict):
        if len(outputs) != 1:
            raise ModelError(f"{path}: the SavedModel returns {len(outputs)} outputs, not 1")
        outputs = next(iter(outputs.values()))
    return keras.Model(inputs, outputs)


def _shape(shape: Any, path: Path, what: str) -> list[int | None]:
    if isinstance(shape, list):
        if len(shape) != 1:
            raise ModelError(f"{path}: the model has {len(shape)} {what}s; it must have one")
        shape = shape[0]
    return [None if d is None else int(d) for d in tuple(shape)[1:]]
