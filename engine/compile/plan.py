"""The Plan: everything needed to run one ffmpeg command, and nothing that depends on where or
when it runs. ``argv`` renders it; the runner supplies the binary and the output file."""

from __future__ import annotations

from dataclasses import dataclass

from engine.compile.graph import Input


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

    @property
    def graph_text(self) -> str:
        return ";".join(self.filter_graph)

    def argv(
        self, ffmpeg: str = "ffmpeg", output: str | None = None, extra_global: tuple[str, ...] = ()
    ) -> list[str]:
        args = [ffmpeg, "-hide_banner", "-nostdin", *extra_global]
        for entry in self.inputs:
            args += [*entry.options, "-i", entry.target]
        if self.filter_graph:
            args += ["-filter_complex", self.graph_text]
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
        if self.filter_graph:
            lines.append("  -filter_complex " + shlex.quote(self.graph_text) + " \\")
        for label in self.maps:
            lines.append(f"  -map {shlex.quote(label)} \\")
        lines.append("  " + " ".join(shlex.quote(a) for a in self.output_args) + " \\")
        lines.append(f"  {shlex.quote(self.output_path)}")
        graph = "\n".join(f"  {chain};" for chain in self.filter_graph)
        return "\n".join(lines) + "\n\n# filter graph, one chain a line:\n" + graph + "\n"
