"""Where each value and key of a spec was written, so that any problem found later can point
at ``file:line:column`` with a dotted path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.errors import SpecIssue

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceMap:
    """Where each value (and each mapping key) of a YAML document was written."""

    file: str | None
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    #: Collections that are an alias of one seen earlier: path → the path of that first use.
    #: What lies inside is located there, so each aliased collection is walked once.
    links: dict[PathKey, PathKey] = field(default_factory=dict)

    def locate(self, path: PathKey, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of ``path``, or of its nearest located ancestor."""
        table = self.keys if key else self.values
        probe = self._through_links(tuple(path))
        if probe in table:
            return table[probe]
        while probe:
            probe = probe[:-1]
            if probe in self.values:
                return self.values[probe]
        return None, None

    def _through_links(self, path: PathKey) -> PathKey:
        if not self.links:
            return path
        for _ in range(len(path) + 1):  # each link moves to an earlier, finished walk
            for cut in range(1, len(path)):
                target = self.links.get(path[:cut])
                if target is not None:
                    path = target + path[cut:]
                    break
            else:
                return path
        return path

    def issue(self, path: PathKey, message: str, *, key: bool = False) -> SpecIssue:
        line, column = self.locate(path, key=key)
        return SpecIssue(message, format_path(path), self.file, line, column)


def format_path(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, str) and len(part) > 60:  # an unknown key can be any length
            part = f"{part[:40]}…({len(part)} characters)"
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
