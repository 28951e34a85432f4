"""``reelspec batch``: one video per data row of a template. ``reelspec farm batch`` runs the
same command with the rows rendered on a cluster (``run_batch_command``'s ``render_row``)."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.cli.args import MAX_JOBS, add_roots, seconds, whole

if TYPE_CHECKING:
    from engine.batch import DataRow
    from engine.batch.runner import RowRenderer
    from engine.cli.args import Subparsers


@dataclass(frozen=True)
class _Places:
    """Where a batch may write, and the files it must not overwrite."""

    roots: tuple[Path, ...]
    out_dir: Path | None
    manifest: Path
    inputs: tuple[Path, Path]  # the template and the data file


def _places(args: argparse.Namespace) -> _Places:
    from engine.errors import UserError
    from engine.paths import check_output, collision_key, output_roots, outside_output, real, short

    template = Path(args.template)
    roots = output_roots(Path(os.path.abspath(template)).parent)
    out_dir = None
    if args.out_dir:
        out_dir = real(args.out_dir)
        problem = outside_output(out_dir, roots) or (
            f"{short(out_dir)} is not a folder"
            if out_dir.exists() and not out_dir.is_dir()
            else None
        )
        if problem:
            raise UserError(f"--out-dir: {problem}")
    stem = template.name.split(".")[0] or "batch"
    manifest = Path(
        os.path.abspath(args.manifest)
        if args.manifest
        else (out_dir or Path(os.path.abspath(template)).parent) / f"{stem}.batch.json"
    )
    check_output(manifest, roots, "--manifest")
    inputs = (Path(os.path.abspath(template)), Path(os.path.abspath(args.data)))
    if collision_key(manifest) in {collision_key(p) for p in inputs}:
        raise UserError(f"--manifest: {short(manifest)} is the template or the data file")
    return _Places(roots, out_dir, manifest, inputs)


def _variables(pairs: list[str]) -> dict[str, str]:
    from engine.errors import TemplateError

    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise TemplateError(f"--var expects KEY=VALUE, got {pair!r}")
        out[key] = value
    return out


def _only(rows: list[DataRow], only: str | None) -> list[DataRow]:
    """The rows ``--only`` names (all of them without it); an unknown id is an error."""
    from engine.errors import TemplateError

    if not only:
        return rows
    wanted = [part.strip() for part in only.split(",") if part.strip()]
    known = {row.id for row in rows}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise TemplateError(f"--only names unknown row ids: {', '.join(unknown)}")
    return [row for row in rows if row.id in wanted]


def run_batch_command(args: argparse.Namespace, render_row: RowRenderer | None) -> int:
    """A batch, its rows rendered here or (``render_row``) by the farm."""
    from engine.batch import prepare_batch, read_rows, run_batch
    from engine.cli.progress import BatchDisplay
    from engine.template import TemplateLimits

    places = _places(args)
    rows, variables = read_rows(Path(args.data), max_rows=args.max_rows)
    variables.update(_variables(args.var))
    prepared = prepare_batch(
        Path(args.template),
        _only(rows, args.only),
        variables,
        out_dir=places.out_dir,
        template_limits=TemplateLimits(seconds=args.template_timeout),
        reserved=(places.manifest, *places.inputs),
    )
    invalid = [p for p in prepared if not p.valid]
    print(f"{len(prepared)} row(s) rendered and validated, {len(invalid)} invalid", file=sys.stderr)
    if args.dry_run:
        for item in invalid:
            print(
                f"row {item.row.number} (id {item.row.id}): invalid\n    "
                + (item.error or "").replace("\n", "\n    "),
                file=sys.stderr,
            )
        return 2 if invalid else 0
    with BatchDisplay(sys.stderr, rows=len(prepared), bar=not args.quiet) as display:
        result = run_batch(
            prepared,
            places.manifest,
            jobs=args.jobs,
            force=args.force,
            on_progress=None if args.quiet else display.progress,
            on_row=display.row,
            render_row=render_row,
        )
    print(
        f"{result.count('rendered')} rendered, {result.count('skipped')} up to date, "
        f"{len(result.failed)} failed; manifest: {result.manifest}"
    )
    return 1 if result.failed else 0


def cmd_batch(args: argparse.Namespace) -> int:
    return run_batch_command(args, None)


def add_parsers(sub: Subparsers) -> None:
    p = sub.add_parser("batch", help="render one video per data row of a Jinja2 template")
    p.add_argument("template", help="a spec template (YAML with Jinja2), e.g. promo.yaml.j2")
    p.add_argument("--data", required=True, help="rows: .csv, .jsonl, .json or .yaml")
    p.add_argument(
        "--out-dir", help="relative output paths land here (default: beside the template)"
    )
    p.add_argument(
        "--jobs", type=whole(1, MAX_JOBS), help="renders at once (default: one per core)"
    )
    p.add_argument("--only", metavar="IDS", help="comma-separated row ids to render")
    p.add_argument("--dry-run", action="store_true", help="render and validate specs only")
    p.add_argument("--force", action="store_true", help="render rows even if up to date")
    p.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a template variable (repeatable)",
    )
    p.add_argument("--max-rows", type=whole(1), default=100_000)
    p.add_argument("--template-timeout", type=seconds(above=0), default=10.0, metavar="SECONDS")
    p.add_argument("--manifest", help="batch manifest path")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_roots(p)
    p.set_defaults(run=cmd_batch)
