"""Pictures and music from ``--assets``: each picture described by the words of its file name
(``red-camera.jpg``: red, camera) and of ``tags.yaml``, matched to a scene's keywords by their
stems (cameras, Camera and camera are one word), Chinese words by jieba's segmentation."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
AUDIO_SUFFIXES = {".wav", ".ogg", ".mp3", ".m4a", ".flac", ".opus"}

_SPLIT = re.compile(r"[\W_]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
#: Words in camera and editor file names that say nothing about the picture.
_NOISE = {"img", "dsc", "dscn", "pic", "image", "copy", "final", "edit", "edited", "scan"}


def stem(word: str) -> str:
    """A word without case, possessive, plural, -ing or -ed, and a final e: the form two
    spellings of one word share (camera, cameras; city, cities; shoot, shooting)."""
    w = word.lower().strip("'’")
    if w.endswith(("'s", "’s")):
        w = w[:-2]
    if _HAN.search(w) or len(w) <= 3:
        return w
    for suffix, replacement in (
        ("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"), ("s", ""),
    ):  # fmt: skip
        if w.endswith(suffix) and not w.endswith(("ss", "us", "is")):
            w = w[: len(w) - len(suffix)] + replacement
            break
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]  # shopp(ing) → shop
    return w[:-1] if len(w) > 3 and w.endswith("e") else w


def words_of(text: str) -> set[str]:
    """The stems of the words in a file name or a tag (Chinese cut into words by jieba)."""
    out: set[str] = set()
    for part in _SPLIT.split(_CAMEL.sub(" ", text)):
        if not part or part.isdigit() or part.lower() in _NOISE:
            continue
        if _HAN.search(part):
            from engine.text2video.analysis import chinese_words

            out.add(part)
            out |= {w for w in chinese_words(part) if len(w) >= 2}
        elif len(part) >= 3:
            out.add(stem(part))
    return out


def picture_tags(assets: Path) -> dict[str, set[str]]:
    """Words describing each picture: its file name, and a `tags.yaml` ({file: [tags]})."""
    extra: dict[str, list[str]] = {}
    tags_file = assets / "tags.yaml"
    if tags_file.exists():
        loaded = _read_tags(tags_file)
        extra = {str(k): [str(t) for t in v] for k, v in loaded.items() if isinstance(v, list)}
    out = {}
    for path in sorted(assets.rglob("*")):
        if path.suffix.lower() in IMAGE_SUFFIXES:
            words = words_of(path.stem)
            for tag in extra.get(path.name, []):
                words |= words_of(tag)
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


@dataclass(frozen=True)
class Match:
    picture: Path
    #: The script's words that matched, most important first.
    words: tuple[str, ...]


def _hits(word: str, tags: set[str]) -> bool:
    if _HAN.search(word):
        return any(word == t or (len(t) >= 2 and (t in word or word in t)) for t in tags)
    return stem(word) in tags


def pick_picture(words: Sequence[str], pictures: dict[str, set[str]]) -> Match | None:
    """The picture sharing the most (and the most important: ``words`` come best first) of
    ``words``; ties go to the first by name. None when no picture shares any."""
    best: tuple[int, str, tuple[str, ...]] | None = None
    for path, tags in sorted(pictures.items()):
        hit = tuple(w for w in words if _hits(w, tags))
        score = sum(len(words) - words.index(w) for w in hit)
        if hit and (best is None or score > best[0]):
            best = (score, path, hit)
    return None if best is None else Match(Path(best[1]), best[2])


def pick_background(words: list[str], pictures: dict[str, set[str]]) -> Path | None:
    match = pick_picture(words, pictures)
    return match.picture if match else None


def pick_music(assets: Path | None, feeling: str) -> Path | None:
    if assets is None:
        return None
    tracks = sorted(p for p in assets.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
    for word in (feeling, "music"):  # the mood's, then anything called music
        for track in tracks:
            if word in track.stem.lower():
                return track
    return tracks[0] if tracks else None
