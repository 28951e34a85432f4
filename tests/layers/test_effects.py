"""Effects and blend modes, rendered and sampled. Every expectation is computed here from what
docs/spec.md says an effect does ("Effects", "Blend modes"), on test pictures whose every
pixel is known: a flip moves the left colour to the right, a quarter turn of a placed picture
swaps its sides around the same anchor, a crop of the source fills the frame with that part,
eq's documented arithmetic on a grey's luma, a hand-written LUT that swaps red and blue, a
green screen keyed over red, and each blend mode's formula on two known colours.

Videos are 160x90 at 10 fps, lossless 4:4:4 H.264, so a flat area comes back within a few
levels of its colour (the RGB ↔ YUV conversions round)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from engine.errors import SpecError
from engine.pipeline import prepare, render_spec
from tests.conftest import SpecWriter
from tests.media import frame

HEAD = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10,
         video: {codec: h264, preset: ultrafast, crf: 0, pix_fmt: yuv444p}}
scenes:
"""
RED, GREEN, BLUE, BLACK = (255, 0, 0), (0, 255, 0), (0, 0, 255), (0, 0, 0)


def near(pixel: np.ndarray, rgb: tuple[float, ...], tol: float = 4) -> bool:
    return bool(np.all(np.abs(pixel.astype(float) - np.array(rgb, dtype=float)) <= tol))


@pytest.fixture(scope="module")
def pics(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fx")
    left_right = Image.new("RGB", (160, 90), RED)
    ImageDraw.Draw(left_right).rectangle((80, 0, 159, 89), fill=BLUE)
    left_right.save(root / "lr.png")
    top_bottom = Image.new("RGB", (40, 20), RED)  # a sprite: red above, blue below
    ImageDraw.Draw(top_bottom).rectangle((0, 10, 39, 19), fill=BLUE)
    top_bottom.save(root / "tb.png")
    portrait = Image.new("RGB", (90, 160), RED)  # red above, blue below
    ImageDraw.Draw(portrait).rectangle((0, 80, 89, 159), fill=BLUE)
    portrait.save(root / "portrait.png")
    quad = Image.new("RGB", (160, 90), RED)
    draw = ImageDraw.Draw(quad)
    draw.rectangle((80, 0, 159, 44), fill=GREEN)
    draw.rectangle((0, 45, 79, 89), fill=BLUE)
    draw.rectangle((80, 45, 159, 89), fill=(255, 255, 255))
    quad.save(root / "quad.png")
    Image.new("RGB", (160, 90), (128, 128, 128)).save(root / "grey.png")
    step = Image.new("RGB", (160, 90), (100, 100, 100))
    ImageDraw.Draw(step).rectangle((80, 0, 159, 89), fill=(150, 150, 150))
    step.save(root / "step.png")
    # A green screen: pure green on the left, a grey with a green cast (spill) on the right.
    screen = Image.new("RGB", (160, 90), GREEN)
    ImageDraw.Draw(screen).rectangle((80, 0, 159, 89), fill=(150, 200, 150))
    screen.save(root / "screen.png")
    # A sprite with transparent parts: clear on the left third, green, then blue.
    clear = Image.new("RGBA", (60, 30), (0, 0, 0, 0))
    ImageDraw.Draw(clear).rectangle((20, 0, 39, 29), fill=(0, 255, 0, 255))
    ImageDraw.Draw(clear).rectangle((40, 0, 59, 29), fill=(0, 0, 255, 255))
    clear.save(root / "clear.png")
    Image.new("RGB", (160, 90), (200, 50, 10)).save(root / "warm.png")
    return root


def render(write_spec: SpecWriter, scenes: str, name: str = "spec.yaml") -> Path:
    """The video of a spec named ``name``, written beside it as ``<name>.mp4``."""
    head = HEAD.replace("out.mp4", f"{Path(name).stem}.mp4")
    return render_spec(write_spec(head + scenes, name=name)).output


def one(layers: list[str], duration: float = 0.1) -> str:
    body = "".join(f"      - {layer}\n" for layer in layers)
    return f"  - duration: {duration}\n    layers:\n{body}"


def test_flip_mirrors_the_picture(write_spec: SpecWriter, pics: Path) -> None:
    out = render(
        write_spec,
        one([f"{{type: image, src: {pics}/lr.png, effects: [{{flip: horizontal}}]}}"])
        + one([f"{{type: image, src: {pics}/quad.png, effects: [{{flip: vertical}}]}}"])
        + one([f"{{type: image, src: {pics}/quad.png, effects: [{{flip: both}}]}}"]),
    )
    f = frame(out, 0)
    assert near(f[45, 10], BLUE) and near(f[45, 150], RED)
    f = frame(out, 1)  # top and bottom change places
    assert near(f[10, 10], BLUE) and near(f[10, 150], (255, 255, 255))
    assert near(f[80, 10], RED) and near(f[80, 150], GREEN)
    f = frame(out, 2)  # and left and right too
    assert near(f[10, 10], (255, 255, 255)) and near(f[80, 150], RED)


def test_a_full_frame_picture_is_turned_before_it_is_fitted(
    write_spec: SpecWriter, pics: Path
) -> None:
    """A portrait picture turned a quarter fills the landscape frame (it was turned, then
    fitted); a quarter clockwise brings its top to the right."""
    portrait = f"{{type: image, src: {pics}/portrait.png, fit: contain, effects: "
    out = render(
        write_spec,
        one([portrait + "[{rotate: 90}]}"])
        + one([portrait + "[{rotate: 270}]}"])
        + one([f"{{type: image, src: {pics}/lr.png, effects: [{{rotate: 180}}]}}"]),
    )
    f = frame(out, 0)
    assert near(f[45, 2], BLUE) and near(f[45, 157], RED) and near(f[2, 40], BLUE)
    f = frame(out, 1)
    assert near(f[45, 2], RED) and near(f[45, 157], BLUE)
    f = frame(out, 2)
    assert near(f[45, 10], BLUE) and near(f[45, 150], RED)


def test_a_turned_sprite_swaps_its_sides_and_keeps_its_anchor(
    write_spec: SpecWriter, pics: Path
) -> None:
    black = "{type: color, color: black}"
    sprite = f"{{type: image, src: {pics}/tb.png, fit: none, effects: [{{rotate: 90}}]"
    out = render(
        write_spec,
        one([black, sprite + "}"])
        + one([black, sprite + ", position: top-left, margin: 5}"])
        + one([black, sprite + ", position: bottom-right, margin: 5}"]),
    )
    # 40x20 turned is 20x40: centred, columns 70..89 and rows 25..64; the bottom (blue)
    # comes to the left, the top (red) to the right.
    f = frame(out, 0)
    for row, col, rgb in [(25, 70, BLUE), (64, 79, BLUE), (25, 80, RED), (64, 89, RED)]:
        assert near(f[row, col], rgb), (row, col, f[row, col])
    for row, col in [(24, 75), (65, 75), (45, 69), (45, 90)]:
        assert near(f[row, col], BLACK), (row, col, f[row, col])
    f = frame(out, 1)  # columns 5..24, rows 5..44
    assert near(f[5, 5], BLUE) and near(f[44, 24], RED)
    assert near(f[45, 10], BLACK) and near(f[10, 25], BLACK) and near(f[4, 10], BLACK)
    f = frame(out, 2)  # columns 135..154, rows 45..84
    assert near(f[45, 135], BLUE) and near(f[84, 154], RED)
    assert near(f[44, 140], BLACK) and near(f[60, 134], BLACK) and near(f[85, 150], BLACK)


def test_a_crop_takes_part_of_the_source_before_fitting(write_spec: SpecWriter, pics: Path) -> None:
    top_right = "{crop: {x: 0.5, y: 0, width: 0.5, height: 0.5}}"
    left_half = "{crop: {x: 0, y: 0, width: 0.5, height: 1}}"
    out = render(
        write_spec,
        one([f"{{type: image, src: {pics}/quad.png, effects: [{top_right}]}}"])
        + one([f"{{type: image, src: {pics}/quad.png, fit: contain, effects: [{left_half}]}}"]),
    )
    f = frame(out, 0)  # the top-right quarter, scaled up to the whole frame
    for row, col in [(2, 2), (2, 157), (87, 2), (87, 157), (45, 80)]:
        assert near(f[row, col], GREEN), (row, col, f[row, col])
    # The left half (80x90) contained in 160x90: 80 wide, centred, black bars beside it.
    f = frame(out, 1)
    assert near(f[10, 45], RED) and near(f[80, 114], BLUE)
    assert near(f[45, 30], BLACK) and near(f[45, 130], BLACK)


def test_a_crop_of_a_sprite_shrinks_it_around_its_anchor(
    write_spec: SpecWriter, pics: Path
) -> None:
    bottom = "{crop: {y: 0.5, height: 0.5}}"
    out = render(
        write_spec,
        one(["{type: color, color: black}",
             f"{{type: image, src: {pics}/tb.png, fit: none, effects: [{bottom}]}}"]),
    )  # fmt: skip
    f = frame(out, 0)  # the blue bottom, 40x10, centred: columns 60..99, rows 40..49
    assert near(f[40, 60], BLUE) and near(f[49, 99], BLUE)
    assert near(f[39, 80], BLACK) and near(f[50, 80], BLACK) and near(f[45, 59], BLACK)


def eq_luma(luma: float, brightness: float = 0, contrast: float = 1, gamma: float = 1) -> float:
    """A luma level (limited range) after eq as docs/spec.md states it: contrast about
    mid-grey and brightness added, c·(Y − 128) + 128 + 255·b; or gamma, 255·(Y/255)^(1/g)."""
    if gamma != 1:
        return 255 * (luma / 255) ** (1 / gamma)
    return min(255.0, max(0.0, contrast * (luma - 128) + 128 + 255 * brightness))


def grey_luma(level: int) -> float:
    return round(16 + 219 * level / 255)


def grey_rgb(luma: float) -> float:
    return (luma - 16) * 255 / 219


def test_colour_effects(write_spec: SpecWriter, pics: Path) -> None:
    grey = f"{{type: image, src: {pics}/grey.png, effects: "
    out = render(
        write_spec,
        one([grey + "[{brightness: 0.1}]}"])
        + one([grey + "[{contrast: 2}]}"])
        + one([grey + "[{gamma: 2}]}"])
        + one([grey + "[{brightness: 0.1}, {contrast: 1.5}]}"])
        + one([f"{{type: image, src: {pics}/lr.png, effects: [{{saturation: 0}}]}}"])
        + one(['{type: color, color: "#ff0000", effects: [{hue: 120}]}'])
        + one(['{type: color, color: "#ff0000", effects: [{hue: -120}]}']),
    )
    for index, expected in enumerate(
        [
            eq_luma(grey_luma(128), brightness=0.1),
            eq_luma(grey_luma(128), contrast=2),
            eq_luma(grey_luma(128), gamma=2),
            # In order: the brightened grey's level is what the contrast works on.
            eq_luma(eq_luma(grey_luma(128), brightness=0.1), contrast=1.5),
        ]
    ):
        expected = grey_rgb(expected)
        pixel = frame(out, index)[45, 80]
        assert near(pixel, (expected,) * 3, tol=3), (index, pixel, expected)
    # No saturation: each colour becomes the grey of its BT.709 luma.
    f = frame(out, 4)
    assert near(f[45, 20], (0.2126 * 255,) * 3, tol=3), f[45, 20]
    assert near(f[45, 140], (0.0722 * 255,) * 3, tol=3), f[45, 140]
    # Hue: +120° turns red to green, −120° to blue (the luma stays that of red).
    red, green, blue = (int(c) for c in frame(out, 5)[45, 80])
    assert green > 90 and red < 10 and blue < 10, (red, green, blue)
    red, green, blue = (int(c) for c in frame(out, 6)[45, 80])
    assert blue > 150 and red < 40 and green < 60, (red, green, blue)


SWAP_RED_BLUE = 'TITLE "swap"\n# red and blue change places\nLUT_3D_SIZE 2\n' + "".join(
    f"{b} {g} {r}\n"
    for b in (0, 1)
    for g in (0, 1)
    for r in (0, 1)  # red changes fastest
)


@pytest.mark.parametrize("folder", ["plain", "a:b'c[d],e;f"])
def test_a_lut_maps_colours(
    write_spec: SpecWriter, pics: Path, folder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 2x2x2 LUT written by hand that swaps red and blue; also from a folder whose name
    holds the filter graph's special characters (the spec's path never reaches the graph),
    with the cache, whose path does, in such a folder too (it is quoted)."""
    where = pics / folder
    where.mkdir(exist_ok=True)
    if folder != "plain":
        monkeypatch.setenv("REELSPEC_CACHE", str(where / "cache"))
    (where / "swap:[x]'.cube").write_text(SWAP_RED_BLUE, encoding="utf-8")
    lut = str(where / "swap:[x]'.cube").replace("'", "''")
    out = render(
        write_spec,
        one([f"{{type: image, src: {pics}/warm.png, effects: [{{lut: '{lut}'}}]}}"])
        + one([f"{{type: image, src: {pics}/lr.png, effects: [{{lut: '{lut}'}}]}}"]),
    )
    assert near(frame(out, 0)[45, 80], (10, 50, 200)), frame(out, 0)[45, 80]
    f = frame(out, 1)
    assert near(f[45, 10], BLUE) and near(f[45, 150], RED)


def test_blur_spreads_an_edge_over_a_few_sigma(write_spec: SpecWriter, pics: Path) -> None:
    out = render(write_spec, one([f"{{type: image, src: {pics}/lr.png, effects: [{{blur: 4}}]}}"]))
    row = frame(out, 0)[45].astype(int)
    # Far from the red|blue edge (at x = 80) nothing changes; across it red falls steadily,
    # through about half at the edge (a Gaussian of sigma 4: 10%-90% over ~10 pixels).
    assert near(row[60], RED) and near(row[100], BLUE)
    reds = row[66:95, 0]
    assert all(a >= b for a, b in itertools.pairwise(reds)), reds
    assert 100 <= (int(row[79, 0]) + int(row[80, 0])) / 2 <= 155, row[78:82]
    assert row[74, 0] > 200 and row[86, 0] < 55, (row[74], row[86])


def test_sharpen_overshoots_an_edge(write_spec: SpecWriter, pics: Path) -> None:
    out = render(
        write_spec, one([f"{{type: image, src: {pics}/step.png, effects: [{{sharpen: 2}}]}}"])
    )
    row = frame(out, 0)[45].astype(int)
    assert near(row[40], (100,) * 3) and near(row[120], (150,) * 3)
    assert row[79, 1] < 95 and row[80, 1] > 155, (row[79], row[80])


def test_a_vignette_darkens_towards_the_corners(write_spec: SpecWriter) -> None:
    out = render(write_spec, one(['{type: color, color: "#808080", effects: [{vignette: 0.5}]}']))
    f = frame(out, 0)
    # Factor cos(strength·π/2 · d/dmax)^4, d from the centre, dmax = the half diagonal.
    dmax = math.hypot(80, 45)

    def level(row: int, col: int) -> float:
        d = math.hypot(col + 0.5 - 80, row + 0.5 - 45)
        return 128 * math.cos(math.pi / 4 * d / dmax) ** 4

    for row, col in [(45, 80), (0, 0), (45, 0), (0, 80), (20, 130)]:
        assert near(f[row, col], (level(row, col),) * 3, tol=5), (row, col, f[row, col])


def test_a_green_screen_keyed_over_red(write_spec: SpecWriter, pics: Path) -> None:
    red = "{type: color, color: red}"
    screen = f"{{type: image, src: {pics}/screen.png, effects: "
    out = render(
        write_spec,
        one([red, screen + "[{chroma_key: {color: '#00ff00', similarity: 0.3}}]}"])
        + one([red, screen + "[{chroma_key: {spill: false}}]}"]),
    )
    f = frame(out, 0)
    assert near(f[45, 20], RED) and near(f[10, 70], RED)
    # The greenish grey stays, its green cast taken down to the mean of red and blue.
    assert near(f[45, 120], (150, 150, 150)), f[45, 120]
    f = frame(out, 1)
    assert near(f[45, 20], RED) and near(f[45, 120], (150, 200, 150)), f[45, 120]


def test_keying_and_vignette_keep_a_sprites_transparency(
    write_spec: SpecWriter, pics: Path
) -> None:
    red = "{type: color, color: red}"
    sprite = f"{{type: image, src: {pics}/clear.png, fit: none, effects: "
    out = render(
        write_spec,
        one([red, sprite + "[{chroma_key: '#00ff00'}]}"])
        + one([red, sprite + "[{vignette: 0.2}]}"]),
    )
    # The sprite is 60x30, centred: columns 50..109, rows 30..59; clear, green, blue thirds.
    f = frame(out, 0)
    assert near(f[45, 55], RED) and near(f[45, 80], RED) and near(f[45, 100], BLUE)
    # Darkened towards the sprite's corners, cos(0.2·π/2 · d/dmax)^4, and clear where it was.
    f = frame(out, 1)

    def darkened(col: int) -> float:
        return math.cos(0.1 * math.pi * math.hypot(col + 0.5 - 80, 0.5) / math.hypot(30, 15)) ** 4

    assert near(f[45, 55], RED) and near(f[45, 80], GREEN)
    assert near(f[45, 100], (0, 0, 255 * darkened(100))), f[45, 100]
    assert near(f[45, 70], (0, 255 * darkened(70), 0)), f[45, 70]


B, S = (60, 140, 220), (200, 100, 50)


def mode(name: str, b: float, s: float) -> float:
    """The blend modes of docs/spec.md, on 0..255 levels."""
    b, s = b / 255, s / 255
    value = {
        "multiply": s * b,
        "screen": 1 - (1 - s) * (1 - b),
        "overlay": 2 * s * b if b < 0.5 else 1 - 2 * (1 - s) * (1 - b),
        "darken": min(s, b),
        "lighten": max(s, b),
        "add": min(1.0, s + b),
        "difference": abs(s - b),
    }[name]
    return 255 * value


MODES = ["multiply", "screen", "overlay", "darken", "lighten", "add", "difference"]


def test_every_blend_mode_on_two_colours(write_spec: SpecWriter) -> None:
    below, top = "#{:02x}{:02x}{:02x}".format(*B), "#{:02x}{:02x}{:02x}".format(*S)
    scenes = "".join(
        one([f'{{type: color, color: "{below}"}}', f'{{type: color, color: "{top}", blend: {m}}}'])
        for m in MODES
    )
    out = render(write_spec, scenes)
    for index, name in enumerate(MODES):
        expected = tuple(mode(name, b, s) for b, s in zip(B, S, strict=True))
        pixel = frame(out, index)[45, 80]
        assert near(pixel, expected, tol=4), (name, pixel, expected)


def test_a_blended_sprite_changes_only_its_box(write_spec: SpecWriter) -> None:
    """Outside the sprite's box, and where the sprite is transparent (a circle's corners),
    every pixel is what the layers below made, exactly; inside, the mode's result, moved
    by the layer's opacity; before and after its time, nothing."""
    below = '{type: gradient, colors: ["#204080", "#e0c040"], angle: 0}'
    fill = 'fill: "#c86432"'
    box = "type: shape, shape: rect, width"
    rect = f"{{{box}: 40, height: 20, x: 20, y: 10, {fill}, blend: multiply}}"
    circle = (
        f"{{type: shape, shape: circle, width: 40, x: 100, y: 40, {fill}, blend: screen, "
        "opacity: 0.5, start: 0.1, end: 0.2}"
    )
    corner = f"{{{box}: 30, height: 20, x: 140, y: 80, {fill}, blend: difference}}"
    reference = render(write_spec, one([below], 0.3), name="reference.yaml")
    out = render(write_spec, one([below, rect, circle, corner], 0.3))
    for index in range(3):
        f, g = frame(out, index).astype(int), frame(reference, index).astype(int)
        outside = np.ones(f.shape[:2], bool)
        outside[10:30, 20:60] = False
        outside[80:, 140:] = False  # the part of the corner rect inside the frame
        if index == 1:
            yy, xx = np.mgrid[0:90, 0:160]
            outside &= np.hypot(xx + 0.5 - 120, yy + 0.5 - 60) > 21  # the circle, edges too
        assert np.array_equal(f[outside], g[outside]), index
        inside = tuple(
            mode("multiply", b, s) for b, s in zip(g[20, 40], (200, 100, 50), strict=True)
        )
        assert near(f[20, 40], inside), (f[20, 40], inside)
        differs = tuple(abs(b - s) for b, s in zip(g[85, 150], (200, 100, 50), strict=True))
        assert near(f[85, 150], differs) and near(f[89, 159], (abs(g[89, 159] - (200, 100, 50))))
    f, g = frame(out, 1).astype(int), frame(reference, 1).astype(int)
    screened = [mode("screen", b, s) for b, s in zip(g[60, 120], (200, 100, 50), strict=True)]
    halfway = tuple(b + 0.5 * (m - b) for b, m in zip(g[60, 120], screened, strict=True))
    assert near(f[60, 120], halfway), (f[60, 120], halfway)


def test_effects_on_a_clip_an_overlay_and_a_shape(
    write_spec: SpecWriter, pics: Path, assets: Path
) -> None:
    clip = f"{{type: video, src: {assets}/clip.mp4, audio: false"
    plain = render(write_spec, one([clip + "}"]), name="plain.yaml")
    flipped = render(write_spec, one([clip + ", effects: [{flip: horizontal}]}"]))
    a, b = frame(plain, 0).astype(int), frame(flipped, 0).astype(int)
    assert np.abs(a[:, ::-1] - b).mean() < 2, np.abs(a[:, ::-1] - b).mean()
    text = (
        one(["{type: color, color: black}",
             "{type: shape, shape: rect, width: 40, height: 20, position: top-left, margin: 4, "
             "fill: red, effects: [{rotate: 270}]}"])
        + "overlays:\n"
        + f"  - {{type: image, src: {pics}/tb.png, position: bottom-right, margin: 4, "
        + "effects: [{rotate: 90}]}\n"
    )  # fmt: skip
    f = frame(render(write_spec, text, name="overlay.yaml"), 0)
    assert near(f[4, 4], RED) and near(f[43, 23], RED)  # 20x40 at the top-left
    assert near(f[44, 10], BLACK) and near(f[10, 24], BLACK)
    # The overlay, 20x40 at the bottom-right: columns 136..155, rows 46..85, blue then red.
    assert near(f[46, 136], BLUE) and near(f[85, 155], RED) and near(f[45, 140], BLACK)


def test_a_gradient_turned_a_quarter_fills_the_frame(write_spec: SpecWriter) -> None:
    out = render(
        write_spec,
        one(["{type: gradient, colors: [red, blue], angle: 0, effects: [{rotate: 90}]}"]),
    )
    f = frame(out, 0).astype(int)
    # Left-to-right red→blue, turned clockwise: top to bottom, the same in every column.
    assert f[1, 80, 0] > 220 and f[88, 80, 2] > 220
    assert np.abs(f[45, 5] - f[45, 155]).max() <= 3


def lut_problem(write_spec: SpecWriter, text: str | bytes) -> str:
    path = write_spec("", name="x.cube")
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    spec = write_spec(
        HEAD + one(["{type: color, color: grey}", "{type: color, effects: [{lut: x.cube}]}"])
    )
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    message = str(caught.value)
    assert f"{spec}:8:" in message and "scenes[0].layers[1].effects[0].lut" in message, message
    return message


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            "LUT_3D_SIZE 2\n" + "0 0 0\n" * 3 + "0 x 0\n" + "1 1 1\n" * 4,
            "line 5: expected 3 numbers",
        ),
        ("LUT_3D_SIZE 2\n" + "0 0 nan\n" + "0 0 0\n" * 7, "line 2: numbers must be finite"),
        ("LUT_3D_SIZE 2\n" + "0 0 9\n" + "0 0 0\n" * 7, "line 2: values must lie between"),
        ("LUT_3D_SIZE 65\n0 0 0\n", "line 1: LUT_3D_SIZE must be 2 to 64 (got 65)"),
        ("LUT_3D_SIZE 100000000\n", "line 1: LUT_3D_SIZE must be 2 to 64"),
        ("LUT_3D_SIZE 2\n" + "0 0 0\n" * 7, "LUT_3D_SIZE 2 needs 8 entries, the file has 7"),
        ("LUT_3D_SIZE 2\n" + "0 0 0\n" * 9, "line 10: more than"),
        ("LUT_1D_SIZE 4\n", "line 1: a 1D LUT"),
        ("DOMAIN_MAX 2 2 2\nLUT_3D_SIZE 2\n" + "0 0 0\n" * 8, "line 1: only the default domain"),
        ("0 0 0\n", "line 1: the table starts before LUT_3D_SIZE"),
        ("LUT_3D_SIZE 2\n0 0 0\nLUT_3D_SIZE 2\n", "line 3: 'LUT_3D_SIZE' must come before"),
        ("LUT_3D_SIZ 2\n", "line 1: unknown keyword 'LUT_3D_SIZ'"),
        ("", "no LUT_3D_SIZE line"),
        (b"LUT_3D_SIZE 2\n\xff\xfe\n", "not a text file"),
    ],
)
def test_a_bad_lut_is_a_located_error(write_spec: SpecWriter, body: str | bytes, said: str) -> None:
    assert said in lut_problem(write_spec, body)


def test_a_huge_lut_file_is_refused_unread(write_spec: SpecWriter, tmp_path: Path) -> None:
    with open(tmp_path / "x.cube", "wb") as handle:
        handle.truncate(16 * 1024 * 1024 + 1)  # sparse: nothing is written
    spec = write_spec(HEAD + one(["{type: color, effects: [{lut: x.cube}]}"]))
    with pytest.raises(SpecError, match=r"effects\[0\]\.lut: 'x.cube': too large for a .cube LUT"):
        prepare(spec)


def test_a_lut_must_be_a_file_inside_the_media_root(
    write_spec: SpecWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REELSPEC_MEDIA_ROOT")
    outside = tmp_path.parent / "elsewhere.cube"
    outside.write_text(SWAP_RED_BLUE, encoding="utf-8")
    spec = write_spec(HEAD + one([f"{{type: color, effects: [{{lut: {outside}}}]}}"]))
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    message = str(caught.value)
    assert f"{spec}:7:" in message and "layers[0].effects[0].lut: " in message, message
    assert "is outside the media root" in message
    (tmp_path / "folder.cube").mkdir()
    spec = write_spec(
        HEAD + one(["{type: color, effects: [{lut: missing.cube}, {lut: folder.cube}]}"])
    )
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    message = str(caught.value)
    assert "layers[0].effects[0].lut: 'missing.cube': no such file" in message, message
    assert "layers[0].effects[1].lut: 'folder.cube': not a file" in message, message


def test_bad_effects_are_located_spec_errors(write_spec: SpecWriter) -> None:
    lines = [
        "{type: color, effects: [{blurr: 2}]}",
        "{type: color, effects: [{flip: vertical}]}",
        "{type: gradient, colors: [red, blue], effects: [{crop: {x: 0.9, width: 0.2}}]}",
        "{type: gradient, colors: [red, blue], effects: [{rotate: 45}]}",
        "{type: gradient, colors: [red, blue], effects: [{flip: horizontal, blur: 2}]}",
        "{type: gradient, colors: [red, blue], effects: [{chroma_key: {color: red, spill: true}}]}",
        "{type: gradient, colors: [red, blue], effects: [{blur: 0}]}",
        "{type: gradient, colors: [red, blue], blend: multiplyy}",
        "{type: gradient, colors: [red, blue], effects: [" + ", ".join(["{blur: 1}"] * 17) + "]}",
    ]
    spec = write_spec(HEAD + one(lines))
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    message = str(caught.value)
    expected = [
        (7, "layers[0].effects[0]: unknown effect 'blurr'; did you mean 'blur'?"),
        (8, "layers[1].effects[0]: a color layer takes only colour effects"),
        (9, "layers[2].effects[0].crop: the crop leaves the picture: x + width is 1.1"),
        (10, "layers[3].effects[0].rotate: expected one of 90, 180, 270"),
        (11, "layers[4].effects[0]: an effect is one key and its value"),
        (12, "layers[5].effects[0].chroma_key: spill suppression works for green or blue"),
        (13, "layers[6].effects[0].blur:"),
        (14, "layers[7].blend: expected one of normal, multiply"),
        (15, "layers[8].effects:"),
    ]
    for line, text in expected:
        assert f"{spec}:{line}:" in message and f"scenes[0].{text}" in message, (text, message)
