"""The Plan: everything needed to run one ffmpeg command, and nothing that depends on where or
when it runs. ``argv`` renders it; the runner supplies the binary and the output file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.compile.graph import Input
from engine.feeds import Feed


@dataclass(frozen=True)
class Plan:
    inputs: tuple[Input, ...]
    filter_graph: tuple[str, ...]
    maps: tuple[str, ...]
    output_args: tuple[str, ...]
    output_path: str
    duration: float
    frame_count: int
    has_audio: bool
    #: The sound's own filter graph. It is kept apart from the picture's: in one graph, one
    #: thread serves both, and ffmpeg 9 can deadlock when that thread waits to hand over
    #: sound the muxer will not take before more picture arrives (seen: 4 hangs in 4 runs of
    #: a 60 s render on one core; none with two graphs).
    audio_graph: tuple[str, ...] = ()
    #: What writes each ``pipe:N`` input: generator and frame-model feeds.
    feeds: tuple[Feed, ...] = ()

    @property
    def graph_text(self) -> str:
        return ";".join(self.filter_graph)

    @property
    def audio_graph_text(self) -> str:
        return ";".join(self.audio_graph)

    def graphs(self) -> list[str]:
        return [text for text in (self.graph_text, self.audio_graph_text) if text]

    def argv(
        self,
        ffmpeg: str = "ffmpeg",
        output: str | None = None,
        extra_global: tuple[str, ...] = (),
        input_guard: Callable[[tuple[str, ...]], tuple[str, ...]] | None = None,
    ) -> list[str]:
        """The command. ``input_guard`` gives options put before each input's own (the
        runner's protocol and demuxer whitelists); the plan itself stays free of them, so
        it reads and hashes the same on every machine."""
        args = [ffmpeg, "-hide_banner", "-nostdin", *extra_global]
        for entry in self.inputs:
            guard = input_guard(entry.options) if input_guard else ()
            args += [*guard, *entry.options, "-i", entry.target]
        for graph in self.graphs():
            args += ["-filter_complex", graph]
        for label in self.maps:
            args += ["-map", label]
        args += [*self.output_args, output or self.output_path]
        return args

    def pretty(self, ffmpeg: str = "ffmpeg") -> str:
        """The command as a person reads it: one input or option group a line, the graph
        one chain a line (ffmpeg accepts it that way too, through -/filter_complex)."""
        import shlex

        lines = [f"{shlex.quote(ffmpeg)} -hide_banner -nostdin \\"]
        for entry in self.inputs:
            opts = " ".join(shlex.quote(o) for o in entry.options)
            lines.append(f"  {opts + ' ' if opts else ''}-i {shlex.quote(entry.target)} \\")
        for graph in self.graphs():
            lines.append("  -filter_complex " + shlex.quote(graph) + " \\")
        for label in self.maps:
            lines.append(f"  -map {shlex.quote(label)} \\")
        lines.append("  " + " ".join(shlex.quote(a) for a in self.output_args) + " \\")
        lines.append(f"  {shlex.quote(self.output_path)}")
        graph = "\n".join(f"  {chain};" for chain in (*self.filter_graph, *self.audio_graph))
        text = "\n".join(lines) + "\n\n# filter graphs, one chain a line:\n" + graph + "\n"
        if self.feeds:
            text += "\n# frames streamed in by reelspec:\n"
            text += "".join(f"#   {feed.describe()}\n" for feed in self.feeds)
        return text
