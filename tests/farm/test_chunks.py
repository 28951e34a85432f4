from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.farm.chunks import plan_chunks
from engine.pipeline import prepare
from tests.conftest import SpecWriter
from tests.resolve.test_scenes import spec_text, timelines

SPEC = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10}
defaults:
  transition: {type: fade, duration: 1}
scenes:
  - {duration: 3, layers: [{type: color}]}
  - {duration: 3, layers: [{type: color}]}
  - {duration: 3, layers: [{type: color}]}
"""


def test_chunks_cover_every_frame_once_and_avoid_transitions(write_spec: SpecWriter) -> None:
    resolved = prepare(write_spec(SPEC)).resolved
    assert resolved.frame_count == 70  # 9 s less two 1 s overlaps
    for options in ({"chunks": 3}, {"chunk_seconds": 2.0}, {"chunks": 1}, {"chunks": 50}):
        windows = plan_chunks(resolved, **options)
        assert windows[0][0] == 0 and windows[-1][1] == 70
        assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
        for f0, _ in windows[1:]:
            assert not (20 < f0 < 30 or 40 < f0 < 50), (options, windows)  # inside a fade
    assert len(plan_chunks(resolved, chunks=3)) == 3
    assert plan_chunks(resolved, chunk_seconds=2.5)[1][0] == 30  # 25 moved past the fade


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(timelines(), st.integers(1, 6), st.sampled_from([None, 0.3, 1, 2.5]))
def test_chunks_always_tile_the_video(
    write_spec: SpecWriter,
    timeline: tuple[str, list[tuple[str, str | None]]],
    chunks: int,
    seconds: float | None,
) -> None:
    """Regression (issue 10): a boundary near a scene start that was too close to the last
    one to be taken left the planner looping forever (found by the conformance suite)."""
    resolved = prepare(write_spec(spec_text(*timeline))).resolved
    options = {"chunk_seconds": seconds} if seconds else {"chunks": chunks}
    windows = plan_chunks(resolved, **options)  # type: ignore[arg-type]
    assert windows[0][0] == 0 and windows[-1][1] == resolved.frame_count
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in itertools.pairwise(windows))
    busy = [(s.first_frame, s.first_frame + s.transition_frames) for s in resolved.scenes]
    for f0, _ in windows[1:]:
        assert not any(start < f0 < end for start, end in busy)
