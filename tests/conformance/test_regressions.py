"""Every bug the conformance suite found, kept as the minimal spec that shows it and run
through the same checker. One file per bug under regressions/, named after the bug:

    bug: what goes wrong (expected vs observed, and the commit it was found on)
    still: a frame to render through `still` as well (optional)
    farm: chunks for a farm render as well (optional)
    spec: the spec, with media paths written as {media}/NAME
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conformance.check import assert_conforms, check, localised
from tests.conformance.media import Catalogue

FOLDER = Path(__file__).parent / "regressions"
CASES = sorted(FOLDER.glob("*.yaml"))

pytestmark = pytest.mark.conformance


def load_case(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(case) <= {"bug", "still", "farm", "spec"}, f"{path.name}: unknown keys"
    assert case.get("bug") and case.get("spec"), f"{path.name}: needs bug and spec"
    return case  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_regression(
    path: Path, media: Catalogue, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    case = load_case(path)
    farm = case.get("farm")
    # The cluster starts only for the cases that go through the farm.
    client = request.getfixturevalue("farm_client") if farm else None
    spec = localised(case["spec"], media)
    report = check(
        spec, media, tmp_path, still_frame=case.get("still"), farm_chunks=farm, client=client
    )
    assert_conforms(report, spec, media)
