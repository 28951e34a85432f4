"""The generator and discriminator that ``reelspec gan train`` builds.

A DCGAN-shaped pair with the stabilisers that make it train on a small CPU budget:

* the generator upsamples with nearest-neighbour + 3×3 convolutions (no checkerboard
  artifacts of strided transposed convolutions) and normalises each pixel's features
  (``LayerNormalization`` over channels, as ProGAN's pixel norm) instead of batch norm, so a
  frame depends only on its own latent vector, never on the rest of its batch;
* the discriminator has no normalisation; training regularises it with an R1 gradient penalty
  (see :mod:`engine.gan.train`).

Only built-in Keras layers are used, so the saved ``.keras`` file loads with
``safe_mode=True`` and without reelspec's code.
"""

from __future__ import annotations

from typing import Any

from engine.gan.tf import require

#: Feature channels at each resolution: wide where the picture is small, narrow where it is large
#: (the cost of a 3×3 convolution grows with pixels × channels²).
CHANNELS = {4: 256, 8: 256, 16: 128, 32: 64, 64: 32, 128: 16, 256: 8}
SIZES = (16, 32, 64, 128, 256)


def build_generator(latent_dim: int, size: int, *, width: float = 1.0) -> Any:
    _, keras = require()
    layers = keras.layers
    _check_size(size)
    z = keras.Input((latent_dim,), name="latent")
    x = layers.Dense(4 * 4 * _ch(4, width), name="project")(z)
    x = layers.Reshape((4, 4, _ch(4, width)))(x)
    x = layers.LayerNormalization(axis=-1, name="norm4")(x)
    x = layers.LeakyReLU(0.2)(x)
    res = 4
    while res < size:
        res *= 2
        x = layers.UpSampling2D(2, interpolation="nearest", name=f"up{res}")(x)
        for i in (1, 2) if res <= 16 else (1,):
            x = layers.Conv2D(_ch(res, width), 3, padding="same", name=f"conv{res}_{i}")(x)
            x = layers.LayerNormalization(axis=-1, name=f"norm{res}_{i}")(x)
            x = layers.LeakyReLU(0.2)(x)
    rgb = layers.Conv2D(3, 3, padding="same", activation="tanh", name="rgb")(x)
    return keras.Model(z, rgb, name="generator")


def build_discriminator(size: int, *, width: float = 1.0) -> Any:
    _, keras = require()
    layers = keras.layers
    _check_size(size)
    image = keras.Input((size, size, 3), name="image")
    x = layers.Conv2D(_ch(size, width), 3, padding="same", name=f"from_rgb{size}")(image)
    x = layers.LeakyReLU(0.2)(x)
    res = size
    while res > 4:
        res //= 2
        x = layers.Conv2D(_ch(res, width), 4, strides=2, padding="same", name=f"down{res}")(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(_ch(4, width), name="features")(x)
    x = layers.LeakyReLU(0.2)(x)
    logit = layers.Dense(1, name="logit")(x)
    return keras.Model(image, logit, name="discriminator")


def _ch(res: int, width: float) -> int:
    return max(8, int(CHANNELS[res] * width))


def _check_size(size: int) -> None:
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(map(str, SIZES))} (got {size})")
