"""The exception tree: errors keep what they carry through pickling (farm workers raise them
in another process)."""

from __future__ import annotations

import pickle

from engine.errors import FeedError, RenderError, SpecError, SpecIssue


def test_a_spec_error_survives_pickling_with_its_locations() -> None:
    error = SpecError(
        [
            SpecIssue(
                "unknown key 'fitt'; did you mean 'fit'?", "scenes[1].layers[0]", "a.yaml", 7, 9
            ),
            SpecIssue("file not found: x.png", "overlays[0].src", "a.yaml", 12, 10),
        ]
    )
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is SpecError
    assert back.issues == error.issues
    assert str(back) == str(error)
    assert "a.yaml:7:9: scenes[1].layers[0]: unknown key 'fitt'" in str(back)


def test_a_render_error_survives_pickling_with_its_command_and_stderr() -> None:
    for kind in (RenderError, FeedError):
        error = kind("ffmpeg failed with exit code 1", ["ffmpeg", "-i", "x.mp4"], "x.mp4: bad")
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is kind
        assert (str(back), back.command, back.stderr_tail) == (
            str(error),
            ("ffmpeg", "-i", "x.mp4"),
            "x.mp4: bad",
        )
