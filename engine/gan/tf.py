"""The one door to TensorFlow and Keras: imported lazily, with a clear error when absent."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from engine.errors import ConfigError

EXTRA_HINT = "install the generator extra: pip install 'reelspec[gan]'"


def require() -> tuple[ModuleType, Any]:
    """``(tensorflow, keras)``, imported on first use."""
    # TensorFlow's C++ start-up chatter (CUDA probing, oneDNN notices) is not for our users.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    try:
        with _quiet_native_stderr():
            import tensorflow as tf

            # Device discovery (and its CUDA notices on machines without a GPU) happens on
            # first use; do it while stderr is quiet.
            tf.config.list_physical_devices()
            import keras
    except ImportError as exc:
        raise ConfigError(
            f"this spec uses a model, and TensorFlow is not installed ({exc.name}): {EXTRA_HINT}"
        ) from None
    if keras.backend.backend() != "tensorflow":
        raise ConfigError(
            f"reelspec runs models with Keras' TensorFlow backend, but KERAS_BACKEND is "
            f"{keras.backend.backend()!r}: unset it or set it to 'tensorflow'"
        )
    return tf, keras


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence what TensorFlow's C++ start-up writes straight to file descriptor 2 (CUDA
    probing, absl notices) before any log setting applies. Python exceptions still propagate;
    only the first import pays for this."""
    if "tensorflow" in sys.modules:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
