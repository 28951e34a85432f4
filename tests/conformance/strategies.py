"""Hypothesis strategies: valid specs built only from the recognisable vocabulary of
:mod:`tests.conformance.media`, so every render can be read back.

Validity is kept with margins (transitions at least 0.15 s shorter than what they must fit,
overlays ending 0.1 s before the video), so a spec is valid under any sane rounding and a
rejection is itself a finding. Times sit on a 0.05 s grid, which is not a whole number of
frames at most rates: rounding gets exercised.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, get_args

from hypothesis import strategies as st

from engine.spec.models import TransitionName
from tests.conformance.media import HEIGHT, NARRATION_TEXTS, WIDTH, Catalogue, hex_colour
from tests.conformance.oracle import Expected, Oracle, seconds

Spec = dict[str, Any]
Draw = Any

FPS = (10, 12, 15, 24, 25, 30, "30000/1001")
TRANSITIONS: tuple[str, ...] = tuple(t for t in get_args(TransitionName) if t != "cut")
SEQUENCE_FPS = (8, 10, "12.5", 25)
#: Easing curves keyframes and moves draw from: named ones, a Bézier and springs.
EASINGS: tuple[Any, ...] = (
    "linear",
    "hold",
    "ease-in-quad",
    "ease-out-cubic",
    "ease-in-out-sine",
    "ease-in-expo",
    "ease-out-back",
    "ease-in-out-back",
    "ease",
    {"cubic_bezier": [0.3, 1.4, 0.6, 1.0]},
    "spring",
    {"spring": {"mass": 1, "stiffness": 220, "damping": 30}},
)
#: Room kept between a transition and what it must fit in (see the module docstring).
SLACK = Fraction(15, 100)


def on_grid(draw: Draw, low: Fraction, high: Fraction, step: Fraction = Fraction(1, 20)) -> float:
    """A multiple of ``step`` in [low, high], as the float whose repr is that decimal."""
    lo, hi = -(-low // step), high // step
    k = draw(st.integers(int(lo), int(max(lo, hi))))
    return float(round(k * step, 2))


class SpecBuilder:
    """Draws one spec; remembers which sounding media it used (each at most once, so two
    copies of one tone can never cancel out)."""

    def __init__(self, draw: Draw, media: Catalogue) -> None:
        self.draw = draw
        self.media = media
        self.used_sounds: set[str] = set()
        self.colours = list(media.free_colours)

    def colour(self) -> str:
        return hex_colour(self.draw(st.sampled_from(self.colours)))

    def placement(self, layer: Spec) -> None:
        draw = self.draw
        spot = draw(st.sampled_from(["top-left", "top-right", "left", "right", "xy"]))
        if spot == "xy":
            layer["x"] = draw(st.sampled_from([20, 58]))
            layer["y"] = draw(st.sampled_from([2, 6]))
        else:
            layer["position"] = spot
            margin = draw(st.sampled_from([0, 2, 4]))
            if margin:
                layer["margin"] = margin
        if draw(st.booleans()):
            layer["offset"] = [draw(st.sampled_from([0, 2])), draw(st.sampled_from([0, 2]))]
        if draw(st.integers(0, 3)) == 3:
            layer["width"] = 24

    def clip_layer(self) -> Spec:
        draw = self.draw
        clip = draw(st.sampled_from(self.media.clips))
        layer: Spec = {"type": "video", "src": str(clip.path)}
        if draw(st.booleans()):
            start = on_grid(draw, Fraction(0), clip.length - Fraction(1, 2), Fraction(1, 10))
            layer["trim"] = {"start": start}
            if draw(st.booleans()):
                layer["trim"]["end"] = on_grid(
                    draw, seconds(start) + Fraction(2, 5), clip.length, Fraction(1, 10)
                )
        sounding = clip.tone is not None and str(clip.path) not in self.used_sounds
        if sounding and draw(st.integers(0, 4)) == 4:
            layer["audio"] = False
            sounding = False
        if clip.tone is not None and not sounding and "audio" not in layer:
            layer["audio"] = False  # a second copy of this clip stays quiet
        if sounding:
            self.used_sounds.add(str(clip.path))
            volume = draw(st.sampled_from([1, 1, 0.6, 0]))
            if volume != 1:
                layer["volume"] = volume
        speed = draw(st.sampled_from([1, 1, 1, 0.5, 1.5, 2]))
        if speed != 1:
            layer["speed"] = speed
        fit = draw(st.sampled_from([None, "cover", "contain", "fill"]))
        if fit:
            layer["fit"] = fit
        return layer

    def sequence_layer(self) -> Spec:
        draw = self.draw
        sequence = draw(st.sampled_from(self.media.sequences))
        layer: Spec = {"type": "image_sequence", "src": sequence.src}
        layer["fps"] = draw(st.sampled_from(SEQUENCE_FPS))
        return layer

    def base_layers(self, scene: Spec) -> list[Spec]:
        draw = self.draw
        base = draw(st.sampled_from(["color", "image", "clip", "clip", "sequence", "background"]))
        if base == "color":
            return [{"type": "color", "color": self.colour()}]
        if base == "image":
            image = draw(st.sampled_from(self.media.images))
            layer = {"type": "image", "src": str(image.path)}
            fit = draw(st.sampled_from([None, "cover", "contain", "fill", "blur"]))
            return [layer | ({"fit": fit} if fit else {})]
        if base == "clip":
            return [self.clip_layer()]
        if base == "sequence":
            return [self.sequence_layer()]
        scene["background"] = self.colour()
        return []

    def timed_layer(self, duration: Fraction) -> Spec:
        """A placed sprite or a full-frame picture showing for part of its scene."""
        draw = self.draw
        if draw(st.integers(0, 2)):
            sprite = draw(st.sampled_from(self.media.sprites))
            layer: Spec = {"type": "image", "src": str(sprite.path), "fit": "none"}
            self.placement(layer)
        else:
            image = draw(st.sampled_from(self.media.images))
            layer = {"type": "image", "src": str(image.path)}
        start = Fraction(0)
        if draw(st.booleans()):
            layer["start"] = on_grid(draw, Fraction(0), duration - Fraction(3, 10))
            start = seconds(layer["start"])
        end = duration
        if draw(st.booleans()):
            layer["end"] = on_grid(draw, start + Fraction(1, 5), duration)
            end = seconds(layer["end"])
        if draw(st.integers(0, 3)) == 3 and end - start >= Fraction(3, 10):
            layer["fade_in"] = on_grid(draw, Fraction(1, 20), (end - start) / 3)
        if draw(st.integers(0, 3)) == 3 and end - start >= Fraction(3, 10):
            layer["fade_out"] = on_grid(draw, Fraction(1, 20), (end - start) / 3)
        if layer.get("fit") == "none" and "width" not in layer and draw(st.integers(0, 2)) == 2:
            self.motion(layer, Fraction(0), end - start)
        return layer

    def motion(self, thing: Spec, first: Fraction, last: Fraction) -> None:
        """Keyframes (times in [first, last]: the layer's own or the video's), or an
        entrance and exit, on a placed sprite."""
        draw = self.draw
        kinds = (
            {"moves"}
            if draw(st.booleans())
            else draw(st.sets(st.sampled_from(["x", "y", "opacity"]), min_size=1))
        )
        for name in sorted(kinds - {"moves"}):
            count = draw(st.integers(1, 3))
            times = sorted({on_grid(draw, first, last) for _ in range(count)})
            high = {"x": WIDTH - 16, "y": HEIGHT - 12, "opacity": 1}[name]
            values = [
                draw(st.sampled_from([0, 0.5, 1]))
                if name == "opacity"
                else draw(st.integers(0, high))
                for _ in times
            ]
            thing[name] = [
                [t, v, draw(st.sampled_from(EASINGS))] for t, v in zip(times, values, strict=True)
            ]
        if "moves" in kinds:
            span = (last - first) / 2
            for key in ("enter", "exit"):
                if span >= Fraction(1, 10) and draw(st.booleans()):
                    move: Spec = {"duration": on_grid(draw, Fraction(1, 10), span)}
                    move["slide"] = draw(st.sampled_from(["left", "right", "top", "bottom"]))
                    if draw(st.booleans()):
                        move["fade"] = True
                    if draw(st.booleans()):
                        move["easing"] = draw(st.sampled_from(EASINGS))
                    thing[key] = move

    def scene(self, fps: object, longest: Fraction) -> tuple[Spec, Fraction]:
        draw = self.draw
        scene: Spec = {}
        layers = self.base_layers(scene)
        if draw(st.integers(0, 4)) == 4:
            layers.append(self.clip_layer())  # a clip over the base hides it
        if draw(st.integers(0, 4)) == 4:
            narration: Spec = {"text": draw(st.sampled_from(NARRATION_TEXTS)), "voice": "en"}
            delay = draw(st.sampled_from([0, 0, 0.1, 0.25, 0.4]))
            if delay:
                narration["delay"] = delay
            padding = draw(st.sampled_from([None, 0.3, 0.6]))
            if padding is not None:
                narration["padding"] = padding
            scene["narration"] = narration
        oracle = Oracle({"output": {"fps": fps}}, self.media)
        decided = None
        if any(layer["type"] in ("video", "image_sequence") for layer in layers) or (
            "narration" in scene
        ):
            decided = oracle.scene_duration({**scene, "layers": layers})
        if decided is not None and decided <= longest and draw(st.booleans()):
            duration = decided
        else:
            low = Fraction(1, 2)
            if "narration" in scene:
                delay, speech = oracle.narration_span(scene) or (Fraction(0), Fraction(0))
                low = delay + speech + Fraction(1, 10)
            scene["duration"] = on_grid(draw, low, max(low, longest))
            duration = seconds(scene["duration"])
        layers += [self.timed_layer(duration) for _ in range(draw(st.integers(0, 2)))]
        if not layers:
            layers.append(self.timed_layer(duration))
        scene["layers"] = layers
        return scene, duration

    def transition(self, room: Fraction) -> Spec | None:
        """A transition no longer than ``room`` seconds (None: a cut is the only choice)."""
        if room < Fraction(1, 10):
            return None
        kind = self.draw(st.sampled_from(TRANSITIONS))
        return {"type": kind, "duration": on_grid(self.draw, Fraction(1, 10), room)}

    def spec(self) -> Spec:
        draw = self.draw
        fps = draw(st.sampled_from(FPS))
        count = draw(st.integers(1, 4))
        longest = Fraction(4) / count + Fraction(1, 2)
        spec: Spec = {
            "version": 1,
            "output": {
                "path": "out.mp4",
                "size": "96x54",
                "fps": fps,
                "video": {"codec": "h264", "crf": 0, "preset": "ultrafast"},
            },
        }
        if draw(st.integers(0, 9)) == 9:
            spec["output"]["audio"] = None
        defaults: Spec = {}
        if draw(st.integers(0, 3)) == 3:
            defaults["background"] = self.colour()
        if count > 1 and draw(st.booleans()):
            defaults["transition"] = self.transition(Fraction(1, 2)) or {"type": "cut"}
        if defaults:
            spec["defaults"] = defaults
        scenes, durations = [], []
        for _ in range(count):
            scene, duration = self.scene(fps, longest)
            scenes.append(scene)
            durations.append(duration)
        # Transitions, left to right: each fits in what the previous scene has left after its
        # own incoming transition, and in its own scene.
        incoming = Fraction(0)
        default = defaults.get("transition")
        for index, scene in enumerate(scenes):
            if index == 0:
                if draw(st.integers(0, 5)) == 5:  # ignored on the first scene
                    scene["transition"] = self.transition(Fraction(1, 2)) or {"type": "cut"}
                continue
            room = min(durations[index - 1] - incoming, durations[index]) - SLACK
            choice = draw(st.sampled_from(["default", "own", "cut"]))
            fits_default = (
                default is None
                or default["type"] == "cut"
                or (seconds(default["duration"]) <= room)
            )
            if choice == "default" and fits_default:
                pass
            elif choice == "own" and (own := self.transition(room)) is not None:
                scene["transition"] = own
            else:
                scene["transition"] = {"type": "cut"}
            incoming = Oracle(spec | {"scenes": scenes}, self.media).transition(index)
        spec["scenes"] = scenes
        expected = Oracle(spec, self.media).expected()
        total = expected.duration
        overlays = [self.overlay(total) for _ in range(draw(st.integers(0, 2)))]
        if overlays:
            spec["overlays"] = overlays
        tracks = [
            t for _ in range(draw(st.integers(0, 2))) if (t := self.track(total, expected, scenes))
        ]
        if tracks:
            spec["audio"] = tracks
        return spec

    def overlay(self, total: Fraction) -> Spec:
        draw = self.draw
        sprite = draw(st.sampled_from(self.media.sprites))
        overlay: Spec = {"type": "image", "src": str(sprite.path)}
        self.placement(overlay)
        start = Fraction(0)
        if draw(st.booleans()):
            overlay["start"] = on_grid(draw, Fraction(0), total - Fraction(2, 5))
            start = seconds(overlay["start"])
        end = total
        if draw(st.booleans()):
            overlay["end"] = on_grid(draw, start + Fraction(1, 5), total - Fraction(1, 10))
            end = seconds(overlay["end"])
        if draw(st.integers(0, 3)) == 3 and end - start >= Fraction(3, 10):
            overlay["fade"] = on_grid(draw, Fraction(1, 20), (end - start) / 3)
        if "width" not in overlay and draw(st.integers(0, 2)) == 2:
            self.motion(overlay, start, end)
        return overlay

    def track(self, total: Fraction, expected: Expected, scenes: list[Spec]) -> Spec | None:
        draw = self.draw
        unused = [t for t in self.media.tracks if str(t.path) not in self.used_sounds]
        if not unused:
            return None
        media = draw(st.sampled_from(unused))
        self.used_sounds.add(str(media.path))
        track: Spec = {"src": str(media.path)}
        placed = draw(st.sampled_from(["zero", "start", "anchor"]))
        if placed == "start":
            track["start"] = on_grid(draw, Fraction(0), total - Fraction(1, 2))
        elif placed == "anchor":
            track["at"] = self.anchor(expected, scenes)
        if draw(st.booleans()):
            trim_start = on_grid(draw, Fraction(0), media.length - Fraction(1, 2), Fraction(1, 10))
            track["trim"] = {"start": trim_start}
            if draw(st.booleans()):
                track["trim"]["end"] = on_grid(
                    draw, seconds(trim_start) + Fraction(3, 10), media.length, Fraction(1, 10)
                )
        if draw(st.booleans()):
            track["loop"] = True
        for key in ("fade_in", "fade_out"):
            if draw(st.integers(0, 2)) == 2:
                track[key] = on_grid(draw, Fraction(1, 10), Fraction(1, 2))
        volume = draw(st.sampled_from([1, 1, 0.5, 0]))
        if volume != 1:
            track["volume"] = volume
        return track

    def anchor(self, expected: Expected, scenes: list[Spec]) -> Spec:
        """A scene to start at (by index, or by a name given to it here) and an offset that
        keeps the start inside the video."""
        draw = self.draw
        index = draw(st.integers(0, len(expected.scenes) - 1))
        timing = expected.scenes[index]
        room = expected.duration - Fraction(timing.first) / expected.fps - Fraction(1, 5)
        anchor: Spec = {"scene": index}
        if draw(st.booleans()):
            name = f"scene-{index}"
            scenes[index]["name"] = name
            anchor["scene"] = name
        if room > 0 and draw(st.booleans()):
            anchor["offset"] = on_grid(draw, Fraction(0), min(room, Fraction(1)))
        return anchor


def specs(media: Catalogue) -> st.SearchStrategy[Spec]:
    @st.composite
    def build(draw: Draw) -> Spec:
        return SpecBuilder(draw, media).spec()

    return build()
