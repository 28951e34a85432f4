"""Resolve a loaded spec: find and probe every file, draw text and gradients, and place every
scene, overlay and audio track on one absolute timeline.

Every problem found is collected with its source location and raised together as a SpecError,
so a user fixes a spec in one pass.
"""

from __future__ import annotations

import glob
import hashlib
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

from engine.errors import MediaError, SpecError, SpecIssue, capped
from engine.resolve.fonts import fallback_fonts, resolve_font
from engine.resolve.gradient import gradient_image
from engine.resolve.limits import Limits
from engine.resolve.models import resolve_frame_model, resolve_generator
from engine.resolve.narration import narration_audio
from engine.resolve.probe import MediaInfo, probe, probe_still
from engine.resolve.stills import small_enough
from engine.resolve.subtitles import Cue, parse_srt, split_long
from engine.resolve.text_card import (
    BUILTIN_STYLE,
    FontChain,
    merge_styles,
    resolve_style,
    text_card,
)
from engine.resolve.timeline import (
    ResolvedAudio,
    ResolvedLayer,
    ResolvedNarration,
    ResolvedOverlay,
    ResolvedScene,
    ResolvedSpec,
    exact,
    frame_at,
)
from engine.spec.common import Box, TextStyle
from engine.spec.generator import GeneratorLayer
from engine.spec.layers import (
    ColorLayer,
    GradientLayer,
    ImageLayer,
    ImageSequenceLayer,
    TextLayer,
    VideoLayer,
)
from engine.spec.loader import LoadedSpec, PathKey
from engine.spec.models import AudioTrack, ImageOverlay, Spec, TextOverlay

T = TypeVar("T")


class _Collector:
    """Collects located problems; ``attempt`` turns a MediaError into one of them."""

    def __init__(self, loaded: LoadedSpec) -> None:
        self.loaded = loaded
        self.issues: list[SpecIssue] = []

    def add(self, path: PathKey, message: str) -> None:
        self.issues.append(self.loaded.source.issue(path, message))

    def attempt(self, path: PathKey, action: Callable[[], T]) -> T | None:
        try:
            return action()
        except MediaError as exc:
            self.add(path, str(exc))
            return None


def resolve(loaded: LoadedSpec, limits: Limits | None = None) -> ResolvedSpec:
    limits = limits or Limits.from_env()
    spec = loaded.spec
    found = _Collector(loaded)
    fps = Fraction(spec.output.fps)
    width, height = spec.output.width, spec.output.height
    if max(width, height) > limits.max_side:
        found.add(
            ("output", "size"),
            f"{spec.output.size} exceeds the limit of "
            f"{limits.max_side} pixels a side (REELSPEC_MAX_SIDE)",
        )
    if fps > limits.max_fps:
        found.add(
            ("output", "fps"),
            f"{spec.output.fps} fps exceeds the limit of {limits.max_fps:g} (REELSPEC_MAX_FPS)",
        )

    scenes = _place_scenes(found, loaded, fps)
    total = scenes[-1].end if scenes else Fraction(0)
    if total > limits.max_duration:
        found.add(
            ("scenes",),
            f"the video lasts {float(total):g}s, over the limit of "
            f"{limits.max_duration:g}s (REELSPEC_MAX_DURATION)",
        )

    overlays = [
        r
        for i, overlay in enumerate(spec.overlays)
        if (r := _resolve_overlay(found, loaded, ("overlays", i), overlay, total)) is not None
    ]
    audio = [
        r
        for i, track in enumerate(spec.audio)
        if (r := _resolve_audio(found, loaded, ("audio", i), track, total)) is not None
    ]
    cues: list[Cue] = []
    if spec.subtitles is not None:
        cues = _subtitle_cues(found, loaded, scenes, total)
        if spec.subtitles.burn:
            overlays += _burned_subtitles(found, loaded, cues, total)
    if found.issues:
        raise SpecError(capped(found.issues))
    return ResolvedSpec(
        output=spec.output,
        scenes=tuple(scenes),
        overlays=tuple(overlays),
        audio=tuple(audio),
        duration=total,
        frame_count=frame_at(total, fps),
        spec_hash=spec_hash(spec),
        output_path=_source(loaded, spec.output.path, writes=True),
        subtitles=tuple(cues),
        subtitle_files=tuple(spec.subtitles.files) if spec.subtitles and cues else (),
        spec_file=Path(loaded.source.file).resolve() if loaded.source.file else None,
    )


def _place_scenes(found: _Collector, loaded: LoadedSpec, fps: Fraction) -> list[ResolvedScene]:
    """Every scene on the timeline. Starts and ends are exact sums of the spec's times, and
    each is rounded to a frame on its own, so no rounding adds up along the video."""
    spec = loaded.spec
    scenes: list[ResolvedScene] = []
    start = Fraction(0)
    for index, scene in enumerate(spec.scenes):
        where = ("scenes", index)
        layers = tuple(
            _resolve_layer(found, loaded, (*where, "layers", j), layer)
            for j, layer in enumerate(scene.layers)
        )
        narration = _narration(found, loaded, index)
        duration = _scene_duration(found, loaded, index, layers, narration)
        if duration is None:
            continue
        transition = scene.transition or (spec.defaults.transition if index else None)
        if not scenes or (transition is not None and transition.type == "cut"):
            transition = None
        previous = scenes[-1] if scenes else None
        overlap = exact(transition.duration) if transition is not None else Fraction(0)
        if previous is not None and transition is not None:
            if overlap >= min(duration, previous.duration):
                found.add(
                    (*where, "transition") if scene.transition else where,
                    f"transition of {float(overlap):g}s is not shorter than the scenes it "
                    f"joins ({float(min(duration, previous.duration)):g}s)",
                )
                continue
            entering = exact(previous.transition.duration) if previous.transition else Fraction(0)
            if entering + overlap > previous.duration:
                found.add(
                    (*where[:1], index - 1),
                    f"the transitions into and out of this scene ({float(entering):g}s + "
                    f"{float(overlap):g}s) are longer than the scene "
                    f"({float(previous.duration):g}s)",
                )
                continue
        start = (previous.end - overlap) if previous is not None else Fraction(0)
        first, end = frame_at(start, fps), frame_at(start + duration, fps)
        if end - first < 1:
            found.add(
                (*where, "duration"),
                f"the scene lasts {float(duration):g}s, less than one frame at {fps} fps",
            )
            continue
        shared = previous.end_frame - first if previous is not None else 0
        scenes.append(
            ResolvedScene(
                index=index,
                start=start,
                duration=duration,
                first_frame=first,
                end_frame=end,
                transition=transition if shared > 0 else None,
                transition_frames=max(0, shared),
                background=scene.background or spec.defaults.background,
                fit=spec.defaults.fit,
                layers=layers,
                narration=narration,
            )
        )
    return scenes


def _narration(found: _Collector, loaded: LoadedSpec, index: int) -> ResolvedNarration | None:
    wanted = loaded.spec.scenes[index].narration
    if wanted is None:
        return None
    spoken = found.attempt(("scenes", index, "narration"), lambda: narration_audio(wanted))
    if spoken is None:
        return None
    return ResolvedNarration(spoken.path, spoken.length, exact(wanted.delay), spoken.cues)


def _scene_duration(
    found: _Collector,
    loaded: LoadedSpec,
    index: int,
    layers: tuple[ResolvedLayer, ...],
    narration: ResolvedNarration | None,
) -> Fraction | None:
    """The scene's exact length: as given, or decided by its narration and its timed
    layers (the longest). None when it cannot be known (the problem is recorded)."""
    scene = loaded.spec.scenes[index]
    wanted = scene.narration
    if scene.duration is not None:
        duration = exact(scene.duration)
        if narration is not None and narration.delay + narration.length > duration:
            found.add(
                ("scenes", index, "duration"),
                f"the narration lasts {float(narration.delay + narration.length):.2f}s, longer "
                f"than the scene ({float(duration):g}s); leave the duration out to fit it",
            )
        return duration
    lengths = [r.length for r in layers if r.length is not None]
    if narration is not None and wanted is not None:
        lengths.append(narration.delay + narration.length + exact(wanted.padding))
    if lengths:
        return max(lengths)
    if wanted is None and not any(
        isinstance(r.layer, (VideoLayer, ImageSequenceLayer)) for r in layers
    ):
        # (A video or sequence that failed to resolve has already reported its problem.)
        found.add(
            ("scenes", index),
            "scene needs a duration (only narration, a video, an image sequence "
            "or a generator layer with a duration can decide it)",
        )
    return None


SUBTITLE_STYLE = TextStyle(size=36, box=Box(color="#000000a0", padding=10, radius=8))


def _subtitle_cues(
    found: _Collector, loaded: LoadedSpec, scenes: list[ResolvedScene], total: Fraction
) -> list[Cue]:
    settings = loaded.spec.subtitles
    assert settings is not None
    if settings.src:
        src = _source(loaded, settings.src)

        def read() -> list[Cue]:
            from engine.spec.loader import excerpt_path

            try:
                return parse_srt(_read_text(src), str(src))
            except MediaError as exc:  # it may quote a whole line of the file
                raise MediaError(excerpt_path(str(exc))) from None
            except ValueError:  # a time with more digits than Python makes into an int
                raise MediaError(f"{src}: a subtitle time is not a readable time") from None

        raw = found.attempt(("subtitles", "src"), read)
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
        found.add(
            ("subtitles",),
            "subtitles need narration in some scene, or an .srt file (subtitles.src)",
        )
    return [piece for cue in raw for piece in split_long(cue, settings.max_chars)]


#: The largest subtitles file read by default (16 MiB: hundreds of hours of captions).
MAX_SUBTITLE_BYTES = 16 * 1024 * 1024


def _read_text(path: Path) -> str:
    """A regular UTF-8 text file of bounded size; a byte that is not UTF-8 is located."""
    from engine.spec.common import env_limit
    from engine.spec.loader import decode_utf8, read_limited

    def fail(
        message: str, *, file: str | None = None, line: int | None = None, column: int | None = None
    ) -> MediaError:
        where = "".join(f"{part}:" for part in (file, line, column) if part is not None)
        return MediaError(f"{where} {message}" if where else message)

    limit = int(env_limit("REELSPEC_MAX_SUBTITLE_BYTES", MAX_SUBTITLE_BYTES))
    data = read_limited(path, limit, "file", "REELSPEC_MAX_SUBTITLE_BYTES", fail)
    return decode_utf8(data, str(path), fail)


def _burned_subtitles(
    found: _Collector, loaded: LoadedSpec, cues: list[Cue], total: Fraction
) -> list[ResolvedOverlay]:
    settings = loaded.spec.subtitles
    assert settings is not None
    style = merge_styles(SUBTITLE_STYLE, settings.style)
    out = []
    for cue in cues:
        end = min(cue.end, total)
        if end - cue.start < Fraction(1, 100):
            continue
        overlay = TextOverlay(
            type="text",
            text=cue.text,
            start=float(cue.start),
            end=float(end),
            style=style,
            position=settings.position,
            margin=settings.margin,
        )
        resolved = _resolve_overlay(
            found, loaded, ("subtitles",), overlay, total, timing=(cue.start, end)
        )
        if resolved is not None:
            out.append(resolved)
    return out


def spec_hash(spec: Spec) -> str:
    return hashlib.sha256(spec.model_dump_json().encode("utf-8")).hexdigest()


def _source(loaded: LoadedSpec, src: str, *, writes: bool = False) -> Path:
    """A path of the spec, absolute. Media must lie inside the media root and the output
    inside the output root (engine.paths): the pipeline reports every such path, located,
    before resolving; refusing here as well covers anyone who resolves directly."""
    from engine.paths import media_file, output_file

    return output_file(loaded, src) if writes else media_file(loaded.base_dir, src)


def _text_image(
    found: _Collector,
    loaded: LoadedSpec,
    path: PathKey,
    text: str,
    style: TextStyle,
    highlights: tuple[str, ...] = (),
) -> tuple[Path, tuple[int, int]] | None:
    spec = loaded.spec
    merged = merge_styles(BUILTIN_STYLE, spec.defaults.text, style)
    assert merged.font is not None
    font = found.attempt(
        (*path, "style", "font"),
        lambda: resolve_font(
            merged.font or "sans", merged.weight or "normal", bool(merged.italic), loaded.base_dir
        ),
    )
    if font is None:
        return None
    style_resolved = resolve_style(merged, font, spec.output.width, fallback_fonts())
    missing = FontChain(style_resolved.font_files, 12).missing(text)
    if missing:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:8])
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        found.add(
            (*path, "text"),
            f"no font can draw {shown}{more}; tried "
            + ", ".join(Path(f).name for f in style_resolved.font_files),
        )
        return None
    # A card over the pixel limit is an error naming this layer (not a crop, not gigabytes).
    frame = (spec.output.width, spec.output.height)
    return found.attempt(path, lambda: text_card(text, style_resolved, highlights, frame))


def _resolve_layer(
    found: _Collector, loaded: LoadedSpec, path: PathKey, layer: object
) -> ResolvedLayer:
    output = loaded.spec.output
    if isinstance(layer, TextLayer):
        drawn = _text_image(found, loaded, path, layer.text, layer.style, tuple(layer.highlights))
        if drawn is None:
            return ResolvedLayer(layer)
        return ResolvedLayer(layer, src=drawn[0], size=drawn[1])
    if isinstance(layer, GradientLayer):
        image = gradient_image(layer, output.width, output.height)
        return ResolvedLayer(layer, src=image, size=(output.width, output.height))
    if isinstance(layer, ColorLayer):
        return ResolvedLayer(layer)
    if isinstance(layer, ImageLayer):
        src = _source(loaded, layer.src)
        media = found.attempt((*path, "src"), lambda: _probe_kind(src, "image"))
        if media is None:
            return ResolvedLayer(layer)
        box = _image_box(layer, media, (output.width, output.height))
        shrunk = found.attempt((*path, "src"), lambda: small_enough(src, media, box))
        if shrunk is None:
            return ResolvedLayer(layer)
        src, media = shrunk
        return ResolvedLayer(
            layer, src=src, media=media, size=(media.width or 0, media.height or 0)
        )
    if isinstance(layer, VideoLayer):
        src = _source(loaded, layer.src)
        media = found.attempt((*path, "src"), lambda: _probe_kind(src, "video"))
        if media is None:
            return ResolvedLayer(layer)
        available = media.duration or Fraction(0)
        trim_start = exact(layer.trim.start)
        end = exact(layer.trim.end) if layer.trim.end is not None else available
        if trim_start >= available:
            found.add(
                (*path, "trim", "start"),
                f"trim.start {layer.trim.start:g}s is past the end of {layer.src} "
                f"({float(available):g}s)",
            )
        elif end > available + Fraction(1, 1000):
            found.add(
                (*path, "trim", "end"),
                f"trim.end {float(end):g}s is past the end of {layer.src} ({float(available):g}s)",
            )
        length = max(Fraction(0), min(end, available) - trim_start) / exact(layer.speed)
        size = (media.width or 0, media.height or 0)
        model = None
        if layer.model is not None:
            model_path = _source(loaded, layer.model.path)
            option = layer.model
            model = found.attempt(
                (*path, "model"),
                lambda: resolve_frame_model(
                    option, model_path, size, (output.width, output.height)
                ),
            )
            if model is not None:
                size = model.out_size
        return ResolvedLayer(layer, src=src, media=media, length=length, size=size, model=model)
    if isinstance(layer, GeneratorLayer):
        model_path = _source(loaded, layer.model)
        model = found.attempt((*path, "model"), lambda: resolve_generator(layer, model_path))
        return ResolvedLayer(
            layer,
            src=model_path,
            length=exact(layer.duration) if layer.duration is not None else None,
            size=model.out_size if model else None,
            model=model,
        )
    if isinstance(layer, ImageSequenceLayer):
        found_frames = found.attempt((*path, "src"), lambda: _sequence(loaded, layer.src))
        if found_frames is None:
            return ResolvedLayer(layer)
        kind, first, start_number, count = found_frames
        media = found.attempt((*path, "src"), lambda: _probe_kind(first, "image"))
        return ResolvedLayer(
            layer,
            src=_source(loaded, layer.src),
            media=media,
            pattern_kind=kind,
            start_number=start_number,
            frame_count=count,
            length=Fraction(count) / Fraction(layer.fps),
            size=(media.width or 0, media.height or 0) if media else None,
        )
    raise TypeError(f"no resolver for {type(layer).__name__}")  # a bug: a new type was added


def _image_box(layer: ImageLayer, media: MediaInfo, frame: tuple[int, int]) -> tuple[int, int]:
    """The largest size an image layer's picture is drawn at: the frame (twice it for Ken
    Burns motion, which works at twice the frame size), or its own width when placed; a
    placed picture at its own size is shown pixel for pixel (no box)."""
    if layer.fit == "none":
        if layer.width and media.width and media.height:
            return layer.width, round(media.height * layer.width / media.width)
        return (0, 0)
    scale = 2 if (layer.zoom or layer.pan) else 1
    return frame[0] * scale, frame[1] * scale


def _probe_kind(path: Path, kind: str) -> MediaInfo:
    media = probe_still(path) if kind == "image" else probe(path)
    if not media.has_video or not media.width:
        raise MediaError(f"not a readable {kind}: {path} (ffmpeg found no picture in it)")
    return media


_PRINTF = re.compile(r"%0?\d*d")


def _sequence(loaded: LoadedSpec, src: str) -> tuple[str, Path, int, int]:
    """How to read an image sequence: (kind, first file, start number, frame count).

    A printf pattern is read the way ffmpeg reads it: from the lowest number present, for as
    many consecutive numbers as exist. A glob is every match, sorted by name."""
    pattern = _source(loaded, src)
    if _PRINTF.search(pattern.name):

        def name_of(number: int) -> str:
            try:
                return pattern.name % number  # ffmpeg's patterns are printf's (%% is a %)
            except (TypeError, ValueError):
                raise MediaError(f"{src}: use exactly one %d-style number (img_%04d.png)") from None

        # Any run of digits where the number goes is a candidate for the first frame.
        literal = [re.escape(part) for part in _PRINTF.split(pattern.name.replace("%%", "%"))]
        finder = re.compile("^" + r"(\d+)".join(literal) + "$")
        folder = pattern.parent
        candidates = sorted(
            int(match.group(1))
            for entry in (folder.iterdir() if folder.is_dir() else [])
            if (match := finder.match(entry.name)) and entry.name == name_of(int(match.group(1)))
        )
        if not candidates:
            raise MediaError(f"no frames match {src}")
        start = candidates[0]
        count = 0
        while (folder / name_of(start + count)).is_file():
            count += 1
        return "printf", folder / name_of(start), start, count
    if any(ch in src for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(str(pattern)))
        if not files:
            raise MediaError(f"no frames match {src}")
        return "glob", files[0], 0, len(files)
    raise MediaError(f"{src} is neither a printf pattern (img_%04d.png) nor a glob (*.png)")


def _resolve_overlay(
    found: _Collector,
    loaded: LoadedSpec,
    path: PathKey,
    overlay: object,
    total: Fraction,
    timing: tuple[Fraction, Fraction] | None = None,
) -> ResolvedOverlay | None:
    """An overlay checked against the video's length; ``timing`` gives exact times for
    overlays the engine makes itself (captions)."""
    assert isinstance(overlay, (ImageOverlay, TextOverlay))
    if timing is not None:
        start, end = timing
    else:
        start = exact(overlay.start)
        end = exact(overlay.end) if overlay.end is not None else total
    if start >= total:
        found.add(
            (*path, "start"),
            f"overlay starts at {float(start):g}s, after the video ends ({float(total):g}s)",
        )
        return None
    if end > total:
        found.add(
            (*path, "end"),
            f"overlay ends at {float(end):g}s, past the end of the video ({float(total):g}s)",
        )
        return None
    fade_in, fade_out = overlay.fade_in_seconds, overlay.fade_out_seconds
    if exact(fade_in) + exact(fade_out) > end - start:
        found.add(
            path,
            f"fades ({fade_in:g}s + {fade_out:g}s) are longer than the overlay "
            f"({float(end - start):g}s)",
        )
        return None
    if isinstance(overlay, TextOverlay):
        drawn = _text_image(found, loaded, path, overlay.text, overlay.style)
        if drawn is None:
            return None
        image, size = drawn
    else:
        src = _source(loaded, overlay.src)
        media = found.attempt((*path, "src"), lambda: _probe_kind(src, "image"))
        if media is None:
            return None
        if overlay.width and media.width and media.height:
            box = (overlay.width, round(media.height * overlay.width / media.width))
            shrunk = found.attempt((*path, "src"), lambda: small_enough(src, media, box))
            if shrunk is None:
                return None
            src, media = shrunk
        image, size = src, (media.width or 0, media.height or 0)
    return ResolvedOverlay(overlay, image, size, start, end, fade_in, fade_out)


def _resolve_audio(
    found: _Collector, loaded: LoadedSpec, path: PathKey, track: AudioTrack, total: Fraction
) -> ResolvedAudio | None:
    src = _source(loaded, track.src)
    media = found.attempt((*path, "src"), lambda: probe(src))
    if media is None:
        return None
    if not media.has_audio:
        found.add((*path, "src"), f"{track.src} has no audio stream")
        return None
    start = exact(track.start)
    if start >= total:
        found.add(
            (*path, "start"),
            f"track starts at {track.start:g}s, after the video ends ({float(total):g}s)",
        )
        return None
    available = media.duration or Fraction(0)
    trim_start = exact(track.trim.start)
    end = exact(track.trim.end) if track.trim.end is not None else available
    if trim_start >= available:
        found.add(
            (*path, "trim", "start"),
            f"trim.start {track.trim.start:g}s is past the end of {track.src} "
            f"({float(available):g}s)",
        )
        return None
    return ResolvedAudio(track, src, media, start, min(end, available) - trim_start)
