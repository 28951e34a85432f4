"""``reelspec gan …``: training a generator, looking inside a model, drawing samples.
TensorFlow is imported only when one of them runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.cli.args import Subparsers


def cmd_train(args: argparse.Namespace) -> int:
    from engine.cli.progress import TrainDisplay
    from engine.gan.train import TrainConfig, train

    config = TrainConfig(
        footage=tuple(args.footage),
        output=args.output,
        size=args.size,
        latent_dim=args.latent_dim,
        steps=args.steps,
        batch=args.batch,
        seed=args.seed,
        fps=args.fps,
        flip=not args.no_flip,
        width=args.width,
        lr=args.lr,
        augment=not args.no_augment,
        checkpoint_every=args.checkpoint_every,
    )
    with TrainDisplay(sys.stderr) as display:
        out = train(config, resume=args.resume, on_progress=None if args.quiet else display)
    print(f"wrote {out} (samples and loss plots in {out.with_name(out.stem + '.training')})")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from engine.gan.loading import inspect_model
    from engine.gan.loading import shape_text as shown

    info = inspect_model(Path(args.model), trust=args.trust_model)

    print(f"model:        {info.path}")
    print(f"format:       {info.format}")
    print(f"sha256:       {info.sha256}")
    print(f"input:        {shown(info.input_shape)}")
    print(f"output:       {shown(info.output_shape)}")
    print(f"value range:  {info.output_range or 'unknown (set value_range in the spec)'}")
    if len(info.input_shape) == 1:
        print("use:          generator layer (latent vector in, picture out)")
    elif len(info.input_shape) == 3:
        print("use:          frame model on a video layer (picture in, picture out)")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    import io

    from PIL import Image

    from engine.gan.producer import sample_pictures
    from engine.gan.train import sample_grid
    from engine.publish import write_bytes_atomic

    seeds = list(range(args.seed, args.seed + args.count))
    pictures = sample_pictures(
        Path(args.model), seeds, truncation=args.truncation, trust=args.trust_model
    )
    grid = Image.fromarray(sample_grid(pictures, columns=min(8, len(seeds))))
    if args.scale > 1:
        size = (grid.width * args.scale, grid.height * args.scale)
        grid = grid.resize(size, Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    grid.save(buffer, format="PNG")
    write_bytes_atomic(Path(args.output), buffer.getvalue())
    print(f"wrote {args.output} ({len(seeds)} samples, seeds {seeds[0]}..{seeds[-1]})")
    return 0


def _add_train(gan_sub: Subparsers) -> None:
    p = gan_sub.add_parser("train", help="train a generator (GAN) on video frames")
    p.add_argument("footage", nargs="+", help="video files whose frames are the training data")
    p.add_argument("-o", "--output", required=True, help="the model to write (.keras)")
    p.add_argument("--size", type=int, default=64, help="frame size: 16, 32, 64, 128 or 256")
    p.add_argument("--steps", type=int, default=5000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--latent-dim", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fps", type=float, help="sample the footage at this rate (default: all)")
    p.add_argument("--width", type=float, default=0.5, help="channel multiplier (model size)")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--checkpoint-every", type=int, default=500, metavar="STEPS")
    p.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    p.add_argument("--no-flip", action="store_true", help="no mirrored copies of the frames")
    p.add_argument("--no-augment", action="store_true", help="no differentiable augmentation")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(run=cmd_train)


def add_parsers(sub: Subparsers) -> None:
    gan = sub.add_parser("gan", help="train generator models and look at them")
    gan_sub = gan.add_subparsers(dest="gan_command", required=True, metavar="COMMAND")
    _add_train(gan_sub)

    p = gan_sub.add_parser("info", help="check a model file and show its shapes")
    p.add_argument("model")
    p.add_argument("--trust-model", action="store_true")
    p.set_defaults(run=cmd_info)

    p = gan_sub.add_parser("sample", help="a grid of a generator's pictures, one per seed")
    p.add_argument("model")
    p.add_argument("-o", "--output", required=True, help="PNG to write")
    p.add_argument("--count", type=int, default=16)
    p.add_argument("--seed", type=int, default=0, help="first seed")
    p.add_argument("--truncation", type=float, default=1.0)
    p.add_argument("--scale", type=int, default=2, help="enlarge the grid (nearest neighbour)")
    p.add_argument("--trust-model", action="store_true")
    p.set_defaults(run=cmd_sample)
