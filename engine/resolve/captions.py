"""Subtitles: cues from the narration's sentences (cut by their timed words) or from an .srt
file, split into readable pieces, and — when burned in — drawn as caption overlays by the
captions' layer type (word-by-word and karaoke captions as one picture per frame)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from engine.errors import MediaError
from engine.layers import CAPTIONS
from engine.resolve.context import ResolveContext
from engine.resolved import Cue, ResolvedOverlay, ResolvedScene
from engine.spec.common import Box, TextStyle
from engine.spec.models import Spec

SUBTITLE_STYLE = TextStyle(size=36, box=Box(color="#000000a0", padding=10, radius=8))
#: The largest subtitles file read by default (16 MiB: hundreds of hours of captions).
MAX_SUBTITLE_BYTES = 16 * 1024 * 1024


def subtitle_cues(ctx: ResolveContext, scenes: list[ResolvedScene], total: Fraction) -> list[Cue]:
    from engine.resolve.caption_cues import sentence_cues, words_by_length
    from engine.resolve.subtitles import parse_srt, split_long

    settings = ctx.loaded.spec.subtitles
    assert settings is not None
    lines = 1 if settings.mode == "lines" else settings.max_lines
    if settings.src:
        src = ctx.source(settings.src)

        def read() -> list[Cue]:
            from engine.spec.loader import excerpt_path

            try:
                return parse_srt(_read_text(src), str(src))
            except MediaError as exc:  # it may quote a whole line of the file
                raise MediaError(excerpt_path(str(exc))) from None
            except ValueError:  # a time with more digits than Python makes into an int
                raise MediaError(f"{src}: a subtitle time is not a readable time") from None

        raw = ctx.attempt(("subtitles", "src"), read)
        kept = [c for c in (raw or []) if c.start < total]
        if settings.mode == "sentence":  # the file's cues as written, long ones split
            return [p for c in kept for p in split_long(c, settings.max_chars, lines)]
        return [
            piece
            for c in kept
            for piece in sentence_cues(
                c.text, (c.start, c.end), words_by_length(c.text, c.start, c.end),
                settings.max_chars, lines,
            )
        ]  # fmt: skip
    cues: list[Cue] = []
    for scene in scenes:
        if scene.narration is None:
            continue
        offset = scene.start + scene.narration.delay
        words = scene.narration.words or ((),) * len(scene.narration.cues)
        for (start, end, text), timed in zip(scene.narration.cues, words, strict=True):
            moved = tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in timed)
            span = (start + offset, end + offset)
            cues += sentence_cues(text, span, moved, settings.max_chars, lines)
    if not cues:
        ctx.add(
            ("subtitles",),
            "subtitles need narration in some scene, or an .srt file (subtitles.src)",
        )
    return cues


def _read_text(path: Path) -> str:
    """A regular UTF-8 text file of bounded size; a byte that is not UTF-8 is located."""
    from engine.env import env_limit
    from engine.spec.loader import decode_utf8, read_limited

    def fail(
        message: str, *, file: str | None = None, line: int | None = None, column: int | None = None
    ) -> MediaError:
        where = "".join(f"{part}:" for part in (file, line, column) if part is not None)
        return MediaError(f"{where} {message}" if where else message)

    limit = int(env_limit("REELSPEC_MAX_SUBTITLE_BYTES", MAX_SUBTITLE_BYTES))
    data = read_limited(path, limit, "file", "REELSPEC_MAX_SUBTITLE_BYTES", fail)
    return decode_utf8(data, str(path), fail)


def burned_captions(ctx: ResolveContext, cues: list[Cue], total: Fraction) -> list[ResolvedOverlay]:
    """Every cue drawn as a caption overlay, shown from its start to its end."""
    from engine.resolve.overlays import placed_overlay
    from engine.resolve.text_card import merge_styles

    settings = ctx.loaded.spec.subtitles
    assert settings is not None
    style = merge_styles(SUBTITLE_STYLE, settings.style)
    timed = settings.mode in ("words", "karaoke")
    out = []
    for cue in cues:
        end = min(cue.end, total)
        if end - cue.start < Fraction(1, 100):
            continue
        caption = CAPTIONS.caption(cue.text, style, settings.position, settings.margin)
        resolved = placed_overlay(ctx, ("subtitles",), caption, total, timing=(cue.start, end))
        if resolved is not None and timed and cue.words:
            # (Without pictures, an error is recorded, or the cue shows whole, with a warning.)
            frames = ctx.caption_frames(("subtitles",), cue, style, resolved.start_frame)
            if frames is not None:
                resolved = replace(resolved, sequence=frames)
        if resolved is not None:
            out.append(resolved)
    return out


#: ISO 639-2 codes of the languages narration is usually in (by the voice's language part).
_TRACK_LANGUAGES = {
    "en": "eng", "cmn": "zho", "zh": "zho", "yue": "zho", "fr": "fra", "de": "deu",
    "es": "spa", "it": "ita", "pt": "por", "ja": "jpn", "ko": "kor", "ru": "rus",
    "ar": "ara", "hi": "hin", "he": "heb", "th": "tha", "nl": "nld", "pl": "pol",
    "tr": "tur", "sv": "swe", "vi": "vie",
}  # fmt: skip


def caption_track_language(ctx: ResolveContext, spec: Spec) -> str | None:
    """The caption track's language (ISO 639-2) when one is asked for: the spec's, else the
    narration's voice's when every narration speaks one language, else "und". A container
    that holds no caption track is an error at ``subtitles.track``."""
    from engine.codecs import CONTAINERS

    settings = spec.subtitles
    if settings is None or not settings.track or spec.output.audio_only:
        return None
    if CONTAINERS[spec.output.container].captions is None:
        holders = ", ".join(e for e, c in CONTAINERS.items() if c.captions)
        ctx.add(
            ("subtitles", "track"),
            f"a {spec.output.container} file holds no caption track; use one of {holders}, "
            "or the sidecar files (subtitles.files)",
        )
        return None
    if settings.language:
        return settings.language
    voices = {
        (v if isinstance(v, str) else v.name).strip().lower().replace("_", "-").split("-")[0]
        for s in spec.scenes
        if s.narration is not None and (v := s.narration.voice) is not None
    }
    if len(voices) == 1:
        return _TRACK_LANGUAGES.get(voices.pop(), "und")
    return "und"


def caption_track_file(cues: list[Cue], total: Fraction) -> Path:
    """The cues as a cached .srt file, which the caption track is muxed from (every player's
    track shows a cue's text whole; the words' timing lives in the WebVTT sidecar)."""
    from engine.cache import cached_file, content_key
    from engine.resolve.subtitles import to_srt

    # No cue past the video's end: the track would make the file look longer than it is.
    text = to_srt([replace(c, end=min(c.end, total)) for c in cues if c.start < total])

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return cached_file(content_key("caption-track", {"srt": text}), ".srt", write)
