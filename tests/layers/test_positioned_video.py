"""Positioned video (picture in picture), rendered and sampled. Every expectation comes from
docs/spec.md: a placed clip's box is ``width``×``height`` pixels with its top-left corner where
``x``/``y`` (or the anchor, margin and offset) put it; its picture fills the box inside the
border; a contained picture leaves the rest of its box transparent and is centred in it;
``radius`` rounds the box's outer corners; the shadow is the box's shape shifted by its
offset; a layer's ``start``/``end`` are seconds of its scene, and the clip's first frame shows
at ``start``; a video overlay shows on the video's timeline.

The test clips are made here: ``rg.mp4`` is red for its first second and green for its second
(with a 500 Hz tone), ``alpha_*`` hold a yellow left half and a transparent right half (ProRes
4444, VP9 with alpha, a PNG sequence). Videos are 160x90 at 10 fps, lossless 4:4:4 H.264, so
a pixel well inside or outside a picture comes back within a few levels of its colour."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.pipeline import prepare, render_spec, render_still
from engine.resolved import with_files
from tests.media import audio_samples, count_frames, frame, run_ffmpeg, tone_level

ROOT = Path(__file__).resolve().parents[2]
HEAD = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10,
         video: {codec: h264, preset: ultrafast, crf: 0, pix_fmt: yuv444p}}
"""
RED, GREEN, BLUE, WHITE, BLACK = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)
YELLOW = (255, 255, 0)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pip")
    run_ffmpeg(
        *("-f", "lavfi", "-i", "color=c=red:s=160x90:r=10:d=1"),
        *("-f", "lavfi", "-i", "color=c=lime:s=160x90:r=10:d=1"),
        *("-f", "lavfi", "-i", "sine=f=500:d=2:sample_rate=48000"),
        *("-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]", "-map", "[v]", "-map", "2:a"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv444p"),
        *("-c:a", "aac", str(root / "rg.mp4")),
    )
    frames = root / "alpha"
    frames.mkdir()
    for i in range(20):
        picture = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
        picture.paste((*YELLOW, 255), (0, 0, 20, 30))
        picture.save(frames / f"a_{i:03d}.png")
    pattern = str(frames / "a_%03d.png")
    run_ffmpeg(
        *("-framerate", "10", "-i", pattern, "-c:v", "prores_ks", "-profile:v", "4444"),
        *("-pix_fmt", "yuva444p10le", str(root / "alpha_prores.mov")),
    )
    run_ffmpeg(
        *("-framerate", "10", "-i", pattern, "-c:v", "libvpx-vp9", "-pix_fmt", "yuva420p"),
        *("-auto-alt-ref", "0", "-lossless", "1", str(root / "alpha_vp9.webm")),
    )
    return root


def near(pixel: np.ndarray, rgb: tuple[int, int, int], tol: int = 8) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - np.array(rgb)) <= tol))


def write(folder: Path, clips: Path, text: str, name: str = "spec.yaml") -> Path:
    path = folder / name
    path.write_text(HEAD + text.replace("{clips}", str(clips)), encoding="utf-8")
    return path


def scene(layers: str, duration: float | None = 2, background: str = "#0000ff") -> str:
    length = f"duration: {duration}" if duration is not None else "name: s"
    color = f'      - {{type: color, color: "{background}"}}\n'
    return f"scenes:\n  - {length}\n    layers:\n{color}{layers}"


def layer(body: str, kind: str = "video", src: str = "{clips}/rg.mp4") -> str:
    return f"      - {{type: {kind}, src: {src}, {body}}}\n"


def test_a_placed_clip_plays_inside_its_box(tmp_path: Path, clips: Path) -> None:
    layers = layer("width: 60, height: 40, x: 20, y: 10, audio: false")
    layers += layer("width: 30, height: 20, position: bottom-right, margin: 5, offset: [-4, 2]")
    layers += layer("width: 48, x: 100, y: 5")  # one side: the other follows the aspect
    out = render_spec(write(tmp_path, clips, scene(layers))).output
    for n, color in ((5, RED), (15, GREEN)):  # the clip's colour at 0.5 s and at 1.5 s
        f = frame(out, n)
        # Box one: columns 20..79, rows 10..49.
        for row, col in [(10, 20), (10, 79), (49, 20), (49, 79), (30, 50)]:
            assert near(f[row, col], color), (n, row, col, f[row, col])
        for row, col in [(9, 20), (10, 19), (50, 79), (49, 80), (70, 10)]:
            assert near(f[row, col], BLUE), (n, row, col, f[row, col])
        # Box two: 160 - 30 - 5 - 4 = 121, 90 - 20 - 5 + 2 = 67: columns 121..150, rows 67..86.
        assert near(f[67, 121], color) and near(f[86, 150], color)
        assert near(f[66, 121], BLUE) and near(f[67, 120], BLUE) and near(f[86, 151], BLUE)
        # Box three: 48 wide, 48 × 90 / 160 = 27 high: columns 100..147, rows 5..31.
        assert near(f[5, 100], color) and near(f[31, 147], color)
        assert near(f[32, 147], BLUE) and near(f[31, 148], BLUE)


def test_contain_leaves_the_rest_of_the_box_transparent(tmp_path: Path, clips: Path) -> None:
    layers = layer("width: 60, height: 60, x: 10, y: 15, fit: contain")
    layers += layer("width: 60, height: 60, x: 90, y: 15, fit: contain, background: white")
    f = frame(render_spec(write(tmp_path, clips, scene(layers, background="#000000"))).output, 5)
    # 160x90 contained in 60x60: 60x34 (even heights), centred: rows 15 + 13 = 28 .. 61.
    for row in (28, 45, 61):
        assert near(f[row, 10], RED) and near(f[row, 69], RED), row
        assert near(f[row, 90], RED) and near(f[row, 149], RED), row
    for row in (15, 27, 62, 74):  # the strips: what is below shows, or the background given
        assert near(f[row, 40], BLACK), (row, f[row, 40])
        assert near(f[row, 120], WHITE), (row, f[row, 120])
    assert near(f[14, 120], BLACK) and near(f[75, 120], BLACK)


def test_rounded_corners_border_and_shadow(tmp_path: Path, clips: Path) -> None:
    layers = layer("width: 60, height: 40, x: 10, y: 10, radius: 12")
    layers += layer(
        "width: 60, height: 40, x: 90, y: 10, border: {width: 4, color: white}, "
        'shadow: {offset: [6, 6], color: "#00000099", blur: 0}'
    )
    f = frame(render_spec(write(tmp_path, clips, scene(layers))).output, 5)
    # Rounded: the corners show the background, the middles of the edges the clip.
    for row, col in [(10, 10), (11, 11), (10, 69), (49, 10), (49, 69)]:
        assert near(f[row, col], BLUE), (row, col, f[row, col])
    for row, col in [(10, 40), (49, 40), (30, 10), (30, 69), (14, 14), (30, 40)]:
        assert near(f[row, col], RED), (row, col, f[row, col])
    # Bordered: a 4-pixel white band inside the box (columns 90..149, rows 10..49).
    for row, col in [(10, 90), (13, 120), (30, 93), (49, 149), (46, 120), (30, 146)]:
        assert near(f[row, col], WHITE), (row, col, f[row, col])
    for row, col in [(14, 94), (30, 120), (45, 145)]:
        assert near(f[row, col], RED), (row, col, f[row, col])
    # The shadow: the box's shape 6 pixels right and down, black at 60 %: the blue shows
    # through at 40 %, and nowhere else.
    shade = (0, 0, round(255 * (1 - 0x99 / 255)))
    for row, col in [(52, 100), (55, 150), (20, 153), (55, 96)]:
        assert near(f[row, col], shade), (row, col, f[row, col])
    for row, col in [(56, 100), (20, 156), (12, 152), (52, 95)]:
        assert near(f[row, col], BLUE), (row, col, f[row, col])


def test_start_and_end_inside_the_scene(tmp_path: Path, clips: Path) -> None:
    placed = layer("width: 60, height: 40, x: 20, y: 10, start: 0.5, end: 2")
    late = layer("start: 2.2", src="{clips}/rg.mp4")  # full frame, from 2.2 s
    out = render_spec(write(tmp_path, clips, scene(placed + late, duration=None))).output
    # The scene lasts as long as its latest clip: 2.2 + 2 s.
    assert count_frames(out) == 42
    seen = {n: frame(out, n)[30, 50] for n in (4, 5, 12, 16, 19, 20)}
    # The clip's first frame shows at 0.5 s: frame 12 is 0.7 s into it (red), frame 16 1.1 s.
    assert near(seen[4], BLUE) and near(seen[20], BLUE)
    assert near(seen[5], RED) and near(seen[12], RED) and near(seen[19], GREEN)
    assert near(seen[16], GREEN)
    assert near(frame(out, 21)[80, 150], BLUE)
    assert near(frame(out, 22)[80, 150], RED) and near(frame(out, 33)[80, 150], GREEN)
    # Each clip's sound plays with its pictures: from 0.5 s to 2 s, and from 2.2 s.
    sound = audio_samples(out)
    levels = [tone_level(sound, 500, *span) for span in ((0.05, 0.45), (0.6, 1.9), (2.3, 4.1))]
    assert levels[0] < 0.01 and levels[1] > 0.1 and levels[2] > 0.1, levels
    assert tone_level(sound, 500, 2.03, 2.17) < 0.02


def test_a_video_overlay_crosses_scenes_with_its_sound(tmp_path: Path, clips: Path) -> None:
    text = """scenes:
  - {duration: 1, layers: [{type: color, color: blue}]}
  - {duration: 2, layers: [{type: color, color: black}]}
overlays:
  - {type: video, src: {clips}/rg.mp4, width: 40, x: 10, y: 10, start: 0.5, radius: 4}
  - {type: video, src: {clips}/rg.mp4, width: 40, x: 100, y: 10, start: 1, end: 2.5,
     audio: false, opacity: 0.5}
"""
    out = render_spec(write(tmp_path, clips, text)).output
    inside = {n: frame(out, n)[20, 30] for n in (4, 5, 14, 15, 24, 25)}
    # Shown from 0.5 s until its clip ends (2.5 s), over both scenes.
    assert near(inside[4], BLUE) and near(inside[25], BLACK)
    assert near(inside[5], RED) and near(inside[14], RED)
    assert near(inside[15], GREEN) and near(inside[24], GREEN)
    half = frame(out, 12)[20, 120]
    assert near(half, (128, 0, 0), 4), half  # red at half opacity over black
    assert near(frame(out, 9)[20, 120], BLUE) and near(frame(out, 25)[20, 120], BLACK)
    sound = audio_samples(out)
    assert tone_level(sound, 500, 0.05, 0.45) < 0.01
    assert tone_level(sound, 500, 0.6, 2.4) > 0.05  # only the first overlay keeps its sound
    assert tone_level(sound, 500, 2.55, 2.95) < 0.01


@pytest.mark.parametrize("name", ["alpha_prores.mov", "alpha_vp9.webm", "alpha/a_%03d.png"])
def test_transparent_clips_show_the_layer_below(tmp_path: Path, clips: Path, name: str) -> None:
    kind = "image_sequence" if name.endswith(".png") else "video"
    extra = ", fps: 10" if kind == "image_sequence" else ""
    layers = layer(f"x: 10, y: 10{extra}", kind=kind, src=f'"{{clips}}/{name}"')
    layers += layer(
        f"width: 80, x: 70, y: 20, radius: 20{extra}", kind=kind, src=f'"{{clips}}/{name}"'
    )
    full = layer(f"fit: fill{extra}", kind=kind, src=f'"{{clips}}/{name}"')
    text = scene(layers) + "  - duration: 1\n    layers:\n      - {type: color, color: blue}\n"
    out = render_spec(write(tmp_path, clips, text + full)).output
    f = frame(out, 5)
    # At its own size, 40x30 at (10, 10): the left half yellow, the right half see-through.
    assert near(f[20, 15], YELLOW) and near(f[35, 29], YELLOW), (f[20, 15], f[35, 29])
    assert near(f[20, 31], BLUE) and near(f[35, 48], BLUE), (f[20, 31], f[35, 48])
    # Scaled to 80x60 at (70, 20) with rounded corners: the yellow half's corner is cut.
    assert near(f[50, 100], YELLOW) and near(f[50, 120], BLUE)
    assert near(f[21, 71], BLUE) and near(f[78, 71], BLUE) and near(f[40, 71], YELLOW)
    # Over the whole frame: the right half shows the scene's blue.
    f = frame(out, 25)
    assert near(f[45, 40], YELLOW) and near(f[45, 120], BLUE)


def test_a_placed_image_takes_the_same_decoration(tmp_path: Path, clips: Path) -> None:
    body = "fit: none, width: 40, x: 20, y: 20, radius: 8, border: {width: 3, color: white}"
    f = frame(
        render_spec(
            write(tmp_path, clips, scene(layer(body, "image", "{clips}/alpha/a_000.png")))
        ).output,
        3,
    )
    # 40 wide with the border inside: the picture is 34 wide, 34 × 30 / 40 = 25.5 → 26 high,
    # at (23, 23); the box 40x32: columns 20..59, rows 20..51. Its right half is see-through,
    # so the border is a band (the blue shows inside it).
    assert near(f[30, 30], YELLOW) and near(f[30, 54], BLUE)
    assert near(f[35, 20], WHITE) and near(f[35, 59], WHITE) and near(f[20, 40], WHITE)
    assert near(f[51, 40], WHITE) and near(f[20, 20], BLUE) and near(f[52, 40], BLUE)


def test_a_still_is_the_frame_of_the_render(tmp_path: Path, clips: Path) -> None:
    """A still and a farm chunk compile a window of the video alone."""
    layers = layer("width: 60, height: 40, x: 20, y: 10, start: 0.5, radius: 6, fade_in: 0.4")
    text = scene(layers) + (
        "overlays:\n  - {type: video, src: "
        + "{clips}/alpha_vp9.webm, position: bottom-right, start: 0.3, border: {width: 2}, "
        + "shadow: {offset: [3, 3], blur: 2}, fade: 0.3, loop: true}\n"
    )
    spec = write(tmp_path, clips, text)
    out = render_spec(spec).output
    for n in (2, 6, 13, 19):
        render_still(spec, (n + 0.25) / 10, tmp_path / f"still{n}.png")
        with Image.open(tmp_path / f"still{n}.png") as image:
            still = np.asarray(image.convert("RGB"), dtype=np.int16)
        whole = frame(out, n).astype(np.int16)
        assert int(np.abs(still - whole).max()) <= 3, n


def test_a_resolved_placed_clip_travels_to_farm_workers(tmp_path: Path, clips: Path) -> None:
    """Workers get the resolved spec pickled, with its files renamed (engine.resolved)."""
    layers = layer("width: 60, height: 40, radius: 6, border: {width: 2}, shadow: {blur: 1}")
    overlay = "overlays:\n  - {type: video, src: {clips}/alpha_prores.mov, radius: 5}\n"
    resolved = prepare(write(tmp_path, clips, scene(layers) + overlay)).resolved
    assert pickle.loads(pickle.dumps(resolved)) == resolved
    moved = with_files(resolved, lambda path, kind, members: tmp_path / path.name)
    placed = moved.scenes[0].layers[1]
    for path in (placed.src, placed.framed.mask, placed.framed.under):
        assert path is not None and path.parent == tmp_path
    over = moved.overlays[0].layer
    assert over is not None and over.src == tmp_path / "alpha_prores.mov"
    assert over.framed.mask.parent == tmp_path


def test_a_farm_renders_placed_clips_as_one_process_does(tmp_path: Path, clips: Path) -> None:
    """Farm workers get every file a placed clip reads (its clip, its mask, its border and
    shadow; a moving overlay's) and render their chunks to the single render's pixels."""
    from engine.farm.render import farm_render
    from tests.farm.test_farm import assert_same_video

    layers = layer(
        "width: 60, height: 40, position: left, start: 0.4, radius: 6, "
        "border: {width: 2, color: white}, shadow: {offset: [3, 3], blur: 1}"
    )
    text = scene(layers, duration=1.5) + (
        "  - {duration: 1, layers: [{type: color, color: black}]}\n"
        "overlays:\n  - {type: video, src: {clips}/alpha_vp9.webm, position: top-right, "
        "start: 0.7, radius: 4, fade: 0.2}\n"
        "  - {type: video, src: {clips}/rg.mp4, width: 32, position: bottom-right, start: 1}\n"
    )
    spec = write(tmp_path, clips, text)
    single = render_spec(spec, tmp_path / "single.mp4").output
    farmed = farm_render(spec, tmp_path / "farmed.mp4", chunk_seconds=0.8, workers=2).output
    assert_same_video(single, farmed)


def reelspec(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "engine", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_bad_values_are_located_spec_errors(tmp_path: Path, clips: Path) -> None:
    lines = [
        "width: -40, height: 30",
        "radius: 5",
        "width: 8, border: {width: 4}",
        "width: 40, fit: none",
        "width: 40, border: {width: 4, color: nope}",
        "x: 3, shadow: {blur: 100}",
        "width: 40, start: 1, end: 0.5",
    ]
    overlay = "overlays:\n  - {type: video, src: {clips}/rg.mp4, height: 0}\n"
    spec = write(tmp_path, clips, scene("".join(layer(b) for b in lines)) + overlay, "bad.yaml")
    result = reelspec("validate", spec)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    expected = [
        (8, "scenes[0].layers[1].width: Input should be greater than 0"),
        (9, "scenes[0].layers[2]: radius decorates only a placed picture"),
        (10, "scenes[0].layers[3]: a border of 4 pixels leaves no room in 8 pixels"),
        (11, "scenes[0].layers[4].fit: expected one of contain, cover, fill, blur"),
        (12, "scenes[0].layers[5].border.color:"),
        (13, "scenes[0].layers[6].shadow.blur:"),
        (14, "scenes[0].layers[7]: end (0.5) must be after start (1)"),
        (16, "overlays[0].height: Input should be greater than 0"),
    ]
    for line, text in expected:
        assert f"{spec}:{line}:" in result.stderr and text in result.stderr, (text, result.stderr)
    # Too big to place: found while resolving.
    big = write(tmp_path, clips, scene(layer("width: 3000, height: 3000")), "big.yaml")
    result = reelspec("validate", big)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"{big}:8:9: scenes[0].layers[1]: the placed picture would be 3000x3000" in (
        result.stderr
    )


def test_placed_model_pictures(tmp_path: Path, clips: Path) -> None:
    """A generator and a restyled clip placed in boxes: the generator's frames are the
    model's own (made for the layer's frames, from its start), and nothing spills out."""
    from engine.spec.motion import Keyframes
    from tests.run.test_generator import DEMO, expected_frames, mean_diff

    layers = (
        f"      - {{type: generator, model: {DEMO}, seed: 3, width: 64, height: 64, x: 10, "
        "y: 10, start: 0.5}\n"
    )
    layers += layer(
        f"model: {ROOT / 'specs/models/stylize.keras'}, width: 60, height: 40, x: 90, y: 30"
    )
    out = render_spec(write(tmp_path, clips, scene(layers))).output
    wanted = expected_frames(Keyframes(kind="keyframes"), 3, 15, [0, 9])
    for k, n in ((0, 5), (1, 14)):
        f = frame(out, n)
        assert mean_diff(f[10:74, 10:74], wanted[k]) < 4, n
        assert near(f[9, 40], BLUE) and near(f[40, 74], BLUE) and near(f[74, 40], BLUE)
        styled = f[30:70, 90:150].astype(int)
        assert np.abs(styled - np.array(BLUE)).mean() > 40  # the restyled clip, not the blue
        assert near(f[29, 120], BLUE) and near(f[50, 89], BLUE) and near(f[70, 120], BLUE)
    assert near(frame(out, 4)[40, 40], BLUE)  # the generator starts at 0.5 s
