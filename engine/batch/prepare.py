"""Turning every data row into a compiled plan before any video is made."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from engine import __version__
from engine.batch.rows import DataRow
from engine.compile import Plan, compile_plan
from engine.compile.feeds import FrameModelFeed
from engine.errors import ReelspecError
from engine.resolve import ResolvedSpec, resolve
from engine.resolve.cache import cache_dir, digest_of
from engine.resolve.limits import Limits
from engine.spec.loader import LoadedSpec, load_spec_text
from engine.template import SpecTemplate, TemplateLimits


@dataclass(frozen=True)
class PreparedRow:
    row: DataRow
    #: Set when the row is valid.
    resolved: ResolvedSpec | None = None
    loaded: LoadedSpec | None = None
    plan: Plan | None = None
    output: Path | None = None
    inputs_hash: str | None = None
    #: Set when the row is not: the message names the row and the problem.
    error: str | None = None

    @property
    def valid(self) -> bool:
        return self.error is None


def prepare_batch(
    template_path: Path,
    rows: list[DataRow],
    variables: dict[str, Any],
    *,
    out_dir: Path | None = None,
    template_limits: TemplateLimits | None = None,
    limits: Limits | None = None,
) -> list[PreparedRow]:
    """Render, validate, resolve and compile every row. Errors are kept per row, never
    raised, so one bad row cannot hide the others."""
    template = SpecTemplate(template_path, template_limits)
    prepared = [_prepare_row(template, row, variables, out_dir, limits) for row in rows]
    return _refuse_shared_outputs(prepared)


def _prepare_row(
    template: SpecTemplate,
    row: DataRow,
    variables: dict[str, Any],
    out_dir: Path | None,
    limits: Limits | None,
) -> PreparedRow:
    label = f"{template.path.name} (row {row.number}, id {row.id})"
    context = {
        **variables,
        **row.values,
        "row": row.values,
        "vars": variables,
        "row_number": row.number,
        "row_id": row.id,
    }
    try:
        rendered = template.render(context, f"row {row.number} (id {row.id})")
        loaded = load_spec_text(
            rendered.text, file=label, base_dir=template.path.parent, transform=rendered.substitute
        )
        resolved = resolve(loaded, limits)
        if out_dir is not None and not Path(loaded.spec.output.path).is_absolute():
            resolved = replace(resolved, output_path=(out_dir / loaded.spec.output.path).resolve())
        plan = compile_plan(resolved)
    except ReelspecError as exc:
        return PreparedRow(row, error=str(exc))
    return PreparedRow(row, resolved, loaded, plan, resolved.output_path, inputs_hash(plan))


def inputs_hash(plan: Plan) -> str:
    """What decides the output: the exact command (with content-addressed drawn cards), the
    bytes of every media file it reads, and what the model feeds make (model hash, seed,
    motion, frames, and a frame model's clip), under this engine version."""
    digest = hashlib.sha256()
    feeds = [dataclasses.asdict(feed) for feed in plan.feeds]
    digest.update(json.dumps([__version__, plan.argv("ffmpeg"), feeds]).encode("utf-8"))
    cache = str(cache_dir())
    read = [entry.target for entry in plan.inputs]
    for feed in plan.feeds:
        if isinstance(feed, FrameModelFeed):  # the clip is read by the feed's own decoder
            read.append(feed.decode[feed.decode.index("-i") + 1])
    for target in read:
        if not target.startswith(cache) and Path(target).is_file():
            digest.update(digest_of(Path(target)).encode("ascii"))
    return digest.hexdigest()


def _refuse_shared_outputs(prepared: list[PreparedRow]) -> list[PreparedRow]:
    owners: dict[Path, list[DataRow]] = {}
    for item in prepared:
        if item.output is not None:
            owners.setdefault(item.output, []).append(item.row)
    clashes = {path: rows for path, rows in owners.items() if len(rows) > 1}
    if not clashes:
        return prepared
    out = []
    for item in prepared:
        if item.output in clashes:
            others = ", ".join(str(r.number) for r in clashes[item.output] if r != item.row)
            item = PreparedRow(
                item.row,
                error=f"row {item.row.number} (id {item.row.id}): "
                f"output {item.output} is also the output of row(s) {others}",
            )
        out.append(item)
    return out
