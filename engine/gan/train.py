"""Training a generator from video frames (``reelspec gan train``).

Non-saturating GAN loss with the stabilisers that keep a small model from collapsing on a CPU
budget: an R1 gradient penalty on the discriminator (applied lazily, every ``R1_EVERY``
steps, scaled up to match), differentiable augmentation of everything the discriminator sees,
Adam with β₁ = 0, and an exponential moving average of the generator's weights, which is the
model that gets saved. Everything random comes from ``seed``: the same footage, seed and
steps give the same weights on the same machine and TensorFlow build.

Checkpoints hold every weight, both optimizers, the step, the random generators' states and
the loss history, so ``--resume`` continues exactly where training stopped.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import UserError
from engine.gan.architecture import build_discriminator, build_generator
from engine.gan.augment import diff_augment
from engine.gan.tf import require
from engine.publish import publish, write_json_atomic

R1_EVERY = 4


@dataclass(frozen=True)
class TrainConfig:
    footage: tuple[str, ...]
    output: str
    size: int = 64
    latent_dim: int = 128
    steps: int = 5000
    batch: int = 32
    seed: int = 0
    fps: float | None = None
    flip: bool = True
    width: float = 1.0
    lr: float = 2e-4
    r1_gamma: float = 0.5
    ema_beta: float = 0.999
    augment: bool = True
    checkpoint_every: int = 500
    keep_checkpoints: int = 3


@dataclass(frozen=True)
class TrainProgress:
    step: int
    steps: int
    d_loss: float
    g_loss: float
    #: Seconds since this run (not the whole training, when resumed) started, and its rate.
    seconds: float
    steps_per_second: float
    checkpoint: str | None = None


@dataclass
class _History:
    steps: list[int] = field(default_factory=list)
    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)


@dataclass
class _State:
    """Everything a checkpoint holds, so training resumes exactly."""

    G: Any
    D: Any
    G_ema: Any
    opt_g: Any
    opt_d: Any
    tf_rng: Any
    np_rng: np.random.Generator
    history: _History


def load_footage(config: TrainConfig) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Every frame of the footage at the training size, and a record of each file."""
    from engine.proc.frames import read_frames

    clips, record = [], []
    for name in config.footage:
        path = Path(name)
        frames = read_frames(path, config.size, fps=config.fps)
        clips.append(frames)
        record.append({"file": path.name, "sha256": _sha256(path), "frames": int(frames.shape[0])})
    data = np.concatenate(clips)
    if config.flip:
        data = np.concatenate([data, data[:, :, ::-1]])
    return data, record


def train(
    config: TrainConfig,
    *,
    resume: bool = False,
    on_progress: Callable[[TrainProgress], None] | None = None,
) -> Path:
    """Train and save the EMA generator to ``config.output``; return its path."""
    # Long on purpose: the training loop keeps its state (models, optimisers, RNGs, step) in
    # locals that a checkpoint must capture together; split up, resuming bit-exactly would
    # depend on every piece being passed around in the same order.
    tf, keras = require()
    output = Path(config.output)
    if output.suffix != ".keras":
        raise UserError(f"{output}: the model is saved in Keras' format; name it *.keras")
    ckpt_dir = output.with_name(output.stem + ".training")
    data, footage_record = load_footage(config)
    if len(data) < config.batch:
        raise UserError(f"only {len(data)} training frames; need at least batch={config.batch}")

    state = _new_state(config)
    step = 0
    if resume:
        latest = _latest_checkpoint(ckpt_dir)
        if latest is None:
            raise UserError(f"--resume: no checkpoint in {ckpt_dir}")
        step = _restore(latest, state, config)
    first_step = step

    real_all = tf.constant(data)
    fixed_z = np.random.default_rng(config.seed + 1).standard_normal((64, config.latent_dim))
    fixed_z = fixed_z.astype(np.float32)
    d_step, g_step, ema_step = _steps(tf, state, config)
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    losses: list[tuple[float, float]] = []
    while step < config.steps:
        idx = state.np_rng.integers(0, len(data), config.batch)
        real = tf.cast(tf.gather(real_all, idx), tf.float32) / 127.5 - 1.0
        z = state.tf_rng.normal([config.batch, config.latent_dim])
        # A Python bool: one traced graph with the penalty and one without (a gradient taken
        # inside a tf.cond branch cannot reach tensors made outside it).
        d_loss = float(d_step(real, z, step % R1_EVERY == 0))
        g_loss = float(g_step(state.tf_rng.normal([config.batch, config.latent_dim])))
        ema_step(tf.constant(min(config.ema_beta, (1 + step) / (10 + step)), tf.float32))
        step += 1
        losses.append((d_loss, g_loss))
        saved = None
        if step % 50 == 0 or step == config.steps:
            state.history.steps.append(step)
            state.history.d_loss.append(float(np.mean([d for d, _ in losses])))
            state.history.g_loss.append(float(np.mean([g for _, g in losses])))
            losses.clear()
        if step % config.checkpoint_every == 0 or step == config.steps:
            saved = _checkpoint(ckpt_dir, step, state, config)
            _save_samples(state.G_ema, fixed_z, ckpt_dir / f"samples-{step:07d}.png")
            _save_loss_plot(state.history, ckpt_dir / f"loss-{step:07d}.png")
        if on_progress is not None:
            seconds = time.monotonic() - started
            on_progress(
                TrainProgress(
                    step, config.steps, d_loss, g_loss, seconds, (step - first_step) / seconds,
                    str(saved) if saved else None,
                )
            )  # fmt: skip

    _save_model(state.G_ema, output)
    write_json_atomic(
        output.with_name(output.name + ".json"),
        {
            "model": output.name,
            "trained_with": "reelspec gan train",
            # File names only: the record travels with the model to other machines.
            "config": {
                **asdict(config),
                "footage": [Path(p).name for p in config.footage],
                "output": output.name,
            },
            "footage": footage_record,
            "training_frames": len(data),
            "steps": step,
            "loss": "non-saturating, R1 (lazy), DiffAugment color+translation+cutout, EMA",
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
        },
    )
    return output


def _steps(tf: Any, state: _State, config: TrainConfig) -> tuple[Any, Any, Any]:
    G, D, G_ema, opt_g, opt_d = state.G, state.D, state.G_ema, state.opt_g, state.opt_d
    rng = state.tf_rng

    def augment(images: Any) -> Any:
        return diff_augment(images, rng) if config.augment else images

    gamma = config.r1_gamma * R1_EVERY

    def d_step(real: Any, z: Any, with_r1: bool) -> Any:
        fake = G(z, training=True)
        with tf.GradientTape() as tape:
            real_aug = augment(real)
            with tf.GradientTape() as r1_tape:
                r1_tape.watch(real_aug)
                real_logits = D(real_aug, training=True)
                real_sum = tf.reduce_sum(real_logits)
            fake_logits = D(augment(fake), training=True)
            loss = tf.reduce_mean(tf.nn.softplus(fake_logits)) + tf.reduce_mean(
                tf.nn.softplus(-real_logits)
            )
            if with_r1:
                grads = r1_tape.gradient(real_sum, real_aug)
                penalty = tf.reduce_mean(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]))
                total = loss + 0.5 * gamma * penalty
            else:
                total = loss
        variables = D.trainable_variables
        opt_d.apply_gradients(zip(tape.gradient(total, variables), variables, strict=False))
        return loss

    def g_step(z: Any) -> Any:
        with tf.GradientTape() as tape:
            fake_logits = D(augment(G(z, training=True)), training=True)
            loss = tf.reduce_mean(tf.nn.softplus(-fake_logits))
        variables = G.trainable_variables
        opt_g.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=False))
        return loss

    def ema_step(beta: Any) -> None:
        for ema_var, var in zip(G_ema.weights, G.weights, strict=True):
            ema_var.assign(beta * ema_var + (1.0 - beta) * var)

    # Each traced once, on first use (fixed shapes), then run as graphs.
    return tf.function(d_step), tf.function(g_step), tf.function(ema_step)


# --- checkpoints ---------------------------------------------------------------------------


def _new_state(config: TrainConfig) -> _State:
    tf, keras = require()
    keras.utils.set_random_seed(config.seed)
    G = build_generator(config.latent_dim, config.size, width=config.width)
    D = build_discriminator(config.size, width=config.width)
    G_ema = build_generator(config.latent_dim, config.size, width=config.width)
    G_ema.set_weights(G.get_weights())
    opt_g = keras.optimizers.Adam(config.lr, beta_1=0.0, beta_2=0.99)
    opt_d = keras.optimizers.Adam(config.lr, beta_1=0.0, beta_2=0.99)
    opt_g.build(G.trainable_variables)
    opt_d.build(D.trainable_variables)
    return _State(
        G, D, G_ema, opt_g, opt_d, tf.random.Generator.from_seed(config.seed),
        np.random.default_rng(config.seed), _History(),
    )  # fmt: skip


def _checkpoint(ckpt_dir: Path, step: int, state: _State, config: TrainConfig) -> Path:
    arrays: dict[str, np.ndarray] = {}
    for prefix, weights in (
        ("G", state.G.get_weights()),
        ("D", state.D.get_weights()),
        ("E", state.G_ema.get_weights()),
        ("OG", [np.asarray(v) for v in state.opt_g.variables]),
        ("OD", [np.asarray(v) for v in state.opt_d.variables]),
    ):
        for i, w in enumerate(weights):
            arrays[f"{prefix}_{i:04d}"] = w
    arrays["tf_rng"] = np.asarray(state.tf_rng.state)
    meta = {
        "step": step,
        "np_rng": state.np_rng.bit_generator.state,
        "history": asdict(state.history),
        "config": asdict(config),
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    path = ckpt_dir / f"ckpt-{step:07d}.npz"
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as handle:
        np.savez(handle, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds badly
    publish(tmp, path)
    for old in sorted(ckpt_dir.glob("ckpt-*.npz"))[: -config.keep_checkpoints]:
        old.unlink()
    return path


def _latest_checkpoint(ckpt_dir: Path) -> Path | None:
    found = sorted(ckpt_dir.glob("ckpt-*.npz"))
    return found[-1] if found else None


def _restore(path: Path, state: _State, config: TrainConfig) -> int:
    with np.load(path) as archive:
        arrays = {k: archive[k] for k in archive.files}
    meta = json.loads(arrays.pop("meta").tobytes())
    saved = meta["config"]
    for key in ("size", "latent_dim", "width"):
        if saved[key] != getattr(config, key):
            raise UserError(
                f"--resume: checkpoint {path.name} was trained with {key}={saved[key]}, "
                f"not {getattr(config, key)}"
            )

    def group(prefix: str) -> list[np.ndarray]:
        return [arrays[k] for k in sorted(arrays) if k.startswith(prefix + "_")]

    state.G.set_weights(group("G"))
    state.D.set_weights(group("D"))
    state.G_ema.set_weights(group("E"))
    for opt, prefix in ((state.opt_g, "OG"), (state.opt_d, "OD")):
        for var, value in zip(opt.variables, group(prefix), strict=True):
            var.assign(value)
    state.tf_rng.reset(arrays["tf_rng"])
    state.np_rng.bit_generator.state = meta["np_rng"]
    state.history = _History(**meta["history"])
    return int(meta["step"])


# --- artifacts -----------------------------------------------------------------------------


def sample_grid(images: np.ndarray, columns: int = 8) -> np.ndarray:
    """uint8 images (N, H, W, 3) tiled into one picture, ``columns`` wide, 2-pixel gaps."""
    n, h, w, _ = images.shape
    rows = math.ceil(n / columns)
    gap = 2
    grid = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap, 3), 255, np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        grid[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = image
    return grid


def _save_samples(G: Any, z: np.ndarray, path: Path) -> None:
    from PIL import Image

    images = np.asarray(G(z, training=False))
    pixels = np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)
    Image.fromarray(sample_grid(pixels)).save(path)


def _save_loss_plot(history: _History, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    ax.plot(history.steps, history.d_loss, label="discriminator")
    ax.plot(history.steps, history.g_loss, label="generator")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (mean of 50 steps)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _save_model(G: Any, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.stem}.part.keras")
    try:
        G.save(tmp)
        publish(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
