"""``reelspec schema``: writes (or with ``--check``, compares) the spec's JSON Schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.cli.args import Subparsers

DEFAULT_SCHEMA_PATH = Path("schemas/reelspec.schema.json")


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


def add_parsers(sub: Subparsers) -> None:
    p = sub.add_parser("schema", help="write the JSON Schema of the spec format")
    p.add_argument("-o", "--output", default=str(DEFAULT_SCHEMA_PATH))
    p.add_argument("--check", action="store_true", help="fail if the file is stale")
    p.set_defaults(run=cmd_schema)
