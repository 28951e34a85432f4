"""Scripts become specs: segmentation, keywords, sentiment, assets, and a real render."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image

from engine.pipeline import prepare
from engine.text2video.analysis import keywords, mood, sentiment
from engine.text2video.build import (
    Options,
    build_spec,
    pick_background,
    picture_tags,
    schema_reference,
)
from engine.text2video.script import parse_script
from engine.text2video.styles import STYLES
from tests.media import audio_samples, count_frames, frame, rms, subtitle_streams

SCRIPT = """# Meet the Lumen camera

Our new **camera** shoots stunning night photos. It is small, fast and a joy to use!

## 新产品

欢迎观看我们的新产品介绍视频。这款相机非常好用！
"""


def test_headings_paragraphs_and_sentences_in_both_languages() -> None:
    blocks = parse_script(SCRIPT)
    assert [(b.kind, b.language, b.text) for b in blocks] == [
        ("heading", "en", "Meet the Lumen camera"),
        ("sentence", "en", "Our new camera shoots stunning night photos."),
        ("sentence", "en", "It is small, fast and a joy to use!"),
        ("heading", "zh", "新产品"),
        ("sentence", "zh", "欢迎观看我们的新产品介绍视频。"),
        ("sentence", "zh", "这款相机非常好用！"),
    ]
    assert len({b.paragraph for b in blocks}) == 4


def test_keywords_and_sentiment_for_english_and_chinese() -> None:
    assert "camera" in keywords("Our new camera shoots stunning night photos.", "en")
    assert "视频" in keywords("欢迎观看我们的新产品介绍视频。", "zh", count=5)
    assert mood(sentiment("This is wonderful, I love it!", "en")) == "positive"
    assert mood(sentiment("This is terrible and I hate it.", "en")) == "negative"
    assert sentiment("这款产品非常好用，我很喜欢。", "zh") > sentiment(
        "这个产品太差了，非常失望。", "zh"
    )


def test_backgrounds_are_matched_by_file_name_or_tags(tmp_path: Path) -> None:
    for name in ("night-city.jpg", "beach.png", "misc.jpg"):
        Image.new("RGB", (8, 8)).save(tmp_path / name)
    (tmp_path / "tags.yaml").write_text("misc.jpg: [camera, 相机]\n", encoding="utf-8")
    pictures = picture_tags(tmp_path)
    assert pick_background(["night", "photos"], pictures) == tmp_path / "night-city.jpg"
    assert pick_background(["Camera"], pictures) == tmp_path / "misc.jpg"
    assert pick_background(["相机"], pictures) == tmp_path / "misc.jpg"
    assert pick_background(["unrelated"], pictures) is None


def test_positive_script_gets_the_positive_palette(tmp_path: Path) -> None:
    spec = build_spec("What a wonderful, delightful, happy day!", Options(tmp_path / "s.yaml"))
    positive = {b for p in STYLES["bold"].families["positive"] for b in p.backgrounds}
    assert tuple(spec["scenes"][0]["layers"][0]["colors"]) in positive
    sad = build_spec("This is terrible, awful and sad.", Options(tmp_path / "s.yaml"))
    negative = {b for p in STYLES["bold"].families["negative"] for b in p.backgrounds}
    assert tuple(sad["scenes"][0]["layers"][0]["colors"]) in negative


def test_a_spec_written_in_a_project_points_at_the_projects_schema() -> None:
    """Regression (issue 10): the README's example wrote a URL no editor could open, and the
    spec then failed the example-spec checks."""
    root = Path(__file__).resolve().parents[2]
    assert schema_reference(root / "specs" / "launch.yaml") == (
        "../schemas/reelspec.schema.json",
        None,
    )
    assert schema_reference(root / "specs" / "out" / "x" / "a.yaml")[0] == (
        "../../../schemas/reelspec.schema.json"
    )


def test_text2video_writes_a_spec_that_renders_with_narration(tmp_path: Path, assets: Path) -> None:
    script = tmp_path / "launch.md"
    script.write_text(SCRIPT, encoding="utf-8")
    (tmp_path / "pics").mkdir()
    Image.new("RGB", (64, 36), (200, 50, 50)).save(tmp_path / "pics" / "camera.png")
    spec_path = tmp_path / "specs" / "launch.yaml"
    spec_path.parent.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "text2video",
            str(script),
            "-o",
            str(spec_path),
            "--assets",
            str(tmp_path / "pics"),
            "--size",
            "320x180",
            "--fps",
            "10",
            "--render",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    header = spec_path.read_text(encoding="utf-8").splitlines()[0]
    # An editor can follow the schema reference: no project schema above, so it is beside.
    assert header == "# yaml-language-server: $schema=reelspec.schema.json"
    assert json.loads((spec_path.parent / "reelspec.schema.json").read_text())["$id"]
    assert "matched 'camera' → " in result.stdout and "camera.png (scene 2)" in result.stdout
    second = data["scenes"][1]
    assert second["layers"][0] == {
        "type": "image",
        "src": "../pics/camera.png",
        "fit": "cover",
        "zoom": {"from": 1.12, "to": 1.0},  # the second scene: out, right to left
        "pan": {"from": [0.7, 0.6], "to": [0.3, 0.4]},
    }
    # Under the burned captions (which say the sentence), the picture is tagged with the
    # words that matched it.
    assert "camera" in second["layers"][1]["text"]
    assert data["subtitles"]["mode"] == "karaoke" and data["subtitles"]["burn"] is True
    assert [s["name"] for s in data["scenes"]] == [
        "title 1", "image 2", "statement 3", "title 4", "statement 5", "statement 6"
    ]  # fmt: skip
    assert data["scenes"][4]["narration"]["voice"] == "zh"
    resolved = prepare(spec_path).resolved
    out = spec_path.parent / "out" / "launch.mp4"
    assert count_frames(out) == resolved.frame_count
    samples = audio_samples(out)
    for scene in resolved.scenes:
        spoken = scene.narration
        assert spoken is not None
        assert rms(samples, scene.start + 0.05, scene.start + spoken.length - 0.05) > 0.02
    # Every sentence is captioned (a long one in several cues), and the captions are a track.
    assert (spec_path.parent / "out" / "launch.srt").read_text(encoding="utf-8").count("-->") >= 6
    assert [codec for _, codec in subtitle_streams(out)] == ["mov_text"]
    fps = 10
    # The matched picture fills its scene between the tag (top left) and the captions
    # (bottom): its middle, between transitions.
    image_scene = resolved.scenes[1]
    middle = frame(out, int((image_scene.start + image_scene.duration / 2) * fps))
    assert abs(middle[55:95, 100:300].reshape(-1, 3).mean(axis=0) - (200, 50, 50)).max() < 25
    # The statement's words and highlights are on screen once they have come in, in their
    # colours, on the scene's background.
    statement = data["scenes"][2]
    words = statement["layers"][1]
    style = {**data["defaults"]["text"], **words.get("style", {})}
    scene = resolved.scenes[2]
    settled = frame(out, int((scene.start + scene.duration - 0.6) * fps))
    band = settled[60:120, 20:300].reshape(-1, 3).astype(int)

    def near(color: str, within: int) -> int:
        rgb = [int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
        return int((abs(band - rgb).max(axis=1) < within).sum())

    assert near(style["color"], 40) > 40
    # Thin strokes of a 14-pixel font lose some colour to 4:2:0 chroma.
    assert near(style["highlight"], 70) > 20
    corner = settled[2, 2].astype(int)
    stops = [
        [int(c.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
        for c in statement["layers"][0]["colors"]
    ]
    assert min(abs(corner - stop).max() for stop in stops) < 60  # the gradient, not a picture


def test_a_hostile_tags_file_is_a_clear_error(tmp_path: Path) -> None:
    """Regression (issue 11): tags.yaml was read with plain yaml.safe_load: an alias bomb or a
    FIFO in its place hung text2video."""
    import os

    from engine.errors import UserError
    from engine.text2video.build import picture_tags

    bomb = "\n".join(
        ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
        + [
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}" + f", *{chr(97 + i)}" * 9 + "]"
            for i in range(8)
        ]
    )
    (tmp_path / "tags.yaml").write_text(bomb + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"tags.yaml:\d+:\d+:.*"):
        picture_tags(tmp_path)
    (tmp_path / "tags.yaml").unlink()
    os.mkfifo(tmp_path / "tags.yaml")
    with pytest.raises(UserError, match="only regular files"):
        picture_tags(tmp_path)
    (tmp_path / "tags.yaml").unlink()
    (tmp_path / "tags.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(UserError, match="expected a mapping"):
        picture_tags(tmp_path)
