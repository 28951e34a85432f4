"""The independent truth: what a spec says its render contains, computed from the spec dict and
the facts of the media it names (frame counts, rates, tone layouts), never from the engine.

Rules (docs/spec.md, with exact arithmetic):

- Every seconds value is an exact decimal, ``Fraction(repr(float(x)))``; fps is a Fraction.
- Scenes play in order; scene i > 0 enters with its own ``transition`` or
  ``defaults.transition`` (the first scene's is ignored; ``cut`` or none: no overlap) and
  overlaps the previous scene by its duration: S_0 = 0, S_i = S_{i-1} + D_{i-1} - T_i.
  The video lasts T = S_last + D_last and has round(T * fps) frames.
- The frame of a time t is round(t * fps) (Python's round, half to even). Scene i covers the
  frames [round(S_i fps), round((S_i + D_i) fps)); a frame two scenes cover is a blend.
- Layers stack bottom to top; timed layers show on [round((S+start) fps), round((S+end) fps))
  clipped to their scene. Overlays show on [round(start fps), round(end fps)).
- A clip at scene frame k shows its frame at source time trim.start + k / fps * speed (its
  last frame held); an image sequence its frame k / fps * seq_fps.
- Sounds: clip sound from the scene start for min(scene, clip after trim and speed), fading in
  over the transition into its scene and, where the next scene's transition crossfades (any
  ``audio`` but ``cut``), out over that one (it is at full level only between the two); tracks
  from ``start`` (or from an anchored scene's first frame + offset), trimmed, looped to the
  video end or once; narration from S + delay.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any

from tests.conformance.media import HEIGHT, TONE_AMPLITUDE, WIDTH, Catalogue
from tests.easing_reference import curve, keyframed

Spec = dict[str, Any]
RGB = tuple[int, int, int]


def seconds(value: object) -> Fraction:
    """An exact decimal: the value as the YAML writes it (a float's repr is that text)."""
    return Fraction(repr(float(value))) if not isinstance(value, str) else Fraction(value)


def frame_of(t: Fraction, fps: Fraction) -> int:
    return round(t * fps)


def colour_of(text: str) -> RGB:
    digits = text.lstrip("#")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


# --- pictures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    """Pixels [x0, x1) × [y0, y1)."""

    x0: int
    y0: int
    x1: int
    y1: int

    def contains(self, other: Rect) -> bool:
        return (
            self.x0 <= other.x0
            and self.y0 <= other.y0
            and other.x1 <= self.x1
            and other.y1 <= self.y1
        )

    def touches(self, other: Rect) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def centre_block(self, radius: int = 2) -> Rect:
        cx, cy = (self.x0 + self.x1) // 2, (self.y0 + self.y1) // 2
        return Rect(cx - radius, cy - radius, cx + radius, cy + radius)


FULL = Rect(0, 0, WIDTH, HEIGHT)
#: Where a full-frame source's identity colour is read: the top-centre, which no placed
#: picture of the vocabulary ever touches.
BASE_BLOCK = Rect(46, 10, 51, 16)
#: Where each stripe of the frame code is read (below every placed picture).
CODE_ROW = (40, 48)


@dataclass(frozen=True)
class Solid:
    colour: RGB


@dataclass(frozen=True)
class Coded:
    """A clip or sequence frame: the identity colour on top and one of ``frames`` coded."""

    source: str
    colour: RGB
    frames: frozenset[int]


Look = Solid | Coded


@dataclass(frozen=True)
class Item:
    """Something drawn in ``rect`` on the absolute frames [first, end); ``ramps`` are frames
    where it is partly transparent (fades), where nothing is asserted about it."""

    rect: Rect
    first: int
    end: int
    look: Callable[[int], Look]
    ramps: frozenset[int] = frozenset()
    #: Something that moves: where it is and how opaque it is at frame n (``rect`` is then
    #: where its placement puts it at rest).
    motion: Callable[[int], tuple[Rect, float]] | None = None

    def rect_at(self, n: int) -> Rect:
        return self.motion(n)[0] if self.motion else self.rect

    def maybe_visible(self, n: int) -> bool:
        inside = self.first <= n < self.end
        return inside and (self.motion is None or self.motion(n)[1] > 0)

    def surely_opaque(self, n: int) -> bool:
        solid = self.motion is None or self.motion(n)[1] >= 1
        return self.maybe_visible(n) and n not in self.ramps and solid


@dataclass(frozen=True)
class SceneTiming:
    start: Fraction
    duration: Fraction
    #: Overlap with the previous scene (0 for a cut or the first scene).
    transition: Fraction
    first: int
    end: int
    background: RGB
    items: tuple[Item, ...]


# --- sounds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tone:
    """A frequency heard on [start, end); at full level on [sure_start, sure_end)."""

    freq: float
    #: Expected amplitude at full level.
    level: float
    start: Fraction
    end: Fraction
    sure_start: Fraction
    sure_end: Fraction


@dataclass(frozen=True)
class Speech:
    start: Fraction
    end: Fraction


@dataclass(frozen=True)
class Expected:
    fps: Fraction
    duration: Fraction
    frames: int
    scenes: tuple[SceneTiming, ...]
    overlays: tuple[Item, ...]
    tones: tuple[Tone, ...]
    speech: tuple[Speech, ...]
    #: True: the file must have an audio stream; False: it must not; None: either (only
    #: silent sources, e.g. every volume 0).
    audio_stream: bool | None
    #: Frames where two scenes blend, widened by one frame each side.
    blended: frozenset[int] = field(default_factory=frozenset)

    def look(self, n: int, block: Rect) -> Look | None:
        """What ``block`` of frame ``n`` shows, or None where the spec does not pin it down
        (a transition, a fade, a picture's edge)."""
        for item in reversed(self.overlays):
            if item.rect_at(n).touches(block) and item.maybe_visible(n):
                return _sure(item, n, block)
        covering = [s for s in self.scenes if s.first <= n < s.end]
        if len(covering) != 1 or n in self.blended:
            return None
        scene = covering[0]
        for item in reversed(scene.items):
            if item.rect_at(n).touches(block) and item.maybe_visible(n):
                return _sure(item, n, block)
        return Solid(scene.background)

    def moving(self) -> list[Item]:
        items = [*self.overlays, *(i for s in self.scenes for i in s.items)]
        return [item for item in items if item.motion is not None]


def _sure(item: Item, n: int, block: Rect) -> Look | None:
    sure = item.rect_at(n).contains(block) and item.surely_opaque(n)
    return item.look(n) if sure else None


# --- the oracle ------------------------------------------------------------------------------


def placed_rect(thing: Spec, size: tuple[int, int]) -> Rect:
    """Where a placed picture goes: anchor + margin (centred on the other axis), or x/y,
    then shifted by offset."""
    width, height = size
    if "width" in thing:
        width, height = thing["width"], round(height * thing["width"] / width)
    anchor = thing.get("position", "center")
    margin = thing.get("margin", 0)
    if "left" in anchor:
        x = margin
    elif "right" in anchor:
        x = WIDTH - width - margin
    else:
        x = (WIDTH - width) // 2
    if anchor.startswith("top"):
        y = margin
    elif anchor.startswith("bottom"):
        y = HEIGHT - height - margin
    else:
        y = (HEIGHT - height) // 2
    # Keyframed x/y (lists) move it from where the anchor puts it: see ``moving``.
    fixed_x, fixed_y = thing.get("x", x), thing.get("y", y)
    x = (x if isinstance(fixed_x, list) else fixed_x) + thing.get("offset", [0, 0])[0]
    y = (y if isinstance(fixed_y, list) else fixed_y) + thing.get("offset", [0, 0])[1]
    return Rect(x, y, x + width, y + height)


_ENTER, _EXIT = "ease-out-cubic", "ease-in-cubic"


def moving(
    thing: Spec, rest: Rect, origin: Fraction, begins: Fraction, ends: Fraction, fps: Fraction
) -> Callable[[int], tuple[Rect, float]] | None:
    """Where a placed picture is, and how opaque, at each frame (None: it stays put).

    Keyframed ``x``/``y`` replace its corner (plus ``offset``), counted from ``origin``
    seconds; ``enter`` slides in from just outside the frame (or ``distance``) from
    ``begins``, ``exit`` out by ``ends``; opacity keyframes and fades multiply. Frame n shows
    the values at n / fps; the corner is rounded down, then down to even (4:2:0 output)."""
    keys = {name: thing.get(name) for name in ("x", "y", "opacity")}
    enter, leave = thing.get("enter"), thing.get("exit")
    if not any(isinstance(v, list) for v in keys.values()) and not enter and not leave:
        return None
    width, height = rest.x1 - rest.x0, rest.y1 - rest.y0
    shift = thing.get("offset", [0, 0])

    def value(name: str, t: Fraction, fallback: float, add: float = 0.0) -> float:
        frames = keys[name]
        return keyframed(frames, t - origin) + add if isinstance(frames, list) else fallback

    def move(spec: Spec, t: Fraction, entering: bool) -> tuple[float, float, float]:
        """(dx, dy, opacity factor) of an entrance or exit at ``t``."""
        span = seconds(spec.get("duration", 0.5))
        u = (t - begins) / span if entering else (t - (ends - span)) / span
        share = curve(spec.get("easing", _ENTER if entering else _EXIT))(float(min(1, max(0, u))))
        share = share if entering else 1 - share
        dx = dy = 0.0
        side = spec.get("slide")
        if side == "left":
            dx = -(rest.x0 + width)
        elif side == "right":
            dx = WIDTH - rest.x0
        elif side == "top":
            dy = -(rest.y0 + height)
        elif side == "bottom":
            dy = HEIGHT - rest.y0
        return dx * (1 - share), dy * (1 - share), share if spec.get("fade") else 1.0

    def at(n: int) -> tuple[Rect, float]:
        t = Fraction(n) / fps
        x = value("x", t, rest.x0, shift[0])
        y = value("y", t, rest.y0, shift[1])
        opacity = min(1.0, max(0.0, value("opacity", t, 1.0)))
        for spec, entering in ((enter, True), (leave, False)):
            if spec:
                dx, dy, factor = move(spec, t, entering)
                x, y, opacity = x + dx, y + dy, opacity * factor
        left, top = math.floor(x) & ~1, math.floor(y) & ~1
        return Rect(left, top, left + width, top + height), opacity

    return cache(at)


def _ramps(
    first: int,
    end: int,
    start: Fraction,
    stop: Fraction,
    fade_in: Fraction,
    fade_out: Fraction,
    fps: Fraction,
) -> frozenset[int]:
    """Frames in fade ramps (one frame of slack either side)."""
    frames: set[int] = set()
    if fade_in:
        frames |= set(range(first, frame_of(start + fade_in, fps) + 2))
    if fade_out:
        frames |= set(range(frame_of(stop - fade_out, fps) - 1, end))
    return frozenset(frames)


def _coded(
    source: str, colour: RGB, index: Callable[[int], frozenset[int]]
) -> Callable[[int], Look]:
    return lambda n: Coded(source, colour, index(n))


def _candidates(x: Fraction, first: int, last: int) -> frozenset[int]:
    """Source frame indices accepted for source position ``x`` (in source frames): floor or
    round, ±1, within the frames the source has (the last one is held)."""
    return frozenset(min(max(j, first), last) for j in range(math.floor(x) - 1, round(x) + 2))


class Oracle:
    def __init__(self, spec: Spec, media: Catalogue) -> None:
        self.spec = spec
        self.media = media
        self.fps = Fraction(str(spec["output"].get("fps", 30)))

    # lengths of things

    def clip_span(self, layer: Spec) -> tuple[Fraction, Fraction]:
        """(trim start, trim end) in source seconds."""
        clip = self.media.clip(layer["src"])
        trim = layer.get("trim", {})
        start = seconds(trim.get("start", 0))
        end = min(seconds(trim["end"]), clip.length) if "end" in trim else clip.length
        return start, end

    def layer_length(self, layer: Spec) -> Fraction | None:
        if layer["type"] == "video":
            start, end = self.clip_span(layer)
            return (end - start) / seconds(layer.get("speed", 1))
        if layer["type"] == "image_sequence":
            return Fraction(self.media.sequence(layer["src"]).frames) / Fraction(
                str(layer.get("fps", 25))
            )
        return None

    def narration_span(self, scene: Spec) -> tuple[Fraction, Fraction] | None:
        """(delay, speech seconds) of the scene's narration."""
        spoken = scene.get("narration")
        if spoken is None:
            return None
        return seconds(spoken.get("delay", 0)), self.media.speech[spoken["text"]]

    def scene_duration(self, scene: Spec) -> Fraction:
        if "duration" in scene:
            return seconds(scene["duration"])
        lengths = [x for layer in scene["layers"] if (x := self.layer_length(layer)) is not None]
        spoken = self.narration_span(scene)
        if spoken is not None:
            padding = seconds(scene["narration"].get("padding", 0.5))
            lengths.append(spoken[0] + spoken[1] + padding)
        return max(lengths)

    def chosen_transition(self, index: int) -> Spec | None:
        """The transition into scene ``index`` as the spec writes it (None: a cut)."""
        if index == 0:
            return None
        scene = self.spec["scenes"][index]
        chosen = scene.get("transition") or self.spec.get("defaults", {}).get("transition")
        if chosen is None or chosen.get("type", "fade") == "cut":
            return None
        return dict(chosen)

    def transition(self, index: int) -> Fraction:
        chosen = self.chosen_transition(index)
        return Fraction(0) if chosen is None else seconds(chosen.get("duration", 1.0))

    def crossfades_out(self, index: int) -> bool:
        """Clips' sound in scene ``index`` fades out over the transition into the next one."""
        if index + 1 >= len(self.spec["scenes"]):
            return False
        chosen = self.chosen_transition(index + 1)
        return chosen is not None and chosen.get("audio") != "cut"

    # the answer

    def expected(self) -> Expected:
        fps = self.fps
        background = colour_of(self.spec.get("defaults", {}).get("background", "#000000"))
        timings: list[SceneTiming] = []
        start = Fraction(0)
        for index, scene in enumerate(self.spec["scenes"]):
            duration = self.scene_duration(scene)
            overlap = self.transition(index)
            if index:
                start = timings[-1].start + timings[-1].duration - overlap
            first, end = frame_of(start, fps), frame_of(start + duration, fps)
            items = tuple(
                self._item(layer, start, duration, first, end) for layer in scene["layers"]
            )
            back = colour_of(scene["background"]) if "background" in scene else background
            timings.append(SceneTiming(start, duration, overlap, first, end, back, items))
        total = timings[-1].start + timings[-1].duration
        frames = frame_of(total, fps)
        blended: set[int] = set()
        for before, after in itertools.pairwise(timings):
            if after.first < before.end:  # overlapping scenes: a transition
                blended |= set(range(after.first - 1, before.end + 1))
        overlays = tuple(self._overlay(o, total, frames) for o in self.spec.get("overlays", []))
        tones, speech, stream = self._sounds(timings, total)
        return Expected(
            fps, total, frames, tuple(timings), overlays, tones, speech, stream, frozenset(blended)
        )

    def _item(self, layer: Spec, start: Fraction, duration: Fraction, first: int, end: int) -> Item:
        fps = self.fps
        kind = layer["type"]
        if kind == "color":
            colour = colour_of(layer["color"])
            return Item(FULL, first, end, lambda n: Solid(colour))
        if kind == "image":
            solid = self.media.solid(layer["src"])
            rect = placed_rect(layer, solid.size) if layer.get("fit") == "none" else FULL
            shown_from = start + seconds(layer.get("start", 0))
            shown_to = start + seconds(layer["end"]) if "end" in layer else start + duration
            a = max(first, frame_of(shown_from, fps))
            b = min(end, frame_of(shown_to, fps))
            ramps = _ramps(
                a,
                b,
                shown_from,
                shown_to,
                seconds(layer.get("fade_in", 0)),
                seconds(layer.get("fade_out", 0)),
                fps,
            )
            motion = moving(layer, rect, shown_from, shown_from, shown_to, fps)
            return Item(rect, a, b, lambda n: Solid(solid.colour), ramps, motion)
        if kind == "video":
            clip = self.media.clip(layer["src"])
            trim_start, trim_end = self.clip_span(layer)
            speed = seconds(layer.get("speed", 1))
            first_frame = math.floor(trim_start * clip.fps)
            last_frame = math.ceil(trim_end * clip.fps) - 1

            def clip_frames(n: int) -> frozenset[int]:
                t = trim_start + Fraction(n - first) / fps * speed
                return _candidates(t * clip.fps, first_frame, last_frame)

            return Item(FULL, first, end, _coded(clip.name, clip.colour, clip_frames))
        if kind == "image_sequence":
            sequence = self.media.sequence(layer["src"])
            rate = Fraction(str(layer.get("fps", 25)))

            def sequence_frames(n: int) -> frozenset[int]:
                return _candidates(Fraction(n - first) / fps * rate, 0, sequence.frames - 1)

            return Item(FULL, first, end, _coded(sequence.name, sequence.colour, sequence_frames))
        raise ValueError(f"no oracle for layer type {kind!r}")

    def _overlay(self, overlay: Spec, total: Fraction, frames: int) -> Item:
        fps = self.fps
        solid = self.media.solid(overlay["src"])
        start = seconds(overlay.get("start", 0))
        stop = seconds(overlay["end"]) if "end" in overlay else total
        fade = seconds(overlay.get("fade", 0))
        fade_in = seconds(overlay["fade_in"]) if "fade_in" in overlay else fade
        fade_out = seconds(overlay["fade_out"]) if "fade_out" in overlay else fade
        a, b = frame_of(start, fps), min(frames, frame_of(stop, fps))
        ramps = _ramps(a, b, start, stop, fade_in, fade_out, fps)
        rect = placed_rect(overlay, solid.size)
        # An overlay's keyframe times are the video's.
        motion = moving(overlay, rect, Fraction(0), start, stop, fps)
        return Item(rect, a, b, lambda n: Solid(solid.colour), ramps, motion)

    def _sounds(
        self, timings: list[SceneTiming], total: Fraction
    ) -> tuple[tuple[Tone, ...], tuple[Speech, ...], bool | None]:
        tones: list[Tone] = []
        speech: list[Speech] = []
        sources = audible = 0
        for index, (scene, timing) in enumerate(zip(self.spec["scenes"], timings, strict=True)):
            for layer in scene["layers"]:
                if layer["type"] != "video" or not layer.get("audio", True):
                    continue
                clip = self.media.clip(layer["src"])
                if clip.tone is None:
                    continue
                sources += 1
                if layer.get("volume", 1) <= 0:
                    continue
                audible += 1
                length = min(timing.duration, self.layer_length(layer) or Fraction(0))
                # A clip's sound fades in over its scene's incoming transition (or ~10 ms).
                ramp = timing.transition or Fraction(1, 100)
                end = timing.start + length
                sure_end = end
                if self.crossfades_out(index):
                    # Fading out from where the next scene starts (its transition's start).
                    sure_end = min(end, timings[index + 1].start)
                level = TONE_AMPLITUDE * float(layer.get("volume", 1))
                tones.append(
                    Tone(clip.tone, level, timing.start, end, timing.start + ramp, sure_end)
                )
            spoken = self.narration_span(scene)
            if spoken is not None:
                sources += 1
                audible += 1
                delay, length = spoken
                speech.append(Speech(timing.start + delay, timing.start + delay + length))
        for track in self.spec.get("audio", []):
            sources += 1
            if track.get("volume", 1) <= 0:
                continue
            audible += 1
            tones += self._track_tones(track, total, self.track_start(track, timings))
        if self.spec["output"].get("audio", {}) is None:
            return tuple(tones), tuple(speech), False
        stream = True if audible else (None if sources else False)
        return tuple(tones), tuple(speech), stream

    def track_start(self, track: Spec, timings: list[SceneTiming]) -> Fraction:
        """Where a track starts: its ``start``, or its anchor — the anchored scene's first
        frame (by index, or by name) plus the offset."""
        anchor = track.get("at")
        if anchor is None:
            return seconds(track.get("start", 0))
        ref = anchor["scene"]
        if isinstance(ref, str):
            ref = next(i for i, s in enumerate(self.spec["scenes"]) if s.get("name") == ref)
        return Fraction(timings[ref].first) / self.fps + seconds(anchor.get("offset", 0))

    def _track_tones(self, track: Spec, total: Fraction, start: Fraction) -> list[Tone]:
        media = self.media.track(track["src"])
        trim = track.get("trim", {})
        trim_start = seconds(trim.get("start", 0))
        trim_end = min(seconds(trim["end"]), media.length) if "end" in trim else media.length
        length = trim_end - trim_start
        until = total if track.get("loop") else min(total, start + length)
        fade_in, fade_out = seconds(track.get("fade_in", 0)), seconds(track.get("fade_out", 0))
        sure_start, sure_end = start + fade_in, until - fade_out
        level = TONE_AMPLITUDE * float(track.get("volume", 1))
        tones = []
        # Walk the timeline one pass of the trimmed source at a time.
        offset = start
        while offset < until:
            for seg_start, seg_end, freq in media.segments:
                a, b = max(seg_start, trim_start), min(seg_end, trim_end)
                if a >= b:
                    continue
                t0, t1 = offset + a - trim_start, min(until, offset + b - trim_start)
                if t0 < t1:
                    sure = max(t0, sure_start), min(t1, sure_end)
                    tones.append(Tone(freq, level, t0, t1, *sure))
            if not track.get("loop"):
                break
            offset += length
        return tones
