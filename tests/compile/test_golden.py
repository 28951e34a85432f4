"""Golden plans for every example spec: the compiler's output is byte-stable and reviewable.

Regenerate after an intended change with ``REELSPEC_UPDATE_GOLDEN=1 pytest tests/compile``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from engine.cache import cache_dir
from engine.compile.compiler import compile_plan
from engine.pipeline import prepare

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
#: The example specs, by their golden plans: a spec that someone generates into specs/ (the
#: README's text2video example, say) is not an example and must not fail the tests.
SPECS = sorted(
    ROOT / "specs" / golden.name.replace(".plan.txt", ".yaml")
    for golden in GOLDEN.glob("*.plan.txt")
)


def normalized_plan(spec: Path) -> str:
    plan = compile_plan(prepare(spec).resolved)
    text = plan.pretty("ffmpeg").replace(str(ROOT / "specs"), "<specs>")
    cards: dict[str, str] = {}

    def card(match: re.Match[str]) -> str:
        return cards.setdefault(match.group(0), f"<cache:{len(cards) + 1}>")

    # Drawn artifacts are named by a content hash that includes the font file's bytes;
    # numbering them keeps the golden file about the graph, not about font versions. An
    # animated text's pictures are a numbered sequence in a folder named so.
    return re.sub(
        re.escape(str(cache_dir())) + r"/\w\w/\w+(/%06d)?\.(png|wav|cube|srt)", card, text
    )


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_plan_matches_golden(spec: Path) -> None:
    golden = GOLDEN / f"{spec.stem}.plan.txt"
    text = normalized_plan(spec)
    if os.environ.get("REELSPEC_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden plan for {spec.name}; run with REELSPEC_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def test_every_example_in_the_readme_has_a_golden_plan() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w-]+)\.yaml`", readme.split("## Examples", 1)[1]))
    assert named == {spec.stem for spec in SPECS}
    assert all(spec.is_file() for spec in SPECS)


def test_compiling_twice_gives_identical_argv() -> None:
    resolved = prepare(ROOT / "specs" / "showcase.yaml").resolved
    assert compile_plan(resolved).argv() == compile_plan(resolved).argv()
    window = (96, 237)
    assert compile_plan(resolved, window).argv() == compile_plan(resolved, window).argv()
