from __future__ import annotations

import pydantic
import pytest

from engine.spec.common import Placed, color_rgba
from engine.spec.models import Spec
from engine.spec.output import Output


def output(**kwargs: object) -> Output:
    return Output.model_validate({"path": "out.mp4", **kwargs})


@pytest.mark.parametrize(
    ("path", "codec"),
    [
        ("a.mp4", "h264"),
        ("a.mp4", "h265"),
        ("a.webm", "vp9"),
        ("a.mkv", "av1"),
        ("a.mov", "prores"),
        ("a.gif", "gif"),
        ("a.webm", "av1"),
    ],
)
def test_codec_container_pairs_that_work(path: str, codec: str) -> None:
    assert output(path=path, video={"codec": codec}).video.codec == codec


@pytest.mark.parametrize(
    ("path", "codec", "message"),
    [
        ("a.mp4", "prores", "cannot go in a .mp4"),
        ("a.webm", "h264", "cannot go in a .webm"),
        ("a.gif", "h264", "cannot go in a .gif"),
        ("a.avi", "h264", "unknown output extension"),
    ],
)
def test_codec_container_mismatch_is_an_error(path: str, codec: str, message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        output(path=path, video={"codec": codec})


def test_audio_codec_must_fit_container() -> None:
    with pytest.raises(pydantic.ValidationError, match=r"audio codec 'aac' cannot go in a \.webm"):
        output(path="a.webm", video={"codec": "vp9"}, audio={"codec": "aac"})
    assert output(path="a.webm", video={"codec": "vp9"}).audio_codec == "opus"
    assert output(path="a.gif", video={"codec": "gif"}).audio_codec is None


@pytest.mark.parametrize("value", [None, False, "none"])
def test_audio_can_be_turned_off(value: object) -> None:
    assert output(audio=value).audio is None


@pytest.mark.parametrize(
    ("given", "stored"),
    [(30, "30"), ("30000/1001", "30000/1001"), (23.976, "24000/1001"), ("25", "25")],
)
def test_fps_forms(given: object, stored: str) -> None:
    assert output(fps=given).fps == stored


@pytest.mark.parametrize("bad", [0, -1, "abc", "1/0", True])
def test_bad_fps(bad: object) -> None:
    with pytest.raises(pydantic.ValidationError):
        output(fps=bad)


def test_odd_sizes_rejected_for_420_codecs_but_fine_for_gif() -> None:
    with pytest.raises(pydantic.ValidationError, match="even width and height"):
        output(size="321x180")
    assert output(path="a.gif", size="321x181", video={"codec": "gif"}).width == 321


def test_colors_normalize() -> None:
    assert color_rgba("#fff") == (255, 255, 255, 255)
    assert color_rgba("#00000080") == (0, 0, 0, 128)


def test_models_are_frozen() -> None:
    placed = Placed()
    with pytest.raises(pydantic.ValidationError):
        placed.margin = 3  # type: ignore[misc]


def test_schema_generates_with_discriminated_layers() -> None:
    schema = Spec.model_json_schema(by_alias=True)
    layer_defs = {name for name in schema["$defs"] if name.endswith("Layer")}
    assert {
        "ImageLayer",
        "VideoLayer",
        "TextLayer",
        "ColorLayer",
        "GradientLayer",
        "ImageSequenceLayer",
    } <= layer_defs
