"""The timeline is exact: every scene is placed from its absolute time and rounded to a frame
once, so frame counts never drift with the number of transitions."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.pipeline import prepare, render_spec
from tests.conftest import SpecWriter
from tests.media import count_frames

FPS = ["10", "12", "24", "25", "30", "30000/1001", "50"]


def spec_text(fps: str, scenes: list[tuple[str, str | None]]) -> str:
    lines = [
        "version: 1",
        f"output: {{path: out.mp4, size: 64x36, fps: {fps}, video: {{preset: ultrafast}}}}",
        "scenes:",
    ]
    for duration, transition in scenes:
        entry = f"  - {{duration: {duration}, layers: [{{type: color, color: red}}]"
        if transition is not None:
            entry += f", transition: {{type: fade, duration: {transition}}}"
        lines.append(entry + "}")
    return "\n".join(lines) + "\n"


def test_three_scenes_and_two_half_second_transitions_are_150_frames_at_25_fps(
    write_spec: SpecWriter,
) -> None:
    """Regression (issue 10): each transition was rounded to 12 frames on its own, and the
    6.0 s timeline rendered 151 frames."""
    spec = write_spec(spec_text("25", [("2", None), ("3", "0.5"), ("2", "0.5")]))
    resolved = prepare(spec).resolved
    assert resolved.frame_count == 150
    # Scene 2 runs from 1.5 s to 4.5 s: 37.5 and 112.5 frames, rounded (half to even, as
    # Python's round does) to 38 and 112; scene 3 from 4 s to 6 s.
    assert [(s.first_frame, s.end_frame) for s in resolved.scenes] == [
        (0, 50),
        (38, 112),
        (100, 150),
    ]
    assert count_frames(render_spec(spec).output) == 150


@st.composite
def timelines(draw: st.DrawFn) -> tuple[str, list[tuple[str, str | None]]]:
    """Scene and transition lengths on a 0.01 s grid (mostly not whole frames), always
    valid: a transition is shorter than both scenes it joins and than what remains of them."""
    fps = draw(st.sampled_from(FPS))
    count = draw(st.integers(1, 8))
    scenes: list[tuple[str, str | None]] = []
    entering = 0
    previous = 0
    for index in range(count):
        hundredths = draw(st.integers(20, 400))
        transition = None
        if index and draw(st.booleans()):
            room = min(hundredths, previous - entering) - 1
            if room >= 5:
                transition = draw(st.integers(5, room))
        scenes.append(
            (f"{hundredths / 100:g}", None if transition is None else f"{transition / 100:g}")
        )
        entering = transition or 0
        previous = hundredths
    return fps, scenes


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(timelines())
def test_every_scene_starts_and_ends_on_its_exact_time_rounded_once(
    write_spec: SpecWriter, timeline: tuple[str, list[tuple[str, str | None]]]
) -> None:
    fps_text, scenes = timeline
    resolved = prepare(write_spec(spec_text(fps_text, scenes))).resolved
    fps = Fraction(fps_text)
    start = Fraction(0)
    expected = []
    for index, (duration, transition) in enumerate(scenes):
        if index:
            start -= Fraction(transition) if transition else 0
        expected.append((round(start * fps), round((start + Fraction(duration)) * fps)))
        start += Fraction(duration)
    assert [(s.first_frame, s.end_frame) for s in resolved.scenes] == expected
    assert resolved.frame_count == round(start * fps)
    assert resolved.duration == start
