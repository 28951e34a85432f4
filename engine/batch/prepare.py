"""Turning every data row into a compiled plan before any video is made."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from engine import __version__
from engine.batch.rows import DataRow
from engine.cache import cache_dir, digest_of
from engine.compile.compiler import compile_plan
from engine.compile.plan import Plan
from engine.errors import ReelspecError
from engine.feeds import FrameModelFeed
from engine.paths import check_spec_paths, collision_key, real, short
from engine.resolve.limits import Limits
from engine.resolve.resolver import resolve
from engine.resolved import ResolvedSpec
from engine.run.render import manifest_path
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
    reserved: Sequence[Path] = (),
) -> list[PreparedRow]:
    """Render, validate, resolve and compile every row. Errors are kept per row, never
    raised, so one bad row cannot hide the others. A row is invalid when a path in it leaves
    the media or output root (a data value such as an id of ``../../x`` included), or when a
    file it writes (video, manifest, subtitles) is also written by another row or is one of
    ``reserved`` (the batch manifest, the template, the data file)."""
    template = SpecTemplate(template_path, template_limits)
    prepared = [_prepare_row(template, row, variables, out_dir, limits) for row in rows]
    return _refuse_shared_outputs(prepared, reserved)


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
            rendered.text,
            file=label,
            base_dir=template.path.resolve().parent,
            transform=rendered.substitute,
        )
        check_spec_paths(loaded, out_dir)
        resolved = resolve(loaded, limits)
        if out_dir is not None and not Path(loaded.spec.output.path).is_absolute():
            resolved = replace(resolved, output_path=real(out_dir / loaded.spec.output.path))
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


def written_files(item: PreparedRow) -> list[Path]:
    """Every file a valid row writes: its video, the video's manifest, subtitle sidecars."""
    if item.output is None or item.resolved is None:
        return []
    sidecars = [item.output.with_suffix(f".{kind}") for kind in item.resolved.subtitle_files]
    return [item.output, manifest_path(item.output), *sidecars]


def _refuse_shared_outputs(
    prepared: list[PreparedRow], reserved: Sequence[Path] = ()
) -> list[PreparedRow]:
    """Rows that would write the same file (under any spelling the file system may treat as
    one: case, Unicode form, links, ``..``) are all invalid, before anything renders; so is
    a row writing over a reserved file."""
    owners: dict[str, list[DataRow]] = {}
    for item in prepared:
        for key in {collision_key(p) for p in written_files(item)}:
            owners.setdefault(key, []).append(item.row)
    taken = {collision_key(p): p for p in reserved}
    out = []
    for item in prepared:
        problems = []
        for path in written_files(item):
            key = collision_key(path)
            others = [r for r in owners.get(key, []) if r != item.row]
            if others:
                numbers = ", ".join(str(r.number) for r in others[:10])
                problems.append(f"{short(path)} is also the output of row(s) {numbers}")
            elif key in taken:
                problems.append(f"{short(path)} would overwrite {short(taken[key])}")
        if problems:
            item = PreparedRow(
                item.row,
                error=f"row {item.row.number} (id {item.row.id}): output " + "; ".join(problems),
            )
        out.append(item)
    return out
