"""Real batches: every row renders and probes, failures stay with their row, re-runs skip
what is up to date."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.batch import prepare_batch, read_rows, run_batch
from engine.errors import TemplateError
from tests.media import count_frames, probe

TEMPLATE = """version: 1
output: {path: "out/{{ sku }}.mp4", size: 160x90, fps: 10, video: {preset: ultrafast}}
scenes:
  - duration: {{ seconds }}
    layers:
      - {type: image, src: "{{ assets }}/{{ picture }}", fit: cover}
      - {type: text, text: "{{ title }}", style: {size: 16}}
"""


@pytest.fixture
def batch_dir(tmp_path: Path, assets: Path) -> Path:
    (tmp_path / "promo.yaml.j2").write_text(
        TEMPLATE.replace("{{ assets }}", str(assets)), encoding="utf-8"
    )
    write_csv(
        tmp_path / "rows.csv",
        [
            ("a1", "0.5", "red.png", "First"),
            ("b2", "0.7", "blue.png", "Zweite: 'zwei'"),
            ("c3", "0.3", "quad.png", "第三"),
        ],
    )
    return tmp_path


def write_csv(path: Path, rows: list[tuple[str, ...]]) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "seconds", "picture", "title"])
        writer.writerows(rows)


def run(folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "batch",
            str(folder / "promo.yaml.j2"),
            "--data",
            str(folder / "rows.csv"),
            "--jobs",
            "2",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def manifest(folder: Path) -> dict[str, dict]:
    data = json.loads((folder / "promo.batch.json").read_text(encoding="utf-8"))
    return {row["id"]: row for row in data["rows"]}


def test_batch_renders_every_row_then_skips_then_rerenders_only_changes(batch_dir: Path) -> None:
    first = run(batch_dir)
    assert first.returncode == 0, first.stderr
    assert "3 rendered, 0 up to date, 0 failed" in first.stdout
    for sku, frames in (("a1", 5), ("b2", 7), ("c3", 3)):
        out = batch_dir / "out" / f"{sku}.mp4"
        assert count_frames(out) == frames
        assert (probe(out).width, probe(out).height) == (160, 90)
    recorded = manifest(batch_dir)
    assert {row["status"] for row in recorded.values()} == {"rendered"}
    assert all(len(row["output_hash"]) == 64 for row in recorded.values())

    second = run(batch_dir)
    assert "0 rendered, 3 up to date, 0 failed" in second.stdout
    mtime = (batch_dir / "out" / "a1.mp4").stat().st_mtime_ns

    write_csv(
        batch_dir / "rows.csv",
        [
            ("a1", "0.5", "red.png", "First"),
            ("b2", "0.9", "blue.png", "Zweite: 'zwei'"),  # changed
            ("c3", "0.3", "quad.png", "第三"),
        ],
    )
    third = run(batch_dir)
    assert "1 rendered, 2 up to date, 0 failed" in third.stdout
    assert count_frames(batch_dir / "out" / "b2.mp4") == 9
    assert (batch_dir / "out" / "a1.mp4").stat().st_mtime_ns == mtime

    (batch_dir / "out" / "c3.mp4").write_bytes(b"tampered")  # a damaged output re-renders
    assert "1 rendered, 2 up to date" in run(batch_dir).stdout
    assert "3 rendered" in run(batch_dir, "--force").stdout


def test_a_bad_row_fails_alone(batch_dir: Path) -> None:
    write_csv(
        batch_dir / "rows.csv",
        [
            ("a1", "0.5", "red.png", "First"),
            ("b2", "0.5", "missing.png", "Second"),
            ("c3", "-1", "quad.png", "Third"),
            ("d4", "0.4", "blue.png", "Fourth"),
        ],
    )
    result = run(batch_dir)
    assert result.returncode == 1
    assert "2 rendered, 0 up to date, 2 failed" in result.stdout
    assert "row 2 (id 2): invalid" in result.stderr and "missing.png" in result.stderr
    assert "row 3 (id 3): invalid" in result.stderr and "scenes[0].duration" in result.stderr
    assert (batch_dir / "out" / "a1.mp4").exists() and (batch_dir / "out" / "d4.mp4").exists()
    assert not (batch_dir / "out" / "b2.mp4").exists()
    statuses = {k: v["status"] for k, v in manifest(batch_dir).items()}
    assert statuses == {"1": "rendered", "2": "invalid", "3": "invalid", "4": "rendered"}


def test_dry_run_reports_every_invalid_row_and_renders_nothing(batch_dir: Path) -> None:
    write_csv(
        batch_dir / "rows.csv",
        [
            ("a1", "0.5", "red.png", "ok"),
            ("b2", "zero", "red.png", "bad"),
            ("c3", "0.5", "nope.png", "bad"),
        ],
    )
    result = run(batch_dir, "--dry-run")
    assert result.returncode == 2
    assert "3 row(s) rendered and validated, 2 invalid" in result.stderr
    assert "promo.yaml.j2 (row 2, id 2):4:15: scenes[0].duration" in result.stderr
    assert "row 3 (id 3): invalid" in result.stderr
    assert not (batch_dir / "out").exists()


def test_same_output_for_two_rows_is_found_before_rendering(batch_dir: Path) -> None:
    write_csv(
        batch_dir / "rows.csv",
        [
            ("same", "0.5", "red.png", "x"),
            ("same", "0.5", "blue.png", "y"),
            ("other", "0.5", "blue.png", "z"),
        ],
    )
    result = run(batch_dir)
    assert result.returncode == 1
    assert "is also the output of row(s) 2" in result.stderr
    assert not (batch_dir / "out" / "same.mp4").exists()
    assert (batch_dir / "out" / "other.mp4").exists()


def test_injected_values_do_not_change_the_spec(batch_dir: Path) -> None:
    write_csv(
        batch_dir / "rows.csv",
        [
            ("a1", "0.5", "red.png", '{{ 7*7 }}\noutput: {path: /tmp/evil.mp4}\n" x: "'),
        ],
    )
    rows, _ = read_rows(batch_dir / "rows.csv")
    (item,) = prepare_batch(batch_dir / "promo.yaml.j2", rows, {})
    assert item.valid and item.resolved is not None
    text_layer = item.resolved.scenes[0].layers[1].spec
    assert text_layer.text == '{{ 7*7 }}\noutput: {path: /tmp/evil.mp4}\n" x: "'  # type: ignore[union-attr]
    assert item.output == batch_dir / "out" / "a1.mp4"


def test_missing_column_names_variable_row_and_line(batch_dir: Path) -> None:
    (batch_dir / "promo.yaml.j2").write_text(
        TEMPLATE + 'overlays: [{type: text, text: "{{ subtitle }}"}]\n', encoding="utf-8"
    )
    # TEMPLATE still says {{ assets }} on line 6, before {{ subtitle }} on line 8.
    rows, _ = read_rows(batch_dir / "rows.csv")
    prepared = prepare_batch(batch_dir / "promo.yaml.j2", rows, {})
    assert prepared[1].error == "row 2 (id 2): promo.yaml.j2:6: 'assets' is undefined"
    prepared = prepare_batch(batch_dir / "promo.yaml.j2", rows, {"assets": "x"})
    assert prepared[1].error == "row 2 (id 2): promo.yaml.j2:8: 'subtitle' is undefined"


def test_data_formats_vars_and_only(tmp_path: Path, assets: Path) -> None:
    (tmp_path / "promo.yaml.j2").write_text(
        TEMPLATE.replace("{{ assets }}", str(assets)).replace(
            '"{{ title }}"', '"{{ greeting }}, {{ title }}"'
        ),
        encoding="utf-8",
    )
    (tmp_path / "rows.yaml").write_text(
        """vars: {greeting: Hello}
rows:
  - {id: x, sku: x1, seconds: 0.4, picture: red.png, title: X}
  - {id: y, sku: y1, seconds: 0.4, picture: red.png, title: Y}
""",
        encoding="utf-8",
    )
    (tmp_path / "rows.jsonl").write_text(
        '{"sku": "j1", "seconds": 0.3, "picture": "blue.png", "title": "J"}\n\n', encoding="utf-8"
    )
    rows, variables = read_rows(tmp_path / "rows.yaml")
    assert [r.id for r in rows] == ["x", "y"] and variables == {"greeting": "Hello"}
    (item,) = prepare_batch(
        tmp_path / "promo.yaml.j2", rows[1:], variables, out_dir=tmp_path / "elsewhere"
    )
    assert item.output == (tmp_path / "elsewhere" / "out" / "y1.mp4").resolve()
    result = run_batch([item], tmp_path / "m.json", jobs=1)
    assert [o.status for o in result.outcomes] == ["rendered"]
    rows, _ = read_rows(tmp_path / "rows.jsonl")
    assert rows[0].id == "1" and rows[0].values["seconds"] == 0.3
    with pytest.raises(TemplateError, match="unknown data format"):
        read_rows(tmp_path / "promo.yaml.j2")
    with pytest.raises(TemplateError, match="over the limit of 1"):
        read_rows(tmp_path / "rows.yaml", max_rows=1)


def test_cli_only_and_var(batch_dir: Path) -> None:
    result = run(batch_dir, "--only", "2", "--var", "unused=1")
    assert result.returncode == 0, result.stderr
    assert "1 rendered" in result.stdout
    assert sorted(p.name for p in (batch_dir / "out").glob("*.mp4")) == ["b2.mp4"]
    bad = run(batch_dir, "--only", "9")
    assert bad.returncode == 2 and "unknown row ids: 9" in bad.stderr


def test_rows_of_generated_video_render_side_by_side(tmp_path: Path) -> None:
    """One template, a seed per row, two rows at once: the rows share the loaded model, and
    each row's frames depend only on its own seed."""
    from tests.farm.test_farm import decoded_md5s

    model = Path(__file__).resolve().parents[2] / "specs" / "models" / "demo-dcgan.keras"
    (tmp_path / "walk.yaml.j2").write_text(
        f"""version: 1
output: {{path: "out/{{{{ name }}}}.mp4", size: 96x96, fps: 10,
          video: {{preset: ultrafast, crf: 0}}, audio: null}}
scenes:
  - layers:
      - {{type: generator, model: {model}, seed: "{{{{ seed }}}}", duration: 1.5, batch: 5}}
""",
        encoding="utf-8",
    )

    def batch(rows: str) -> None:
        (tmp_path / "rows.csv").write_text(rows, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "engine", "batch", str(tmp_path / "walk.yaml.j2"),
             "--data", str(tmp_path / "rows.csv"), "--jobs", "2", "-q"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr

    batch("name,seed\na,1\nb,2\nc,1\n")
    a, b, c = (decoded_md5s(tmp_path / "out" / f"{name}.mp4") for name in "abc")
    assert len(a) == len(b) == 15
    assert a == c and all(x != y for x, y in zip(a, b, strict=True))
    # A new seed changes no ffmpeg argument, only what the feed makes: that row alone renders
    # again (regression: the inputs hash left the feeds out, so it was skipped as up to date).
    batch("name,seed\na,1\nb,3\nc,1\n")
    rows = json.loads((tmp_path / "walk.batch.json").read_text(encoding="utf-8"))["rows"]
    assert [row["status"] for row in rows] == ["skipped", "rendered", "skipped"]
    assert decoded_md5s(tmp_path / "out" / "b.mp4") != b
