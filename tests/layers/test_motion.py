"""Keyframes, easing, entrances and exits, rendered and measured frame by frame.

Every expectation is computed from the spec with tests/easing_reference.py (curves written
again by other methods) and docs/spec.md's rules: frame k shows the value at its own time
k / fps; a keyframe's easing shapes the way into it; ``x``/``y`` are the box's top-left corner;
scale and rotation turn about the box's centre; an entrance starts when the layer does and an
exit ends when it does. Videos are 160x90 lossless 4:4:4, so positions come back exact.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.easing import NAMES
from engine.pipeline import render_spec
from tests.conftest import SpecWriter
from tests.easing_reference import curve, keyframed
from tests.media import probe, run_ffmpeg

HEAD = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10,
         video: {codec: h264, preset: ultrafast, crf: 0, pix_fmt: yuv444p}}
"""
W, H, FPS = 160, 90, 10


def frames(path: Path) -> np.ndarray:
    info = probe(path)
    raw = run_ffmpeg("-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
    return np.frombuffer(raw, np.uint8).reshape(-1, info.height or H, info.width or W, 3)


def box(frame: np.ndarray, channel: int) -> tuple[int, int, int, int] | None:
    """Left, top, width, height of the pixels strongly of one primary colour."""
    others = [c for c in range(3) if c != channel]
    mask = (frame[:, :, channel] > 128) & np.all(frame[:, :, others] < 100, axis=2)
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return None
    return int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


def render(write_spec: SpecWriter, body: str) -> np.ndarray:
    return frames(render_spec(write_spec(HEAD + body)).output)


def rect(fill: str, extra: str, width: int = 20, height: int = 10) -> str:
    return (
        f'      - {{type: shape, shape: rect, width: {width}, height: {height}, fill: "{fill}", '
        f"{extra}}}\n"
    )


def one_scene(layers: str, duration: float = 2) -> str:
    return (
        f"scenes:\n  - duration: {duration}\n    layers:\n"
        f'      - {{type: color, color: "#000000"}}\n{layers}'
    )


EASINGS = st.one_of(
    st.sampled_from([n for n in NAMES if n != "hold"]),
    st.tuples(st.floats(0, 1), st.floats(-1, 2), st.floats(0, 1), st.floats(-1, 2)).map(
        lambda p: {"cubic_bezier": [round(v, 2) for v in p]}
    ),
    st.tuples(st.floats(0.5, 3), st.floats(50, 400), st.floats(4, 40)).map(
        lambda p: {
            "spring": {"mass": round(p[0], 2), "stiffness": round(p[1]), "damping": round(p[2])}
        }
    ),
)


def _yaml(value: object) -> str:
    import json

    return json.dumps(value)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    times=st.lists(st.integers(0, 20), min_size=2, max_size=4, unique=True).map(sorted),
    values=st.lists(st.integers(0, 140), min_size=4, max_size=4),
    easings=st.lists(EASINGS, min_size=4, max_size=4),
)
def test_x_follows_its_keyframes_at_every_frame(
    write_spec: SpecWriter, times: list[int], values: list[int], easings: list[object]
) -> None:
    keys = [[t / 10, values[i], easings[i]] for i, t in enumerate(times)]
    shown = render(write_spec, one_scene(rect("#ff0000", f"y: 40, x: {_yaml(keys)}")))
    assert len(shown) == 20
    # Springs are integrated numerically here (the engine solves them exactly): agreement
    # to a fraction of a pixel, so a value that close to a whole pixel may round either way.
    slack = 0.5 if any(isinstance(e, dict) and "spring" in e for e in easings) else 1e-6
    for k, picture in enumerate(shown):
        want = keyframed(keys, Fraction(k, FPS))  # type: ignore[arg-type]
        seen = box(picture, 0)
        lefts = {max(0, math.floor(want - slack)), max(0, math.floor(want + slack))}
        if math.floor(want) <= -20 or math.floor(want) >= W:
            continue
        assert seen is not None, (k, want)
        assert seen[0] in lefts, (k, seen, want, keys)


def test_opacity_keyframes_blend_with_what_is_below(write_spec: SpecWriter) -> None:
    keys = [[0, 0], [1, 1, "ease-in-quad"], [1.5, 0.5, "hold"], [2, 0.2, "ease-out-sine"]]
    shown = render(
        write_spec, one_scene(rect("#ffffff", f"x: 60, y: 40, opacity: {_yaml(keys)}", 40, 20))
    )
    for k, picture in enumerate(shown):
        want = min(1.0, max(0.0, keyframed(keys, Fraction(k, FPS))))  # type: ignore[arg-type]
        seen = float(picture[50, 80].mean())
        assert abs(seen - 255 * want) <= 4, (k, seen, 255 * want)


def test_keyframe_times_count_from_the_layer_start(write_spec: SpecWriter) -> None:
    keys = [[0, 0], [1, 100]]
    layer = rect("#ff0000", f"y: 40, start: 0.5, x: {_yaml(keys)}")
    shown = render(write_spec, one_scene(layer))
    assert box(shown[4], 0) is None
    for k in range(5, 20):
        want = keyframed(keys, Fraction(k - 5, FPS))  # type: ignore[arg-type]
        assert box(shown[k], 0)[0] == math.floor(want), k  # type: ignore[index]


def test_overlay_keyframes_are_on_the_video_timeline(write_spec: SpecWriter) -> None:
    keys = [[1, 0], [2, 120, "ease-in-out-cubic"]]
    body = (
        "scenes:\n  - {duration: 1, layers: [{type: color, color: '#000000'}]}\n"
        "  - {duration: 1.5, layers: [{type: color, color: '#000000'}]}\n"
        "overlays:\n"
        f'  - {{type: shape, shape: rect, width: 20, height: 10, fill: "#ff0000", y: 40, '
        f"start: 0.5, x: {_yaml(keys)}}}\n"
    )
    shown = render(write_spec, body)
    assert len(shown) == 25
    for k in range(5, 25):
        want = keyframed(keys, Fraction(k, FPS))  # type: ignore[arg-type]
        assert box(shown[k], 0)[0] == math.floor(want), k  # type: ignore[index]


def test_enter_slide_and_exit_fade(write_spec: SpecWriter) -> None:
    layer = rect(
        "#00ff00",
        "x: 70, y: 40, enter: {slide: left, duration: 0.5}, exit: {fade: 0.4, easing: linear}",
    )
    shown = render(write_spec, one_scene(layer))
    ease = curve("ease-out-cubic")
    for k in range(0, 5):
        # From just outside the left edge (x = -20) to 70.
        want = -20 + 90 * ease(k / 5)
        seen = box(shown[k], 1)
        if math.floor(want) <= -20:
            assert seen is None
            continue
        assert seen is not None and seen[0] == max(0, math.floor(want)), (k, seen, want)
    for k in range(5, 17):
        assert box(shown[k], 1)[0] == 70, k  # type: ignore[index]
    for k in range(16, 20):
        want = 1 - (k / FPS - 1.6) / 0.4
        assert abs(float(shown[k][45, 80, 1]) - 255 * want) <= 4, k


def test_pop_scale_and_rotation_about_the_centre(write_spec: SpecWriter) -> None:
    layers = rect("#ff0000", "x: 20, y: 30, enter: {pop: 0.5}", 40, 20) + rect(
        "#0000ff", "x: 100, y: 40, rotation: [[0, 0], [1, 90]], scale: [[1, 1], [2, 0.5]]", 40, 10
    )
    shown = render(write_spec, one_scene(layers))
    pop = curve("ease-out-back")
    for k in range(1, 10):
        s = pop(k / 5) if k < 5 else 1.0
        seen = box(shown[k], 0)
        assert seen is not None
        assert abs(seen[2] - 40 * s) <= 2 and abs(seen[3] - 20 * s) <= 2, (k, seen, s)
        assert abs(seen[0] + seen[2] / 2 - 40) <= 1.5, k  # centred where it rests
    # Turned a quarter: 10 wide and 40 tall, about the same centre (120, 45).
    seen = box(shown[10], 2)
    assert seen is not None and abs(seen[2] - 10) <= 2 and abs(seen[3] - 40) <= 2, seen
    assert abs(seen[0] + seen[2] / 2 - 120) <= 1.5 and abs(seen[1] + seen[3] / 2 - 45) <= 1.5
    # Then halved: 5 × 20 at 2 s (frame 19 is 0.95 of the way).
    seen = box(shown[19], 2)
    s = 1 - 0.5 * 0.9
    assert seen is not None and abs(seen[3] - 40 * s) <= 2, (seen, s)


def test_a_full_frame_layer_slides_in_from_the_top(write_spec: SpecWriter) -> None:
    layers = (
        '      - {type: color, color: "#ff0000", '
        "enter: {slide: top, duration: 1, easing: linear}}\n"
    )
    shown = render(write_spec, one_scene(layers))
    for k in range(0, 12):
        bottom_edge = math.floor(-90 + 90 * min(1, k / 10)) + 90
        seen = box(shown[k], 0)
        if bottom_edge <= 0:
            assert seen is None
            continue
        assert seen is not None and seen[1] == 0 and seen[3] == bottom_edge, (k, seen)


def test_hold_keeps_the_value_until_its_keyframe(write_spec: SpecWriter) -> None:
    keys = [[0, 10], [1, 100, "hold"]]
    shown = render(write_spec, one_scene(rect("#ff0000", f"y: 40, x: {_yaml(keys)}")))
    assert [box(f, 0)[0] for f in shown[:12]] == [10] * 10 + [100] * 2  # type: ignore[index]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("opacity: [[0, 0], [0, 1]]", "keyframe times must increase"),
        ("opacity: 1.5", "between 0 and 1"),
        ("x: [[0, 0], [1, 10, ease-out-cubik]]", "ease-out-cubic"),
        ("enter: {duration: 1}", "say what moves"),
        ("scale: [[0, 1], [1, -1]]", "between 0 and 100"),
    ],
)
def test_bad_motion_is_a_located_error(write_spec: SpecWriter, value: str, message: str) -> None:
    from engine.errors import SpecError
    from engine.pipeline import prepare

    path = write_spec(HEAD + one_scene(rect("#ff0000", value)))
    with pytest.raises(SpecError) as raised:
        prepare(path)
    text = str(raised.value)
    assert message in text and f"{path}:" in text, text


def test_frames_between_keyframes_take_the_value_at_their_own_time() -> None:
    """A keyframe between two frames (0.25 s at 10 fps) still gives every frame the curve's
    value at k / fps: checked on the resolved animation, no rounding of keyframe times."""
    from engine.resolve.animation import animation_of
    from engine.spec.animation import PlacedMoving

    spec = PlacedMoving.model_validate({"x": [[0.25, 0], [0.75, 100]]})
    animation = animation_of(spec, Fraction(0), Fraction(0), Fraction(10), Fraction(10))
    assert animation is not None and animation.x is not None
    assert [round(animation.x.at(k), 6) for k in range(9)] == [0, 0, 0, 10, 30, 50, 70, 90, 100]
