"""Subtitles: cues from the narration's sentences or from an .srt file, split into readable
pieces, and — when burned in — drawn as caption overlays by the captions' layer type."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from engine.errors import MediaError
from engine.layers import CAPTIONS
from engine.resolve.context import ResolveContext
from engine.resolved import Cue, ResolvedOverlay, ResolvedScene
from engine.spec.common import Box, TextStyle

SUBTITLE_STYLE = TextStyle(size=36, box=Box(color="#000000a0", padding=10, radius=8))
#: The largest subtitles file read by default (16 MiB: hundreds of hours of captions).
MAX_SUBTITLE_BYTES = 16 * 1024 * 1024


def subtitle_cues(ctx: ResolveContext, scenes: list[ResolvedScene], total: Fraction) -> list[Cue]:
    from engine.resolve.subtitles import parse_srt, split_long

    settings = ctx.loaded.spec.subtitles
    assert settings is not None
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
        return [c for c in (raw or []) if c.start < total]
    raw = [
        Cue(
            scene.start + scene.narration.delay + start,
            scene.start + scene.narration.delay + end,
            text,
        )
        for scene in scenes
        if scene.narration is not None
        for start, end, text in scene.narration.cues
    ]
    if not raw:
        ctx.add(
            ("subtitles",),
            "subtitles need narration in some scene, or an .srt file (subtitles.src)",
        )
    return [piece for cue in raw for piece in split_long(cue, settings.max_chars)]


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
    out = []
    for cue in cues:
        end = min(cue.end, total)
        if end - cue.start < Fraction(1, 100):
            continue
        caption = CAPTIONS.caption(cue.text, style, settings.position, settings.margin)
        resolved = placed_overlay(ctx, ("subtitles",), caption, total, timing=(cue.start, end))
        if resolved is not None:
            out.append(resolved)
    return out
