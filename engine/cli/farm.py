"""``reelspec farm render`` and ``reelspec farm batch``: a spec in time chunks, or a batch's
rows, on a Dask cluster (a local one by default). Dask is imported only when they run."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from engine.cli.args import MAX_CHUNKS, MAX_JOBS, MAX_WORKERS, add_roots, seconds, whole
from engine.cli.batch import run_batch_command

if TYPE_CHECKING:
    from engine.cli.args import Subparsers


def cmd_farm_render(args: argparse.Namespace) -> int:
    from engine.cli.progress import FarmDisplay
    from engine.farm.render import farm_render

    started = time.monotonic()
    with FarmDisplay(sys.stderr, bar=not args.quiet) as display:
        result = farm_render(
            args.spec,
            args.output,
            scheduler=args.scheduler,
            chunk_seconds=args.chunk_seconds,
            chunks=args.chunks,
            workers=args.workers,
            on_progress=display,
        )
    print(f"wrote {result.output} in {time.monotonic() - started:.1f}s")
    return 0


def cmd_farm_batch(args: argparse.Namespace) -> int:
    from engine.farm.batch import farm_batch_executor

    with farm_batch_executor(args.scheduler, args.workers) as executor:
        return run_batch_command(args, executor)


def _add_render(farm_sub: Subparsers) -> None:
    p = farm_sub.add_parser("render", help="render a spec in time chunks on the cluster")
    p.add_argument("spec")
    p.add_argument("-o", "--output")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="e.g. tcp://10.0.0.5:8786; default: a local cluster on 127.0.0.1",
    )
    size = p.add_mutually_exclusive_group()
    size.add_argument("--chunk-seconds", type=seconds(above=0), help="chunk length (default 10)")
    size.add_argument("--chunks", type=whole(1, MAX_CHUNKS), help="number of chunks")
    p.add_argument(
        "--workers",
        type=whole(1, MAX_WORKERS),
        help="local cluster workers (default: one per core)",
    )
    p.add_argument("-q", "--quiet", action="store_true")
    add_roots(p)
    p.set_defaults(run=cmd_farm_render)


def _add_batch(farm_sub: Subparsers) -> None:
    # The flags of `reelspec batch` (run_batch_command reads them all), with the cluster's.
    p = farm_sub.add_parser("batch", help="render a batch's rows as tasks on the cluster")
    p.add_argument("template")
    p.add_argument("--data", required=True)
    p.add_argument("--scheduler", metavar="ADDRESS")
    p.add_argument(
        "--workers",
        type=whole(1, MAX_WORKERS),
        help="local cluster workers (default: one per core)",
    )
    p.add_argument("--out-dir")
    p.add_argument(
        "--jobs",
        type=whole(1, MAX_JOBS),
        help="rows in flight at once (default: cluster threads)",
    )
    p.add_argument("--only", metavar="IDS")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--force", action="store_true")
    p.add_argument("--var", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--max-rows", type=whole(1), default=100_000)
    p.add_argument("--template-timeout", type=seconds(above=0), default=10.0, metavar="SECONDS")
    p.add_argument("--manifest")
    p.add_argument("-q", "--quiet", action="store_true")
    add_roots(p)
    p.set_defaults(run=cmd_farm_batch)


def add_parsers(sub: Subparsers) -> None:
    farm = sub.add_parser("farm", help="render on a Dask cluster (a local one by default)")
    farm_sub = farm.add_subparsers(dest="farm_command", required=True, metavar="COMMAND")
    _add_render(farm_sub)
    _add_batch(farm_sub)
