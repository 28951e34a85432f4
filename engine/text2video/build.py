"""Turning an analysed script into an ordinary spec (a dict, then YAML a person can edit)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from engine.layers import gradient, image, text
from engine.text2video.analysis import keywords, mood, sentiment
from engine.text2video.script import Block, parse_script

#: Background gradient and highlight color per mood.
PALETTES = {
    "positive": (["#ff9a56", "#d9486b"], "#fff3b0"),
    "neutral": (["#2b5876", "#4e4376"], "#ffd166"),
    "negative": (["#232526", "#414345"], "#9ad1ff"),
}
VOICES = {"en": "en", "zh": "zh"}
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
_AUDIO_SUFFIXES = {".wav", ".ogg", ".mp3", ".m4a", ".flac", ".opus"}


@dataclass(frozen=True)
class Options:
    output: Path  # where the spec will be written (paths in it are relative to its folder)
    assets: Path | None = None
    size: str = "1280x720"
    fps: int = 30


def _relative(path: Path, spec_dir: Path) -> str:
    return Path(os.path.relpath(path.resolve(), spec_dir.resolve())).as_posix()


def picture_tags(assets: Path) -> dict[str, set[str]]:
    """Words describing each picture: its file name, and a `tags.yaml` ({file: [tags]})."""
    extra: dict[str, list[str]] = {}
    tags_file = assets / "tags.yaml"
    if tags_file.exists():
        loaded = _read_tags(tags_file)
        extra = {str(k): [str(t) for t in v] for k, v in loaded.items() if isinstance(v, list)}
    out = {}
    for path in sorted(assets.rglob("*")):
        if path.suffix.lower() in _IMAGE_SUFFIXES:
            words = {w.lower() for w in re.split(r"[\W_]+", path.stem) if w}
            words |= {t.lower() for t in extra.get(path.name, [])}
            out[str(path)] = words
    return out


def _read_tags(path: Path) -> dict[Any, Any]:
    """tags.yaml read like a spec: a regular file of bounded size, UTF-8, aliases bounded."""
    from engine.errors import UserError
    from engine.spec.loader import (
        compose_bounded,
        decode_utf8,
        max_spec_bytes,
        max_yaml_nodes,
        read_limited,
        yaml_issue,
    )

    def fail(message: str, **where: object) -> UserError:
        place = "".join(f"{where[k]}:" for k in ("file", "line", "column") if where.get(k))
        return UserError(f"{place or str(path) + ':'} {message}")

    # Bounded like a spec (it is the same kind of file, often from the same people).
    data = read_limited(path, max_spec_bytes(), "tags file", "REELSPEC_MAX_SPEC_BYTES", fail)
    text = decode_utf8(data, str(path), fail)
    try:
        node, loader = compose_bounded(text, max_yaml_nodes())
        try:
            loaded = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        issue = yaml_issue(exc, text, str(path))
        raise fail(issue.message, file=str(path), line=issue.line, column=issue.column) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise fail("expected a mapping of picture file names to lists of words")
    return loaded


def pick_background(words: list[str], pictures: dict[str, set[str]]) -> Path | None:
    """The picture whose name or tags share the most keywords (None when none does)."""
    wanted = {w.lower() for w in words}
    best = max(
        pictures.items(), key=lambda item: (len(item[1] & wanted), -len(item[0])), default=None
    )
    if best is None or not best[1] & wanted:
        return None
    return Path(best[0])


def pick_music(assets: Path | None, feeling: str) -> Path | None:
    if assets is None:
        return None
    tracks = sorted(p for p in assets.rglob("*") if p.suffix.lower() in _AUDIO_SUFFIXES)
    for track in tracks:
        if feeling in track.stem.lower():
            return track
    return tracks[0] if tracks else None


def build_spec(script: str, options: Options) -> dict[str, Any]:
    blocks = parse_script(script)
    if not blocks:
        from engine.errors import UserError

        raise UserError("the script has no text")
    overall = mood(sum(sentiment(b.text, b.language) for b in blocks) / len(blocks))
    colors, accent = PALETTES[overall]
    spec_dir = options.output.parent
    pictures = picture_tags(options.assets) if options.assets else {}
    height = int(options.size.lower().split("x")[1])
    scale = height / 720  # sizes below are for 720p
    scenes = [_scene(block, pictures, spec_dir, colors, scale) for block in blocks]
    spec: dict[str, Any] = {
        "version": 1,
        "output": {
            "path": f"out/{options.output.stem}.mp4",
            "size": options.size,
            "fps": options.fps,
            "video": {"codec": "h264", "crf": 22, "preset": "veryfast"},
        },
        "defaults": {
            "transition": {"type": "fade", "duration": 0.5},
            "text": {
                "font": "sans",
                "size": round(56 * scale),
                "color": "#ffffff",
                "highlight": accent,
                "max_width": 0.84,
                "shadow": {
                    "offset": [max(1, round(3 * scale))] * 2,
                    "blur": max(1, round(4 * scale)),
                },
            },
        },
        "scenes": scenes,
        "subtitles": {"files": ["srt", "vtt"]},
    }
    music = pick_music(options.assets, overall)
    if music is not None:
        spec["audio"] = [
            {
                "src": _relative(music, spec_dir),
                "volume": 0.35,
                "loop": True,
                "fade_out": 1.5,
                "duck": {"depth": 12},
            }
        ]
    return spec


def _scene(
    block: Block, pictures: dict[str, set[str]], spec_dir: Path, colors: list[str], scale: float
) -> dict[str, Any]:
    words = keywords(block.text, block.language)
    narration = {"text": block.text, "voice": VOICES[block.language], "padding": 0.6}
    if block.kind == "heading":
        return {
            "name": f"title {block.paragraph}",
            "narration": narration,
            "layers": [
                {"type": gradient.TYPE.name, "colors": colors, "angle": 120},
                {
                    "type": text.TYPE.name,
                    "text": block.text,
                    "style": {"size": round(80 * scale), "weight": "bold"},
                },
            ],
        }
    picture = pick_background(words, pictures)
    background: dict[str, Any] = (
        {
            "type": image.TYPE.name,
            "src": _relative(picture, spec_dir),
            "fit": "cover",
            "zoom": {"from": 1.0, "to": 1.08},
        }
        if picture is not None
        else {"type": gradient.TYPE.name, "colors": colors, "angle": 120}
    )
    return {
        "narration": narration,
        "layers": [
            background,
            {
                "type": text.TYPE.name,
                "text": block.text,
                "highlights": words,
                "style": {
                    "box": {
                        "color": "#00000088",
                        "padding": round(24 * scale),
                        "radius": round(16 * scale),
                    }
                },
            },
        ],
    }


class _PlainDumper(yaml.SafeDumper):
    """No anchors and aliases: a person editing the spec sees every value where it applies."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


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
