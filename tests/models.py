"""Small real Keras models made for tests: good ones of each kind, and the wrong ones a user
might point a spec at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.gan.tf import require


def _generator(latent: int, out: tuple[int, int, int], activation: str = "tanh") -> Any:
    _, keras = require()
    z = keras.Input((latent,))
    x = keras.layers.Dense(out[0] * out[1] * out[2], activation=activation)(z)
    return keras.Model(z, keras.layers.Reshape(out)(x))


def make_models(root: Path) -> dict[str, Path]:
    _, keras = require()
    keras.utils.set_random_seed(0)
    paths: dict[str, Path] = {}

    def save(name: str, model: Any) -> None:
        paths[name] = root / name
        model.save(paths[name])

    save("tiny.keras", _generator(8, (16, 16, 3)))
    save("sigmoid.keras", _generator(8, (16, 16, 3), "sigmoid"))
    save("linear.keras", _generator(8, (16, 16, 3), "linear"))
    save("gray.keras", _generator(8, (16, 16, 1)))
    save("legacy.h5", _generator(8, (16, 16, 3)))
    paths["saved_model"] = root / "saved_model"
    _generator(8, (16, 16, 3)).export(str(paths["saved_model"]), verbose=False)

    image = keras.Input((None, None, 3))
    invert = keras.Model(image, keras.layers.Conv2D(3, 1, activation="sigmoid")(image))
    save("frame.keras", invert)
    resize = keras.Model(
        image, keras.layers.Conv2D(3, 3, strides=2, padding="same", activation="sigmoid")(image)
    )
    save("shrinks.keras", resize)

    # Fails on purpose for latents whose 40th power overflows float32 (above about 9), i.e.
    # mid-stream for a motion that heads for a large vector (needs trust_model: a Lambda).
    z = keras.Input((8,))
    # The function is stored as bytecode without this module's globals, so it imports what
    # it uses itself.
    checked = keras.layers.Lambda(
        lambda t: __import__("tensorflow").debugging.assert_all_finite(t**40, "overflow") * 0 + t
    )(z)
    x = keras.layers.Dense(16 * 16 * 3, activation="tanh")(checked)
    save("lambda.keras", keras.Model(z, keras.layers.Reshape((16, 16, 3))(x)))

    corrupt = root / "corrupt.keras"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    paths["corrupt.keras"] = corrupt
    notzip = root / "model.pt"
    notzip.write_bytes(b"\x00" * 64)
    paths["model.pt"] = notzip
    return paths
