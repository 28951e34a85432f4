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


@pytest.mark.parametrize(
    ("path", "codec"),
    [
        ("a.mp3", "mp3"),
        ("a.M4A", "aac"),
        ("a.wav", "pcm"),
        ("a.flac", "flac"),
        ("a.ogg", "vorbis"),
        ("a.opus", "opus"),
    ],
)
def test_sound_files_take_their_containers_codec_and_leave_video_unused(
    path: str, codec: str
) -> None:
    sound = output(path=path, size="161x91", video={"codec": "prores", "crf": 3})
    assert sound.audio_only and sound.audio_codec == codec
    assert not output().audio_only


def test_sound_files_hold_only_their_own_codecs_and_cannot_be_silent() -> None:
    assert output(path="a.ogg", audio={"codec": "opus"}).audio_codec == "opus"
    with pytest.raises(pydantic.ValidationError, match=r"audio codec 'aac' cannot go in a \.opus"):
        output(path="a.opus", audio={"codec": "aac"})
    with pytest.raises(pydantic.ValidationError, match=r"a \.wav file holds only sound"):
        output(path="a.wav", audio=False)


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


def _layer_error(layer: dict[str, object]) -> str:
    spec = {
        "version": 1,
        "output": {"path": "out.mp4"},
        "scenes": [{"duration": 1, "layers": [layer]}],
    }
    with pytest.raises(pydantic.ValidationError) as caught:
        Spec.model_validate(spec)
    return str(caught.value)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
@pytest.mark.parametrize(
    "layer",
    [
        {"type": "gradient", "colors": ["red", "blue"], "angle": "VALUE"},
        {"type": "text", "text": "a", "start": "VALUE"},
        {"type": "text", "text": "a", "style": {"max_width": "VALUE"}},
        {"type": "text", "text": "a", "style": {"line_spacing": "VALUE"}},
        {"type": "image", "src": "a.png", "zoom": {"from": "VALUE"}},
        {"type": "video", "src": "a.mp4", "trim": {"start": "VALUE"}},
        {"type": "generator", "model": "m.keras", "duration": "VALUE"},
        {
            "type": "generator",
            "model": "m.keras",
            "motion": {"kind": "latents", "points": [["VALUE"], 1]},
        },
    ],
)
def test_no_number_may_be_infinite_or_nan(layer: dict[str, object], value: float) -> None:
    def put(node: object) -> object:
        if node == "VALUE":
            return value
        if isinstance(node, dict):
            return {k: put(v) for k, v in node.items()}
        if isinstance(node, list):
            return [put(v) for v in node]
        return node

    message = _layer_error(put(layer))  # type: ignore[arg-type]
    assert "finite number" in message or "less than or equal" in message, message


@pytest.mark.parametrize(
    ("layer", "words"),
    [
        ({"type": "text", "text": "a", "style": {"box": {"padding": 14000}}}, "2048"),
        ({"type": "text", "text": "a", "style": {"box": {"radius": 10**6}}}, "4096"),
        ({"type": "text", "text": "a", "margin": 10**5}, "8192"),
        ({"type": "text", "text": "a", "offset": [10**16, 0]}, "32768"),
        ({"type": "text", "text": "a", "x": -(10**9)}, "-32768"),
        ({"type": "text", "text": "a", "style": {"shadow": {"offset": [10**16, 1]}}}, "1024"),
        ({"type": "text", "text": "a", "style": {"size": 5000}}, "2000"),
        ({"type": "image", "src": "a.png", "fit": "none", "width": 10**6}, "16384"),
        ({"type": "gradient", "colors": ["red", "blue"], "angle": 1e9}, "360"),
        ({"type": "text", "text": "a", "start": 10**9}, "86400"),
        ({"type": "text", "text": "a", "start": 3, "end": 1}, "must be after start"),
        ({"type": "image", "src": "x" * 300}, "at most 255 bytes"),
        ({"type": "image", "src": "a\x00.png"}, "control characters"),
        ({"type": "image", "src": "p" * 5000}, "at most 4096 characters"),
        ({"type": "image_sequence", "src": "f_%03d.png", "fps": "1e5000"}, "at most 1000"),
        ({"type": "text", "text": "a", "highlights": ["w" * 500]}, "at most 200 characters"),
    ],
)
def test_magnitudes_and_lengths_are_bounded(layer: dict[str, object], words: str) -> None:
    assert words in _layer_error(layer)


def test_schema_carries_the_bounds() -> None:
    from engine.spec.schema import spec_schema

    defs = spec_schema()["$defs"]
    assert defs["Box"]["properties"]["padding"]["maximum"] == 2048
    assert defs["Scene"]["properties"]["duration"]["anyOf"][0]["maximum"] == 86400
    assert defs["ImageLayer"]["properties"]["src"]["maxLength"] == 4096
    fps = defs["Output"]["properties"]["fps"]["anyOf"]
    assert fps[0]["maximum"] == 1000 and "pattern" in fps[1]
