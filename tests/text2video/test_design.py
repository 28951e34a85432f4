"""text2video's design: layouts from the content, colours with real contrast for every style,
pictures matched by their names and reported, the same script giving the same spec."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from engine.spec.loader import load_spec_text
from engine.text2video.assets import pick_picture, picture_tags, stem
from engine.text2video.build import Options, build, spec_yaml
from engine.text2video.contrast import contrast_ratio
from engine.text2video.layouts import figure_of
from engine.text2video.styles import STYLES
from tests.voices import VOICE, needs_piper

ROOT = Path(__file__).resolve().parents[2]

# -- an oracle for contrast, written from WCAG 2.x, not from the code -------------------------


def _luminance(color: str) -> float:
    digits = color.lstrip("#")
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _gradient(colors: list[str]) -> list[str]:
    """Every colour a gradient passes through (channels interpolated in sRGB, rounded)."""
    out = []
    for a, b in itertools.pairwise(colors):
        ca = [int(a.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
        cb = [int(b.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
        for k in range(256):
            t = k / 255
            out.append(
                "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=False))
            )
    return out


def _behind(scene: dict[str, Any], style: dict[str, Any]) -> list[str]:
    """The colours behind a text: its opaque box, or the scene's background."""
    box = style.get("box")
    if box is not None:
        assert len(box["color"].lstrip("#")) == 6, "a text box must be opaque"
        return [box["color"]]
    background = scene["layers"][0]
    assert background["type"] in ("gradient", "color"), "text on a picture needs a box"
    return _gradient(background["colors"]) if "colors" in background else [background["color"]]


def assert_readable(spec: dict[str, Any]) -> int:
    """Every text's colour and highlight colour have 4.5:1 against what is behind them."""
    checked = 0
    for scene in spec["scenes"]:
        for layer in scene["layers"]:
            if layer["type"] != "text":
                continue
            style = {**spec["defaults"]["text"], **layer.get("style", {})}
            behind = _behind(scene, style)
            colors = [style["color"]]
            if layer.get("highlights"):
                colors.append(style["highlight"])
            for color in colors:
                worst = min(_ratio(color, bg) for bg in behind)
                assert worst >= 4.5, (scene["name"], layer["text"], color, worst)
                checked += 1
    return checked + _captions_readable(spec)


def _captions_readable(spec: dict[str, Any]) -> int:
    """Burned captions: their words and the lit word against their box, which is
    translucent: seen over white (its lightest) and over black."""
    captions = spec["subtitles"]
    if not captions.get("burn"):
        return 0
    box = captions["style"]["box"]["color"].lstrip("#")
    alpha = int(box[6:8], 16) / 255 if len(box) == 8 else 1.0
    rgb = [int(box[i : i + 2], 16) for i in (0, 2, 4)]
    seen = [
        "#" + "".join(f"{round(c * alpha + under * (1 - alpha)):02x}" for c in rgb)
        for under in (255, 0)
    ]
    for color in (captions["style"]["color"], captions["highlight"]["color"]):
        worst = min(_ratio(color, bg) for bg in seen)
        assert worst >= 4.5, ("captions", color, worst)
    return 2


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ff0000", "#ffffff") == pytest.approx(4.0, abs=0.01)
    assert contrast_ratio("#123456", "#123456") == 1.0
    assert contrast_ratio("#0000ff", "#ffff00") == pytest.approx(_ratio("#0000ff", "#ffff00"))


# -- scripts made of pieces whose layout is known --------------------------------------------

EN_WORDS = [
    "river",
    "bright",
    "morning",
    "quiet",
    "garden",
    "engine",
    "team",
    "simple",
    "window",
    "journey",
    "careful",
]
ZH_WORDS = [
    "我们",
    "团队",
    "今天",
    "发布",
    "新的",
    "产品",
    "城市",
    "花园",
    "安静",
    "故事",
    "市场",
    "设计",
    "简单",
]


@st.composite
def pieces(draw: st.DrawFn) -> tuple[str, str]:
    """(Markdown, the layout its block must get; "statement" may become the first title)."""
    kind = draw(st.sampled_from(["heading", "en", "zh", "number_en", "number_zh", "quote_en",
                                 "quote_zh", "list", "enumeration"]))  # fmt: skip
    en = st.lists(st.sampled_from(EN_WORDS), min_size=4, max_size=9)
    zh = st.lists(st.sampled_from(ZH_WORDS), min_size=3, max_size=8)
    if kind == "heading":
        return "# " + " ".join(draw(en)[:3]).title(), "title"
    if kind == "en":
        return " ".join(draw(en)).capitalize() + ".", "statement"
    if kind == "zh":
        return "".join(draw(zh)) + "。", "statement"
    n = draw(st.integers(1, 999))
    if kind == "number_en":
        return f"Sales grew {n}% this year.", "number"
    if kind == "number_zh":
        return f"销售额增长了{n}%。", "number"
    if kind == "quote_en":
        return f'"{" ".join(draw(en))}," says Ana.', "quote"
    if kind == "quote_zh":
        return f"「{''.join(draw(zh))}」她说。", "quote"
    items = draw(st.lists(st.sampled_from(EN_WORDS), min_size=3, max_size=5, unique=True))
    if kind == "list":
        return "\n".join(f"- {item}" for item in items), "list"
    return f"We offer: {', '.join(items[:-1])} and {items[-1]}.", "list"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pieces(), min_size=1, max_size=5))
def test_generated_scripts_validate_read_well_and_get_their_layouts(
    tmp_path_factory: pytest.TempPathFactory, parts: list[tuple[str, str]]
) -> None:
    script = "\n\n".join(text for text, _ in parts) + "\n"
    expected = [layout for _, layout in parts]
    if expected[0] == "statement":
        expected[0] = "title"
    out = tmp_path_factory.mktemp("t2v") / "s.yaml"
    for name in STYLES:
        built = build(script, Options(out, size="640x360", style=name))
        text = spec_yaml(built.spec, "s.md", "reelspec.schema.json")
        load_spec_text(text, file=str(out), base_dir=out.parent)  # validates
        assert built.layouts == expected, script
        assert [s["name"].split()[0] for s in built.spec["scenes"]] == expected
        assert assert_readable(built.spec) >= len(parts)
        again = build(script, Options(out, size="640x360", style=name))
        assert spec_yaml(again.spec, "s.md", "x") == spec_yaml(built.spec, "s.md", "x")


def test_figures_and_their_layouts() -> None:
    assert figure_of("Sales grew 45%.") == "45%"
    assert figure_of("Sales grew 45 percent last year.") == "45%"
    assert figure_of("We raised $1.2 million.") == "$1.2 million"
    assert figure_of("销售额增长了45%。") == "45%"
    assert figure_of("It is three times faster, 3x.") == "3x"
    assert figure_of("In 2024 we moved.") is None  # a year is not a figure
    assert figure_of("We have 2 cats.") is None
    assert figure_of("From 10% to 20% and then 30%.") is None  # several
    spec = build("Sales grew 45%.", Options(Path("/tmp/s.yaml"))).spec
    layers = spec["scenes"][0]["layers"]
    assert layers[1]["text"] == "45%" and layers[1]["style"]["size"] > 150


def test_a_quote_and_its_speaker() -> None:
    built = build(
        'Intro here.\n\n"Best camera I ever owned," says Maria.', Options(Path("/tmp/s.yaml"))
    )
    assert built.layouts == ["title", "quote"]
    texts = [layer.get("text") for layer in built.spec["scenes"][1]["layers"]]
    assert "Best camera I ever owned" in texts and "— Maria" in texts


def test_a_list_takes_the_sentence_that_introduces_it() -> None:
    built = build(
        "Hello there.\n\nWhat you get:\n\n- A sensor\n- A lens\n", Options(Path("/tmp/s.yaml"))
    )
    assert built.layouts == ["title", "list"]
    lead, items = built.spec["scenes"][1]["layers"][1:]
    assert lead["text"] == "What you get:"
    assert items["text"] == "• A sensor\n• A lens"


# -- pictures --------------------------------------------------------------------------------


def test_stems_share_plurals_cases_and_endings() -> None:
    for a, b in [("camera", "Cameras"), ("city", "cities"), ("box", "boxes"), ("glass", "glasses"),
                 ("shoot", "shooting"), ("photo", "photos"), ("shop", "shopping")]:  # fmt: skip
        assert stem(a) == stem(b), (a, b)
    assert stem("class") == "class" and stem("bus") == "bus"


def test_pictures_match_by_name_tokens_stems_and_chinese(tmp_path: Path) -> None:
    for name in (
        "red-camera.jpg",
        "CityLights_02.png",
        "红色相机.jpg",
        "IMG_0001.jpg",
        "misc.webp",
    ):
        Image.new("RGB", (8, 8)).save(tmp_path / name)
    (tmp_path / "tags.yaml").write_text("misc.webp: [beaches, 海滩]\n", encoding="utf-8")
    pictures = picture_tags(tmp_path)

    def picked(*words: str) -> str | None:
        match = pick_picture(list(words), pictures)
        return match.picture.name if match else None

    assert picked("Cameras") == "red-camera.jpg"
    assert picked("cities", "lights") == "CityLights_02.png"
    assert picked("beach") == "misc.webp"
    assert picked("海滩") == "misc.webp"
    assert picked("相机") == "红色相机.jpg"
    assert picked("img", "0001") is None
    assert picked("unrelated") is None


def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", "text2video", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def test_the_command_reports_matches_and_warns_when_nothing_matched(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "assets" / "red-camera.jpg")
    script = tmp_path / "s.md"
    script.write_text("# Hello\n\nOur cameras are great.\n", encoding="utf-8")
    result = _run(script, "-o", tmp_path / "s.yaml", "--assets", tmp_path / "assets")
    assert result.returncode == 0, result.stderr
    assert (
        f"matched 'cameras' → {tmp_path / 'assets' / 'red-camera.jpg'} (scene 2)" in result.stdout
    )
    assert "warning" not in result.stderr
    script.write_text("# Hello\n\nThe weather is lovely.\n", encoding="utf-8")
    result = _run(script, "-o", tmp_path / "s.yaml", "--assets", tmp_path / "assets")
    assert result.returncode == 0, result.stderr
    assert "matched" not in result.stdout
    assert result.stderr.startswith("warning: no picture in ")
    assert "tags.yaml" in result.stderr


def test_an_unknown_style_is_a_clear_error(tmp_path: Path) -> None:
    script = tmp_path / "s.md"
    script.write_text("Hello.\n", encoding="utf-8")
    result = _run(script, "-o", tmp_path / "s.yaml", "--style", "bodl")
    assert result.returncode == 2
    assert "unknown style 'bodl'; did you mean 'bold'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_same_script_gives_a_byte_identical_spec(tmp_path: Path) -> None:
    script = tmp_path / "launch.md"
    script.write_bytes((ROOT / "specs" / "scripts" / "launch.md").read_bytes())
    outputs = []
    for seed in ("1", "2"):
        (tmp_path / seed).mkdir()
        out = tmp_path / seed / "launch.yaml"
        result = _run(script, "-o", out, "--assets", ROOT / "specs" / "assets",
                      env={"PYTHONHASHSEED": seed})  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    data = yaml.safe_load(outputs[0])
    assert assert_readable(data) > 0


@needs_piper
def test_natural_voices_narrate_the_languages_they_speak(tmp_path: Path) -> None:
    script = tmp_path / "mixed.md"
    script.write_text("A camera for the night.\n\n夜晚也能拍。\n", encoding="utf-8")
    result = _run(script, "-o", tmp_path / "mixed.yaml", "--voice", "natural")
    assert result.returncode == 0, result.stderr
    spec = yaml.safe_load((tmp_path / "mixed.yaml").read_text(encoding="utf-8"))
    voices = [scene["narration"]["voice"] for scene in spec["scenes"]]
    assert voices == [{"engine": "piper", "name": VOICE}, "zh"]
    # No natural Chinese voice ships in a package: espeak speaks it, and the person is told.
    assert "no natural voice is installed for zh" in result.stderr
