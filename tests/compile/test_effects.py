"""Effects and blend modes in the plan: where their filters go in the graph (on the source,
in the order written, before fitting or placing), what a LUT's path becomes, which layers a
keyed or blended layer no longer hides, and that a window of a blended video shows the same
frames as the whole."""

from __future__ import annotations

import pickle
import re
import shutil
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from engine.compile.compiler import compile_plan
from engine.compile.graph import GraphBuilder
from engine.compile.pictures import Canvas
from engine.compile.video import compile_scene
from engine.farm.package import make_portable, settle
from engine.layers.generator import GeneratorLayer, ResolvedGenerator
from engine.pipeline import prepare
from engine.resolved import ResolvedModel, ResolvedScene, Window, with_files
from engine.run.render import render
from tests.conftest import SpecWriter
from tests.media import count_frames, frame

HEAD = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10, video: {codec: h264, preset: ultrafast, crf: 4}}
scenes:
  - duration: 1
    layers:
"""
SWAP = "LUT_3D_SIZE 2\n" + "".join(f"{b} {g} {r}\n" for b in (0, 1) for g in (0, 1) for r in (0, 1))


def graph(write_spec: SpecWriter, *layers: str, extra: str = "") -> str:
    body = "".join(f"      - {layer}\n" for layer in layers)
    return compile_plan(prepare(write_spec(HEAD + body + extra)).resolved).graph_text


def chain_of(text: str, marker: str) -> str:
    (chain,) = [c for c in text.split(";") if marker in c]
    return chain


def test_effects_run_on_the_source_in_order_before_it_is_fitted(
    write_spec: SpecWriter, assets: Path
) -> None:
    effects = "[{flip: horizontal}, {crop: {x: 0.5, width: 0.5}}, {brightness: 0.2}, {rotate: 90}]"
    text = graph(write_spec, f"{{type: image, src: {assets}/quad.png, effects: {effects}}}")
    # quad.png is 320x180: the crop keeps columns 160..319, then the turn makes it 180x160.
    first = chain_of(text, "hflip")
    assert first.startswith("[0:v]hflip,crop=w=160:h=180:x=160:y=0:exact=1,format=")
    assert first.index("eq=brightness=0.2") < first.index("transpose=dir=clock")
    fitted = text[text.index("transpose") :]
    assert fitted.index("transpose") < fitted.index("scale=")  # fitting comes after


def test_a_sprite_is_placed_at_its_size_after_the_effects(
    write_spec: SpecWriter, assets: Path
) -> None:
    sprite = f"{{type: image, src: {assets}/quad.png, fit: none, position: bottom-right"
    text = graph(
        write_spec,
        "{type: color, color: black}",
        sprite + ", effects: [{crop: {width: 0.25, height: 0.5}}, {rotate: 270}]}",
    )
    # 320x180 cropped to 80x90, turned to 90x80: at the bottom-right, x = 70, y = 10.
    assert "crop=w=80:h=90:x=0:y=0:exact=1,transpose=dir=cclock" in text
    assert "overlay=70:10:" in text
    assert text.index("format=rgba") < text.index("crop=")  # on the prepared picture


def test_a_luts_path_never_reaches_the_graph(write_spec: SpecWriter, tmp_path: Path) -> None:
    folder = tmp_path / "x:y'z[1],2;3"
    folder.mkdir()
    (folder / "grade'[v].cube").write_text(SWAP, encoding="utf-8")
    (tmp_path / "copy.cube").write_text("# the same table\n" + SWAP, encoding="utf-8")
    lut = str(folder / "grade'[v].cube").replace("'", "''")
    text = graph(
        write_spec,
        f"{{type: color, effects: [{{lut: '{lut}'}}, {{lut: copy.cube}}]}}",
    )
    files = re.findall(r"lut3d=file=(.*?):interp=tetrahedral", text)
    assert len(files) == 2 and files[0] == files[1]  # one table, one cached copy
    assert "grade" not in text and "copy.cube" not in text
    assert re.fullmatch(r".*/[0-9a-f]{2}/[0-9a-f]{32}\.cube", files[0]), files[0]
    assert Path(files[0]).read_text(encoding="utf-8").startswith("LUT_3D_SIZE 2\n0 0 0\n0 0 1\n")


def test_a_cache_path_with_graph_syntax_is_quoted(
    write_spec: SpecWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "c:a'c[h]e,;"
    monkeypatch.setenv("REELSPEC_CACHE", str(cache))
    (tmp_path / "swap.cube").write_text(SWAP, encoding="utf-8")
    text = graph(write_spec, "{type: color, color: red, effects: [{lut: swap.cube}]}")
    # Each special character escaped for the option parser, then for the graph parser.
    quoted = str(cache).replace(":", r"\\:").replace("'", r"\\\'")
    quoted = quoted.replace("[", r"\[").replace("]", r"\]").replace(",", r"\,").replace(";", r"\;")
    assert f"lut3d=file={quoted}/" in text, text


def test_what_a_layer_hides_with_effects_and_blend_modes(
    write_spec: SpecWriter, assets: Path
) -> None:
    """An opaque picture hides the layers below it; keyed, cropped, turned or blended, it
    does not (they are compiled); a flip or a colour change keeps it covering."""
    below = f"{{type: image, src: {assets}/blue.png}}"
    red = f"{{type: image, src: {assets}/red.png"
    for extra, hides in [
        ("", True),
        (", effects: [{flip: vertical}, {saturation: 0.5}, {vignette: 0.3}]", True),
        (", effects: [{chroma_key: '#00ff00'}]", False),
        (", effects: [{crop: {width: 0.5}}]", False),
        (", blend: multiply", False),
    ]:
        body = f"      - {below}\n      - {red}{extra}}}\n"
        plan = compile_plan(prepare(write_spec(HEAD + body)).resolved)
        assert any("blue.png" in i.target for i in plan.inputs) is not hides, extra


def test_model_frames_and_image_sequences_take_effects_before_fitting(
    write_spec: SpecWriter, assets: Path
) -> None:
    """A generator's frames come through a pipe and are fitted like any picture: the effects
    go between the pipe and the fit (no model is run to compile)."""
    layer = GeneratorLayer.model_validate(
        {"type": "generator", "model": "m.keras", "effects": [{"flip": "vertical"}]}
    )
    model = ResolvedModel(Path("m.keras"), "0" * 64, False, "tanh", 8, None, (64, 48))
    generated = ResolvedGenerator(spec=layer, model=model, window=Window(0, 10))
    scene = ResolvedScene(0, Fraction(0), Fraction(1), 0, 10, None, 0, "#000000", "cover",
                          (generated,))  # fmt: skip
    g = GraphBuilder()
    compile_scene(g, Canvas(160, 90, Fraction(10), "yuv420p"), scene)
    text = ";".join(g.chains)
    assert "[0:v]setpts=N[v0];[v0]vflip[v1];[v1]scale=160:120" in text, text
    text = graph(
        write_spec,
        f"{{type: image_sequence, src: {assets}/frames/f_%03d.png, fps: 10, "
        "effects: [{rotate: 270}, {gamma: 1.5}]}",
    )
    assert text.startswith("[0:v]transpose=dir=cclock,format=pix_fmts=yuva444p:"), text
    assert "eq=gamma=1.5[v0];[v0]scale=" in text  # 90x160 after the turn, then fitted


def test_a_keyed_picture_keeps_its_alpha_through_the_fit(
    write_spec: SpecWriter, assets: Path
) -> None:
    text = graph(
        write_spec,
        "{type: color, color: red}",
        f"{{type: image, src: {assets}/green_square.png, fit: contain, "
        "effects: [{chroma_key: {}}]}",
    )
    fitted = chain_of(text, "pad=")
    assert "color=0x000000@0" in fitted and "pix_fmts=yuva420p" in fitted
    assert "colorkey=0x00ff00:0.3:0.1,despill=type=green" in text
    assert "blend=c3_mode=darken" in text  # the key never makes a clear pixel opaque


def test_blend_modes_in_the_graph(write_spec: SpecWriter) -> None:
    text = graph(
        write_spec, "{type: color, color: grey}", "{type: color, color: red, blend: overlay}"
    )
    assert "blend=c0_mode=hardlight:c1_mode=hardlight:c2_mode=hardlight" in text
    # An opaque full frame for the whole scene: blended as it is, and the blend is the result.
    assert "0x000000@0" not in text and "overlay" not in text
    text = graph(
        write_spec,
        "{type: color, color: grey}",
        "{type: shape, shape: rect, width: 20, height: 10, x: 7, y: 9, blend: add, start: 0.5}",
    )
    # Only the sprite's box is blended: a clear 20x10 picture, the same box of what is below.
    assert "color=c=0x000000@0:s=20x10:r=10" in text
    assert "overlay=0:0:eof_action=pass:format=gbrp" in text
    assert "crop=20:10:7:9:exact=1,format=gbrap" in text
    assert "c0_mode=addition" in text and "overlay=7:9:eof_action=pass" in text
    text = graph(
        write_spec,
        "{type: color, color: grey}",
        "{type: shape, shape: rect, width: 20, height: 10, x: 150, y: -4, blend: screen}",
        "{type: shape, shape: rect, width: 20, height: 10, x: 900, y: 9, blend: screen}",
    )
    # Partly off the frame: the part inside (10x6 at 150, 0); wholly off: simply laid over.
    assert "s=10x6" in text and "overlay=0:-4:" in text and "crop=10:6:150:0:exact=1" in text
    assert text.count("blend=") == 1 and "overlay=900:9:" in text
    text = graph(write_spec, "{type: color, color: grey}", "{type: color, color: red}")
    assert "blend=" not in text


def test_overlay_effects_and_farm_shipping(write_spec: SpecWriter, tmp_path: Path) -> None:
    (tmp_path / "swap.cube").write_text(SWAP, encoding="utf-8")
    spec = write_spec(
        HEAD
        + "      - {type: color, color: grey, effects: [{lut: swap.cube}]}\n"
        + "overlays:\n"
        + "  - {type: shape, shape: rect, width: 30, height: 10, position: top-left, "
        + "effects: [{rotate: 90}, {lut: swap.cube}]}\n"
    )
    resolved = prepare(spec).resolved
    text = compile_plan(resolved).graph_text
    assert "transpose=dir=clock" in text and text.count("lut3d=") == 2
    assert "overlay=0:0:" in text
    moved = with_files(resolved, lambda path, kind, members: Path("/shipped") / path.name)
    assert all(str(p).startswith("/shipped/") for p in moved.scenes[0].layers[0].luts)
    assert all(str(p).startswith("/shipped/") for p in moved.overlays[0].luts)
    assert "/shipped/" in compile_plan(moved).graph_text
    # A farm worker: the spec pickled, its files (the LUTs' checked copies too) shipped to a
    # folder of its own, and rendered there, shows what a local render shows.
    portable = make_portable(resolved)
    worker = tmp_path / "worker"
    for name, source in portable.files.items():
        (worker / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, worker / name)
    settled = settle(pickle.loads(pickle.dumps(portable.resolved)), worker)
    assert all(worker in p.parents for p in settled.scenes[0].layers[0].luts)
    local = render(compile_plan(resolved), tmp_path / "local.mp4", write_manifest=False)
    there = render(compile_plan(settled), tmp_path / "there.mp4", write_manifest=False)
    assert np.array_equal(frame(local.output, 3), frame(there.output, 3))


SPEC = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10, video: {codec: h264, preset: ultrafast, crf: 4}}
defaults:
  transition: {type: fade, duration: 0.5}
scenes:
  - duration: 1.5
    layers:
      - {type: gradient, colors: [navy, orange], angle: 0, effects: [{vignette: 0.4}]}
      - {type: shape, shape: circle, width: 50, blend: screen, fill: "#ff8040",
         start: 0.3, end: 1.2, fade_in: 0.3, effects: [{blur: 2}]}
  - duration: 1.5
    layers:
      - {type: image, src: {assets}/quad.png, effects: [{flip: horizontal}]}
      - {type: shape, shape: rect, width: 160, height: 90, fill: "#8080ff", blend: multiply,
         start: 0.5}
"""


@pytest.mark.parametrize("window", [(0, 9), (7, 25)])
def test_a_window_of_a_blended_video_matches_the_whole(
    write_spec: SpecWriter, tmp_path: Path, window: tuple[int, int]
) -> None:
    resolved = prepare(write_spec(SPEC)).resolved
    full = render(compile_plan(resolved), tmp_path / "full.mp4", write_manifest=False).output
    part = render(compile_plan(resolved, window), tmp_path / "part.mp4", write_manifest=False)
    first, count = window[0], window[1] - window[0]
    assert count_frames(part.output) == count
    for offset in range(count):
        a = frame(full, first + offset).astype(int)
        b = frame(part.output, offset).astype(int)
        assert np.abs(a - b).mean() < 2, f"frame {first + offset} differs"
