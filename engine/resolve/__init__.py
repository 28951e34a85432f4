"""Everything that needs I/O before compiling: probing media, drawing text, the timeline."""

from engine.resolve.resolver import resolve
from engine.resolve.timeline import ResolvedSpec

__all__ = ["ResolvedSpec", "resolve"]
