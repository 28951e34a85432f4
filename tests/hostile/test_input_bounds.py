"""Bad input gets a clear, located error and every resource stays bounded: specs (YAML bombs,
FIFOs, bytes that are not UTF-8), numbers (inf, nan, absurd magnitudes), echoed values, Jinja2
templates and their data files, text drawing, and files that are not what they claim.

Every case runs the real CLI and checks the exit code, the message (``file:line:col`` where
the problem has a place), that no traceback is printed, that it ends in bounded time (cases
that used to hang run in a child process with a timeout) and that nothing is written.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.cli import main

HEADER = "version: 1\noutput: {path: out.mp4, size: 320x180, fps: 25}\n"
COLOR_SCENE = "scenes:\n  - {duration: 1, layers: [{type: color}]}\n"

#: A "billion laughs": nine levels of nine aliases, 9**9 values once expanded.
BOMB = (
    "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
    + "version: 1\n"
)


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def run_main(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    """The CLI in this process: (exit code, stderr)."""
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def run_child(
    *args: str | Path, timeout: float = 60, env: dict[str, str] | None = None
) -> tuple[int, str, float]:
    """The CLI in a child process, for cases that used to hang: (exit code, stderr, seconds)."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "engine.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return result.returncode, result.stderr, time.monotonic() - started


def assert_clear(code: int, err: str, expected: int, *words: str) -> None:
    assert code == expected, (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    for word in words:
        assert word in err, (word, err)


def validate(
    capsys: pytest.CaptureFixture[str], folder: Path, text: str, name: str = "spec.yaml"
) -> str:
    """Write ``text`` as a spec, validate it (exit 2 expected, nothing written), and return
    the message."""
    spec = folder / name
    spec.write_text(text, encoding="utf-8")
    before = listing(folder)
    code, err = run_main(capsys, "validate", spec)
    assert_clear(code, err, 2)
    assert listing(folder) == before
    return err


# --- 1. YAML and spec files ----------------------------------------------------------------------


def test_alias_bomb_fails_in_well_under_a_second_at_the_alias(tmp_path: Path) -> None:
    from engine.errors import SpecError
    from engine.spec.loader import load_spec

    spec = tmp_path / "bomb.yaml"
    spec.write_text(BOMB, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    assert time.monotonic() - started < 1.0
    (issue,) = caught.value.issues
    assert (issue.file, issue.line) == (str(spec), 7) and issue.column is not None
    assert "REELSPEC_MAX_YAML_NODES" in issue.message
    code, err, _ = run_child("validate", spec, timeout=30)
    assert_clear(code, err, 2, f"{spec}:7:", "expands to over 1000000 values")


def test_recursive_aliases_deep_nesting_and_long_numbers_are_located(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    err = validate(capsys, tmp_path, "a: &a [1, *a]\n")
    assert "spec.yaml:1:11: recursive alias *a" in err
    err = validate(capsys, tmp_path, HEADER + "x: " + "[" * 5000 + "]" * 5000 + "\n")
    # Ours at the 101st level; PyYAML 6.0.4 and later refuse deep flow nesting themselves,
    # while scanning, before the depth reaches ours. Either way: located, no traceback.
    assert re.search(r"spec\.yaml:3:\d+: .*nest", err), err
    err = validate(capsys, tmp_path, HEADER + "x: 1" + "0" * 5000 + "\n")
    assert "spec.yaml:3:4: a number of 5001 characters is too long" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_fifo_or_a_device_as_spec_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    code, err, seconds = run_child("validate", fifo, timeout=30)
    assert_clear(code, err, 2, "is a FIFO (named pipe); only regular files are read")
    code, err, _ = run_child("validate", "/dev/zero", timeout=30)
    assert_clear(code, err, 2, "/dev/zero is a device")
    assert seconds < 20


def test_spec_size_and_encoding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes((HEADER + COLOR_SCENE).encode() + b"# caf\xe9\n")
    code, err = run_main(capsys, "validate", spec)
    assert_clear(code, err, 2, f"{spec}:5:6: not UTF-8 text: byte 0xe9")
    spec.write_text(HEADER + COLOR_SCENE + "# " + "x" * 3000 + "\n", encoding="utf-8")
    monkeypatch.setenv("REELSPEC_MAX_SPEC_BYTES", "2000")
    code, err = run_main(capsys, "validate", spec)
    assert_clear(code, err, 2, "over the limit of 2000", "REELSPEC_MAX_SPEC_BYTES")
    spec.write_text(HEADER + "\x07: 1\n" + COLOR_SCENE, encoding="utf-8")
    monkeypatch.delenv("REELSPEC_MAX_SPEC_BYTES")
    code, err = run_main(capsys, "validate", spec)
    assert_clear(code, err, 2, f"{spec}:3:1: YAML cannot hold the character U+0007")


# --- 2. numbers -------------------------------------------------------------------------------

LAYERS = """scenes:
  - duration: {duration}
    transition: {{type: fade, duration: {transition}}}
    layers:
      - {{type: gradient, colors: [red, blue], angle: {angle}}}
      - {{type: text, text: hi, start: {start}, x: {x}, style: {{max_width: {max_width},
          shadow: {{offset: [{shadow}, 0]}}, box: {{padding: {padding}}}}}}}
      - {{type: image_sequence, src: "f_%03d.png", fps: {sequence_fps}}}
audio:
  - {{src: a.wav, volume: {volume}, fade_in: {fade}}}
"""
FINE = {
    "duration": "2",
    "transition": "0.5",
    "angle": "45",
    "start": "0",
    "x": "10",
    "max_width": "0.8",
    "shadow": "3",
    "padding": "8",
    "sequence_fps": "25",
    "volume": "1",
    "fade": "0",
}
WHERE = {
    "duration": "scenes[0].duration",
    "transition": "scenes[0].transition.duration",
    "angle": "scenes[0].layers[0].angle",
    "start": "scenes[0].layers[1].start",
    "x": "scenes[0].layers[1].x",
    "max_width": "scenes[0].layers[1].style.max_width",
    "shadow": "scenes[0].layers[1].style.shadow.offset[0]",
    "padding": "scenes[0].layers[1].style.box.padding",
    "sequence_fps": "scenes[0].layers[2].fps",
    "volume": "audio[0].volume",
    "fade": "audio[0].fade_in",
}


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e5000", "1.0e+400", "1" + "0" * 30])
@pytest.mark.parametrize("field", sorted(FINE))
def test_non_finite_and_absurd_numbers_name_their_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, field: str, value: str
) -> None:
    text = HEADER + LAYERS.format(**{**FINE, field: value})
    err = validate(capsys, tmp_path, text)
    assert "spec.yaml:" in err and f": {WHERE[field]}: " in err, err
    line = next(ln for ln in err.splitlines() if f": {WHERE[field]}: " in ln)
    assert line.split(":")[1].isdigit() and line.split(":")[2].isdigit(), line


def test_frame_rate_of_1e5000_says_it_is_the_frame_rate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = "version: 1\noutput: {path: out.mp4, fps: 1e5000}\n" + COLOR_SCENE
    err = validate(capsys, tmp_path, text)
    assert "spec.yaml:2:30: output.fps: the frame rate must be at most 1000" in err


def test_a_layer_may_not_end_before_it_starts_and_names_are_bounded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (
        HEADER + "scenes:\n  - {duration: 4, layers: [{type: text, text: a, start: 3, end: 1}]}\n"
    )
    err = validate(capsys, tmp_path, text)
    assert "spec.yaml:4:28: scenes[0].layers[0]: end (1) must be after start (3)" in err
    name = "n" * 300 + ".png"
    text = HEADER + f"scenes:\n  - {{duration: 1, layers: [{{type: image, src: {name}}}]}}\n"
    err = validate(capsys, tmp_path, text)
    assert "scenes[0].layers[0].src: a file or folder name is at most 255 bytes" in err
    assert name not in err  # quoted as an excerpt


# --- 3. echoed values are excerpts ----------------------------------------------------------------


def test_a_huge_value_comes_back_as_a_short_excerpt(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Three values of 300,000 characters (the spec stays under its 1 MiB limit; a template
    row is where a megabyte value would come from, and it is quoted the same way)."""
    huge = "x" * 300_000
    text = (
        HEADER
        + f"scenes:\n  - {{duration: 1, layers: [{{type: text, text: {huge}, fit: {huge}}}]}}\n"
        + f"? {huge}\n: 1\n"  # a long key needs YAML's explicit form
    )
    err = validate(capsys, tmp_path, text)
    assert len(err) < 3000, len(err)
    assert "(300000 characters)" in err


# --- 4. templates and data files ------------------------------------------------------------------

TEMPLATE = """version: 1
output: {{path: "out/{{{{ row_id }}}}.mp4", size: 320x180, fps: 25}}
scenes:
  - duration: 1
    layers: [{{type: text, text: "{body}"}}]
"""


def batch(
    tmp_path: Path, body: str, data: str = "id,n\n1,5\n", data_name: str = "rows.csv"
) -> tuple[int, str, float]:
    template = tmp_path / "t.yaml.j2"
    template.write_text(TEMPLATE.format(body=body), encoding="utf-8")
    rows = tmp_path / data_name
    rows.write_text(data, encoding="utf-8")
    before = listing(tmp_path)
    result = run_child("batch", template, "--data", rows, "--dry-run", timeout=60)
    assert listing(tmp_path) == before
    return result


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{{ 7**123456789 }}", ["t.yaml.j2:5: an integer of about 74328394 digits"]),
        ("{{ ('f' * 4000)|int(base=16) }}", ["an integer of about 4817 digits"]),
        ("{{ 'x' * 10**9 }}", ["would be 1000000000 characters"]),
        (
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}",
            ["calls nested more than 100 deep"],
        ),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            ["loops ran more than 1000000 times"],
        ),
    ],
)
def test_template_limits_hold_in_the_sandbox(tmp_path: Path, body: str, words: list[str]) -> None:
    code, err, seconds = batch(tmp_path, body)
    assert_clear(code, err, 2, "row 1 (id 1): invalid", *words)
    assert seconds < 30


def test_output_limit_counts_the_values_filled_in(tmp_path: Path) -> None:
    rows = json.dumps([{"id": "big", "text": "y" * 400_000}])
    code, err, _ = batch(tmp_path, "{{ text }}{{ text }}{{ text }}", rows, "rows.json")
    assert_clear(code, err, 2, "rendered spec is over 1000000 bytes with its values filled in")


def test_data_files_are_bounded(tmp_path: Path) -> None:
    code, err, seconds = batch(tmp_path, "x", BOMB.replace("version: 1", "rows: *a9"), "r.yaml")
    assert_clear(code, err, 2, "r.yaml:7:", "cannot read YAML: the document expands to over")
    assert seconds < 20
    code, err, _ = batch(tmp_path, "x", '{"vars": [1, 2], "rows": [{"id": 1}]}', "rows.json")
    assert_clear(code, err, 2, "rows.json: vars must be a mapping of names to values")
    code, err, _ = batch(tmp_path, "x", '[{"id": ' + "7" * 5000 + "}]", "rows.json")
    assert_clear(code, err, 2, "rows.json: cannot read JSON")


def test_the_time_limit_holds_off_the_main_thread(tmp_path: Path) -> None:
    """SIGALRM reaches only the main thread; the sandbox's own checks hold everywhere."""
    from engine.errors import TemplateError
    from engine.template import SpecTemplate, TemplateLimits

    path = tmp_path / "slow.yaml.j2"
    path.write_text(
        "a: {% for i in range(1000) %}{% for j in range(1000) %}{{ i * j }}{% endfor %}"
        "{% endfor %}\n",
        encoding="utf-8",
    )
    template = SpecTemplate(path, TemplateLimits(seconds=0.3, max_iterations=10**9))
    outcome: list[BaseException | None] = []

    def render() -> None:
        try:
            template.render({}, "row 1")
            outcome.append(None)
        except TemplateError as exc:
            outcome.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=render, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive() and time.monotonic() - started < 10
    assert outcome and "took more than 0.3s (limit)" in str(outcome[0])


# --- 5. text drawing ------------------------------------------------------------------------------


def test_long_words_wrap_quickly_and_huge_cards_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\noutput: {path: out.mp4, size: 1280x720, fps: 25}\nscenes:\n"
        f"  - {{duration: 1, layers: [{{type: text, text: {'x' * 2000}, style: {{size: 20}}}}]}}\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    code, err = run_main(capsys, "validate", spec)
    assert code == 0, err
    assert time.monotonic() - started < 10
    layer = f"{{type: text, text: {'W' * 400}, style: {{size: 460}}}}"
    text = HEADER + f"scenes:\n  - {{duration: 1, layers: [{layer}]}}\n"
    err = validate(capsys, tmp_path, text)
    assert "spec.yaml:4:28: scenes[0].layers[0]: the text would be drawn" in err
    assert "(four times the 320x180 frame, at least 4,194,304)" in err
    box = "{box: {padding: 14000}}"
    text = (
        HEADER + f"scenes:\n  - {{duration: 1, layers: [{{type: text, text: a, style: {box}}}]}}\n"
    )
    err = validate(capsys, tmp_path, text)
    assert (
        "scenes[0].layers[0].style.box.padding: Input should be less than or equal to 2048" in err
    )


# --- 6. files that are not what they claim -------------------------------------------------


def _bad_keras(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", "[" * 50_000 + "]" * 50_000)
    return path


CASES: dict[str, tuple[Callable[[Path], object], str, str]] = {
    "font": (
        lambda folder: (folder / "fake.ttf").write_bytes(b"not a font at all" * 100),
        "scenes:\n  - {duration: 1, layers: [{type: text, text: a, style: {font: fake.ttf}}]}\n",
        "spec.yaml:4:64: scenes[0].layers[0].style.font: not a readable font file",
    ),
    "subtitles": (
        lambda folder: (folder / "subs.srt").write_bytes(
            b"1\n00:00:00,000 --> 00:00:01,000\nh\xe9\n"
        ),
        "subtitles: {src: subs.srt}\n" + COLOR_SCENE,
        "spec.yaml:3:18: subtitles.src: ",
    ),
    "model": (
        lambda folder: _bad_keras(folder / "bad.keras"),
        "scenes:\n  - {duration: 1, layers: [{type: generator, model: bad.keras}]}\n",
        "scenes[0].layers[0].model: ",
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_files_that_are_not_what_they_claim(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    make, body, expected = CASES[kind]
    make(tmp_path)
    err = validate(capsys, tmp_path, HEADER + body)
    assert expected in err
    if kind == "subtitles":
        assert "subs.srt:3:2: not UTF-8 text: byte 0xe9" in err
    if kind == "model":
        assert "config.json is not readable JSON" in err


@pytest.mark.parametrize("value", ["abc", "nan", "-5", "1e999"])
def test_limits_from_the_environment_must_be_numbers(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(HEADER + COLOR_SCENE, encoding="utf-8")
    monkeypatch.setenv("REELSPEC_MAX_SIDE", value)
    code, err = run_main(capsys, "validate", spec)
    assert_clear(code, err, 2, "REELSPEC_MAX_SIDE must be")
