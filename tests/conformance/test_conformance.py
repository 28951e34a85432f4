"""Generated specs, rendered, must show and sound the way the spec says.

CI (the default): a fixed seed and CI_EXAMPLES specs; every FARM_EVERY-th one also goes
through the farm. ``--conformance-long``: LONG_EXAMPLES specs from a random seed, every one
also through the farm. Each spec also goes through ``still`` at one of its frames.

A failure is shrunk by Hypothesis to a minimal spec and printed in the form the regression
files keep (tests/conformance/regressions/); keep it there, named after the bug.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conformance.check import assert_conforms, check
from tests.conformance.farm import FarmRunner
from tests.conformance.media import Catalogue
from tests.conformance.strategies import specs

CI_EXAMPLES = 200
LONG_EXAMPLES = 3000
#: In CI, one spec in this many also renders on the farm (the slow part).
FARM_EVERY = 4

pytestmark = pytest.mark.conformance


def test_rendered_specs_conform(
    media: Catalogue,
    farm_client: FarmRunner,
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
) -> None:
    long = bool(pytestconfig.getoption("--conformance-long"))
    folder = tmp_path_factory.mktemp("conformance")
    runs = iter(range(10**9))

    @settings(
        max_examples=LONG_EXAMPLES if long else CI_EXAMPLES,
        derandomize=not long,
        database=None,
        deadline=None,
        print_blob=long,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        spec=specs(media),
        still=st.integers(0, 200),
        # Shrinks towards 0, "no farm": a failure that needs the farm keeps it.
        farm=st.integers(0, 0 if long else FARM_EVERY - 1),
        chunks=st.integers(2, 4),
    )
    def conforms(spec: dict[str, Any], still: int, farm: int, chunks: int) -> None:
        on_farm = long or farm == FARM_EVERY - 1
        report = check(
            spec,
            media,
            folder / str(next(runs)),
            still_frame=still,
            farm_chunks=chunks if on_farm else None,
            client=farm_client,
        )
        assert_conforms(report, spec, media)

    conforms()


def test_the_oracle_counts_frames_exactly(media: Catalogue) -> None:
    """The issue's own example: 25 fps, scenes of 2 + 3 + 2 s joined by two 0.5 s transitions
    last 6 s, exactly 150 frames (12.5 frames of overlap each, rounded on the timeline, not
    per transition)."""
    from tests.conformance.oracle import Oracle

    def scene(seconds: float) -> dict[str, Any]:
        return {"duration": seconds, "layers": [{"type": "color", "color": "#ff0000"}]}

    spec = {
        "version": 1,
        "output": {"path": "out.mp4", "fps": 25},
        "defaults": {"transition": {"type": "fade", "duration": 0.5}},
        "scenes": [scene(2), scene(3), scene(2)],
    }
    expected = Oracle(spec, media).expected()
    assert expected.frames == 150
    assert [(s.first, s.end) for s in expected.scenes] == [(0, 50), (38, 112), (100, 150)]
