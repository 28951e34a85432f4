"""Making a spec portable: every file it reads is renamed to a content-addressed name, so a
worker with no shared filesystem can rebuild the spec's world in a temporary folder from the
bytes shipped with the task."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import MediaError
from engine.resolve.cache import digest_of, folder_digest
from engine.resolve.fonts import resolve_font
from engine.resolve.timeline import ResolvedSpec
from engine.spec.loader import LoadedSpec

_BUILTIN_FAMILIES = {"sans", "serif", "mono", "sans-serif", "monospace"}


@dataclass(frozen=True)
class PortableSpec:
    #: The spec as JSON (valid YAML), with file references rewritten to ``files`` names.
    spec_text: str
    #: Relative name on the worker → file on this machine.
    files: dict[str, Path]


def make_portable(loaded: LoadedSpec, resolved: ResolvedSpec) -> PortableSpec:
    data = loaded.spec.model_dump(mode="json", by_alias=True)
    files: dict[str, Path] = {}

    def ship(path: Path) -> str:
        path = path.resolve()
        name = f"f/{digest_of(path)[:24]}{path.suffix.lower()}"
        files[name] = path
        return name

    def ship_model(path: Path) -> str:
        """A model file, or every file of a SavedModel folder under one content name."""
        path = path.resolve()
        if not path.is_dir():
            return ship(path)
        folder = f"f/{folder_digest(path)[:24]}"
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            files[f"{folder}/{file.relative_to(path)}"] = file
        return folder

    def ship_font(style: dict[str, Any] | None) -> None:
        if not style or not style.get("font"):
            return
        font = str(style["font"])
        if font.lower() in _BUILTIN_FAMILIES:
            return
        try:
            located = resolve_font(font, "normal", False, loaded.base_dir)
        except MediaError:
            return  # validation already accepted it: an installed family the worker has too
        if font.lower().endswith((".ttf", ".otf", ".ttc")) or "/" in font:
            style["font"] = ship(located)

    ship_font(data["defaults"].get("text"))
    for scene_data, scene in zip(data["scenes"], resolved.scenes, strict=True):
        for layer_data, layer in zip(scene_data["layers"], scene.layers, strict=True):
            kind = layer_data["type"]
            if kind in ("image", "video") and layer.src is not None:
                layer_data["src"] = ship(layer.src)
                if layer.model is not None:
                    layer_data["model"]["path"] = ship_model(layer.model.path)
            elif kind == "generator" and layer.model is not None:
                layer_data["model"] = ship_model(layer.model.path)
            elif kind == "image_sequence" and layer.src is not None:
                layer_data["src"] = _ship_sequence(layer_data["src"], loaded.base_dir, files)
            elif kind == "text":
                ship_font(layer_data.get("style"))
    for overlay_data, overlay in zip(data["overlays"], loaded.spec.overlays, strict=True):
        if overlay_data["type"] == "image":
            overlay_data["src"] = ship(loaded.base_dir / overlay.src)
        else:
            ship_font(overlay_data.get("style"))
    for track_data, track in zip(data["audio"], loaded.spec.audio, strict=True):
        track_data["src"] = ship(loaded.base_dir / track.src)
    data["output"]["path"] = "chunk" + Path(loaded.spec.output.path).suffix
    _settle_sound_made_timing(data, loaded, resolved)
    return PortableSpec(json.dumps(data, sort_keys=True, ensure_ascii=False), files)


def _settle_sound_made_timing(
    data: dict[str, Any], loaded: LoadedSpec, resolved: ResolvedSpec
) -> None:
    """Workers render pictures only. What narration decided here — scene lengths, burned
    captions — is written into their spec as plain durations and text overlays, so a worker
    never synthesises speech (whose length could differ on another machine's speech engine)."""
    for scene_data, scene in zip(data["scenes"], resolved.scenes, strict=True):
        if scene_data.pop("narration", None) is not None:
            scene_data["duration"] = scene.duration
    settings = loaded.spec.subtitles
    data.pop("subtitles", None)
    if settings is None or not settings.burn:
        return
    from engine.resolve.resolver import SUBTITLE_STYLE
    from engine.resolve.text_card import merge_styles

    style = merge_styles(SUBTITLE_STYLE, settings.style).model_dump(mode="json", by_alias=True)
    caption_style = {k: v for k, v in style.items() if v is not None}
    for cue in resolved.subtitles:
        end = min(cue.end, resolved.duration)
        if end - cue.start < 0.01:
            continue
        data["overlays"].append(
            {
                "type": "text",
                "text": cue.text,
                "start": cue.start,
                "end": end,
                "style": caption_style,
                "position": settings.position,
                "margin": settings.margin,
            }
        )


def _ship_sequence(src: str, base_dir: Path, files: dict[str, Path]) -> str:
    """Frames keep their names, in a folder named after the pattern."""
    pattern = base_dir / src
    folder = "s/" + hashlib.sha256(str(pattern.resolve()).encode()).hexdigest()[:16]
    if any(ch in src for ch in "*?["):
        matches = sorted(pattern.parent.glob(pattern.name))
    else:
        import re

        literal = [re.escape(part) for part in re.split(r"%0?\d*d", pattern.name)]
        finder = re.compile("^" + r"\d+".join(literal) + "$")
        matches = sorted(p for p in pattern.parent.iterdir() if finder.match(p.name))
    for frame in matches:
        files[f"{folder}/{frame.name}"] = frame.resolve()
    return f"{folder}/{pattern.name}"
