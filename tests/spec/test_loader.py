from __future__ import annotations

import pytest

from engine.errors import SpecError
from engine.spec import load_spec, load_spec_text

HEADER = """version: 1
output: {path: out.mp4, size: 320x180, fps: 25}
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, file="spec.yaml")
    return [str(issue) for issue in caught.value.issues]


def test_valid_spec_loads_with_defaults() -> None:
    loaded = load_spec_text(HEADER + "scenes:\n  - {duration: 2, layers: [{type: color}]}\n")
    spec = loaded.spec
    assert spec.output.width == 320 and spec.output.height == 180
    assert spec.output.fps == "25"
    assert spec.output.audio is not None and spec.output.audio_codec == "aac"
    assert spec.scenes[0].layers[0].color == "#000000"


def test_bad_enum_points_at_line_and_column_and_suggests() -> None:
    text = (
        HEADER
        + """scenes:
  - duration: 4
    layers:
      - {type: image, src: a.png, fit: cove}
"""
    )
    (message,) = errors_of(text)
    assert message.startswith("spec.yaml:6:40: scenes[0].layers[0].fit: expected one of contain,")
    assert "(got 'cove')" in message and "did you mean 'cover'?" in message


def test_unknown_key_points_at_the_key_with_did_you_mean() -> None:
    text = (
        HEADER
        + """scenes:
  - duration: 4
    layers:
      - type: color
        colour: red
"""
    )
    (message,) = errors_of(text)
    assert message.startswith("spec.yaml:7:9: scenes[0].layers[0].colour: unknown key 'colour'")
    assert "did you mean 'color'?" in message


def test_unknown_layer_type_suggests_the_closest() -> None:
    (message,) = errors_of(HEADER + "scenes:\n  - {duration: 1, layers: [{type: imag}]}\n")
    assert "unknown type 'imag'" in message and "did you mean 'image'?" in message
    assert message.startswith("spec.yaml:4:35: scenes[0].layers[0].type: unknown type")


def test_all_errors_are_reported_at_once_in_source_order() -> None:
    text = """version: 2
output: {path: out.mp4, size: 320x181, fps: -3}
scenes:
  - duration: -1
    layers: [{type: text, text: ""}]
audio:
  - {src: a.wav, volme: 2}
"""
    messages = errors_of(text)
    joined = "\n".join(messages)
    assert len(messages) >= 5, joined
    assert "spec.yaml:1:10: version" in joined
    assert "output.fps" in joined
    assert "scenes[0].duration" in joined and "greater than 0" in joined
    assert "scenes[0].layers[0].text" in joined
    assert "audio[0].volme: unknown key 'volme'; did you mean 'volume'?" in joined
    lines = [int(m.split(":")[1]) for m in messages]
    assert lines == sorted(lines)


def test_yaml_syntax_error_has_location() -> None:
    (message,) = errors_of("version: 1\noutput: {path: a.mp4\nscenes: []\n")
    assert message.startswith("spec.yaml:3:") and "YAML syntax error" in message


def test_duplicate_keys_are_errors() -> None:
    (message,) = errors_of(HEADER + "scenes: []\nscenes: []\n")
    assert message == "spec.yaml:4:1: scenes: duplicate key 'scenes'"


def test_missing_required_keys_are_named() -> None:
    messages = errors_of("version: 1\nscenes:\n  - {duration: 1, layers: [{type: image}]}\n")
    joined = "\n".join(messages)
    assert "missing required key 'output'" in joined
    assert "scenes[0].layers[0].src: missing required key 'src'" in joined


def test_empty_file_and_non_mapping() -> None:
    assert "the spec is empty" in errors_of("")[0]
    assert "a spec is a mapping" in errors_of("- 1\n- 2\n")[0]


def test_missing_spec_file(tmp_path) -> None:
    with pytest.raises(SpecError, match="spec file not found"):
        load_spec(tmp_path / "nope.yaml")


def test_scene_transition_inherits_and_cut_overrides() -> None:
    text = (
        HEADER
        + """defaults:
  transition: {type: wipeleft, duration: 0.5}
scenes:
  - {duration: 1, layers: [{type: color}]}
  - {duration: 1, transition: {type: cut}, layers: [{type: color}]}
"""
    )
    spec = load_spec_text(text).spec
    assert spec.defaults.transition is not None and spec.defaults.transition.type == "wipeleft"
    assert spec.scenes[1].transition is not None and spec.scenes[1].transition.overlap == 0
