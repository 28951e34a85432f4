"""The commands on one spec: ``validate``, ``plan``, ``render`` and ``still``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from engine.cli.args import add_roots, seconds, spec_folder, window, write_text

if TYPE_CHECKING:
    from engine.cli.args import Subparsers


def print_warnings(warnings: Iterable[object]) -> None:
    """Each warning (a located SpecIssue, or any text) as ``warning: file:line:col: ...`` on
    stderr."""
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from engine.pipeline import prepare

    for spec in args.specs:
        resolved = prepare(spec).resolved
        print_warnings(resolved.warnings)
        out = resolved.output
        what = (
            f"sound alone ({out.audio_codec}, {resolved.samples} samples)"
            if out.audio_only
            else f"{resolved.frame_count} frames at {out.size} {out.fps} fps, {out.video.codec}"
        )
        print(f"ok: {spec}: {len(resolved.scenes)} scene(s), {float(resolved.duration):g}s, {what}")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from engine.pipeline import plan_for, prepare
    from engine.proc.ffmpeg import ffmpeg_binary

    prepared = prepare(args.spec)
    plan = plan_for(prepared, window(args.window))
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
        write_text(target, text, output_roots(spec_folder(args.spec)), "-o")
    else:
        sys.stdout.write(text)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from engine.cli.progress import RenderDisplay
    from engine.pipeline import render_spec

    with RenderDisplay(sys.stderr, Path(args.spec).name) as display:
        result = render_spec(
            args.spec,
            args.output,
            on_progress=None if args.quiet else display,
            write_manifest=not args.no_manifest,
            on_warnings=print_warnings,
        )
    print(f"wrote {result.output} in {result.seconds:.1f}s")
    return 0


def cmd_still(args: argparse.Namespace) -> int:
    from engine.pipeline import render_still

    result = render_still(args.spec, args.at, args.output)
    print(f"wrote {result.output}")
    return 0


def add_parsers(sub: Subparsers) -> None:
    p = sub.add_parser("validate", help="check specs without rendering")
    p.add_argument("specs", nargs="+", metavar="SPEC")
    add_roots(p)
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("plan", help="print the ffmpeg command and filter graph")
    p.add_argument("spec")
    p.add_argument("--window", metavar="START:END", help="only the frames in [START, END) s")
    p.add_argument("--json", action="store_true", help="argv and graph as JSON")
    p.add_argument("-o", "--output", help="write the plan to this file")
    add_roots(p)
    p.set_defaults(run=cmd_plan)

    p = sub.add_parser("render", help="render a spec to a video file")
    p.add_argument("spec")
    p.add_argument("-o", "--output", help="output file (default: the spec's output.path)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-manifest", action="store_true", help="skip the provenance manifest")
    add_roots(p)
    p.set_defaults(run=cmd_render)

    p = sub.add_parser("still", help="render the frame at one time as an image")
    p.add_argument("spec")
    p.add_argument("--at", type=seconds(), required=True, metavar="SECONDS")
    p.add_argument("-o", "--output", required=True)
    add_roots(p)
    p.set_defaults(run=cmd_still)
