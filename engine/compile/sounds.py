"""What every sound source's chain is built from (clip sound, narration, music tracks): the
output's rate, the window of samples being made, fresh timestamps, placement in samples, and
where clips' sound crossfades at transitions.

Every source is made the same way: decoded at the output rate with fresh timestamps counted
in samples, cut to its length in samples, then delayed by its start in samples. So a source
is heard exactly where the spec places it, the mix starts at sample 0, and nothing depends
on the timestamps ffmpeg's filters pass along (``adelay``, for one, hands out its padding with
none), so nothing varies from run to run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from engine.compile.graph import Filter, GraphBuilder, f
from engine.resolved import ResolvedScene

#: Timestamps counted from the samples themselves. Rounded: ffmpeg evaluates N/SR/TB in
#: floating point and truncates, so some sample counts (3003 of them in a 20 s stream at
#: 48 kHz; 3003/48000/(1/48000) = 3002.9999…) came out a sample early. Which counts are hit
#: depends on how the mix happens to cut its frames, which depends on thread timing: renders
#: under load were not byte-identical (AAC packets of 1023 and 1025 samples).
FRESH_PTS = f("asetpts", "round(N/SR/TB)")


@dataclass(frozen=True)
class Crossfade:
    """Where clips' own sound crosses a transition: samples [start, start + samples) of the
    timeline — from the incoming scene's first sample, for the transition's exact duration —
    over which the outgoing scene's clips fade out and the incoming scene's fade in, with
    ``afade``'s ``curve`` (in: gain(k / samples) at sample k of the ramp; out: gain(1 - k /
    samples); so the two always meet on the same samples)."""

    start: int
    samples: int
    curve: str

    @property
    def end(self) -> int:
        return self.start + self.samples

    def fade(self, direction: str, origin: int) -> Filter:
        """The ramp on a stream whose first sample is sample ``origin`` of the timeline."""
        return f("afade", t=direction, ss=self.start - origin, ns=self.samples, curve=self.curve)


@dataclass(frozen=True)
class Sounds:
    """The builder, the output's frame and sample rates, the window of samples
    [first, last) being made, and the crossfades at transitions: by scene index, the one
    into the scene and the one out of it (None: a cut, no transition, or ``audio: cut``)."""

    g: GraphBuilder
    fps: Fraction
    rate: int
    window: tuple[int, int]
    crossfades: Mapping[int, tuple[Crossfade | None, Crossfade | None]] = field(
        default_factory=dict
    )

    def entering(self, scene: ResolvedScene) -> Crossfade | None:
        return self.crossfades.get(scene.index, (None, None))[0]

    def leaving(self, scene: ResolvedScene) -> Crossfade | None:
        return self.crossfades.get(scene.index, (None, None))[1]

    def normal(self) -> list[Filter]:
        """The output's sample format, rate and layout, with fresh timestamps."""
        return [
            f("aformat", sample_fmts="fltp", sample_rates=self.rate, channel_layouts="stereo"),
            FRESH_PTS,
        ]

    def heard(self, start: int, length: int) -> bool:
        return length > 0 and start < self.window[1] and start + length > self.window[0]

    def placed(self, start: int) -> list[Filter]:
        """Silence before the source, so it begins at sample ``start`` of the timeline."""
        return [f("adelay", delays=f"{start}S", all=1), FRESH_PTS] if start else []


def atempo(speed: float) -> list[Filter]:
    """Sound played ``speed`` times as fast, at its own pitch (atempo takes 0.5..2 per
    instance; larger changes chain instances)."""
    filters: list[Filter] = []
    while speed > 2.0:
        filters.append(f("atempo", 2))
        speed /= 2.0
    while speed < 0.5:
        filters.append(f("atempo", 0.5))
        speed /= 0.5
    if abs(speed - 1.0) > 1e-9:
        filters.append(f("atempo", speed))
    return filters
