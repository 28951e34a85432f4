"""What a layer type's resolve step works with: the loaded spec, a place to record located
problems, and the file work every type shares (finding files inside the media root, probing
pictures and clips, shrinking huge pictures, drawing text)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from engine.errors import MediaError, SpecIssue
from engine.proc.probe import probe, probe_still
from engine.resolved import Cue, MediaInfo, PictureSequence
from engine.spec.common import TextStyle
from engine.spec.loader import LoadedSpec, PathKey
from engine.spec.output import Output

if TYPE_CHECKING:
    from engine.resolve.text_style import ResolvedTextStyle
    from engine.spec.text_animation import TextAnimation

T = TypeVar("T")


class ResolveContext:
    """One spec being resolved. Problems are collected, each at its place in the spec, and
    raised together, so a user fixes a spec in one pass. Warnings (the spec works, but not
    quite as written: a bold face missing, a fallback font of another kind) are collected
    the same way and travel on the resolved spec for the CLI to print."""

    def __init__(self, loaded: LoadedSpec) -> None:
        self.loaded = loaded
        self.issues: list[SpecIssue] = []
        self.warnings: list[SpecIssue] = []
        self._warned: set[tuple[str, str]] = set()

    @property
    def output(self) -> Output:
        return self.loaded.spec.output

    @property
    def frame(self) -> tuple[int, int]:
        return self.output.width, self.output.height

    @property
    def fps(self) -> Fraction:
        return Fraction(self.output.fps)

    @property
    def sample_rate(self) -> int:
        return self.output.audio.sample_rate if self.output.audio else 48000

    def add(self, path: PathKey, message: str) -> None:
        self.issues.append(self.loaded.source.issue(path, message))

    def warn(self, path: PathKey, message: str) -> None:
        """Record a warning at ``path`` (once: the same warning at the same place is kept
        once however often it is found)."""
        issue = self.loaded.source.issue(path, message)
        if (issue.path, message) not in self._warned:
            self._warned.add((issue.path, message))
            self.warnings.append(issue)

    def attempt(self, path: PathKey, action: Callable[[], T]) -> T | None:
        """``action()``, or None with its MediaError recorded at ``path``."""
        try:
            return action()
        except MediaError as exc:
            self.add(path, str(exc))
            return None

    def source(self, src: str, *, writes: bool = False) -> Path:
        """A path of the spec, absolute. Media must lie inside the media root and the output
        inside the output root (engine.paths): the pipeline reports every such path, located,
        before resolving; refusing here as well covers anyone who resolves directly."""
        from engine.paths import media_file, output_file

        return output_file(self.loaded, src) if writes else media_file(self.loaded.base_dir, src)

    def media(self, path: PathKey, src: Path, kind: Literal["picture", "clip"]) -> MediaInfo | None:
        """A picture (probed from its header) or a clip (probed by ffmpeg) with a picture in
        it, or None with the problem recorded at ``path``."""

        def look() -> MediaInfo:
            media = probe_still(src) if kind == "picture" else probe(src)
            if not media.has_video or not media.width:
                what = "image" if kind == "picture" else "video"
                raise MediaError(f"not a readable {what}: {src} (ffmpeg found no picture in it)")
            return media

        return self.attempt(path, look)

    def small_enough(
        self, path: PathKey, src: Path, media: MediaInfo, box: tuple[int, int]
    ) -> tuple[Path, MediaInfo] | None:
        """The picture, or a copy shrunk to just cover ``box`` when it is far larger."""
        from engine.resolve.stills import small_enough

        return self.attempt(path, lambda: small_enough(src, media, box))

    def text_image(
        self, path: PathKey, text: str, style: TextStyle, highlights: tuple[str, ...] = ()
    ) -> tuple[Path, tuple[int, int]] | None:
        """``text`` drawn in ``style`` (over the spec's default text style) as a cached PNG,
        and its size; None with the problem recorded (a font missing, a character no font
        has, a card over the pixel limit)."""
        from engine.resolve.text_card import text_card

        resolved = self._text_style(path, text, style)
        if resolved is None:
            return None
        # A card over the pixel limit is an error naming this layer (not a crop, not gigabytes).
        return self.attempt(path, lambda: text_card(text, resolved, highlights, self.frame))

    def text_frames(
        self,
        path: PathKey,
        text: str,
        style: TextStyle,
        highlights: tuple[str, ...],
        animation: TextAnimation,
    ) -> PictureSequence | None:
        """The pictures of ``text`` revealed by ``animation`` (the spec's ``animate``), one a
        frame until it stops changing; None with the problem recorded at ``animate``."""
        from engine.resolve.text_frames import animated_text
        from engine.resolve.text_units import measure
        from engine.spec.text_animation import Typewriter

        resolved = self._text_style(path, text, style)
        if resolved is None:
            return None
        where = (*path, "animate")
        cursor = animation.cursor_text if isinstance(animation, Typewriter) else None
        if cursor and not self._drawable((*where, "cursor"), cursor, resolved):
            return None

        def draw() -> PictureSequence:
            units = measure(text, resolved, highlights)
            return animated_text(units, animation, self.fps, self.frame)

        return self.attempt(where, draw)

    def caption_frames(
        self, path: PathKey, cue: Cue, style: TextStyle, first: int
    ) -> PictureSequence | None:
        """A word-timed caption's pictures (engine/resolve/caption_frames.py), shown from the
        video's frame ``first``; None with the problem recorded, or warned of when the cue
        cannot be drawn word by word (it then shows whole)."""
        from engine.resolve.caption_frames import caption_sequence

        settings = self.loaded.spec.subtitles
        resolved = self._text_style(path, cue.text, style)
        if resolved is None or settings is None:
            return None
        mode, highlight = settings.mode, settings.highlight
        recorded = len(self.issues)
        drawn = self.attempt(
            path,
            lambda: caption_sequence(cue, mode, highlight, resolved, first, self.fps, self.frame),
        )
        if drawn is None and len(self.issues) == recorded:
            self.warn(
                (*path, "mode"),
                f"a caption mixes right-to-left and left-to-right text (or fonts), which "
                f"cannot be drawn word by word; it shows whole: {cue.text[:40]!r}",
            )
        return drawn

    def _text_style(self, path: PathKey, text: str, style: TextStyle) -> ResolvedTextStyle | None:
        """``style`` over the spec's default text style, with its font files; None with the
        problem recorded (a font missing, a character of ``text`` no font has)."""
        from engine.resolve.font_warnings import fallback_warnings
        from engine.resolve.fonts import fallback_fonts, resolve_face
        from engine.resolve.text_card import BUILTIN_STYLE, merge_styles, resolve_style

        spec = self.loaded.spec
        merged = merge_styles(BUILTIN_STYLE, spec.defaults.text, style)
        weight, italic = merged.weight or "normal", bool(merged.italic)
        font = self.attempt(
            (*path, "style", "font"),
            lambda: resolve_face(merged.font or "sans", weight, italic, self.loaded.base_dir),
        )
        if font is None:
            return None
        resolved = resolve_style(merged, font, spec.output.width, fallback_fonts(weight, italic))
        if not self._drawable((*path, "text"), text, resolved):
            return None
        for field, message in fallback_warnings(text, merged, resolved):
            self.warn((*path, "style", field), message)
        return resolved

    def _drawable(self, path: PathKey, text: str, style: ResolvedTextStyle) -> bool:
        """Whether some font of ``style`` has every character of ``text`` (else recorded)."""
        from engine.resolve.text_card import FontChain

        missing = FontChain(style.faces, 12).missing(text)
        if missing:
            shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:8])
            more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
            self.add(
                path,
                f"no font can draw {shown}{more}; tried "
                + ", ".join(dict.fromkeys(f.label for f in style.faces))
                + "; name a font file that has them in the layer's style.font",
            )
        return not missing
