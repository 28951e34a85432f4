"""Turning an analysed script into an ordinary spec (a dict, then YAML a person can edit)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.text2video.analysis import keywords, mood, sentiment
from engine.text2video.assets import (
    pick_background,
    pick_music,
    pick_picture,
    picture_tags,
)
from engine.text2video.cards import Card, layers
from engine.text2video.contrast import hex_color, readable, rgb
from engine.text2video.layouts import TITLE, choose
from engine.text2video.look import look_for, palette_for, script_seed
from engine.text2video.script import Block, parse_script
from engine.text2video.styles import DEFAULT_STYLE, Palette, Style, style_named

__all__ = ["Built", "Options", "build", "build_spec", "pick_background", "picture_tags"]

VOICES = {"en": "en", "zh": "zh"}


@dataclass(frozen=True)
class Options:
    output: Path  # where the spec will be written (paths in it are relative to its folder)
    assets: Path | None = None
    size: str = "1280x720"
    fps: int = 30
    style: str = DEFAULT_STYLE
    #: How the narration is captioned in the picture (karaoke, words, lines, sentence), or
    #: "none" for sidecar files alone.
    captions: str = "karaoke"
    #: The voice each language is narrated in, where it is not espeak's (``{engine, name}``).
    voices: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Built:
    spec: dict[str, Any]
    #: (scene number from 1, the words that matched, the picture) of each picture shown.
    matches: list[tuple[int, tuple[str, ...], Path]] = field(default_factory=list)
    #: Things the person should know (no picture matched, say), without "warning: ".
    warnings: list[str] = field(default_factory=list)
    #: The layout of each scene, in order.
    layouts: list[str] = field(default_factory=list)


def _relative(path: Path, spec_dir: Path) -> str:
    return Path(os.path.relpath(path.resolve(), spec_dir.resolve())).as_posix()


def build_spec(script: str, options: Options) -> dict[str, Any]:
    return build(script, options).spec


def build(script: str, options: Options) -> Built:
    """The spec for ``script``, and what was matched and noticed on the way."""
    from engine.errors import UserError

    blocks = parse_script(script)
    if not blocks:
        raise UserError("the script has no text")
    try:
        style = style_named(options.style)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    overall = mood(sum(sentiment(b.text, b.language) for b in blocks) / len(blocks))
    seed = script_seed(script)
    palette = palette_for(style, overall, seed)
    spec_dir = options.output.parent
    pictures = picture_tags(options.assets) if options.assets else {}
    height = int(options.size.lower().split("x")[1])
    scale = height / 720  # sizes are for 720p
    built = Built(spec={})
    scenes = []
    for index, block in enumerate(blocks):
        words = keywords(block.text, block.language, count=8)
        match = pick_picture(words, pictures) if block.kind != "list" else None
        layout = choose(block, index == 0, match is not None)
        if match is not None:
            built.matches.append((index + 1, match.words, match.picture))
        card = Card(
            text=block.text,
            language=block.language,
            layout=layout,
            look=look_for(palette, style, index, seed, match is not None),
            style=style,
            picture=_relative(match.picture, spec_dir) if match else None,
            highlights=tuple(words[:3]) if layout.kind != TITLE else (),
            index=index,
            scale=scale,
            captioned=options.captions != "none",
        )
        built.layouts.append(layout.kind)
        scenes.append(
            {
                "name": f"{layout.kind} {index + 1}",
                "narration": _narration(block, options),
                "layers": layers(card),
            }
        )
    if options.assets is not None and not built.matches:
        built.warnings.append(_no_match(options.assets, pictures, blocks))
    built.spec.update(_frame(options, style, palette, scale, scenes))
    music = pick_music(options.assets, overall)
    if music is not None:
        built.spec["audio"] = [_music(_relative(music, spec_dir))]
    return built


def _music(src: str) -> dict[str, Any]:
    """The music under the whole video, lowered while the narration speaks."""
    return {"src": src, "volume": 0.35, "loop": True, "fade_out": 1.5, "duck": {"depth": 12}}


def _narration(block: Block, options: Options) -> dict[str, Any]:
    voice = options.voices.get(block.language, VOICES[block.language])
    return {"text": block.text, "voice": voice, "padding": 0.6}


def _no_match(assets: Path, pictures: dict[str, set[str]], blocks: list[Block]) -> str:
    if not pictures:
        return f"{assets} has no pictures (.jpg, .jpeg, .png, .webp): every scene is a card"
    wanted: list[str] = []
    for block in blocks:
        for word in keywords(block.text, block.language):
            if word.lower() not in {w.lower() for w in wanted}:
                wanted.append(word)
    return (
        f"no picture in {assets} matched a keyword of the script ({', '.join(wanted[:8])}); "
        "name pictures after such words (red-camera.jpg) or list them in "
        f"{assets / 'tags.yaml'} (camera.jpg: [camera, photo])"
    )


def _frame(
    options: Options, style: Style, palette: Palette, scale: float, scenes: list[Any]
) -> dict[str, Any]:
    """The spec around the scenes: output, the defaults every scene shares, subtitles."""
    text_style: dict[str, Any] = {
        "font": style.font,
        "size": round(style.size * scale),
        "color": palette.ink[0],
        "highlight": palette.accents[0],
        "max_width": 0.84,
    }
    if style.shadow:
        text_style["shadow"] = {
            "offset": [max(1, round(3 * scale))] * 2,
            "blur": max(1, round(4 * scale)),
        }
    return {
        "version": 1,
        "output": {
            "path": f"out/{options.output.stem}.mp4",
            "size": options.size,
            "fps": options.fps,
            "video": {"codec": "h264", "crf": 22, "preset": "veryfast"},
        },
        "defaults": {"transition": dict(style.transition), "text": text_style},
        "scenes": scenes,
        "subtitles": _captions(options, palette, scale),
    }


#: The caption box: dark enough that white words and the lit word read over any picture.
CAPTION_BOX = "#000000cc"


def _captions(options: Options, palette: Palette, scale: float) -> dict[str, Any]:
    """Word-timed captions burned in (and as a track in the file, and as sidecars): the lit
    word in the palette's accent where it reads against the caption box over white, the
    box's lightest case."""
    if options.captions == "none":
        return {"files": ["srt", "vtt"], "track": True}
    over_white = caption_box_over("#ffffff")
    lit = readable([*palette.accents, "#ffd400"], [over_white], avoid=["#ffffff"])
    return {
        "files": ["srt", "vtt"],
        "burn": True,
        "track": True,
        "mode": options.captions,
        "highlight": {"color": lit},
        "style": {
            "size": max(12, round(34 * scale)),
            "weight": "bold",
            "color": "#ffffff",
            "box": {"color": CAPTION_BOX, "padding": max(4, round(12 * scale)), "radius": 10},
        },
        "max_chars": 36,
    }


def caption_box_over(background: str) -> str:
    """The caption box's color as seen over ``background`` (its alpha blended)."""
    box, alpha = rgb(CAPTION_BOX[:7]), int(CAPTION_BOX[7:], 16) / 255
    under = rgb(background)
    r, g, b = (round(c * alpha + u * (1 - alpha)) for c, u in zip(box, under, strict=True))
    return hex_color((r, g, b))


class _PlainDumper(yaml.SafeDumper):
    """No anchors and aliases: a person editing the spec sees every value where it applies."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text_block(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    """Text of several lines (a list card) written as a block, a line per line."""
    style = "|" if "\n" in data and not data.endswith((" ", "\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_PlainDumper.add_representer(str, _text_block)


SCHEMA_FILE = Path("schemas") / "reelspec.schema.json"


def schema_reference(spec_path: Path) -> tuple[str, Path | None]:
    """Where an editor finds the schema for a spec written at ``spec_path``: the project's
    ``schemas/reelspec.schema.json`` in its folder or one above it, as a relative path. With
    none, the schema is to be written beside the spec: (reference, that file)."""
    folder = spec_path.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / SCHEMA_FILE).is_file():
            return Path(os.path.relpath(candidate / SCHEMA_FILE, folder)).as_posix(), None
    beside = folder / SCHEMA_FILE.name
    return SCHEMA_FILE.name, beside


def spec_yaml(spec: dict[str, Any], script_name: str, schema: str) -> str:
    header = (
        f"# yaml-language-server: $schema={schema}\n"
        f"# Made by `reelspec text2video {script_name}`; edit freely.\n"
    )
    return header + yaml.dump(
        spec,
        Dumper=_PlainDumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=None,
    )
