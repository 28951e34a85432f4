from __future__ import annotations

import pytest

from engine.errors import SpecError
from engine.spec.loader import load_spec, load_spec_text

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
    assert spec.scenes[1].transition is not None and spec.scenes[1].transition.type == "cut"


def test_a_transition_s_sound_crossfades_by_default_or_as_written() -> None:
    text = (
        HEADER
        + """defaults:
  transition: {type: fade, duration: 0.5}
scenes:
  - {duration: 1, layers: [{type: color}]}
  - {duration: 1, layers: [{type: color}]}
  - {duration: 1, transition: {duration: 0.2, audio: {curve: tri}}, layers: [{type: color}]}
  - {duration: 1, transition: {duration: 0.2, audio: cut}, layers: [{type: color}]}
"""
    )
    spec = load_spec_text(text).spec
    assert spec.defaults.transition is not None
    assert spec.defaults.transition.audio != "cut"
    assert spec.defaults.transition.audio.curve == "qsin"
    sounds = [scene.transition.audio for scene in spec.scenes[2:] if scene.transition]
    assert sounds[0] != "cut" and sounds[0].curve == "tri"
    assert sounds[1] == "cut"


@pytest.mark.parametrize(
    ("audio", "expected"),
    [
        ("fade", "spec.yaml:5:66: scenes[1].transition.audio: expected cut or a mapping such "
                 "as {curve: qsin} (got 'fade')"),
        ("3", "spec.yaml:5:66: scenes[1].transition.audio: expected cut or a mapping such as "
              "{curve: qsin} (got 3)"),
        ("{curve: sine}", "spec.yaml:5:74: scenes[1].transition.audio.curve: expected one of "
                          "qsin, equal-power, tri, hsin, exp, log (got 'sine'); did you mean "
                          "'qsin'?"),
        ("{curv: tri}", "spec.yaml:5:67: scenes[1].transition.audio.curv: unknown key 'curv'; "
                        "did you mean 'curve'? (allowed: curve)"),
    ],
)  # fmt: skip
def test_a_bad_transition_sound_is_located(audio: str, expected: str) -> None:
    text = HEADER + (
        "scenes:\n  - {duration: 1, layers: [{type: color}]}\n"
        f"  - {{duration: 1, transition: {{type: fade, duration: 0.5, audio: {audio}}}, "
        "layers: [{type: color}]}\n"
    )
    assert errors_of(text) == [expected]


def test_aliases_expand_within_a_limit_and_are_walked_once(monkeypatch) -> None:
    import time

    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
    )
    started = time.monotonic()
    (message,) = errors_of(bomb)
    assert time.monotonic() - started < 1
    assert message.startswith("spec.yaml:7:10: the document expands to over 1000000 values")
    monkeypatch.setenv("REELSPEC_MAX_YAML_NODES", "50")
    text = HEADER + "scenes:\n  - &s {duration: 1, layers: [{type: color}]}\n" + "  - *s\n" * 20
    (message,) = errors_of(text)
    assert "expands to over 50 values" in message and "REELSPEC_MAX_YAML_NODES" in message
    monkeypatch.delenv("REELSPEC_MAX_YAML_NODES")
    # A problem inside an aliased scene is located where the scene is written.
    bad = text.replace("{type: color}", "{type: color, fit: x}")
    messages = errors_of(bad)
    assert messages[0].startswith("spec.yaml:4:45: scenes[0].layers[0].fit: unknown key")
    assert all(m.startswith("spec.yaml:4:45: ") for m in messages)


def test_recursive_alias_nesting_and_number_length_are_located() -> None:
    assert errors_of("a: &a {b: *a}\n") == [
        "spec.yaml:1:11: recursive alias *a: it refers to the collection it is in"
    ]
    (message,) = errors_of("a: " + "[" * 200 + "]" * 200 + "\n")
    assert message == "spec.yaml:1:103: nested more than 100 levels deep"
    (message,) = errors_of("a: 0x" + "f" * 100 + "\n")
    assert message == "spec.yaml:1:4: a number of 102 characters is too long (at most 64)"


def test_unreadable_characters_and_bytes_are_located(tmp_path) -> None:
    (message,) = errors_of("version: 1\nname: é\x01\n")
    assert message.startswith("spec.yaml:2:8: YAML cannot hold the character U+0001")
    spec = tmp_path / "s.yaml"
    spec.write_bytes(b"version: 1\n# \xc3\xa9\xff\n")
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    assert str(caught.value.issues[0]).startswith(f"{spec}:2:4: not UTF-8 text: byte 0xff")


def test_spec_files_must_be_regular_and_bounded(tmp_path, monkeypatch) -> None:
    with pytest.raises(SpecError, match="is a folder, not a file"):
        load_spec(tmp_path)
    spec = tmp_path / "s.yaml"
    spec.write_text(HEADER + "scenes: []\n" + "#" * 500 + "\n", encoding="utf-8")
    monkeypatch.setenv("REELSPEC_MAX_SPEC_BYTES", "100")
    with pytest.raises(SpecError, match=r"over the limit of 100 \(raise it with REELSPEC_MAX_SP"):
        load_spec(spec)
    monkeypatch.setenv("REELSPEC_MAX_SPEC_BYTES", "lots")
    from engine.errors import ConfigError

    with pytest.raises(ConfigError, match="REELSPEC_MAX_SPEC_BYTES must be a whole number"):
        load_spec(spec)


def test_messages_quote_excerpts_and_stop_at_a_hundred_problems() -> None:
    long = "y" * 100_000
    messages = errors_of(HEADER + f"scenes:\n  - {{duration: 1, layers: [{{type: {long}}}]}}\n")
    assert len(messages[0]) < 400 and "(100000 characters)" in messages[0]
    many = HEADER + "scenes:\n" + "  - {duration: -1, layers: [{type: color}]}\n" * 300
    messages = errors_of(many)
    assert len(messages) == 101 and messages[-1] == "... and 200 more problems"
