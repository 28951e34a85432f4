"""The command line's frame: the parser (each command group adds its own subcommands), the
``--output-root``/``--media-root`` roots, and errors turned into messages and exit codes.
User mistakes print without a traceback; ``--debug`` shows it; anything unexpected is a bug
and says so (exit code 70)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from types import FrameType
from typing import NoReturn

from engine import __version__
from engine.cli import batch, farm, gan, render, schema, text2video, voices
from engine.errors import ReelspecError

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

#: The command groups, in the order ``reelspec --help`` lists them.
GROUPS = (render, batch, farm, text2video, gan, schema, voices)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reelspec", description="Render videos from declarative YAML specs."
    )
    parser.add_argument("--version", action="version", version=f"reelspec {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for every error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_parsers(sub)
    return parser


def _terminate_as_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _exit_interrupted(code: int) -> NoReturn:
    """The interrupt was handled (temporaries removed, message printed): the process only
    exits, now. A second Ctrl-C, or one still pending from the keypress that the render
    already saw through ffmpeg stopping, would otherwise raise KeyboardInterrupt while Python
    shuts down (waiting for a model's thread, or in TensorFlow's exit handlers), and the
    process would die by the signal instead of exiting 130 (seen: exit -2 after "error:
    interrupted", even with the signals ignored from here on). Nothing is left to finish:
    the output was not written and its temporaries are gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _run(args: argparse.Namespace) -> int:
    """The command, with the roots named by --output-root and --media-root added."""
    from engine.paths import folder_root, widened

    outputs = [folder_root(d, "--output-root") for d in getattr(args, "output_root", [])]
    media = [folder_root(d, "--media-root") for d in getattr(args, "media_root", [])]
    with widened(outputs, media):
        return int(args.run(args))


def _report(exc: ReelspecError, debug: bool) -> int:
    """A deliberate error as the user sees it: its message, the command that failed (for
    ffmpeg's errors), and its exit code."""
    if debug:
        traceback.print_exc()
    print(f"error: {exc}", file=sys.stderr)
    command = getattr(exc, "command", ())
    if command:
        import shlex

        print("command: " + " ".join(shlex.quote(c) for c in command), file=sys.stderr)
    return exc.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # A plain `kill` stops a render the way Ctrl-C does: ffmpeg stopped, temporaries removed.
    signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    try:
        return _run(args)
    except ReelspecError as exc:
        code = _report(exc, args.debug)
        if code == EXIT_INTERRUPTED and argv is None:
            _exit_interrupted(code)
        return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        if argv is None:  # the process itself, not a caller's interpreter (tests)
            _exit_interrupted(EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED
    except Exception:
        traceback.print_exc()
        print(
            "internal error: this is a bug in reelspec; please report it with the traceback above",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
