"""``reelspec``: argument parsing, progress display, and errors turned into messages and exit
codes. User mistakes print without a traceback; ``--debug`` shows it."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from engine import __version__
from engine.errors import ReelspecError

if TYPE_CHECKING:
    from engine.batch.runner import RowRenderer

EXIT_INTERNAL = 70
DEFAULT_SCHEMA_PATH = Path("schemas/reelspec.schema.json")


class ProgressBar:
    """A one-line bar on a terminal; occasional plain lines when stderr is a file or pipe."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.last_line = -1.0

    def __call__(self, progress: object) -> None:
        from engine.run.render import Progress

        assert isinstance(progress, Progress)
        fraction = progress.fraction
        elapsed = time.monotonic() - self.started
        eta = elapsed * (1 - fraction) / fraction if fraction > 0.01 else None
        speed = f"{progress.speed:.2f}x" if progress.speed else "-"
        text = (
            f"{self.label} {fraction * 100:5.1f}%  frame {progress.frame}/"
            f"{progress.total_frames}  {speed}  ETA {_clock(eta)}"
        )
        if self.tty:
            width = 24
            filled = int(width * fraction)
            bar = "█" * filled + "·" * (width - filled)
            self.stream.write(f"\r{bar} {text}\033[K")
            if progress.done:
                self.stream.write("\n")
            self.stream.flush()
        elif progress.done or elapsed - self.last_line >= 5:
            self.last_line = elapsed
            self.stream.write(text + "\n")
            self.stream.flush()


class BatchDisplay:
    """One overall bar for the batch plus a line per finished row."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.last_line = -1.0
        self.done, self.total = 0, 0

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        fraction = done / total if total else 1.0
        elapsed = time.monotonic() - self.started
        eta = elapsed * (1 - fraction) / fraction if fraction > 0.01 else None
        text = f"batch {fraction * 100:5.1f}%  frames {done}/{total}  ETA {_clock(eta)}"
        if self.tty:
            filled = int(24 * fraction)
            self.stream.write(f"\r{'█' * filled}{'·' * (24 - filled)} {text}\033[K")
            self.stream.flush()
        elif elapsed - self.last_line >= 5:
            self.last_line = elapsed
            self.stream.write(text + "\n")
            self.stream.flush()

    def row(self, outcome: object) -> None:
        from engine.batch import RowOutcome

        assert isinstance(outcome, RowOutcome)
        head = f"row {outcome.number} (id {outcome.id}): {outcome.status}"
        if outcome.status in ("rendered", "skipped"):
            line = f"{head} → {outcome.output}" + (
                f" in {outcome.seconds:.1f}s" if outcome.status == "rendered" else ""
            )
        else:
            line = f"{head}\n    " + (outcome.error or "").replace("\n", "\n    ")
        if self.tty:
            self.stream.write("\r\033[K")
        self.stream.write(line + "\n")
        self.stream.flush()
        if self.tty and self.total:
            self.progress(self.done, self.total)


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes:02d}:{secs:02d}"


def _window(text: str | None) -> tuple[float, float] | None:
    from engine.errors import UserError

    if text is None:
        return None
    shown = _shown(text)
    try:
        start, end = (float(part) for part in text.split(":", 1))
    except ValueError:
        raise UserError(f"--window expects START:END in seconds, got {shown}") from None
    if not (math.isfinite(start) and math.isfinite(end)):
        raise UserError(f"--window needs two finite times START:END, got {shown}")
    if end <= start:
        raise UserError(f"--window end must be after its start, got {shown}")
    return start, end


def _shown(text: str, limit: int = 60) -> str:
    """A command-line value quoted for a message, cut short when long."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in [minimum, maximum]."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip().replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number, got {_shown(text)}"
            ) from None
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise argparse.ArgumentTypeError(f"must be at least {minimum}{upper}, got {value}")
        return value

    return parse


def _seconds(*, above: float | None = None) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds (no nan, no inf), above ``above``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a number of seconds, got {_shown(text)}"
            ) from None
        if not math.isfinite(value) or value > MAX_ARG_SECONDS:
            raise argparse.ArgumentTypeError(
                f"must be a finite number of seconds up to {MAX_ARG_SECONDS:g}, got {_shown(text)}"
            )
        if above is not None and value <= above:
            raise argparse.ArgumentTypeError(f"must be above {above:g}, got {value:g}")
        return value

    return parse


#: The longest time a command-line argument may name (a day, as for spec times).
MAX_ARG_SECONDS = 86_400.0
#: Renders at once (--jobs) at most: each is an ffmpeg process.
MAX_JOBS = 1024
#: Local cluster workers (--workers) at most: each is a process (engine.farm.render).
MAX_WORKERS = 256
#: Farm chunks (--chunks) at most: each is a task and a file.
MAX_CHUNKS = 100_000


def _spec_folder(spec: str | Path) -> Path:
    return Path(os.path.abspath(spec)).parent


def _write_text(target: Path, text: str, roots: Sequence[Path], what: str) -> None:
    """A text file the CLI writes (a plan, a spec, a schema), confined like any output."""
    from engine.paths import check_output
    from engine.run.files import write_bytes_atomic
    from engine.run.render import write_error

    check_output(target, roots, what)
    try:
        write_bytes_atomic(target, text.encode("utf-8"))
    except OSError as exc:
        raise write_error(exc, target) from None


def cmd_validate(args: argparse.Namespace) -> int:
    from engine.pipeline import prepare

    for spec in args.specs:
        resolved = prepare(spec).resolved
        out = resolved.output
        print(
            f"ok: {spec}: {len(resolved.scenes)} scene(s), {float(resolved.duration):g}s, "
            f"{resolved.frame_count} frames at {out.size} {out.fps} fps, {out.video.codec}"
        )
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from engine.pipeline import plan_for, prepare
    from engine.proc.ffmpeg import ffmpeg_binary

    prepared = prepare(args.spec)
    plan = plan_for(prepared, _window(args.window))
    if args.json:
        text = (
            json.dumps(
                {
                    "argv": plan.argv(ffmpeg_binary()),
                    "filter_graph": plan.filter_graph,
                    "audio_graph": plan.audio_graph,
                    "duration": plan.duration,
                    "frame_count": plan.frame_count,
                    "feeds": [
                        {"kind": type(feed).__name__, **dataclasses.asdict(feed)}
                        for feed in plan.feeds
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    else:
        text = plan.pretty(ffmpeg_binary())
    if args.output:
        from engine.paths import output_roots

        target = Path(os.path.abspath(args.output))
        _write_text(target, text, output_roots(_spec_folder(args.spec)), "-o")
    else:
        sys.stdout.write(text)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from engine.pipeline import render_spec

    bar = None if args.quiet else ProgressBar(sys.stderr, Path(args.spec).name)
    result = render_spec(
        args.spec, args.output, on_progress=bar, write_manifest=not args.no_manifest
    )
    print(f"wrote {result.output} in {result.seconds:.1f}s")
    return 0


def cmd_still(args: argparse.Namespace) -> int:
    from engine.pipeline import render_still

    result = render_still(args.spec, args.at, args.output)
    print(f"wrote {result.output}")
    return 0


def _variables(pairs: list[str]) -> dict[str, str]:
    from engine.errors import TemplateError

    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise TemplateError(f"--var expects KEY=VALUE, got {pair!r}")
        out[key] = value
    return out


def cmd_batch(args: argparse.Namespace) -> int:
    return _batch(args, None)


def _batch(args: argparse.Namespace, render_row: RowRenderer | None) -> int:
    """A batch, its rows rendered here or (``render_row``) by the farm."""
    from engine.batch import prepare_batch, read_rows, run_batch
    from engine.errors import TemplateError, UserError
    from engine.paths import (
        check_output,
        collision_key,
        output_roots,
        outside_output,
        real,
        short,
    )
    from engine.template import TemplateLimits

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
    inputs = [Path(os.path.abspath(template)), Path(os.path.abspath(args.data))]
    if collision_key(manifest) in {collision_key(p) for p in inputs}:
        raise UserError(f"--manifest: {short(manifest)} is the template or the data file")
    rows, variables = read_rows(Path(args.data), max_rows=args.max_rows)
    variables.update(_variables(args.var))
    if args.only:
        wanted = [part.strip() for part in args.only.split(",") if part.strip()]
        known = {row.id for row in rows}
        unknown = [w for w in wanted if w not in known]
        if unknown:
            raise TemplateError(f"--only names unknown row ids: {', '.join(unknown)}")
        rows = [row for row in rows if row.id in wanted]
    prepared = prepare_batch(
        template,
        rows,
        variables,
        out_dir=out_dir,
        template_limits=TemplateLimits(seconds=args.template_timeout),
        reserved=(manifest, *inputs),
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
    display = BatchDisplay(sys.stderr)
    result = run_batch(
        prepared,
        manifest,
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


def cmd_farm_render(args: argparse.Namespace) -> int:
    from engine.farm.render import FarmProgress, farm_render

    shown = {"dashboard": False}
    started = time.monotonic()

    def report(progress: FarmProgress) -> None:
        if progress.dashboard and not shown["dashboard"]:
            shown["dashboard"] = True
            print(f"dask dashboard: {progress.dashboard}", file=sys.stderr)
        if args.quiet:
            return
        elapsed = time.monotonic() - started
        print(
            f"chunks {progress.chunks_done}/{progress.chunks_total}  frames "
            f"{progress.frames_done}/{progress.frames_total}  workers {progress.workers}  "
            f"{elapsed:.1f}s",
            file=sys.stderr,
        )

    result = farm_render(
        args.spec,
        args.output,
        scheduler=args.scheduler,
        chunk_seconds=args.chunk_seconds,
        chunks=args.chunks,
        workers=args.workers,
        on_progress=report,
    )
    print(f"wrote {result.output} in {time.monotonic() - started:.1f}s")
    return 0


def cmd_farm_batch(args: argparse.Namespace) -> int:
    from engine.farm.batch import farm_batch_executor

    with farm_batch_executor(args.scheduler, args.workers) as executor:
        return _batch(args, executor)


def cmd_text2video(args: argparse.Namespace) -> int:
    from engine.errors import UserError
    from engine.paths import check_output, folder_root, output_roots, real, widened
    from engine.text2video.build import Options, build_spec, schema_reference, spec_yaml

    script = Path(args.script)
    try:
        text = script.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the script {script}: {exc}") from None
    # The spec and its schema are written inside the output root: the script's folder or
    # the current one (the command names them; no script can), or --output-root.
    here = Path(os.path.abspath(script)).parent
    roots = (*output_roots(here), real(Path.cwd()))
    target = check_output(Path(os.path.abspath(args.output)), roots, "-o")
    assets = folder_root(args.assets, "--assets") if args.assets else None
    spec = build_spec(
        text,
        Options(
            output=target,
            assets=assets,
            size=args.size,
            fps=args.fps,
        ),
    )
    schema, schema_file = schema_reference(target)
    if schema_file is not None:
        from engine.spec.schema import spec_schema_text

        _write_text(schema_file, spec_schema_text(), roots, "the schema beside -o")
    _write_text(target, spec_yaml(spec, script.name, schema), roots, "-o")
    print(f"wrote {target} ({len(spec['scenes'])} scenes)")
    if args.render:
        from engine.pipeline import render_spec

        bar = ProgressBar(sys.stderr, target.name)
        # The pictures and music come from --assets, which the command names: the spec may
        # read them wherever that folder is.
        with widened(media=[assets] if assets else []):
            result = render_spec(target, on_progress=bar)
        print(f"wrote {result.output} in {result.seconds:.1f}s")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from engine.spec.schema import spec_schema_text

    text = spec_schema_text()
    target = Path(args.output)
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is stale; run `reelspec schema` to regenerate it", file=sys.stderr)
            return 1
        print(f"{target} is up to date")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


def _add_roots(p: argparse.ArgumentParser) -> None:
    from engine.paths import MEDIA_ROOT_ENV, OUTPUT_ROOT_ENV

    p.add_argument(
        "--output-root",
        action="append",
        default=[],
        metavar="DIR",
        help="also allow writing inside DIR (default: only inside the spec's or template's "
        f"folder; {OUTPUT_ROOT_ENV} adds folders too)",
    )
    p.add_argument(
        "--media-root",
        action="append",
        default=[],
        metavar="DIR",
        help="also allow reading media inside DIR (default: only inside the spec's folder; "
        f"{MEDIA_ROOT_ENV} adds folders too)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reelspec", description="Render videos from declarative YAML specs."
    )
    parser.add_argument("--version", action="version", version=f"reelspec {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for every error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check specs without rendering")
    p.add_argument("specs", nargs="+", metavar="SPEC")
    _add_roots(p)
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("plan", help="print the ffmpeg command and filter graph")
    p.add_argument("spec")
    p.add_argument("--window", metavar="START:END", help="only the frames in [START, END) s")
    p.add_argument("--json", action="store_true", help="argv and graph as JSON")
    p.add_argument("-o", "--output", help="write the plan to this file")
    _add_roots(p)
    p.set_defaults(run=cmd_plan)

    p = sub.add_parser("render", help="render a spec to a video file")
    p.add_argument("spec")
    p.add_argument("-o", "--output", help="output file (default: the spec's output.path)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-manifest", action="store_true", help="skip the provenance manifest")
    _add_roots(p)
    p.set_defaults(run=cmd_render)

    p = sub.add_parser("still", help="render the frame at one time as an image")
    p.add_argument("spec")
    p.add_argument("--at", type=_seconds(), required=True, metavar="SECONDS")
    p.add_argument("-o", "--output", required=True)
    _add_roots(p)
    p.set_defaults(run=cmd_still)

    p = sub.add_parser("batch", help="render one video per data row of a Jinja2 template")
    p.add_argument("template", help="a spec template (YAML with Jinja2), e.g. promo.yaml.j2")
    p.add_argument("--data", required=True, help="rows: .csv, .jsonl, .json or .yaml")
    p.add_argument(
        "--out-dir", help="relative output paths land here (default: beside the template)"
    )
    p.add_argument(
        "--jobs", type=_whole(1, MAX_JOBS), help="renders at once (default: one per core)"
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
    p.add_argument("--max-rows", type=_whole(1), default=100_000)
    p.add_argument("--template-timeout", type=_seconds(above=0), default=10.0, metavar="SECONDS")
    p.add_argument("--manifest", help="batch manifest path")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _add_roots(p)
    p.set_defaults(run=cmd_batch)

    farm = sub.add_parser("farm", help="render on a Dask cluster (a local one by default)")
    farm_sub = farm.add_subparsers(dest="farm_command", required=True, metavar="COMMAND")
    p = farm_sub.add_parser("render", help="render a spec in time chunks on the cluster")
    p.add_argument("spec")
    p.add_argument("-o", "--output")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="e.g. tcp://10.0.0.5:8786; default: a local cluster on 127.0.0.1",
    )
    size = p.add_mutually_exclusive_group()
    size.add_argument("--chunk-seconds", type=_seconds(above=0), help="chunk length (default 10)")
    size.add_argument("--chunks", type=_whole(1, MAX_CHUNKS), help="number of chunks")
    p.add_argument(
        "--workers",
        type=_whole(1, MAX_WORKERS),
        help="local cluster workers (default: one per core)",
    )
    p.add_argument("-q", "--quiet", action="store_true")
    _add_roots(p)
    p.set_defaults(run=cmd_farm_render)

    p = farm_sub.add_parser("batch", help="render a batch's rows as tasks on the cluster")
    p.add_argument("template")
    p.add_argument("--data", required=True)
    p.add_argument("--scheduler", metavar="ADDRESS")
    p.add_argument(
        "--workers",
        type=_whole(1, MAX_WORKERS),
        help="local cluster workers (default: one per core)",
    )
    p.add_argument("--out-dir")
    p.add_argument(
        "--jobs",
        type=_whole(1, MAX_JOBS),
        help="rows in flight at once (default: cluster threads)",
    )
    p.add_argument("--only", metavar="IDS")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--force", action="store_true")
    p.add_argument("--var", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--max-rows", type=_whole(1), default=100_000)
    p.add_argument("--template-timeout", type=_seconds(above=0), default=10.0, metavar="SECONDS")
    p.add_argument("--manifest")
    p.add_argument("-q", "--quiet", action="store_true")
    _add_roots(p)
    p.set_defaults(run=cmd_farm_batch)

    p = sub.add_parser("text2video", help="turn a text or Markdown script into a narrated spec")
    p.add_argument("script")
    p.add_argument("-o", "--output", required=True, help="the spec to write (YAML)")
    p.add_argument(
        "--assets",
        help="a folder of pictures (matched to keywords by name or a "
        "tags.yaml) and music (picked by mood: positive, neutral, negative)",
    )
    p.add_argument("--size", default="1280x720")
    p.add_argument("--fps", type=_whole(1, 1000), default=30)
    p.add_argument("--render", action="store_true", help="render the spec right away")
    _add_roots(p)
    p.set_defaults(run=cmd_text2video)

    from engine.cli_gan import add_gan_parser

    add_gan_parser(sub)

    p = sub.add_parser("schema", help="write the JSON Schema of the spec format")
    p.add_argument("-o", "--output", default=str(DEFAULT_SCHEMA_PATH))
    p.add_argument("--check", action="store_true", help="fail if the file is stale")
    p.set_defaults(run=cmd_schema)
    return parser


def _terminate_as_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run(args: argparse.Namespace) -> int:
    """The command, with the roots named by --output-root and --media-root added."""
    from engine.paths import folder_root, widened

    outputs = [folder_root(d, "--output-root") for d in getattr(args, "output_root", [])]
    media = [folder_root(d, "--media-root") for d in getattr(args, "media_root", [])]
    with widened(outputs, media):
        return int(args.run(args))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    try:
        return _run(args)
    except ReelspecError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        command = getattr(exc, "command", ())
        if command:
            import shlex

            print("command: " + " ".join(shlex.quote(c) for c in command), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:
        traceback.print_exc()
        print(
            "internal error: this is a bug in reelspec; please report it with the traceback above",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
