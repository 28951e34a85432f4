"""Outputs are written only inside the output root and media read only inside the media
root (engine.paths), through the real CLI: every escape is a clear error (exit 2, located
where the spec says it), and nothing appears outside the root."""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from tests.hostile.support import Work, assert_refused, reelspec, temporaries
from tests.media import count_frames


@pytest.mark.parametrize(
    "output",
    ["{outside}/x.mp4", "../outside/x.mp4", "out/../../x.mp4", "../../x.mp4"],
    ids=["absolute", "dotdot", "dotdot-inside-then-out", "two-up"],
)
def test_output_path_leaving_the_root_is_a_located_error(work: Work, output: str) -> None:
    spec = work.small(output=output.format(outside=work.outside))
    before = work.outside_listing()
    for command in ("validate", "render"):
        result = reelspec(command, spec)
        assert_refused(result, 2, "spec.yaml:2:", "output.path", "outside the output root")
    assert work.outside_listing() == before


def test_a_link_that_leads_out_counts_as_leaving(work: Work) -> None:
    (work.root / "link").symlink_to(work.outside, target_is_directory=True)
    (work.root / "alias.png").symlink_to(work.outside / "secret.png")
    before = work.outside_listing()
    result = reelspec("validate", work.small(output="link/x.mp4"))
    assert_refused(result, 2, "output.path", "outside the output root")
    result = reelspec("render", work.small(src="link/secret.png"))
    assert_refused(result, 2, "scenes[0].layers[0].src", "outside the media root")
    result = reelspec("render", work.small(src="alias.png"))
    assert_refused(result, 2, "scenes[0].layers[0].src", "outside the media root")
    # One frame of an image sequence that is a link out is enough.
    frames = work.root / "frames"
    frames.mkdir()
    shutil.copy(work.root / "pic.png", frames / "f_001.png")
    (frames / "f_002.png").symlink_to(work.outside / "secret.png")
    for pattern in ("frames/f_%03d.png", "frames/*.png"):
        spec = work.spec(
            "version: 1\noutput: {path: out/x.mp4, size: 64x36, fps: 5}\n"
            f'scenes:\n  - {{layers: [{{type: image_sequence, src: "{pattern}", fps: 5}}]}}\n'
        )
        result = reelspec("render", spec)
        assert_refused(result, 2, "scenes[0].layers[0].src", "f_002.png", "outside the media root")
    assert work.outside_listing() == before
    assert not (work.root / "out").exists()


def test_media_outside_the_root_is_refused_until_a_root_widens_it(work: Work) -> None:
    srt = work.outside / "subs.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:00,800\nhello\n", encoding="utf-8")
    spec = work.spec(f"""version: 1
output: {{path: out/x.mp4, size: 64x36, fps: 5, video: {{preset: ultrafast}}}}
scenes:
  - duration: 1
    layers:
      - {{type: image, src: ../outside/secret.png}}
      - {{type: text, text: hi, style: {{font: {work.outside}/font.ttf}}}}
overlays:
  - {{type: image, src: /etc/hostname}}
audio:
  - {{src: ../outside/../outside/sound.wav}}
subtitles: {{src: {srt}, files: [srt]}}
""")
    result = reelspec("validate", spec)
    assert_refused(
        result,
        2,
        "5 problems",
        "spec.yaml:6:",
        "scenes[0].layers[0].src",
        "scenes[0].layers[1].style.font",
        "overlays[0].src",
        "audio[0].src",
        "subtitles.src",
        "outside the media root",
        "--media-root",
    )
    # Named on the command line or in the environment, the folder may be read.
    ok = work.small(src="../outside/secret.png", name="ok.yaml")
    assert_refused(reelspec("render", ok, "-q"), 2, "outside the media root")
    assert reelspec("render", ok, "-q", "--media-root", work.outside).returncode == 0
    (work.root / "out" / "x.mp4").unlink()
    widened = reelspec("render", ok, "-q", env={"REELSPEC_MEDIA_ROOT": str(work.outside)})
    assert widened.returncode == 0, widened.stderr
    assert count_frames(work.root / "out" / "x.mp4") == 5


def test_output_root_is_widened_only_explicitly(work: Work) -> None:
    spec = work.small(output=f"{work.outside}/x.mp4")
    assert_refused(reelspec("render", spec, "-q"), 2, "outside the output root")
    result = reelspec("render", spec, "-q", "--output-root", work.outside)
    assert result.returncode == 0, result.stderr
    assert (work.outside / "x.mp4").is_file()
    assert (work.outside / "x.mp4.reelspec.json").is_file()
    env = {"REELSPEC_OUTPUT_ROOT": str(work.outside)}
    assert reelspec("render", spec, "-q", env=env).returncode == 0
    missing = reelspec("render", spec, "--output-root", work.base / "nowhere")
    assert_refused(missing, 2, "--output-root", "is not an existing folder")
    bad_env = reelspec("render", spec, env={"REELSPEC_OUTPUT_ROOT": str(work.base / "nowhere")})
    assert_refused(bad_env, 2, "REELSPEC_OUTPUT_ROOT", "is not an existing folder")


def test_dash_o_is_confined_and_never_replaces_what_is_not_a_regular_file(work: Work) -> None:
    spec = work.small()
    before = work.outside_listing()
    assert_refused(reelspec("render", spec, "-o", work.outside / "x.mp4"), 2, "-o", "outside")
    # A device node: outside the root, and refused as a device even where the root allows it.
    assert_refused(reelspec("render", spec, "-o", "/dev/null"), 2, "outside the output root")
    widened = reelspec("render", spec, "-o", "/dev/null", "--output-root", "/dev")
    assert_refused(widened, 2, "/dev/null", "device")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    (work.root / "folder.mp4").mkdir()
    assert_refused(reelspec("render", spec, "-o", work.root / "folder.mp4"), 2, "is a folder")
    (work.root / "file").write_text("x")
    assert_refused(
        reelspec("render", spec, "-o", work.root / "file" / "x.mp4"), 2, "is not a folder"
    )
    (work.root / "out.mp4").symlink_to(work.outside / "target.mp4")
    assert_refused(reelspec("render", spec, "-o", work.root / "out.mp4"), 2, "outside")
    (work.root / "inner.mp4").symlink_to(work.root / "target.mp4")
    assert_refused(reelspec("render", spec, "-o", work.root / "inner.mp4"), 2, "symbolic link")
    # The spec's own output path at a folder is found by validate, located.
    (work.root / "out" / "x.mp4").mkdir(parents=True)
    assert_refused(reelspec("validate", spec), 2, "spec.yaml:2:", "output.path", "is a folder")
    assert work.outside_listing() == before
    assert temporaries(work.root) == []


def test_plan_still_and_text2video_outputs_are_confined(work: Work) -> None:
    spec = work.small()
    before = work.outside_listing()
    assert_refused(reelspec("plan", spec, "-o", work.outside / "plan.txt"), 2, "outside")
    assert_refused(
        reelspec("still", spec, "--at", "0.5", "-o", work.outside / "f.png"), 2, "outside"
    )
    script = work.root / "script.md"
    script.write_text("# Title\n\nOne sentence here.\n", encoding="utf-8")
    result = reelspec("text2video", script, "-o", work.outside / "t.yaml", cwd=work.root)
    assert_refused(result, 2, "-o", "outside the output root")
    assert work.outside_listing() == before
    ok = reelspec("plan", spec, "-o", work.root / "plan.txt")
    assert ok.returncode == 0, ok.stderr
    assert "-i" in (work.root / "plan.txt").read_text()


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    fields = ["id", "name", "ext", "pic"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)


BATCH = """version: 1
output: {path: "out/{{ name or id }}{{ ext or '.mp4' }}", size: 64x36, fps: 5,
         video: {preset: ultrafast}, audio: null}
scenes:
  - {duration: 1, layers: [{type: image, src: "{{ pic or 'pic.png' }}"}]}
"""


def test_data_row_values_cannot_lead_outside(work: Work) -> None:
    template = work.spec(BATCH, "t.yaml.j2")
    rows = work.root / "rows.csv"
    write_rows(
        rows,
        [
            {"id": "../../x"},
            {"id": "../../../escape"},
            {"id": "ok"},
            {"id": "peek", "pic": "../outside/secret.png"},
            {"id": "abs", "pic": "/etc/hostname"},
        ],
    )
    before = work.outside_listing()
    result = reelspec("batch", template, "--data", rows, "--jobs", "1")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "1 rendered" in result.stdout and "4 failed" in result.stdout
    assert result.stderr.count("outside the output root") == 2
    assert result.stderr.count("outside the media root") == 2
    assert work.outside_listing() == before
    made = sorted(p.name for p in (work.root / "out").iterdir())
    assert made == ["ok.mp4", "ok.mp4.reelspec.json"]


def test_rows_writing_one_file_collide_before_anything_renders(work: Work) -> None:
    (work.root / "subs.srt").write_text("1\n00:00:00,000 --> 00:00:00,800\nhi\n", "utf-8")
    template = work.spec(BATCH + "subtitles: {src: subs.srt, files: [srt]}\n", "t.yaml.j2")
    rows = work.root / "rows.csv"
    write_rows(
        rows,
        [
            {"id": "1", "name": "Clip"},
            {"id": "2", "name": "clip"},  # one file on case-insensitive file systems
            {"id": "3", "name": "caf\u00e9"},
            {"id": "4", "name": "cafe\u0301"},  # the same name, decomposed
            {"id": "5", "name": "side", "ext": ".mp4"},
            {"id": "6", "name": "side", "ext": ".mkv"},  # both write out/side.srt
            {"id": "7", "name": "sub/../alone"},
        ],
    )
    result = reelspec("batch", template, "--data", rows, "--jobs", "1", "--dry-run")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for number in range(1, 7):
        assert f"row {number} (id {number}): invalid" in result.stderr, result.stderr
    assert "row 7 (id 7): invalid" not in result.stderr
    assert "side.srt is also the output of row(s) 6" in result.stderr
    assert not (work.root / "out").exists()


def test_batch_manifest_and_out_dir_are_confined(work: Work) -> None:
    template = work.spec(BATCH, "t.yaml.j2")
    rows = work.root / "rows.csv"
    write_rows(rows, [{"id": "a"}])
    before = work.outside_listing()
    result = reelspec("batch", template, "--data", rows, "--manifest", work.outside / "m.json")
    assert_refused(result, 2, "--manifest", "outside the output root")
    result = reelspec("batch", template, "--data", rows, "--out-dir", work.outside)
    assert_refused(result, 2, "--out-dir", "outside the output root")
    # The manifest is never written over the data or the template.
    result = reelspec("batch", template, "--data", rows, "--manifest", rows)
    assert_refused(result, 2, "--manifest", "rows.csv")
    assert rows.read_text(encoding="utf-8").startswith("id")
    assert work.outside_listing() == before
    ok = reelspec("batch", template, "--data", rows, "--out-dir", work.root / "renders", "-q")
    assert ok.returncode == 0, ok.stderr
    assert (work.root / "renders" / "out" / "a.mp4").is_file()
    recorded = json.loads((work.root / "renders" / "t.batch.json").read_text(encoding="utf-8"))
    assert recorded["rows"][0]["status"] == "rendered"
